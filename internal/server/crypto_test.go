package server

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// RFC 6238 Appendix B, SHA-1 rows: the 8-digit codes for the ASCII secret
// "12345678901234567890".
func TestTOTPRFC6238Vectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		if got := hotp(secret, uint64(v.unix/totpStep), 8); got != v.code {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.code)
		}
		// The 6-digit code is the last six digits of the same truncation.
		if got := TOTPCode(secret, time.Unix(v.unix, 0)); got != v.code[2:] {
			t.Errorf("T=%d 6 digits: %s, want %s", v.unix, got, v.code[2:])
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	step := now.Unix() / totpStep
	for _, c := range []struct {
		code string
		at   time.Time
		ok   bool
		step int64
	}{
		{"050471", now, true, step},
		{"050 471", now, true, step},
		{"050-471", now, true, step},
		{TOTPCode(secret, now.Add(-30*time.Second)), now, true, step - 1},
		{TOTPCode(secret, now.Add(30*time.Second)), now, true, step + 1},
		{TOTPCode(secret, now.Add(-90*time.Second)), now, false, 0},
		{"", now, false, 0},
		{"05047", now, false, 0},
		{"0504711", now, false, 0},
		{"05047a", now, false, 0},
		{"０５０４７１", now, false, 0},
	} {
		s, ok := VerifyTOTP(secret, c.code, c.at)
		if ok != c.ok || s != c.step {
			t.Errorf("VerifyTOTP(%q) = %d, %v; want %d, %v", c.code, s, ok, c.step, c.ok)
		}
	}
	if _, ok := VerifyTOTP(nil, "050471", now); ok {
		t.Error("empty secret verified")
	}
	sec := NewTOTPSecret()
	back, err := ParseTOTPSecretText(strings.ToLower(TOTPSecretText(sec)))
	if err != nil || string(back) != string(sec) {
		t.Errorf("secret text round trip: %v", err)
	}
	if uri := TOTPURI("posture", "ada@example.com", sec); !strings.HasPrefix(uri, "otpauth://totp/posture:ada@example.com?") {
		t.Errorf("URI %s", uri)
	}
}

func FuzzTOTPInput(f *testing.F) {
	for _, s := range []string{"123456", "123 456", "", "12345678901234567890123456789012345", "١٢٣٤٥٦", "12-34-56"} {
		f.Add(s)
	}
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	f.Fuzz(func(t *testing.T, s string) {
		n := normalizeTOTPInput(s)
		if n != "" && (len(n) != totpDigits || strings.Trim(n, "0123456789") != "") {
			t.Fatalf("normalized %q to %q", s, n)
		}
		if _, ok := VerifyTOTP(secret, s, now); ok && n == "" {
			t.Fatalf("verified un-normalizable %q", s)
		}
		ParseTOTPSecretText(s)
	})
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=8192,t=1,p=2$") {
		t.Fatalf("hash %s", h)
	}
	if !VerifyPassword(h, "correct horse battery") || VerifyPassword(h, "correct horse batterY") || VerifyPassword(h, "") {
		t.Fatal("verification wrong")
	}
	if h2, _ := HashPassword("correct horse battery"); h2 == h {
		t.Fatal("no salt")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Fatal("short password accepted")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=8192,t=1,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=99999999,t=1,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=8192,t=1,p=2,x=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=8192,t=1,p=2$!!$a2V5"} {
		if _, err := parsePHC(bad); err == nil {
			t.Errorf("parsePHC accepted %q", bad)
		}
	}
}

func FuzzParsePHC(f *testing.F) {
	h, _ := HashPassword("correct horse battery")
	f.Add(h)
	f.Add("$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePHC(s)
		if err == nil && (p.memory > 1024*1024 || p.time > 16 || p.threads > 16 || len(p.key) > 64) {
			t.Fatalf("accepted expensive parameters %+v", p)
		}
	})
}

func TestSecrets(t *testing.T) {
	tok, hash := NewAPIToken()
	if !strings.HasPrefix(tok, TokenPrefix) || len(tok) != len(TokenPrefix)+secretLength {
		t.Fatalf("token %q", tok)
	}
	if got, err := ParseAPIToken(tok); err != nil || string(got) != string(hash) {
		t.Fatalf("ParseAPIToken: %v", err)
	}
	for _, bad := range []string{"", "pst_", tok[4:], "PST_" + tok[4:], tok + "A", tok[:len(tok)-1] + "=", "pst_" + strings.Repeat("+", secretLength)} {
		if _, err := ParseAPIToken(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	// Strict decoding: a final character with non-zero padding bits is another string
	// for the same bytes, and is refused.
	s := newSecret()
	alt := s[:len(s)-1] + string(s[len(s)-1]^1)
	if _, err := parseSecret(alt); err == nil && alt != s {
		b1, _ := parseSecret(s)
		b2, _ := parseSecret(alt)
		if string(b1) == string(b2) {
			t.Error("two encodings of one secret")
		}
	}
}

func FuzzParseSecret(f *testing.F) {
	f.Add(newSecret())
	f.Add("")
	f.Add(strings.Repeat("A", secretLength))
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseSecret(s)
		if err == nil && (len(s) != secretLength || len(h) != 32) {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzParseAPIToken(f *testing.F) {
	tok, _ := NewAPIToken()
	f.Add(tok)
	f.Add("pst_")
	f.Add("Bearer " + tok)
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParseAPIToken(s); err == nil && (!strings.HasPrefix(s, TokenPrefix) || len(s) != len(TokenPrefix)+secretLength) {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/a?b", "//evil", "https://evil", "/\\evil", "/%2F%2Fevil", "\t/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := safeNext(s)
		if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.HasPrefix(n, "/\\") {
			t.Fatalf("safeNext(%q) = %q", s, n)
		}
	})
}

func TestLocalTLS(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	now := time.Now()
	cert, ca, err := LocalTLS(dir, []string{"localhost", "127.0.0.1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.Created || len(ca.Fingerprint) != 95 {
		t.Fatalf("CA %+v", ca)
	}
	for _, f := range []string{"ca.key", "server.key"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, fi.Mode(), err)
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	for _, name := range []string{"localhost", "127.0.0.1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: name}); err != nil {
			t.Errorf("verify %s: %v", name, err)
		}
	}
	// Second run: same CA, same certificate.
	cert2, ca2, err := LocalTLS(dir, []string{"localhost", "127.0.0.1"}, now)
	if err != nil || ca2.Created || ca2.Fingerprint != ca.Fingerprint || string(cert2.Certificate[0]) != string(cert.Certificate[0]) {
		t.Fatalf("second run changed things: %v", err)
	}
	// A new name: new server certificate from the same CA.
	cert3, ca3, err := LocalTLS(dir, []string{"localhost", "posture.internal"}, now)
	if err != nil || ca3.Fingerprint != ca.Fingerprint || string(cert3.Certificate[0]) == string(cert.Certificate[0]) {
		t.Fatalf("new name: %v", err)
	}
	// Close to expiry: renewed.
	cert4, _, err := LocalTLS(dir, []string{"localhost", "posture.internal"}, now.AddDate(1, 0, 10))
	if err != nil || string(cert4.Certificate[0]) == string(cert3.Certificate[0]) {
		t.Fatalf("not renewed near expiry: %v", err)
	}
	_ = tls.VersionTLS12
}
