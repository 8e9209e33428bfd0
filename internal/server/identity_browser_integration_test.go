//go:build integration

package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posture-dev/posture/internal/store"
	"github.com/posture-dev/posture/internal/testutil/browsertest"
)

// offsetClock is the wall clock plus an offset the test can move: Chromium and the
// server agree on real time, and a test can still step to a fresh TOTP window.
type offsetClock struct{ off atomic.Int64 }

func (c *offsetClock) now() time.Time      { return time.Now().Add(time.Duration(c.off.Load())).UTC() }
func (c *offsetClock) add(d time.Duration) { c.off.Add(int64(d)) }

// liveServer is posture serve in-process: the real store (SQLite), the local CA and
// certificate that serve makes on first run, the Run loop with its TLS settings, and
// passkeys for the public URL https://localhost:PORT.
type liveServer struct {
	url   string
	st    *store.Store
	audit *memAuditor
	clock *offsetClock
	ca    LocalCA
	leaf  *x509.Certificate
}

func startLiveServer(t *testing.T) *liveServer {
	t.Helper()
	dir := t.TempDir()
	clock := &offsetClock{}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, store.Options{DataDir: dir, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "https://localhost:" + itoa(int64(ln.Addr().(*net.TCPAddr).Port))
	cert, ca, err := LocalTLS(filepath.Join(dir, "tls"), []string{"localhost", "127.0.0.1"}, clock.now())
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	a := &memAuditor{}
	srv, err := NewWithIdentity(Config{Store: st, Auditor: a, Now: clock.now, Version: "test"}, IdentityConfig{PublicURL: url, Passkeys: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- srv.Run(ctx, Listeners{TLS: ln, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
		st.Close()
	})
	return &liveServer{url: url, st: st, audit: a, clock: clock, ca: ca, leaf: leaf}
}

// enrolmentLink is what posture admin bootstrap prints.
func (ls *liveServer) enrolmentLink(t *testing.T, email string, role store.Role) string {
	t.Helper()
	ctx := context.Background()
	u, err := ls.st.CreateUser(ctx, store.UserInput{Name: strings.Split(email, "@")[0], Email: email, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	secret, hash := NewEnrolmentSecret()
	if err := ls.st.CreateEnrolment(ctx, u.ID, hash, ls.clock.now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return ls.url + "/enrol?token=" + secret
}

const signedIn = `form[action="/logout"] button`

// TestBrowserPasskey: bootstrap link → enrol a passkey in Chromium's virtual
// authenticator → sign in with it → dashboard → sign out → sign in again.
func TestBrowserPasskey(t *testing.T) {
	ls := startLiveServer(t)
	b := browsertest.New(t, browsertest.Options{TrustCAs: []*x509.Certificate{ls.ca.Cert, ls.leaf}})
	auth := b.AddVirtualAuthenticator()
	link := ls.enrolmentLink(t, "ada@example.com", store.RoleAdmin)

	b.Step("enrol-choose", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`a[href*="method=passkey"]`)))
	b.Step("enrol-passkey-page", chromedp.Click(chromedp.CSS(`a[href*="method=passkey"]`)), chromedp.WaitVisible(chromedp.CSS("#passkey-register-button")))
	b.Step("enrol-passkey-created",
		chromedp.SetValue(chromedp.CSS("#name"), "virtual authenticator"),
		chromedp.Click(chromedp.CSS("#passkey-register-button")),
		browsertest.WaitURL("/login/passkey"), chromedp.WaitVisible(chromedp.CSS("#passkey-login-button")))
	if n := len(auth.Credentials()); n != 1 {
		t.Fatalf("the authenticator holds %d passkeys, want 1", n)
	}
	if ev := ls.audit.find("enrol", OutcomeSuccess); len(ev) != 1 || ev[0].Detail != "passkey" {
		t.Fatalf("enrolment events: %+v", ev)
	}

	signIn := func(step string) {
		b.Step(step, chromedp.Navigate(ls.url+"/login/passkey"), chromedp.WaitVisible(chromedp.CSS("#passkey-login-button")),
			chromedp.Click(chromedp.CSS("#passkey-login-button")), chromedp.WaitVisible(chromedp.CSS(signedIn)))
		if loc := b.Location(); loc != ls.url+"/" {
			t.Fatalf("after sign-in at %s, want the dashboard", loc)
		}
		if h1 := b.Text("main h1"); !strings.Contains(h1, "Dashboard") {
			t.Fatalf("dashboard heading %q", h1)
		}
	}
	signIn("passkey-sign-in-dashboard")
	b.Step("sign-out", chromedp.Click(chromedp.CSS(signedIn)), browsertest.WaitURL("/login"))
	signIn("passkey-sign-in-again")
	b.Step("account-page", chromedp.Navigate(ls.url+"/account"), chromedp.WaitVisible(chromedp.CSS("#passkey-register-button")))
	if !strings.Contains(b.Text("main table"), "virtual authenticator") {
		t.Fatal("the account page does not list the passkey")
	}
	if ev := ls.audit.find("login", OutcomeSuccess); len(ev) != 2 || ev[0].Detail != MethodPasskey {
		t.Fatalf("login events: %+v", ev)
	}
	if ev := ls.audit.find("logout", OutcomeSuccess); len(ev) != 1 {
		t.Fatalf("logout events: %+v", ev)
	}
}

// TestBrowserPasswordTOTP: enrol a password and TOTP (the code computed here), sign in,
// see the dashboard; as a viewer, an admin page is refused with 403 and audited.
func TestBrowserPasswordTOTP(t *testing.T) {
	ls := startLiveServer(t)
	b := browsertest.New(t, browsertest.Options{TrustCAs: []*x509.Certificate{ls.ca.Cert, ls.leaf}})
	link := ls.enrolmentLink(t, "vic@example.com", store.RoleViewer)
	const password = "a long enough passphrase"

	b.Step("enrol-password-page", chromedp.Navigate(link+"&method=password"), chromedp.WaitVisible(chromedp.CSS("code.secret")))
	secret, err := ParseTOTPSecretText(b.Text("code.secret"))
	if err != nil {
		t.Fatal(err)
	}
	b.Step("enrol-password-done",
		chromedp.SetValue(chromedp.CSS("#code"), TOTPCode(secret, ls.clock.now())),
		chromedp.SetValue(chromedp.CSS("#password"), password),
		chromedp.SetValue(chromedp.CSS("#password_confirm"), password),
		chromedp.Click(chromedp.CSS(`form.card button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main a[href="/login"]`)))

	ls.clock.add(totpStep * time.Second) // the enrolment code is spent; use the next one
	b.Step("password-sign-in-dashboard",
		chromedp.Navigate(ls.url+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SetValue(chromedp.CSS("#email"), "vic@example.com"),
		chromedp.SetValue(chromedp.CSS("#password"), password),
		chromedp.SetValue(chromedp.CSS("#code"), TOTPCode(secret, ls.clock.now())),
		chromedp.Click(chromedp.CSS(`form.card button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(signedIn)))
	if h1 := b.Text("main h1"); !strings.Contains(h1, "Dashboard") {
		t.Fatalf("dashboard heading %q", h1)
	}

	b.Step("viewer-admin-page-forbidden", chromedp.Navigate(ls.url+"/api/v1/users"), chromedp.WaitVisible(chromedp.CSS("body")))
	if body := b.Text("body"); !strings.Contains(body, "forbidden") {
		t.Fatalf("admin page as a viewer shows %q", body)
	}
	ev := ls.audit.find("access", OutcomeDenied)
	if len(ev) != 1 || ev[0].Object != "route:GET /api/v1/users" || !strings.HasPrefix(ev[0].Actor, "user:") {
		t.Fatalf("denial events: %+v", ev)
	}
}
