package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

func TestAPITokens(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		c := h.client()
		metrics, _ := h.token([]string{ScopeMetricsRead}, t0.Add(time.Hour))
		reader, readTok := h.token([]string{ScopeRead}, t0.Add(time.Hour))
		expired, _ := h.token([]string{ScopeRead}, t0.Add(-time.Second))
		revoked, revTok := h.token([]string{ScopeRead}, t0.Add(time.Hour))
		if err := h.st.RevokeToken(t.Context(), revTok.ID, t0); err != nil {
			t.Fatal(err)
		}
		bearer := func(s string) map[string]string { return map[string]string{"Authorization": "Bearer " + s} }
		for _, tc := range []struct {
			name, path string
			hdr        map[string]string
			want       int
		}{
			{"metrics scope reads metrics", "/metrics", bearer(metrics), 200},
			{"metrics scope cannot read the API", "/api/v1/whoami", bearer(metrics), 403},
			{"read scope reads the API", "/api/v1/whoami", bearer(reader), 200},
			{"read scope cannot read metrics", "/metrics", bearer(reader), 403},
			{"read scope cannot manage users", "/api/v1/users", bearer(reader), 403},
			{"expired", "/api/v1/whoami", bearer(expired), 401},
			{"revoked", "/api/v1/whoami", bearer(revoked), 401},
			{"unknown", "/api/v1/whoami", bearer(TokenPrefix + newSecret()), 401},
			{"malformed", "/api/v1/whoami", bearer("pst_short"), 401},
			{"not bearer", "/api/v1/whoami", map[string]string{"Authorization": "Basic " + reader}, 401},
			{"lower-case scheme", "/api/v1/whoami", map[string]string{"Authorization": "bearer " + reader}, 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := h.do(c, "GET", tc.path, nil, tc.hdr)
				if resp.StatusCode != tc.want {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, body)
				}
				if strings.Contains(body, reader) {
					t.Fatal("response contains the token")
				}
			})
		}
		if got := len(h.audit.find("token.reject", OutcomeFailure)); got != 5 {
			t.Errorf("%d token.reject events, want 5", got)
		}
		if got := len(h.audit.find("token.use", OutcomeSuccess)); got != 3 {
			t.Errorf("%d token.use events, want 3", got)
		}
		if got := len(h.audit.find("access", OutcomeDenied)); got != 3 {
			t.Errorf("%d denied events, want 3", got)
		}
		for _, e := range h.audit.events {
			if strings.Contains(e.Object+e.Detail+e.Actor, "pst_") {
				t.Errorf("audit event contains a token: %+v", e)
			}
		}
		// Last use recorded, at most once a minute.
		if tok, _ := h.st.GetToken(t.Context(), readTok.ID); !tok.LastUsedAt.Equal(t0) {
			t.Errorf("last used %v", tok.LastUsedAt)
		}
		// CSRF does not apply to tokens (not ambient credentials), but permissions do.
		admin, _ := h.token([]string{ScopeRead, ScopeScansWrite}, t0.Add(time.Hour))
		if resp, _ := h.do(c, "POST", "/api/v1/users/1/revoke-sessions", nil, bearer(admin)); resp.StatusCode != 403 {
			t.Errorf("token revoking sessions: %d", resp.StatusCode)
		}
	})
}

func TestAuditFailsClosed(t *testing.T) {
	h := newHarness(t, backends[0].fresh(t))
	u := h.user("ada@example.com", store.RoleAdmin)
	c := h.client()
	h.login(c, u)
	csrf := h.sessionCSRF(c)
	tok, _ := h.token([]string{ScopeRead}, t0.Add(time.Hour))
	h.audit.fail.Store(true)

	// Sign-in: no session is created.
	fresh := h.client()
	h.clock.add(totpStep * time.Second)
	if resp := h.tryLogin(fresh, u.Email, u.password, TOTPCode(u.secret, h.clock.now())); resp.StatusCode != 503 {
		t.Fatalf("login with audit down: %d", resp.StatusCode)
	}
	if h.sessionCookie(fresh) != "" {
		t.Fatal("session created although the login could not be audited")
	}
	// Failed sign-in.
	if resp := h.tryLogin(fresh, u.Email, "wrong", "000000"); resp.StatusCode != 503 {
		t.Fatalf("failed login with audit down: %d", resp.StatusCode)
	}
	// Token use.
	if resp, _ := h.do(c, "GET", "/api/v1/whoami", nil, map[string]string{"Authorization": "Bearer " + tok}); resp.StatusCode != 503 {
		t.Fatalf("token use with audit down: %d", resp.StatusCode)
	}
	// Privileged action: sessions stay.
	if resp, _ := h.do(c, "POST", "/api/v1/users/"+itoa(u.ID)+"/revoke-sessions", nil, map[string]string{CSRFHeader: csrf}); resp.StatusCode != 503 {
		t.Fatalf("revoke with audit down: %d", resp.StatusCode)
	}
	// Logout: the session is not ended unrecorded.
	if resp, _ := h.do(c, "POST", "/logout", nil, map[string]string{CSRFHeader: csrf}); resp.StatusCode != 503 {
		t.Fatalf("logout with audit down: %d", resp.StatusCode)
	}
	h.audit.fail.Store(false)
	if resp, _ := h.do(c, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("session was revoked although the action was refused: %d", resp.StatusCode)
	}
	if resp, body := h.do(c, "GET", "/metrics", nil, nil); resp.StatusCode != 200 || !strings.Contains(body, "posture_audit_append_failures_total 5") {
		t.Errorf("metrics: %d\n%s", resp.StatusCode, body)
	}
}

func TestMetricsExposition(t *testing.T) {
	h := newHarness(t, backends[0].fresh(t))
	c := h.client()
	h.do(c, "GET", "/healthz", nil, nil)
	rec := &strings.Builder{}
	h.srv.metrics.write(rec)
	out := rec.String()
	for _, want := range []string{
		`posture_http_requests_total{route="GET /healthz",method="GET",code="200"} 1`,
		`posture_http_request_duration_seconds_bucket{route="GET /healthz",le="+Inf"} 1`,
		`posture_build_info{version="test"} 1`,
		"# TYPE posture_logins_total counter",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q:\n%s", want, out)
		}
	}
	// The separately bound handler needs no credentials.
	resp, _ := h.do(c, "GET", "/metrics", nil, nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/metrics on the main listener without a token: %d", resp.StatusCode)
	}
}
