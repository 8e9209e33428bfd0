package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/posture-dev/posture/internal/store"
)

// The OIDC tests run a standards-compliant test issuer (mockoidc: discovery, JWKS,
// authorization code with PKCE, RS256 ID tokens) in-process over real HTTP on
// loopback; posture talks to it exactly as to Okta or Dex.
func newOIDCHarness(t *testing.T, autoProvision bool) (*harness, *mockoidc.MockOIDC) {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	cfg := m.Config()
	// The issuer's clock is the wall clock, so the server's is too.
	h := newIdentityHarness(t, time.Now().UTC(), &OIDCConfig{
		Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		AllowedDomains: []string{"example.com"}, AutoProvision: autoProvision, DisplayName: "Example SSO",
	})
	return h, m
}

var noRedirect = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// oidcAuthorize starts a sign-in on c and lets the issuer authorise it (after tweak
// has had a chance to alter the authorization request); it returns the callback's path
// and query on this server.
func (h *harness) oidcAuthorize(c *http.Client, tweak func(q url.Values)) string {
	h.t.Helper()
	resp, body := h.do(c, "GET", "/login/oidc?next=/account", nil, nil)
	if resp.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("start: %d %s", resp.StatusCode, body)
	}
	authz, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		h.t.Fatal(err)
	}
	q := authz.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		h.t.Fatalf("authorization request lacks PKCE, nonce or state: %s", authz)
	}
	if tweak != nil {
		tweak(q)
		authz.RawQuery = q.Encode()
	}
	resp, err = noRedirect.Get(authz.String())
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || !strings.HasPrefix(cb.String(), h.origin()+"/login/oidc/callback") {
		h.t.Fatalf("issuer answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return cb.RequestURI()
}

func TestOIDCSignIn(t *testing.T) {
	h, m := newOIDCHarness(t, true)
	// The passkey page offers single sign-on.
	if _, body := h.do(h.client(), "GET", "/login/passkey", nil, nil); !strings.Contains(body, "Sign in with Example SSO") {
		t.Fatal("no single sign-on link on the sign-in page")
	}
	m.QueueUser(&mockoidc.MockUser{Subject: "s-1", Email: "Jane@Example.com", EmailVerified: true})
	c := h.client()
	resp, body := h.do(c, "GET", h.oidcAuthorize(c, nil), nil, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("callback: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	if got := h.whoami(c); got != "oidc:jane@example.com" {
		t.Fatalf("whoami = %q", got)
	}
	u, err := h.st.UserByOIDC(context.Background(), m.Issuer(), "s-1")
	if err != nil || u.Role != store.RoleViewer {
		t.Fatalf("provisioned user = %+v, %v", u, err)
	}
	if len(h.audit.find("user.provision", OutcomeSuccess)) != 1 || len(h.audit.find("login", OutcomeSuccess)) != 1 {
		t.Fatalf("events: %+v", h.audit.events)
	}
	// Second sign-in: the same account, found by issuer and subject even though the
	// issuer now reports another address.
	m.QueueUser(&mockoidc.MockUser{Subject: "s-1", Email: "jane.doe@example.com", EmailVerified: true})
	c2 := h.client()
	if resp, _ := h.do(c2, "GET", h.oidcAuthorize(c2, nil), nil, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d", resp.StatusCode)
	}
	if n := countRows(t, h.st, "users"); n != 1 {
		t.Fatalf("%d users after two sign-ins of one identity", n)
	}
	// A new identity whose address an admin already gave an account is linked to it.
	admin, err := h.st.CreateUser(context.Background(), store.UserInput{Name: "Ada", Email: "ada@example.com", Role: store.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	m.QueueUser(&mockoidc.MockUser{Subject: "s-ada", Email: "ada@example.com", EmailVerified: true})
	c3 := h.client()
	h.do(c3, "GET", h.oidcAuthorize(c3, nil), nil, nil)
	if got, err := h.st.UserByOIDC(context.Background(), m.Issuer(), "s-ada"); err != nil || got.ID != admin.ID || h.whoami(c3) != "oidc:ada@example.com" {
		t.Fatalf("link by verified address: %+v %v %q", got, err, h.whoami(c3))
	}
	if len(h.audit.find("oidc.link", OutcomeSuccess)) != 1 {
		t.Fatal("link not audited")
	}
}

// TestOIDCRefusals: every way a callback can be wrong is refused with a 4xx, audited,
// and leaves no account, identity or session behind.
func TestOIDCRefusals(t *testing.T) {
	type tc struct {
		name    string
		user    *mockoidc.MockUser
		tweak   func(q url.Values)
		before  func(m *mockoidc.MockOIDC)                         // before the callback
		cb      func(h *harness, c *http.Client, cb string) string // rewrites the callback
		client  func(h *harness, c *http.Client) *http.Client      // who delivers it
		want    int
		reason  string
		provOff bool
	}
	verified := func(email string) *mockoidc.MockUser {
		return &mockoidc.MockUser{Subject: "sub-" + email, Email: email, EmailVerified: true}
	}
	cases := []tc{
		{name: "unverified email", user: &mockoidc.MockUser{Subject: "u", Email: "eve@example.com", EmailVerified: false}, want: 403, reason: "not verified"},
		{name: "disallowed domain", user: verified("eve@evil.example"), want: 403, reason: "not allowed"},
		{name: "provisioning off", user: verified("new@example.com"), provOff: true, want: 403, reason: "provisioning is off"},
		{name: "wrong nonce", user: verified("a@example.com"), tweak: func(q url.Values) { q.Set("nonce", newSecret()) }, want: 401, reason: "nonce"},
		{name: "expired ID token", user: verified("a@example.com"), before: func(m *mockoidc.MockOIDC) { m.FastForward(-2 * time.Hour) }, want: 401, reason: "expired"},
		{name: "PKCE verifier mismatch", user: verified("a@example.com"), tweak: func(q url.Values) { q.Set("code_challenge", otherFirst(q.Get("code_challenge"))) }, want: 401, reason: "code exchange refused"},
		{name: "wrong state", user: verified("a@example.com"), cb: func(h *harness, c *http.Client, cb string) string {
			u := mustURL(cb)
			q := u.Query()
			q.Set("state", newSecret())
			u.RawQuery = q.Encode()
			return u.RequestURI()
		}, want: 400, reason: "unknown, used or expired state"},
		{name: "malformed state", user: verified("a@example.com"), cb: func(h *harness, c *http.Client, cb string) string {
			return strings.Replace(cb, "state=", "state=%27", 1)
		}, want: 400, reason: "valid state"},
		{name: "another browser", user: verified("a@example.com"), client: func(h *harness, _ *http.Client) *http.Client { return h.client() }, want: 400, reason: "another browser"},
		{name: "issuer error", user: verified("a@example.com"), cb: func(h *harness, c *http.Client, cb string) string {
			u := mustURL(cb)
			q := u.Query()
			q.Del("code")
			q.Set("error", "access_denied")
			u.RawQuery = q.Encode()
			return u.RequestURI()
		}, want: 401, reason: "access_denied"},
		{name: "no code", user: verified("a@example.com"), cb: func(h *harness, c *http.Client, cb string) string {
			u := mustURL(cb)
			q := u.Query()
			q.Del("code")
			u.RawQuery = q.Encode()
			return u.RequestURI()
		}, want: 400, reason: "without a code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, m := newOIDCHarness(t, !tc.provOff)
			m.QueueUser(tc.user)
			c := h.client()
			cb := h.oidcAuthorize(c, tc.tweak)
			if tc.before != nil {
				tc.before(m)
			}
			if tc.cb != nil {
				cb = tc.cb(h, c, cb)
			}
			deliver := c
			if tc.client != nil {
				deliver = tc.client(h, c)
			}
			resp, body := h.do(deliver, "GET", cb, nil, nil)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
			ev := h.audit.find("login", OutcomeFailure)
			if len(ev) != 1 || !strings.Contains(ev[0].Detail, tc.reason) {
				t.Fatalf("audit: %+v, want one failure mentioning %q", ev, tc.reason)
			}
			if h.whoami(c) != "" || h.whoami(deliver) != "" {
				t.Fatal("signed in after a refused callback")
			}
			if n := countRows(t, h.st, "users") + countRows(t, h.st, "oidc_identities") + countRows(t, h.st, "sessions"); n != 0 {
				t.Fatalf("%d rows written by a refused sign-in", n)
			}
		})
	}
}

// TestOIDCReplayedCallback: a callback URL works once; its code cannot be slipped into
// another sign-in either (the issuer has redeemed it, and PKCE ties it to its verifier).
func TestOIDCReplayedCallback(t *testing.T) {
	h, m := newOIDCHarness(t, true)
	m.QueueUser(&mockoidc.MockUser{Subject: "s-1", Email: "jane@example.com", EmailVerified: true})
	c := h.client()
	cb := h.oidcAuthorize(c, nil)
	// Keep the binding cookie as an attacker who copied the browser's state would.
	binding := h.cookie(c, oidcCookie)
	if resp, _ := h.do(c, "GET", cb, nil, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first use: %d", resp.StatusCode)
	}
	attacker := h.client()
	attacker.Jar.SetCookies(mustURL(h.ts.URL), []*http.Cookie{binding})
	if resp, _ := h.do(attacker, "GET", cb, nil, nil); resp.StatusCode != http.StatusBadRequest || h.whoami(attacker) != "" {
		t.Fatalf("replayed callback: %d", resp.StatusCode)
	}
	// The old code with a fresh state of the attacker's own.
	m.QueueUser(&mockoidc.MockUser{Subject: "s-2", Email: "mallory@example.com", EmailVerified: true})
	fresh := mustURL(h.oidcAuthorize(attacker, nil))
	q := fresh.Query()
	q.Set("code", mustURL(cb).Query().Get("code"))
	fresh.RawQuery = q.Encode()
	if resp, body := h.do(attacker, "GET", fresh.RequestURI(), nil, nil); resp.StatusCode != http.StatusUnauthorized || h.whoami(attacker) != "" {
		t.Fatalf("old code in a new sign-in: %d %s", resp.StatusCode, body)
	}
	ev := h.audit.find("login", OutcomeFailure)
	if len(ev) != 2 || !strings.Contains(ev[0].Detail, "used") || !strings.Contains(ev[1].Detail, "code exchange refused") {
		t.Fatalf("audit: %+v", ev)
	}
	if n := countRows(t, h.st, "users"); n != 1 {
		t.Fatalf("%d users", n)
	}
}

func TestOIDCConfigRejected(t *testing.T) {
	u := mustURL("https://localhost:8443")
	for name, cfg := range map[string]OIDCConfig{
		"no issuer":                      {ClientID: "c"},
		"plain-HTTP issuer off loopback": {Issuer: "http://issuer.example", ClientID: "c"},
		"provisioning without domains":   {Issuer: "https://issuer.example", ClientID: "c", AutoProvision: true},
		"bad domain":                     {Issuer: "https://issuer.example", ClientID: "c", AllowedDomains: []string{"a@b"}},
	} {
		if _, err := newOIDCLogin(cfg, u); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewWithIdentity(Config{}, IdentityConfig{PublicURL: "http://localhost", Passkeys: true}); err == nil {
		t.Error("plain-HTTP public URL accepted")
	}
	if _, err := newPasskeys(mustURL("https://127.0.0.1:8443")); err == nil {
		t.Error("passkeys on an IP origin accepted")
	}
}

// otherFirst changes the first character of s, whatever it is: replacing it with a fixed
// letter would leave s unchanged one time in 64.
func otherFirst(s string) string {
	if s[0] == 'x' {
		return "y" + s[1:]
	}
	return "x" + s[1:]
}
