package governance

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Evidence files are encrypted at rest with envelope encryption: each file gets a
// random AES-256 data key, the file is sealed with AES-GCM, and only the data key
// wrapped by the key provider (keys.Wrapper) is stored, in the database. Reading the
// data directory alone gives ciphertext; reading the database alone gives wrapped keys.
// The ciphertext is bound to its file name (GCM additional data), so swapping two
// files is detected like any other tampering.

// MaxEvidenceSize bounds one evidence file.
const MaxEvidenceSize = 20 << 20

// evidenceTypes are the sniffed content types accepted: documents, screenshots,
// exports. What the browser claims is ignored.
var evidenceTypes = []string{"application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain; charset=utf-8", "application/zip", "application/x-gzip"}

const evidenceMagic = "PEV1"

// ErrTampered is returned when an evidence file does not decrypt or does not match
// its recorded digest.
var ErrTampered = errors.New("evidence file fails authentication: modified, swapped or truncated")

var evidenceFileRE = regexp.MustCompile(`^[0-9a-f]{32}\.bin$`)

// sniff decides the content type from the bytes.
func sniff(data []byte) (string, error) {
	ct := http.DetectContentType(data)
	if !slices.Contains(evidenceTypes, ct) {
		return "", invalid("evidence of type %s is not accepted (PDF, PNG, JPEG, GIF, plain text, ZIP or gzip)", ct)
	}
	return ct, nil
}

// sealed is an encrypted evidence file ready to be recorded.
type sealed struct {
	file, sha, keyID string
	wrapped          []byte
}

// sealEvidence encrypts data into a new file under the evidence directory.
func (s *Service) sealEvidence(ctx context.Context, data []byte) (sealed, error) {
	if s.Keys == nil || s.EvidenceDir == "" {
		return sealed{}, errors.New("evidence storage is not configured (no key provider or data directory)")
	}
	var name [16]byte
	dataKey := make([]byte, 32)
	nonce := make([]byte, 12)
	for _, b := range [][]byte{name[:], dataKey, nonce} {
		if _, err := rand.Read(b); err != nil {
			return sealed{}, err
		}
	}
	file := hex.EncodeToString(name[:]) + ".bin"
	wrapped, err := s.Keys.Wrap(ctx, dataKey)
	if err != nil {
		return sealed{}, fmt.Errorf("wrapping the evidence data key: %w", err)
	}
	gcm, err := newGCM(dataKey)
	if err != nil {
		return sealed{}, err
	}
	out := append([]byte(evidenceMagic), nonce...)
	out = gcm.Seal(out, nonce, data, []byte(evidenceMagic+file))
	clear(dataKey)
	if err := os.MkdirAll(s.EvidenceDir, 0o700); err != nil {
		return sealed{}, fmt.Errorf("evidence directory: %w", err)
	}
	tmp, err := os.CreateTemp(s.EvidenceDir, ".upload-*")
	if err != nil {
		return sealed{}, fmt.Errorf("evidence file: %w", err)
	}
	_, werr := tmp.Write(out)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), filepath.Join(s.EvidenceDir, file))
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return sealed{}, fmt.Errorf("evidence file: %w", werr)
	}
	sum := sha256.Sum256(data)
	return sealed{file: file, sha: hex.EncodeToString(sum[:]), keyID: s.Keys.KeyID(), wrapped: wrapped}, nil
}

// openEvidence decrypts a recorded evidence file and checks its digest.
func (s *Service) openEvidence(ctx context.Context, file string, wrapped []byte, wantSHA string) ([]byte, error) {
	if !evidenceFileRE.MatchString(file) {
		return nil, fmt.Errorf("evidence file name %q: %w", file, ErrTampered)
	}
	raw, err := os.ReadFile(filepath.Join(s.EvidenceDir, file))
	if err != nil {
		return nil, fmt.Errorf("evidence file: %w", err)
	}
	if len(raw) < len(evidenceMagic)+12+16 || !strings.HasPrefix(string(raw[:4]), evidenceMagic) {
		return nil, ErrTampered
	}
	dataKey, err := s.Keys.Unwrap(ctx, wrapped)
	if err != nil {
		return nil, fmt.Errorf("unwrapping the evidence data key: %w", err)
	}
	gcm, err := newGCM(dataKey)
	clear(dataKey)
	if err != nil {
		return nil, err
	}
	nonce := raw[4:16]
	data, err := gcm.Open(nil, nonce, raw[16:], []byte(evidenceMagic+file))
	if err != nil {
		return nil, ErrTampered
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != wantSHA {
		return nil, ErrTampered
	}
	return data, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}
