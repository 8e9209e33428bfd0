package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// Secrets the server hands out (session IDs, API tokens, enrolment links, device
// cookies, pre-session CSRF tokens) are 256 random bits, base64url without padding.
const (
	secretBytes  = 32
	secretLength = 43 // base64.RawURLEncoding.EncodedLen(secretBytes)
	// TokenPrefix marks API tokens so that secret scanners recognise a leaked one.
	TokenPrefix = "pst_"
)

var errMalformed = errors.New("malformed credential")

func newSecret() string {
	var b [secretBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never returns an error on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// parseSecret checks that s has exactly the shape newSecret produces and returns its
// SHA-256, the only form in which the store keeps it. Anything else is rejected before
// the database is asked.
func parseSecret(s string) ([]byte, error) {
	if len(s) != secretLength {
		return nil, errMalformed
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != secretBytes {
		return nil, errMalformed
	}
	return hashSecret(s), nil
}

func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// NewAPIToken returns a new API token secret ("pst_" and 43 characters) and the hash
// to store.
func NewAPIToken() (secret string, hash []byte) {
	s := TokenPrefix + newSecret()
	return s, hashSecret(s)
}

// ParseAPIToken checks the shape of an API token and returns the hash to look up.
func ParseAPIToken(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, TokenPrefix)
	if !ok {
		return nil, errMalformed
	}
	if _, err := parseSecret(rest); err != nil {
		return nil, err
	}
	return hashSecret(s), nil
}

// NewEnrolmentSecret returns a one-time enrolment secret and the hash to store.
func NewEnrolmentSecret() (secret string, hash []byte) {
	s := newSecret()
	return s, hashSecret(s)
}
