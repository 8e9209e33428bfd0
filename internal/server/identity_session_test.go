package server

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// TestForgedAndStaleSessionCookies: a session cookie that is forged, malformed,
// signed out, past its idle or absolute limit or of a disabled user authenticates
// nothing: 401 for an API client, the cookie is cleared, and the rejection is audited
// with its reason but never the cookie.
func TestForgedAndStaleSessionCookies(t *testing.T) {
	h := newIdentityHarness(t, t0, nil)
	u := h.user("ada@example.com", store.RoleAdmin)
	ctx := context.Background()
	// A session past its absolute timeout but used a moment ago.
	expired := newSecret()
	if err := h.st.CreateSession(ctx, store.Session{IDHash: hashSecret(expired), UserID: u.ID, Method: "password+totp",
		CreatedAt: t0.Add(-13 * time.Hour), LastSeenAt: t0.Add(31 * time.Minute), ExpiresAt: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	mallory := h.user("mallory@example.com", store.RoleViewer)
	disabled := h.client()
	h.login(disabled, mallory)
	disabledCookie := h.sessionCookie(disabled)
	if err := h.st.SetUserDisabled(ctx, mallory.ID, true); err != nil {
		t.Fatal(err)
	}

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
	for name, tc := range map[string]struct{ value, object, reason string }{
		"forged":     {newSecret(), "session", "unknown session"},
		"malformed":  {"../../etc/passwd", "session", "malformed session cookie"},
		"too long":   {newSecret() + newSecret(), "session", "malformed session cookie"},
		"signed out": {stale, userObject(u.ID), "signed out or revoked"},
		"idle":       {idleCookie, userObject(u.ID), "idle timeout"},
		"absolute":   {expired, userObject(u.ID), "absolute timeout"},
		"disabled":   {disabledCookie, userObject(mallory.ID), "revoked"}, // disabling revokes the sessions
	} {
		t.Run(name, func(t *testing.T) {
			// A minute apart, so that the per-client audit limit is not what is tested.
			h.clock.add(time.Minute)
			before := len(h.audit.find("session.rejected", ""))
			value := tc.value
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
			evs := h.audit.find("session.rejected", "")[before:]
			// One: the jar dropped the cookie the first answer cleared.
			if len(evs) != 1 {
				t.Fatalf("%d session.rejected events, want 1", len(evs))
			}
			for _, e := range evs {
				if e.Outcome != OutcomeDenied || e.Actor != "anonymous" || e.Object != tc.object || !strings.Contains(e.Detail, tc.reason) || e.Client == "" {
					t.Errorf("event %+v, want object %s and reason %q", e, tc.object, tc.reason)
				}
			}
		})
	}
	if n := countRows(t, h.st, "webauthn_challenges"); n != 0 {
		t.Fatalf("%d challenges written for bad sessions", n)
	}
	h.audit.mu.Lock()
	defer h.audit.mu.Unlock()
	for _, e := range h.audit.events {
		for _, secret := range []string{stale, idleCookie, expired, disabledCookie, hex.EncodeToString(hashSecret(stale))} {
			if strings.Contains(fmt.Sprintf("%+v", e), secret) {
				t.Fatalf("audit event %+v contains a session cookie or its hash", e)
			}
		}
	}
}

// TestRejectedSessionAuditIsLimited: a client without an account sending forged
// cookies gets rejectPerClient events a minute; the rest are counted in the metric and
// in one summary event written after the minute.
func TestRejectedSessionAuditIsLimited(t *testing.T) {
	h := newIdentityHarness(t, t0, nil)
	forge := func(n int) {
		for range n {
			c := h.client()
			c.Jar.SetCookies(mustURL(h.ts.URL), []*http.Cookie{{Name: SessionCookie, Value: newSecret(), Path: "/"}})
			if resp, _ := h.do(c, "GET", "/api/v1/whoami", nil, nil); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("whoami: %d", resp.StatusCode)
			}
		}
	}
	forge(rejectPerClient + 15)
	if n := len(h.audit.find("session.rejected", "")); n != rejectPerClient {
		t.Fatalf("%d session.rejected events in a minute from one client, want %d", n, rejectPerClient)
	}
	if n := h.srv.metrics.sessionRejectionsUnaudited.Load(); n != 15 {
		t.Fatalf("unaudited metric %d, want 15", n)
	}
	if n := len(h.audit.find("session.rejected.unaudited", "")); n != 0 {
		t.Fatalf("summary written before the minute ended")
	}
	h.clock.add(time.Minute)
	forge(1)
	sum := h.audit.find("session.rejected.unaudited", OutcomeDenied)
	if len(sum) != 1 || !strings.HasPrefix(sum[0].Detail, "15 rejected session cookies") {
		t.Fatalf("summary events %+v", sum)
	}
	if n := len(h.audit.find("session.rejected", "")); n != rejectPerClient+1 {
		t.Fatalf("%d session.rejected events after the minute, want %d", n, rejectPerClient+1)
	}
}

func TestRejectLimiter(t *testing.T) {
	var l rejectLimiter
	now := t0
	allowed := 0
	// Many clients: the total per minute binds, and memory holds at most that many.
	for i := range 3 * rejectPerMinute {
		if ok, _ := l.allow(fmt.Sprintf("10.0.%d.%d", i/250, i%250), now); ok {
			allowed++
		}
	}
	if allowed != rejectPerMinute || len(l.perClient) != rejectPerMinute {
		t.Fatalf("allowed %d, tracked %d, want %d", allowed, len(l.perClient), rejectPerMinute)
	}
	ok, sum := l.allow("10.9.9.9", now.Add(time.Minute))
	if !ok || sum == nil || sum.suppressed != 2*rejectPerMinute || !sum.window.Equal(now.Truncate(time.Minute)) {
		t.Fatalf("next minute: ok %v summary %+v", ok, sum)
	}
	if _, sum := l.allow("10.9.9.9", now.Add(3*time.Minute)); sum != nil {
		t.Fatalf("summary %+v for a minute with nothing suppressed", sum)
	}
}

func TestRejectClient(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.7:443":              "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:1":   "2001:db8:1:2::/64",
		"[::ffff:192.0.2.7]:80":      "192.0.2.7",
		"not an address":             "not an address",
	} {
		if got := rejectClient(&http.Request{RemoteAddr: addr}); got != want {
			t.Errorf("rejectClient(%q) = %q, want %q", addr, got, want)
		}
	}
}
