package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// RFC 6238 TOTP with the parameters every authenticator app supports: HMAC-SHA1,
// 30-second steps, 6 digits. The secret is 160 bits, RFC 4226's recommendation.
const (
	totpStep      = 30
	totpDigits    = 6
	totpSecretLen = 20
	// totpSkew accepts the previous and next step, for clocks a little apart.
	totpSkew = 1
)

// NewTOTPSecret returns a random TOTP secret.
func NewTOTPSecret() []byte {
	b := make([]byte, totpSecretLen)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return b
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPSecretText is the secret as authenticator apps want it typed: base32, unpadded.
func TOTPSecretText(secret []byte) string { return b32.EncodeToString(secret) }

// ParseTOTPSecretText reads a secret written by TOTPSecretText (spaces and case ignored).
func ParseTOTPSecretText(s string) ([]byte, error) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	b, err := b32.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(b) < 16 || len(b) > 64 {
		return nil, fmt.Errorf("not a TOTP secret")
	}
	return b, nil
}

// TOTPURI is the otpauth:// URI authenticator apps import.
func TOTPURI(issuer, account string, secret []byte) string {
	v := url.Values{}
	v.Set("secret", TOTPSecretText(secret))
	v.Set("issuer", issuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", fmt.Sprint(totpDigits))
	v.Set("period", fmt.Sprint(totpStep))
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}

// hotp is RFC 4226's HOTP with dynamic truncation, for any number of digits up to 10.
func hotp(secret []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, secret)
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], counter)
	mac.Write(c[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := uint64(binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff)
	mod := uint64(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, code%mod)
}

func totpStepAt(t time.Time) int64 { return t.Unix() / totpStep }

// TOTPCode is the code for time t.
func TOTPCode(secret []byte, t time.Time) string {
	return hotp(secret, uint64(totpStepAt(t)), totpDigits)
}

// normalizeTOTPInput accepts what people type ("123 456", "123-456") and returns the
// six digits, or "" when it is not a code.
func normalizeTOTPInput(s string) string {
	if len(s) > 32 {
		return ""
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '\t':
		default:
			return ""
		}
	}
	if b.Len() != totpDigits {
		return ""
	}
	return b.String()
}

// VerifyTOTP checks code against the steps around t and returns the step it matched,
// so the caller can refuse a step already used (replay). All candidate steps are
// computed and compared in constant time.
func VerifyTOTP(secret []byte, code string, t time.Time) (step int64, ok bool) {
	code = normalizeTOTPInput(code)
	if code == "" || len(secret) == 0 {
		return 0, false
	}
	now := totpStepAt(t)
	for s := now - totpSkew; s <= now+totpSkew; s++ {
		if subtle.ConstantTimeCompare([]byte(hotp(secret, uint64(s), totpDigits)), []byte(code)) == 1 && !ok {
			step, ok = s, true
		}
	}
	return step, ok
}
