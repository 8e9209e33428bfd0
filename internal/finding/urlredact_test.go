package finding

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	cases := []struct{ in, keep, drop string }{
		{"git+ssh://git@github.com/a/b.git", "git+ssh://git@github.com/a/b.git", ""},
		{"git@github.com:a/b.git", "git@github.com:a/b.git", ""},
		{"https://u:secretpassword@h.example/x", "https://", "secretpassword"},
		{"https://secrettoken123@h.example/x#c0ffee", "@h.example/x#c0ffee", "secrettoken123"},
		{"https://h.example/x.tgz?X-Amz-Signature=abcdef123456&a=b#frag", "https://h.example/x.tgz?X-Amz-Signature=", "abcdef123456"},
		{"github:acme/x", "github:acme/x", ""},
		{"path:../lib", "path:../lib", ""},
		{"https://[::1]:8080/x", "https://[::1]:8080/x", ""},
	}
	if got := RedactURLsIn(`line 3: malformed requirement "x @ https://u:secretpassword@h/x.whl"`); strings.Contains(got, "secretpassword") {
		t.Errorf("redactURLsIn left the password: %s", got)
	}
	for _, c := range cases {
		got, red := RedactURL(c.in)
		if !strings.Contains(got, c.keep) || (c.drop != "" && strings.Contains(got, c.drop)) || red != (c.drop != "") {
			t.Errorf("RedactURL(%q) = %q, %v", c.in, got, red)
		}
	}
}

// Whatever the lockfile holds, redaction must hold: no credential survives into the text.
func FuzzRedactURL(f *testing.F) {
	f.Add("https", "user", "s3cretT0ken", "github.com/a/b.git")
	f.Add("git+ssh", "git", "", "example.com:22/x")
	f.Add("", "git", "", "github.com:a/b")
	f.Fuzz(func(t *testing.T, scheme, user, secret, rest string) {
		// rest is what follows "@"; a second "://" there would make it another URL.
		if len(secret) < 8 || strings.ContainsAny(secret, "@/?#:") || strings.ContainsAny(user, "@/?#:") ||
			strings.Contains(scheme+user+rest, secret) || strings.Contains(rest, "://") {
			return
		}
		src := user + ":" + secret + "@" + rest
		if scheme != "" {
			src = scheme + "://" + src
		}
		if strings.Contains(scheme, "/") || strings.Contains(scheme, ":") {
			return
		}
		got, red := RedactURL(src)
		if strings.Contains(got, secret) || !red {
			t.Fatalf("RedactURL(%q) = %q, %v", src, got, red)
		}
		_ = Plain(got)
	})
}
