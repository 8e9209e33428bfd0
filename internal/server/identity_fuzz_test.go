package server

import (
	"net/http"
	"testing"

	"github.com/posture-dev/posture/internal/store"
)

// FuzzPasskeyAssertion posts arbitrary bodies as the answer to a real challenge: the
// answer is a 4xx, never a server error, and nobody is signed in.
func FuzzPasskeyAssertion(f *testing.F) {
	h := newIdentityHarness(f, t0, nil)
	_, secret := h.enrolmentLink("ada@example.com", store.RoleViewer)
	k := newSoftKey(f, h.origin())
	h.enrolPasskey(h.client(), secret, k)
	_, opts := h.beginPasskeyLogin(h.client(), "")
	f.Add(k.get(f, opts))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"","signature":""}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		h.t = t
		c := h.client()
		csrf, _ := h.beginPasskeyLogin(c, "")
		resp, _ := h.postJSON(c, "/login/passkey/finish", csrf, body)
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d for %q", resp.StatusCode, body)
		}
		if h.whoami(c) != "" {
			t.Fatalf("signed in with %q", body)
		}
	})
}

// FuzzOIDCCallback sends arbitrary queries to the callback of a server whose issuer
// is unreachable: every answer is a 4xx and nothing is written.
func FuzzOIDCCallback(f *testing.F) {
	h := newIdentityHarness(f, t0, &OIDCConfig{Issuer: "https://127.0.0.1:1/nowhere", ClientID: "c"})
	f.Add("state=" + newSecret() + "&code=abc")
	f.Add("error=access_denied")
	f.Add("state=%00&code=%ff")
	f.Fuzz(func(t *testing.T, query string) {
		h.t = t
		c := h.client()
		req, err := http.NewRequest("GET", h.ts.URL+"/login/oidc/callback?"+query, nil)
		if err != nil {
			return
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Fatalf("status %d for %q", resp.StatusCode, query)
		}
		if n := countRows(t, h.st, "users") + countRows(t, h.st, "sessions"); n != 0 {
			t.Fatalf("%d rows written", n)
		}
	})
}
