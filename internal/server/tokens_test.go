package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/store"
)

var tokenSecretRE = regexp.MustCompile(`<code id="token-secret">([^<]+)</code>`)

// TestTokensPage: an admin creates a token in the browser, sees it once, the token
// works, revoking it stops it at once; bad forms are refused and audited; other roles
// cannot reach the page.
func TestTokensPage(t *testing.T) {
	h := newHarness(t, store.Options{DataDir: t.TempDir()})
	admin := h.user("ada@example.com", store.RoleAdmin)
	c := h.client()
	h.login(c, admin)
	resp, body := h.do(c, "GET", "/tokens", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "No tokens yet") {
		t.Fatalf("tokens page: %d\n%s", resp.StatusCode, body)
	}
	csrf := csrfFrom(t, body)
	for name, v := range map[string]url.Values{
		"no scope":      {"name": {"ci"}, "days": {"30"}},
		"unknown scope": {"name": {"ci"}, "days": {"30"}, "scope": {"root"}},
		"too long":      {"name": {"ci"}, "days": {"400"}, "scope": {"read"}},
		"no name":       {"name": {" "}, "days": {"30"}, "scope": {"read"}},
	} {
		v.Set("csrf_token", csrf)
		if resp, _ := h.do(c, "POST", "/tokens", v, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
	if n := len(h.audit.find("token.create", OutcomeFailure)); n != 4 {
		t.Errorf("%d refused creations audited, want 4", n)
	}
	resp, body = h.do(c, "POST", "/tokens", url.Values{"csrf_token": {csrf}, "name": {"ci upload"}, "days": {"30"}, "scope": {"scans:write", "read"}}, nil)
	m := tokenSecretRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil || !strings.HasPrefix(m[1], TokenPrefix) || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %q\n%s", resp.StatusCode, resp.Header.Get("Cache-Control"), body)
	}
	bearer := map[string]string{"Authorization": "Bearer " + m[1]}
	if resp, body := h.do(h.client(), "GET", "/api/v1/whoami", nil, bearer); resp.StatusCode != 200 || !strings.Contains(body, "scans:write") {
		t.Fatalf("new token: %d %s", resp.StatusCode, body)
	}
	// Listed without its secret, with who made it.
	_, body = h.do(c, "GET", "/tokens", nil, nil)
	if strings.Contains(body, m[1]) || !strings.Contains(body, "ci upload") || !strings.Contains(body, "user:") {
		t.Fatalf("tokens list:\n%s", body)
	}
	toks, _ := h.st.ListTokens(t.Context())
	if resp, _ := h.do(c, "POST", "/tokens/"+itoa(toks[0].ID)+"/revoke", url.Values{"csrf_token": {csrf}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp, _ := h.do(h.client(), "GET", "/api/v1/whoami", nil, bearer); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked token still works: %d", resp.StatusCode)
	}
	if len(h.audit.find("token.create", OutcomeSuccess)) != 1 || len(h.audit.find("token.revoke", OutcomeSuccess)) != 1 {
		t.Error("creation or revocation not audited")
	}
	eng := h.user("eng@example.com", store.RoleEngineer)
	ce := h.client()
	h.login(ce, eng)
	if resp, _ := h.do(ce, "GET", "/tokens", nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("tokens page as engineer: %d", resp.StatusCode)
	}
}
