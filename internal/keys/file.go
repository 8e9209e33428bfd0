package keys

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File is a development key provider: an Ed25519 key in a PEM file (PKCS #8) that only
// its owner may read. It signs with the key and wraps data keys with an AES-256-GCM key
// derived from it.
type File struct {
	path  string
	priv  ed25519.PrivateKey
	keyID string
	aead  cipher.AEAD
}

// DefaultKeyFile is the key file's name in the data directory.
const DefaultKeyFile = "audit-signing.key"

// ErrNoKeyFile is returned by LoadFile when the file does not exist.
var ErrNoKeyFile = errors.New("keys: no key file")

// OpenFile loads the key at path, creating it (mode 0600, directory 0700) when it does
// not exist. Two processes creating it at once end up with the same key: creation is
// exclusive and the loser reads the winner's file.
func OpenFile(path string) (*File, error) {
	f, err := LoadFile(path)
	if !errors.Is(err, ErrNoKeyFile) {
		return f, err
	}
	if err := createKeyFile(path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	return LoadFile(path)
}

func createKeyFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("keys: create key directory: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("keys: generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("keys: encode key: %w", err)
	}
	// Written under a temporary name and linked into place so that a reader never sees a
	// half-written key, and link fails (instead of overwriting) when another process won.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*")
	if err != nil {
		return fmt.Errorf("keys: create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: chmod key file: %w", err)
	}
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: sync key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("keys: write key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("keys: install key file: %w", err)
	}
	return nil
}

// LoadFile loads an existing key file. It refuses a file that its group or others can
// read or write: such a key may have been copied or replaced.
func LoadFile(path string) (*File, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s", ErrNoKeyFile, path)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("keys: %s is not a regular file", path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("keys: refusing key file %s with mode %s: it must be readable by its owner only (chmod 600)", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("keys: %s holds no PEM PRIVATE KEY", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("keys: %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("keys: %s holds a %T, want an Ed25519 key", path, k)
	}
	return newFile(path, priv)
}

func newFile(path string, priv ed25519.PrivateKey) (*File, error) {
	pub := priv.Public().(ed25519.PublicKey)
	sum := sha256.Sum256(pub)
	// The wrapping key is derived, not the signing key reused: one key, one purpose.
	wk, err := hkdf.Key(sha256.New, priv.Seed(), nil, "posture data-key wrapping v1", 32)
	if err != nil {
		return nil, fmt.Errorf("keys: derive wrapping key: %w", err)
	}
	blk, err := aes.NewCipher(wk)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	aead, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return &File{path: path, priv: priv, keyID: "file:" + hex.EncodeToString(sum[:8]), aead: aead}, nil
}

// KeyID is "file:" and the first 8 bytes of the public key's SHA-256, in hex.
func (f *File) KeyID() string { return f.keyID }

// Algorithm is Ed25519.
func (f *File) Algorithm() string { return Ed25519 }

// Sign signs msg with the file's key.
func (f *File) Sign(_ context.Context, msg []byte) ([]byte, error) {
	return ed25519.Sign(f.priv, msg), nil
}

// Public returns the ed25519.PublicKey.
func (f *File) Public(context.Context) (crypto.PublicKey, error) {
	return f.priv.Public().(ed25519.PublicKey), nil
}

// Wrap encrypts a data key: a random 12-byte nonce followed by the AES-GCM ciphertext,
// bound to this key id.
func (f *File) Wrap(_ context.Context, dataKey []byte) ([]byte, error) {
	nonce := make([]byte, f.aead.NonceSize(), f.aead.NonceSize()+len(dataKey)+f.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("keys: nonce: %w", err)
	}
	return f.aead.Seal(nonce, nonce, dataKey, []byte(f.keyID)), nil
}

// Unwrap decrypts what Wrap returned.
func (f *File) Unwrap(_ context.Context, wrapped []byte) ([]byte, error) {
	n := f.aead.NonceSize()
	if len(wrapped) < n+f.aead.Overhead() {
		return nil, errors.New("keys: wrapped key too short")
	}
	out, err := f.aead.Open(nil, wrapped[:n], wrapped[n:], []byte(f.keyID))
	if err != nil {
		return nil, errors.New("keys: wrapped key does not decrypt with this key")
	}
	return out, nil
}
