package secrets

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzScan runs every rule over arbitrary content: no panic, every reported secret is a
// substring of the content (or of its decoded form) and locations are in range.
func FuzzScan(f *testing.F) {
	rules, err := DefaultRules()
	if err != nil {
		f.Fatal(err)
	}
	sc := NewScanner(rules)
	f.Add("config/app.go", []byte(`password = "Xk29#mPq!vL4"`))
	f.Add(".env", []byte("DB_PASSWORD=Xk29mPqvL4zz\nJWT_SECRET=abc\n"))
	f.Add("a.yaml", []byte("data:\n  url: cG9zdGdyZXM6Ly9hcHA6WGsyOW1QcXZMNHp6QGRiOjU0MzIvYXBw\n"))
	f.Add("k.pem", []byte("-----BEGIN RSA PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAA\nBBBBBBBBBBBBBBBBBBBBBBBB\n"))
	f.Add("x", []byte("postgres://u:%41%42%43%44@h/db?password%3Dabc%40"))
	f.Fuzz(func(t *testing.T, path string, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, m := range sc.Scan(path, data) {
			if m.Line < 1 || m.Line > lines || m.Column < 1 {
				t.Fatalf("location %d:%d out of range (%d lines)", m.Line, m.Column, lines)
			}
			if m.Decoded == "" && !strings.Contains(string(data), m.Secret) {
				t.Fatalf("secret %q is not in the content", m.Secret)
			}
			if m.Secret == "" || (utf8.ValidString(string(data)) && !utf8.ValidString(m.Secret) && m.Decoded == "") {
				t.Fatalf("bad secret %q", m.Secret)
			}
		}
	})
}
