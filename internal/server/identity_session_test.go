package server

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// TestForgedAndStaleSessionCookies: a session cookie that is forged, malformed,
// signed out or past its idle limit authenticates nothing: 401 for an API client, and
// the cookie is cleared. (Whether each such request should also be audited is noted
// in docs/identity.md: today the core does not.)
func TestForgedAndStaleSessionCookies(t *testing.T) {
	h := newIdentityHarness(t, t0, nil)
	u := h.user("ada@example.com", store.RoleAdmin)

	signedOut := h.client()
	h.login(signedOut, u)
	stale := h.sessionCookie(signedOut)
	csrf := h.sessionCSRF(signedOut)
	if resp, _ := h.do(signedOut, "POST", "/logout", url.Values{"csrf_token": {csrf}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	idle := h.client()
	h.login(idle, u)
	idleCookie := h.sessionCookie(idle)

	h.clock.add(31 * time.Minute) // past the idle timeout of idleCookie
	for name, value := range map[string]string{
		"forged":     newSecret(),
		"malformed":  "../../etc/passwd",
		"too long":   newSecret() + newSecret(),
		"signed out": stale,
		"idle":       idleCookie,
	} {
		t.Run(name, func(t *testing.T) {
			c := h.client()
			c.Jar.SetCookies(mustURL(h.ts.URL), []*http.Cookie{{Name: SessionCookie, Value: value, Path: "/"}})
			resp, _ := h.do(c, "GET", "/api/v1/whoami", nil, nil)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("whoami: %d", resp.StatusCode)
			}
			cleared := false
			for _, ck := range resp.Cookies() {
				cleared = cleared || (ck.Name == SessionCookie && ck.MaxAge < 0)
			}
			if !cleared {
				t.Fatal("the bad cookie was not cleared")
			}
			// A state-changing request with it changes nothing either.
			if resp, _ := h.do(c, "POST", "/account/passkeys/begin", nil, map[string]string{"Content-Type": "application/json"}); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("passkey begin: %d", resp.StatusCode)
			}
		})
	}
	if n := countRows(t, h.st, "webauthn_challenges"); n != 0 {
		t.Fatalf("%d challenges written for bad sessions", n)
	}
}
