package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: RFC 9106's second recommended option (64 MiB, 3 passes), one
// lane per core the hash may use.
// Variables only so that tests can make hashing cheap; nothing else changes them.
var (
	argonTime   uint32 = 3
	argonMemory uint32 = 64 * 1024
)

const (
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
	// MinPasswordLength follows NIST SP 800-63B for a password used with a second factor.
	MinPasswordLength = 12
	maxPasswordLength = 1024
)

// HashPassword returns the argon2id hash of password in PHC string form.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLength || len(password) > maxPasswordLength {
		return "", fmt.Errorf("a password needs %d to %d characters", MinPasswordLength, maxPasswordLength)
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// phc is a parsed argon2id hash.
type phc struct {
	memory    uint32
	time      uint32
	threads   uint8
	salt, key []byte
}

// parsePHC reads "$argon2id$v=19$m=…,t=…,p=…$salt$key", refusing parameters that would
// let a tampered row make verification hog memory or CPU.
func parsePHC(s string) (phc, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return phc{}, errors.New("not an argon2id v19 hash")
	}
	var p phc
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &threads); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", p.memory, p.time, threads) != parts[3] {
		return phc{}, errors.New("bad argon2id parameters")
	}
	if p.memory < 8*1024 || p.memory > 1024*1024 || p.time < 1 || p.time > 16 || threads < 1 || threads > 16 {
		return phc{}, errors.New("argon2id parameters out of range")
	}
	p.threads = uint8(threads)
	var err error
	if p.salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil || len(p.salt) < 8 || len(p.salt) > 64 {
		return phc{}, errors.New("bad argon2id salt")
	}
	if p.key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return phc{}, errors.New("bad argon2id key")
	}
	return p, nil
}

// VerifyPassword reports whether password matches hash, in time independent of where
// they differ.
func VerifyPassword(hash, password string) bool {
	p, err := parsePHC(hash)
	if err != nil || len(password) > maxPasswordLength {
		return false
	}
	key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1
}

// dummyHash is verified against when the account does not exist, so that the response
// time does not tell which addresses have accounts.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("posture-dummy-password-never-matches")
	return h
})
