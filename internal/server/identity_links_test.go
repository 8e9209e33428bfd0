package server

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/store"
)

// The password sign-in page links to the other methods the server offers, and only those.
func TestLoginPageLinksOtherMethods(t *testing.T) {
	for _, tt := range []struct {
		links []signInLink
		want  []string
		not   []string
	}{
		{nil, nil, []string{"/login/passkey", "/login/oidc"}},
		{[]signInLink{{"/login/passkey", "Sign in with a passkey"}, {"/login/oidc", "Sign in with Okta"}}, []string{`href="/login/passkey"`, "Sign in with Okta"}, nil},
	} {
		h := newHarness(t, store.Options{DataDir: filepath.Join(t.TempDir(), "data")})
		h.srv.signInWith = tt.links
		_, body := h.do(h.client(), "GET", "/login", nil, nil)
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("login page lacks %q", w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(body, n) {
				t.Errorf("login page links %q though the method is off", n)
			}
		}
	}
}
