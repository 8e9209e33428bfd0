package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

func init() {
	// Cheap hashing in tests; the parameters are stored in each hash, so verification
	// still exercises the real path.
	argonTime, argonMemory = 1, 8*1024
}

var t0 = time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)

type clock struct{ t atomic.Int64 }

func newClock(t time.Time) *clock    { c := &clock{}; c.t.Store(t.UnixNano()); return c }
func (c *clock) now() time.Time      { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.t.Add(int64(d)) }

// memAuditor keeps events in memory and can be made to fail.
type memAuditor struct {
	mu     sync.Mutex
	events []Event
	fail   atomic.Bool
}

func (a *memAuditor) Append(_ context.Context, e Event) error {
	if a.fail.Load() {
		return errors.New("audit store down")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
	return nil
}

func (a *memAuditor) find(action, outcome string) []Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Event
	for _, e := range a.events {
		if e.Action == action && (outcome == "" || e.Outcome == outcome) {
			out = append(out, e)
		}
	}
	return out
}

// backend makes fresh stores; postgres is added by postgres_integration_test.go.
type backend struct {
	name  string
	fresh func(tb testing.TB) store.Options
}

var backends = []backend{{name: "sqlite", fresh: func(tb testing.TB) store.Options { return store.Options{DataDir: tb.TempDir()} }}}

func eachBackend(t *testing.T, fn func(t *testing.T, h *harness)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, newHarness(t, b.fresh(t)))
		})
	}
}

type harness struct {
	t     testing.TB
	st    *store.Store
	srv   *Server
	ts    *httptest.Server
	clock *clock
	audit *memAuditor
}

func newHarness(t testing.TB, opt store.Options) *harness {
	t.Helper()
	c := newClock(t0)
	opt.Now = c.now
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := &memAuditor{}
	srv, err := New(Config{Store: st, Auditor: a, Now: c.now, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &harness{t: t, st: st, srv: srv, ts: ts, clock: c, audit: a}
}

// client is a browser: its own cookie jar, no redirects followed.
func (h *harness) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := h.ts.Client()
	return &http.Client{Transport: c.Transport, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (h *harness) do(c *http.Client, method, path string, form url.Values, hdr map[string]string) (*http.Response, string) {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, h.ts.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

type testUser struct {
	store.User
	password string
	secret   []byte
}

// user creates a user with a password and TOTP secret, through a real enrolment link.
func (h *harness) user(email string, role store.Role) testUser {
	h.t.Helper()
	ctx := context.Background()
	u, err := h.st.CreateUser(ctx, store.UserInput{Name: strings.Split(email, "@")[0], Email: email, Role: role})
	if err != nil {
		h.t.Fatal(err)
	}
	_, hash := NewEnrolmentSecret()
	if err := h.st.CreateEnrolment(ctx, u.ID, hash, h.clock.now().Add(time.Hour)); err != nil {
		h.t.Fatal(err)
	}
	pw := "correct horse battery " + email
	ph, err := HashPassword(pw)
	if err != nil {
		h.t.Fatal(err)
	}
	secret := NewTOTPSecret()
	if err := h.st.ConsumeEnrolment(ctx, hash, h.clock.now(), func(tx *store.Tx, id int64) error {
		return store.SetPasswordTOTP(ctx, tx, id, ph, secret)
	}); err != nil {
		h.t.Fatal(err)
	}
	return testUser{User: u, password: pw, secret: secret}
}

var hiddenRE = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

func csrfFrom(t testing.TB, body string) string {
	t.Helper()
	// The last form on the page: the header's sign-out form comes first.
	m := hiddenRE.FindAllStringSubmatch(body, -1)
	if m == nil {
		t.Fatalf("no csrf_token in page:\n%s", body)
	}
	return m[len(m)-1][1]
}

// loginForm fetches the sign-in form (setting the pre-session cookie) and returns its
// CSRF token.
func (h *harness) loginForm(c *http.Client) string {
	resp, body := h.do(c, "GET", "/login", nil, nil)
	if resp.StatusCode != 200 {
		h.t.Fatalf("GET /login: %d", resp.StatusCode)
	}
	return csrfFrom(h.t, body)
}

func (h *harness) tryLogin(c *http.Client, email, password, code string) *http.Response {
	h.t.Helper()
	tok := h.loginForm(c)
	resp, _ := h.do(c, "POST", "/login", url.Values{"csrf_token": {tok}, "email": {email}, "password": {password}, "code": {code}}, nil)
	return resp
}

// login signs u in on c, moving the clock to a fresh TOTP step first.
func (h *harness) login(c *http.Client, u testUser) {
	h.t.Helper()
	h.clock.add(totpStep * time.Second)
	tok := h.loginForm(c)
	resp, body := h.do(c, "POST", "/login", url.Values{"csrf_token": {tok}, "email": {u.Email}, "password": {u.password}, "code": {TOTPCode(u.secret, h.clock.now())}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("login of %s: status %d: %s", u.Email, resp.StatusCode, body)
	}
}

// sessionCSRF returns the CSRF token of c's session, read from the dashboard's sign-out form.
func (h *harness) sessionCSRF(c *http.Client) string {
	h.t.Helper()
	resp, body := h.do(c, "GET", "/", nil, nil)
	if resp.StatusCode != 200 {
		h.t.Fatalf("GET / : %d", resp.StatusCode)
	}
	return csrfFrom(h.t, body)
}

func (h *harness) sessionCookie(c *http.Client) string {
	u, _ := url.Parse(h.ts.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == SessionCookie {
			return ck.Value
		}
	}
	return ""
}

func (h *harness) token(scopes []string, expires time.Time) (string, store.APIToken) {
	h.t.Helper()
	secret, hash := NewAPIToken()
	tok, err := h.st.CreateToken(context.Background(), store.TokenInput{Hash: hash, Name: fmt.Sprintf("t%d", time.Now().UnixNano()), Scopes: scopes, CreatedBy: "test", ExpiresAt: expires})
	if err != nil {
		h.t.Fatal(err)
	}
	return secret, tok
}
