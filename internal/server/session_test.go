package server

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

func TestLoginSessionLifecycle(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		u := h.user("ada@example.com", store.RoleAdmin)
		c := h.client()
		// Unauthenticated: API gets 401, a browser is sent to the sign-in page.
		if resp, _ := h.do(c, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != 401 {
			t.Fatalf("whoami before login: %d", resp.StatusCode)
		}
		if resp, _ := h.do(c, "GET", "/", nil, map[string]string{"Accept": "text/html"}); resp.StatusCode != 303 || resp.Header.Get("Location") != "/login?next=%2F" {
			t.Fatalf("dashboard before login: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		// Rotation: a session cookie planted before sign-in is revoked by it.
		planted := h.client()
		h.login(planted, u)
		plantedID := h.sessionCookie(planted)
		ju, _ := url.Parse(h.ts.URL)
		c.Jar.SetCookies(ju, []*http.Cookie{{Name: SessionCookie, Value: plantedID, Path: "/"}})
		h.login(c, u)
		if id := h.sessionCookie(c); id == "" || id == plantedID {
			t.Fatalf("session not rotated on login: %q", id)
		}
		if resp, _ := h.do(planted, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != 401 {
			t.Fatalf("planted session still valid after rotation: %d", resp.StatusCode)
		}
		if resp, body := h.do(c, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != 200 {
			t.Fatalf("whoami: %d %s", resp.StatusCode, body)
		}
		if len(h.audit.find("login", OutcomeSuccess)) != 2 {
			t.Errorf("login events: %+v", h.audit.find("login", ""))
		}
		// Idle timeout: used 29 minutes later it lives (and is touched), 30 idle minutes kill it.
		h.clock.add(29 * time.Minute)
		if resp, _ := h.do(c, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != 200 {
			t.Fatalf("after 29 idle minutes: %d", resp.StatusCode)
		}
		h.clock.add(29 * time.Minute)
		if resp, _ := h.do(c, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != 200 {
			t.Fatalf("touch did not extend the idle timeout: %d", resp.StatusCode)
		}
		h.clock.add(30 * time.Minute)
		if resp, _ := h.do(c, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != 401 {
			t.Fatalf("after 30 idle minutes: %d", resp.StatusCode)
		}
		// Absolute timeout: active every 20 minutes, still ends after 12 hours.
		h.login(c, u)
		start := h.clock.now()
		for h.clock.now().Sub(start) < 12*time.Hour-20*time.Minute {
			h.clock.add(20 * time.Minute)
			if resp, _ := h.do(c, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != 200 {
				t.Fatalf("active session ended early at %v: %d", h.clock.now().Sub(start), resp.StatusCode)
			}
		}
		h.clock.add(20 * time.Minute)
		if resp, _ := h.do(c, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != 401 {
			t.Fatalf("after the absolute timeout: %d", resp.StatusCode)
		}
		// Logout revokes the session server-side: replaying the old cookie fails.
		h.login(c, u)
		id := h.sessionCookie(c)
		csrf := h.sessionCSRF(c)
		if resp, _ := h.do(c, "POST", "/logout", url.Values{"csrf_token": {csrf}}, nil); resp.StatusCode != 303 {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		replay := h.client()
		replay.Jar.SetCookies(ju, []*http.Cookie{{Name: SessionCookie, Value: id, Path: "/"}})
		if resp, _ := h.do(replay, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != 401 {
			t.Fatalf("session valid after logout: %d", resp.StatusCode)
		}
		if len(h.audit.find("logout", OutcomeSuccess)) != 1 {
			t.Error("logout not audited")
		}
	})
}

func TestAdminRevokesAllSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		admin := h.user("admin@example.com", store.RoleAdmin)
		bob := h.user("bob@example.com", store.RoleViewer)
		ac, b1, b2 := h.client(), h.client(), h.client()
		h.login(ac, admin)
		h.login(b1, bob)
		h.login(b2, bob)
		// A viewer may not revoke anyone.
		bcsrf := h.sessionCSRF(b1)
		if resp, _ := h.do(b1, "POST", "/api/v1/users/1/revoke-sessions", nil, map[string]string{CSRFHeader: bcsrf}); resp.StatusCode != 403 {
			t.Fatalf("viewer revoking: %d", resp.StatusCode)
		}
		if len(h.audit.find("access", OutcomeDenied)) != 1 {
			t.Error("denied access not audited")
		}
		csrf := h.sessionCSRF(ac)
		resp, body := h.do(ac, "POST", "/api/v1/users/"+itoa(bob.ID)+"/revoke-sessions", nil, map[string]string{CSRFHeader: csrf})
		if resp.StatusCode != 200 || body != "{\"revoked\":2}\n" {
			t.Fatalf("revoke: %d %s", resp.StatusCode, body)
		}
		for _, c := range []*http.Client{b1, b2} {
			if resp, _ := h.do(c, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != 401 {
				t.Fatalf("revoked session still valid: %d", resp.StatusCode)
			}
		}
		if resp, _ := h.do(ac, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != 200 {
			t.Fatalf("admin's own session hit: %d", resp.StatusCode)
		}
		if ev := h.audit.find("sessions.revoke", OutcomeSuccess); len(ev) != 1 || ev[0].Object != "user:"+itoa(bob.ID) || ev[0].Actor != "user:1:admin@example.com" {
			t.Fatalf("revocation event: %+v", ev)
		}
	})
}

func TestCSRF(t *testing.T) {
	h := newHarness(t, backends[0].fresh(t))
	u := h.user("ada@example.com", store.RoleAdmin)
	c := h.client()
	h.login(c, u)
	csrf := h.sessionCSRF(c)
	path := "/api/v1/users/" + itoa(u.ID) + "/revoke-sessions"
	for _, tc := range []struct {
		name string
		form url.Values
		hdr  map[string]string
	}{
		{"no token", nil, nil},
		{"wrong token", url.Values{"csrf_token": {csrf + "x"}}, nil},
		{"token of another session", url.Values{"csrf_token": {csrfToken(newSecret())}}, nil},
		{"cross-site fetch", url.Values{"csrf_token": {csrf}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"same-site fetch", url.Values{"csrf_token": {csrf}}, map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"foreign origin", url.Values{"csrf_token": {csrf}}, map[string]string{"Origin": "https://evil.example"}},
		{"plain-http origin", nil, map[string]string{CSRFHeader: csrf, "Origin": "http://" + h.ts.Listener.Addr().String()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if resp, _ := h.do(c, "POST", path, tc.form, tc.hdr); resp.StatusCode != 403 {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
		})
	}
	if len(h.audit.find("sessions.revoke", "")) != 0 {
		t.Fatal("a rejected request reached the handler")
	}
	// Public forms: sign-in without the double-submit cookie/token is refused.
	fresh := h.client()
	if resp, _ := h.do(fresh, "POST", "/login", url.Values{"email": {u.Email}, "password": {u.password}}, nil); resp.StatusCode != 403 {
		t.Errorf("login without CSRF token: %d", resp.StatusCode)
	}
	tok := h.loginForm(fresh)
	if resp, _ := h.do(fresh, "POST", "/login", url.Values{"csrf_token": {tok}, "email": {u.Email}}, map[string]string{"Origin": "https://evil.example"}); resp.StatusCode != 403 {
		t.Errorf("cross-origin login: %d", resp.StatusCode)
	}
	// And the right token, same origin, passes.
	if resp, _ := h.do(c, "POST", path, url.Values{"csrf_token": {csrf}}, map[string]string{"Origin": "https://" + h.ts.Listener.Addr().String(), "Sec-Fetch-Site": "same-origin"}); resp.StatusCode != 200 {
		t.Fatalf("valid request: %d", resp.StatusCode)
	}
}

func TestLoginFailuresAndRateLimit(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		u := h.user("ada@example.com", store.RoleViewer)
		// The real user signs in once, so this browser is a known device of the account.
		owner := h.client()
		h.login(owner, u)

		attacker := h.client()
		// Enough failures for a lock longer than the rest of the test.
		for i := range throttleAccount.free + 12 {
			code := TOTPCode(u.secret, h.clock.now())
			if resp := h.tryLogin(attacker, u.Email, "wrong password "+itoa(int64(i)), code); resp.StatusCode != 401 {
				t.Fatalf("failure %d: %d", i, resp.StatusCode)
			}
			if i < throttleAccount.free+11 {
				h.clock.add(throttleAccount.lockFor(i + 1)) // wait out each growing delay
			}
		}
		// The account is now locked for unknown devices, even with the right password...
		resp := h.tryLogin(attacker, u.Email, u.password, TOTPCode(u.secret, h.clock.now()))
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("locked account from unknown device: %d", resp.StatusCode)
		}
		// ...a new browser too (the per-account bucket for unknown devices)...
		if resp := h.tryLogin(h.client(), u.Email, u.password, TOTPCode(u.secret, h.clock.now())); resp.StatusCode != 429 {
			t.Fatalf("unknown device during lock: %d", resp.StatusCode)
		}
		// ...but the owner's known device still signs in with password and code.
		h.login(owner, u)
		if got := len(h.audit.find("login", OutcomeFailure)); got != throttleAccount.free+12 {
			t.Errorf("failure events %d", got)
		}
		if len(h.audit.find("login", OutcomeDenied)) != 2 {
			t.Errorf("throttled attempts not audited: %+v", h.audit.find("login", OutcomeDenied))
		}
		// The lock expires.
		h.clock.add(throttleMax)
		h.login(h.client(), u)
	})
}

func TestLoginRejections(t *testing.T) {
	h := newHarness(t, backends[0].fresh(t))
	u := h.user("ada@example.com", store.RoleViewer)
	dis := h.user("dis@example.com", store.RoleViewer)
	if err := h.st.SetUserDisabled(t.Context(), dis.ID, true); err != nil {
		t.Fatal(err)
	}
	h.clock.add(totpStep * time.Second)
	code := TOTPCode(u.secret, h.clock.now())
	for _, tc := range []struct{ name, email, password, code, reason string }{
		{"unknown account", "nobody@example.com", "whatever password", code, "unknown account"},
		{"wrong password", u.Email, "not the password", code, "wrong password"},
		{"wrong code", u.Email, u.password, "000000", "wrong TOTP code"},
		{"garbage code", u.Email, u.password, "12345x", "wrong TOTP code"},
		{"disabled", dis.Email, dis.password, TOTPCode(dis.secret, h.clock.now()), "account disabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.audit.find("login", OutcomeFailure))
			if resp := h.tryLogin(h.client(), tc.email, tc.password, tc.code); resp.StatusCode != 401 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			ev := h.audit.find("login", OutcomeFailure)
			if len(ev) != before+1 || ev[len(ev)-1].Detail != tc.reason {
				t.Fatalf("audit %+v, want reason %q", ev, tc.reason)
			}
		})
	}
	// A code is accepted once: replaying it (same step) fails.
	c := h.client()
	if resp := h.tryLogin(c, u.Email, u.password, code); resp.StatusCode != 303 {
		t.Fatalf("first use: %d", resp.StatusCode)
	}
	if resp := h.tryLogin(h.client(), u.Email, u.password, code); resp.StatusCode != 401 {
		t.Fatalf("replayed code: %d", resp.StatusCode)
	}
	// next= is only ever a local path.
	for next, want := range map[string]string{"/x?y=1": "/x?y=1", "https://evil.example/": "/", "//evil.example": "/", "/\\evil": "/"} {
		h.clock.add(totpStep * time.Second)
		tok := h.loginForm(c)
		resp, _ := h.do(c, "POST", "/login", url.Values{"csrf_token": {tok}, "email": {u.Email}, "password": {u.password}, "code": {TOTPCode(u.secret, h.clock.now())}, "next": {next}}, nil)
		if loc := resp.Header.Get("Location"); loc != want {
			t.Errorf("next=%q redirected to %q, want %q", next, loc, want)
		}
	}
}
