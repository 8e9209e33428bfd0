// Package keys holds the key providers posture signs and wraps with: a key file for
// development, HashiCorp Vault's transit engine and AWS KMS. Private keys held by Vault or
// KMS never leave them; posture only asks them to sign or to wrap a data key.
package keys

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Signature algorithms. The algorithm is stored beside every signature because one
// provider cannot do what another does: KMS has no Ed25519 key spec, so KMS signatures
// are ECDSA over P-256.
const (
	Ed25519         = "ed25519"
	ECDSAP256SHA256 = "ecdsa-p256-sha256"
)

// Signer signs messages with a key it may never reveal.
type Signer interface {
	// KeyID names the key, including its version where the provider versions keys, so
	// that a signature can be checked after the key has been rotated.
	KeyID() string
	// Algorithm is Ed25519 or ECDSAP256SHA256.
	Algorithm() string
	// Sign signs msg itself (not a digest of it chosen by the caller).
	Sign(ctx context.Context, msg []byte) ([]byte, error)
	// Public returns the verification key: an ed25519.PublicKey or an *ecdsa.PublicKey.
	Public(ctx context.Context) (crypto.PublicKey, error)
}

// Wrapper encrypts and decrypts data keys (envelope encryption): data is encrypted
// locally with a random key, and only that key goes to the provider.
type Wrapper interface {
	KeyID() string
	Wrap(ctx context.Context, dataKey []byte) ([]byte, error)
	Unwrap(ctx context.Context, wrapped []byte) ([]byte, error)
}

// PublicKey is one trusted verification key.
type PublicKey struct {
	KeyID     string
	Algorithm string
	Key       crypto.PublicKey
}

// Ring is the set of keys a verifier trusts, by key id.
type Ring map[string]PublicKey

// PublicKeyLister is implemented by providers that can list earlier versions of their key,
// so that signatures made before a rotation still verify.
type PublicKeyLister interface {
	PublicKeys(ctx context.Context) ([]PublicKey, error)
}

// NewRing asks each signer for its public key (every version, where it can list them).
func NewRing(ctx context.Context, signers ...Signer) (Ring, error) {
	r := Ring{}
	for _, s := range signers {
		if l, ok := s.(PublicKeyLister); ok {
			pks, err := l.PublicKeys(ctx)
			if err != nil {
				return nil, fmt.Errorf("keys: public keys of %s: %w", s.KeyID(), err)
			}
			for _, pk := range pks {
				r[pk.KeyID] = pk
			}
			continue
		}
		pub, err := s.Public(ctx)
		if err != nil {
			return nil, fmt.Errorf("keys: public key of %s: %w", s.KeyID(), err)
		}
		r[s.KeyID()] = PublicKey{KeyID: s.KeyID(), Algorithm: s.Algorithm(), Key: pub}
	}
	return r, nil
}

// ErrUnknownKey is returned by Ring.Verify for a key id the ring does not hold.
var ErrUnknownKey = errors.New("keys: unknown key id")

// Verify checks sig over msg with the key keyID names. The algorithm recorded with the
// signature must be the key's: a signature cannot choose how it is checked.
func (r Ring) Verify(keyID, alg string, msg, sig []byte) error {
	pk, ok := r[keyID]
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownKey, keyID)
	}
	if pk.Algorithm != alg {
		return fmt.Errorf("keys: key %s is %s, signature claims %s", keyID, pk.Algorithm, alg)
	}
	return Verify(alg, pk.Key, msg, sig)
}

// Verify checks sig over msg with pub under alg.
func Verify(alg string, pub crypto.PublicKey, msg, sig []byte) error {
	switch alg {
	case Ed25519:
		k, ok := pub.(ed25519.PublicKey)
		if !ok || len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("keys: %s needs an Ed25519 public key, have %T", alg, pub)
		}
		if !ed25519.Verify(k, msg, sig) {
			return errors.New("keys: bad Ed25519 signature")
		}
		return nil
	case ECDSAP256SHA256:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok || k.Curve.Params().Name != "P-256" {
			return fmt.Errorf("keys: %s needs a P-256 public key, have %T", alg, pub)
		}
		d := sha256.Sum256(msg)
		if !ecdsa.VerifyASN1(k, d[:], sig) {
			return errors.New("keys: bad ECDSA signature")
		}
		return nil
	}
	return fmt.Errorf("keys: unknown signature algorithm %q", alg)
}
