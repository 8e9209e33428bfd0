package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func countRows(t testing.TB, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := st.QueryRow(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPasskeyEnrolAndSignIn(t *testing.T) {
	h := newIdentityHarness(t, t0, nil)
	u, secret := h.enrolmentLink("ada@example.com", store.RoleAdmin)
	k := newSoftKey(t, h.origin())
	c := h.client()
	// The enrolment page offers both methods.
	if resp, body := h.do(c, "GET", "/enrol?token="+secret, nil, nil); resp.StatusCode != 200 || !strings.Contains(body, "method=passkey") || !strings.Contains(body, "method=password") {
		t.Fatalf("chooser: %d %s", resp.StatusCode, body)
	}
	if resp, body := h.enrolPasskey(c, secret, k); resp.StatusCode != 200 || !strings.Contains(body, "/login/passkey") {
		t.Fatalf("enrol finish: %d %s", resp.StatusCode, body)
	}
	if len(h.audit.find("enrol", OutcomeSuccess)) != 1 {
		t.Fatal("enrolment not audited")
	}
	creds, _ := h.st.WebAuthnCredentials(context.Background(), u.ID)
	if len(creds) != 1 || creds[0].Name != "laptop" {
		t.Fatalf("stored passkeys: %+v", creds)
	}
	// The link is spent.
	if resp, _ := h.do(h.client(), "GET", "/enrol?token="+secret+"&method=passkey", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("spent link: %d", resp.StatusCode)
	}

	for _, email := range []string{"", "ada@example.com"} { // discoverable, then username-first
		c := h.client()
		resp, body, _ := h.passkeyLogin(c, k, email)
		if resp.StatusCode != 200 || !strings.Contains(body, `"/account"`) {
			t.Fatalf("sign-in (email %q): %d %s", email, resp.StatusCode, body)
		}
		if got := h.whoami(c); got != "passkey:ada@example.com" {
			t.Fatalf("whoami = %q", got)
		}
		if resp, body := h.do(c, "GET", "/account", nil, nil); resp.StatusCode != 200 || !strings.Contains(body, "laptop") {
			t.Fatalf("account page: %d %s", resp.StatusCode, body)
		}
	}
	if ev := h.audit.find("login", OutcomeSuccess); len(ev) != 2 || ev[0].Detail != MethodPasskey {
		t.Fatalf("login events: %+v", ev)
	}
	creds, _ = h.st.WebAuthnCredentials(context.Background(), u.ID)
	if creds[0].SignCount != 2 || creds[0].LastUsedAt.IsZero() {
		t.Fatalf("counter not recorded: %+v", creds[0])
	}
}

// TestPasskeyReplayRejected: an assertion answers one challenge once. Replaying it
// with its ceremony cookie finds no challenge (deleted on first use); replaying it
// against a new challenge fails the signature check. Neither signs in.
func TestPasskeyReplayRejected(t *testing.T) {
	h := newIdentityHarness(t, t0, nil)
	_, secret := h.enrolmentLink("ada@example.com", store.RoleViewer)
	k := newSoftKey(t, h.origin())
	h.enrolPasskey(h.client(), secret, k)

	c := h.client()
	csrf, opts := h.beginPasskeyLogin(c, "")
	ceremony := h.cookie(c, webauthnCookie)
	assertion := k.get(t, opts)
	if resp, body := h.postJSON(c, "/login/passkey/finish", csrf, assertion); resp.StatusCode != 200 {
		t.Fatalf("first use: %d %s", resp.StatusCode, body)
	}

	// The attacker has the captured request: the cookie and the body.
	attacker := h.client()
	tok, _ := h.do(attacker, "GET", "/login/passkey", nil, nil)
	_ = tok
	attacker.Jar.SetCookies(mustURL(h.ts.URL), []*http.Cookie{ceremony})
	pre := h.cookie(attacker, preSessionCSRF)
	resp, body := h.postJSON(attacker, "/login/passkey/finish", pre.Value, assertion)
	if resp.StatusCode != http.StatusBadRequest || h.whoami(attacker) != "" {
		t.Fatalf("replay with the spent ceremony: %d %s", resp.StatusCode, body)
	}
	if ev := h.audit.find("login", OutcomeFailure); len(ev) != 1 || !strings.Contains(ev[0].Detail, "replayed") {
		t.Fatalf("replay not audited: %+v", ev)
	}

	// Against a fresh challenge the old signature does not verify.
	csrf, _ = h.beginPasskeyLogin(attacker, "")
	resp, body = h.postJSON(attacker, "/login/passkey/finish", csrf, assertion)
	if resp.StatusCode != http.StatusUnauthorized || h.whoami(attacker) != "" {
		t.Fatalf("replay against a new challenge: %d %s", resp.StatusCode, body)
	}
	if ev := h.audit.find("login", OutcomeFailure); len(ev) != 2 || !strings.Contains(ev[1].Detail, "verification failed") {
		t.Fatalf("second replay not audited: %+v", ev)
	}
}

// TestPasskeyCloneDetection: a counter that goes backwards blocks the credential.
func TestPasskeyCloneDetection(t *testing.T) {
	h := newIdentityHarness(t, t0, nil)
	u, secret := h.enrolmentLink("ada@example.com", store.RoleViewer)
	k := newSoftKey(t, h.origin())
	h.enrolPasskey(h.client(), secret, k)
	k.counter = 10
	if resp, body, _ := h.passkeyLogin(h.client(), k, ""); resp.StatusCode != 200 {
		t.Fatalf("sign-in: %d %s", resp.StatusCode, body)
	}
	clone := *k
	clone.counter = 4 // a copy of the key that has signed less
	c := h.client()
	if resp, body, _ := h.passkeyLogin(c, &clone, ""); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "copied") || h.whoami(c) != "" {
		t.Fatalf("clone: %d %s", resp.StatusCode, body)
	}
	if ev := h.audit.find("login", OutcomeFailure); len(ev) != 1 || !strings.Contains(ev[0].Detail, "possible cloned authenticator") {
		t.Fatalf("clone not audited: %+v", ev)
	}
	// Blocked from now on, even for the original with a higher counter.
	if resp, _, _ := h.passkeyLogin(h.client(), k, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("blocked passkey signed in: %d", resp.StatusCode)
	}
	creds, _ := h.st.WebAuthnCredentials(context.Background(), u.ID)
	if !creds[0].CloneWarning || creds[0].SignCount != 11 {
		t.Fatalf("credential after clone: %+v", creds[0])
	}
}

// TestPasskeyVerificationRequired: without user verification, from another origin, or
// for another relying party, nothing is registered and nobody signs in.
func TestPasskeyVerificationRequired(t *testing.T) {
	h := newIdentityHarness(t, t0, nil)
	_, secret := h.enrolmentLink("ada@example.com", store.RoleViewer)
	noUV := newSoftKey(t, h.origin())
	noUV.noUV = true
	if resp, body := h.enrolPasskey(h.client(), secret, noUV); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("enrol without UV: %d %s", resp.StatusCode, body)
	}
	if n := countRows(t, h.st, "webauthn_credentials"); n != 0 {
		t.Fatalf("%d passkeys stored after a refused enrolment", n)
	}
	if ev := h.audit.find("enrol", OutcomeFailure); len(ev) != 1 {
		t.Fatalf("refused enrolment not audited: %+v", ev)
	}
	k := newSoftKey(t, h.origin())
	if resp, body := h.enrolPasskey(h.client(), secret, k); resp.StatusCode != 200 {
		t.Fatalf("enrol: %d %s", resp.StatusCode, body)
	}
	for name, bend := range map[string]func(*softKey){
		"no user verification": func(k *softKey) { k.noUV = true },
		"other origin":         func(k *softKey) { k.origin = "https://evil.example" },
		"other relying party":  func(k *softKey) { k.rpID = "evil.example" },
	} {
		bad := *k
		bend(&bad)
		c := h.client()
		if resp, body, _ := h.passkeyLogin(c, &bad, ""); resp.StatusCode != http.StatusUnauthorized || h.whoami(c) != "" {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
}

// TestPasskeyBadInput: malformed and forged ceremony requests are 4xx, audited when
// they reach verification, and write nothing.
func TestPasskeyBadInput(t *testing.T) {
	h := newIdentityHarness(t, t0, nil)
	_, secret := h.enrolmentLink("ada@example.com", store.RoleViewer)
	k := newSoftKey(t, h.origin())
	c := h.client()
	_, body := h.do(c, "GET", "/login/passkey", nil, nil)
	csrf := dataCSRF(t, body)
	for _, tc := range []struct {
		name, path, ctype string
		body              string
		cookie            string
		want              int
	}{
		{"no ceremony cookie", "/login/passkey/finish", "application/json", `{}`, "", 400},
		{"forged ceremony cookie", "/login/passkey/finish", "application/json", `{}`, newSecret(), 400},
		{"malformed ceremony cookie", "/login/passkey/finish", "application/json", `{}`, "not-a-secret", 400},
		{"wrong content type", "/login/passkey/finish", "text/plain", `{}`, "", 400},
		{"begin with bad JSON", "/login/passkey/begin", "application/json", `{"email":`, "", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", h.ts.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.ctype)
			req.Header.Set(CSRFHeader, csrf)
			if tc.cookie != "" {
				req.AddCookie(&http.Cookie{Name: webauthnCookie, Value: tc.cookie})
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	// A well-formed ceremony answered with garbage.
	h.beginPasskeyLogin(c, "")
	if resp, _ := h.postJSON(c, "/login/passkey/finish", csrf, []byte(`{"id":"x","type":"public-key","response":{}}`)); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("garbage assertion: %d", resp.StatusCode)
	}
	// Without the CSRF token the core refuses before any handler runs.
	if resp, _ := h.postJSON(c, "/login/passkey/begin", "", []byte(`{}`)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("begin without CSRF: %d", resp.StatusCode)
	}
	// An enrolment ceremony begun on one link cannot be finished on another.
	_, other := h.enrolmentLink("bob@example.com", store.RoleViewer)
	_, page := h.do(c, "GET", "/enrol?token="+secret+"&method=passkey", nil, nil)
	ecsrf := dataCSRF(t, page)
	_, eopts := h.postJSON(c, "/enrol?token="+secret+"&method=passkey&step=begin", ecsrf, []byte(`{}`))
	if resp, body := h.postJSON(c, "/enrol?token="+other+"&method=passkey&step=finish", ecsrf, k.create(t, eopts)); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("ceremony of another link: %d %s", resp.StatusCode, body)
	}
	if n := countRows(t, h.st, "webauthn_credentials") + countRows(t, h.st, "webauthn_handles") + countRows(t, h.st, "sessions"); n != 0 {
		t.Fatalf("%d rows written by refused requests", n)
	}
	if ev := h.audit.find("login", OutcomeFailure); len(ev) < 4 {
		t.Fatalf("refusals not audited: %+v", ev)
	}
}

// TestPasskeyFromAccountPage: a signed-in user adds a passkey, which needs a recent
// sign-in, then signs in with it and removes it.
func TestPasskeyFromAccountPage(t *testing.T) {
	h := newIdentityHarness(t, t0, nil)
	u := h.user("ada@example.com", store.RoleEngineer)
	c := h.client()
	h.login(c, u)
	csrf := h.sessionCSRF(c)
	k := newSoftKey(t, h.origin())
	resp, opts := h.postJSON(c, "/account/passkeys/begin", csrf, []byte(`{}`))
	if resp.StatusCode != 200 {
		t.Fatalf("begin: %d %s", resp.StatusCode, opts)
	}
	if resp, body := h.postJSON(c, "/account/passkeys/finish?name=phone", csrf, k.create(t, opts)); resp.StatusCode != 200 {
		t.Fatalf("finish: %d %s", resp.StatusCode, body)
	}
	if ev := h.audit.find("passkey.add", OutcomeSuccess); len(ev) != 1 {
		t.Fatalf("passkey.add events: %+v", ev)
	}
	c2 := h.client()
	if resp, body, _ := h.passkeyLogin(c2, k, ""); resp.StatusCode != 200 || h.whoami(c2) != "passkey:ada@example.com" {
		t.Fatalf("sign-in with the added passkey: %d %s", resp.StatusCode, body)
	}
	// A stale session may not change sign-in methods.
	h.clock.add(20 * time.Minute)
	h.do(c, "GET", "/", nil, nil) // keep the session alive
	if resp, _ := h.postJSON(c, "/account/passkeys/begin", csrf, []byte(`{}`)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("stale session begin: %d", resp.StatusCode)
	}
	creds, _ := h.st.WebAuthnCredentials(context.Background(), u.ID)
	del := "/account/passkeys/" + itoa(creds[0].ID) + "/delete"
	if resp, _ := h.do(c, "POST", del, url.Values{"csrf_token": {csrf}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("stale session delete: %d", resp.StatusCode)
	}
	c2 = h.client()
	if resp, body, _ := h.passkeyLogin(c2, k, ""); resp.StatusCode != 200 {
		t.Fatalf("fresh sign-in: %d %s", resp.StatusCode, body)
	}
	csrf2 := h.sessionCSRF(c2)
	if resp, _ := h.do(c2, "POST", del, url.Values{"csrf_token": {csrf2}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if n := countRows(t, h.st, "webauthn_credentials"); n != 0 {
		t.Fatalf("%d passkeys after delete", n)
	}
	if ev := h.audit.find("passkey.remove", ""); len(ev) != 2 || ev[0].Outcome != OutcomeDenied || ev[1].Outcome != OutcomeSuccess {
		t.Fatalf("passkey.remove events: %+v", ev)
	}
}

// TestIdentityRoutesDeclared: the identity routes are in the table with the right
// permissions, and the route-table rules (public only if allowed, 401 otherwise) hold.
func TestIdentityRoutesDeclared(t *testing.T) {
	h := newIdentityHarness(t, t0, nil)
	want := map[string]Permission{
		"GET /login/passkey": PermPublic, "POST /login/passkey/begin": PermPublic, "POST /login/passkey/finish": PermPublic,
		"GET /account": PermSignedIn, "POST /account/passkeys/begin": PermSignedIn, "POST /account/passkeys/finish": PermSignedIn,
		"POST /account/passkeys/{id}/delete": PermSignedIn,
	}
	got := map[string]Permission{}
	for _, r := range h.srv.Routes() {
		got[r.MuxPattern()] = r.Perm
	}
	for p, perm := range want {
		if got[p] != perm {
			t.Errorf("%s: permission %q, want %q", p, got[p], perm)
		}
	}
	c := h.client()
	for p, perm := range want {
		if perm == PermPublic {
			continue
		}
		method, path, _ := strings.Cut(strings.ReplaceAll(p, "{id}", "1"), " ")
		if resp, _ := h.do(c, method, path, nil, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without a session: %d", p, resp.StatusCode)
		}
	}
}

// TestFormPostWithNullOrigin: with Referrer-Policy no-referrer, Chromium sends
// "Origin: null" with same-origin form posts (the browser test found it). That passes
// only with Sec-Fetch-Site: same-origin; a sandboxed or cross-site null still fails.
func TestFormPostWithNullOrigin(t *testing.T) {
	h := newIdentityHarness(t, t0, nil)
	u := h.user("ada@example.com", store.RoleViewer)
	for _, tc := range []struct {
		site string
		want int
	}{{"same-origin", http.StatusSeeOther}, {"cross-site", http.StatusForbidden}, {"", http.StatusForbidden}} {
		c := h.client()
		h.clock.add(totpStep * time.Second)
		tok := h.loginForm(c)
		hdr := map[string]string{"Origin": "null"}
		if tc.site != "" {
			hdr["Sec-Fetch-Site"] = tc.site
		}
		resp, body := h.do(c, "POST", "/login", url.Values{"csrf_token": {tok}, "email": {u.Email}, "password": {u.password}, "code": {TOTPCode(u.secret, h.clock.now())}}, hdr)
		if resp.StatusCode != tc.want {
			t.Errorf("Sec-Fetch-Site %q: %d, want %d: %s", tc.site, resp.StatusCode, tc.want, body)
		}
	}
}
