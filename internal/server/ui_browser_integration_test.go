//go:build integration

package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posture-dev/posture/internal/store"
	"github.com/posture-dev/posture/internal/testutil/browsertest"
)

// passwordUser creates an enrolled user with a password and TOTP secret.
func (ls *liveServer) passwordUser(t *testing.T, email string, role store.Role) (string, []byte) {
	t.Helper()
	ctx := context.Background()
	u, err := ls.st.CreateUser(ctx, store.UserInput{Name: strings.Split(email, "@")[0], Email: email, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	_, hash := NewEnrolmentSecret()
	if err := ls.st.CreateEnrolment(ctx, u.ID, hash, ls.clock.now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	pw := "a long enough passphrase for " + email
	ph, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	secret := NewTOTPSecret()
	if err := ls.st.ConsumeEnrolment(ctx, hash, ls.clock.now(), func(tx *store.Tx, id int64) error {
		return store.SetPasswordTOTP(ctx, tx, id, ph, secret)
	}); err != nil {
		t.Fatal(err)
	}
	return pw, secret
}

func browserSignIn(b *browsertest.Browser, ls *liveServer, step, email, password string, secret []byte) {
	ls.clock.add(totpStep * time.Second) // a fresh TOTP step: codes are single-use
	b.Step(step,
		chromedp.Navigate(ls.url+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SetValue(chromedp.CSS("#email"), email),
		chromedp.SetValue(chromedp.CSS("#password"), password),
		chromedp.SetValue(chromedp.CSS("#code"), TOTPCode(secret, ls.clock.now())),
		chromedp.Click(chromedp.CSS(`form.card button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(signedIn)))
}

// TestBrowserUI: an engineer sees the dashboard, a scan uploaded through the API shows
// on the system page with its findings, triage through the form is recorded, and a
// viewer is refused the system editor.
func TestBrowserUI(t *testing.T) {
	ls := startLiveServer(t)
	b := browsertest.New(t, browsertest.Options{TrustCAs: []*x509.Certificate{ls.ca.Cert, ls.leaf}})
	ctx := context.Background()
	if _, err := ls.st.CreateSystem(ctx, store.SystemInput{Name: "web", Owner: "web team", Environment: store.Prod, Classification: store.Confidential}); err != nil {
		t.Fatal(err)
	}
	engPW, engSecret := ls.passwordUser(t, "eng@example.com", store.RoleEngineer)
	viewPW, viewSecret := ls.passwordUser(t, "view@example.com", store.RoleViewer)

	browserSignIn(b, ls, "engineer-sign-in", "eng@example.com", engPW, engSecret)
	if h1 := b.Text("main h1"); h1 != "Dashboard" {
		t.Fatalf("heading %q", h1)
	}
	b.Step("dashboard-empty-system", chromedp.WaitVisible(chromedp.CSS(`table.matrix a[href="/systems/web"]`)))

	// Upload a scan as CI would: a scans:write token and the JSON report.
	secret, hash := NewAPIToken()
	if _, err := ls.st.CreateToken(ctx, store.TokenInput{Hash: hash, Name: "ci", Scopes: []string{ScopeScansWrite}, CreatedBy: "test", ExpiresAt: ls.clock.now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ls.ca.Cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	report := mustJSON(t, testReport(ls.clock.now().Add(-time.Minute), tf{"CR-1", "critical", "leaked-key", ""}, tf{"ZT-3", "low", "open-redis", "deploy/redis.conf"}))
	req, _ := http.NewRequest("POST", ls.url+"/api/v1/systems/web/scans", bytes.NewReader(report))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d", resp.StatusCode)
	}

	b.Step("dashboard-after-upload", chromedp.Navigate(ls.url+"/"), chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	if row := b.Text("table.matrix tbody tr"); !strings.Contains(row, "fail") {
		t.Fatalf("matrix row after upload: %q", row)
	}
	b.Step("system-page", chromedp.Navigate(ls.url+"/systems/web"), chromedp.WaitVisible(chromedp.CSS("#new-h")))
	if page := b.Text("main"); !strings.Contains(page, "2 new, 0 fixed, 0 recurring") || !strings.Contains(page, "problem leaked-key") || !strings.Contains(page, "Fix: fix leaked-key") {
		t.Fatalf("system page:\n%s", page)
	}
	b.Step("findings-triage",
		chromedp.Navigate(ls.url+"/findings?severity=critical"), chromedp.WaitVisible(chromedp.CSS("#reason-0")),
		chromedp.SetValue(chromedp.CSS("#state-0"), "false-positive"),
		chromedp.SetValue(chromedp.CSS("#reason-0"), "a test fixture key"),
		chromedp.Click(chromedp.CSS(`form.triage-form button[type="submit"]`)),
		browsertest.WaitURL("/findings?severity=critical"), chromedp.WaitVisible(chromedp.CSS("span.triage")))
	if ev := ls.audit.find("finding.triage", OutcomeSuccess); len(ev) != 1 || !strings.Contains(ev[0].Detail, "a test fixture key") {
		t.Fatalf("triage events: %+v", ev)
	}

	b.Step("sign-out", chromedp.Click(chromedp.CSS(signedIn)), browsertest.WaitURL("/login"))
	browserSignIn(b, ls, "viewer-sign-in", "view@example.com", viewPW, viewSecret)
	b.Step("viewer-system-editor-forbidden", chromedp.Navigate(ls.url+"/systems/web/edit"), chromedp.WaitVisible(chromedp.CSS("body")))
	if body := b.Text("body"); !strings.Contains(body, "forbidden") {
		t.Fatalf("system editor as a viewer shows %q", body)
	}
	b.Step("viewer-admin-api-forbidden", chromedp.Navigate(ls.url+"/api/v1/users"), chromedp.WaitVisible(chromedp.CSS("body")))
	if body := b.Text("body"); !strings.Contains(body, "forbidden") {
		t.Fatalf("admin API as a viewer shows %q", body)
	}
	if ev := ls.audit.find("access", OutcomeDenied); len(ev) != 2 {
		t.Fatalf("denial events: %+v", ev)
	}
}

// TestBrowserUsersInvite: an admin invites an approver from the Users page; the person
// opens the one-time link, enrols a password and an authenticator app, and signs in
// with the invited role; the admin then disables the account, which signs them out.
func TestBrowserUsersInvite(t *testing.T) {
	ls := startLiveServer(t)
	b := browsertest.New(t, browsertest.Options{TrustCAs: []*x509.Certificate{ls.ca.Cert, ls.leaf}})
	adminPW, adminSecret := ls.passwordUser(t, "ada@example.com", store.RoleAdmin)
	browserSignIn(b, ls, "admin-sign-in", "ada@example.com", adminPW, adminSecret)
	b.Step("users-page", chromedp.Navigate(ls.url+"/users"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SetValue(chromedp.CSS("#email"), "sam@example.com"),
		chromedp.SetValue(chromedp.CSS("#role"), "approver"),
		chromedp.Click(chromedp.CSS(`form[action="/users"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#enrolment-link")))
	link := b.Text("#enrolment-link")
	if !strings.HasPrefix(link, ls.url+"/enrol?token=") {
		t.Fatalf("link %q is not on %s", link, ls.url)
	}
	b.Step("admin-sign-out", chromedp.Click(chromedp.CSS(signedIn)), browsertest.WaitURL("/login"))

	b.Step("enrol-choose", chromedp.Navigate(link), chromedp.Click(chromedp.CSS(`a[href*="method=password"]`)),
		chromedp.WaitVisible(chromedp.CSS("code.secret")))
	secret, err := b32.DecodeString(b.Text("code.secret"))
	if err != nil {
		t.Fatal(err)
	}
	pw := "the invited approver's passphrase"
	b.Step("enrol-password",
		chromedp.SetValue(chromedp.CSS("#code"), TOTPCode(secret, ls.clock.now())),
		chromedp.SetValue(chromedp.CSS("#password"), pw),
		chromedp.SetValue(chromedp.CSS("#password_confirm"), pw),
		chromedp.Click(chromedp.CSS(`form.card button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("main h1")))
	if h1 := b.Text("main h1"); h1 != "Enrolled" {
		t.Fatalf("after enrolment: %q", h1)
	}
	browserSignIn(b, ls, "approver-sign-in", "sam@example.com", pw, secret)
	b.Step("approver-whoami", chromedp.Navigate(ls.url+"/api/v1/whoami"), chromedp.WaitVisible(chromedp.CSS("body")))
	if body := b.Text("body"); !strings.Contains(body, `"role":"approver"`) {
		t.Fatalf("whoami as the invited user: %s", body)
	}
	sam, err := ls.st.UserByEmail(context.Background(), "sam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := ls.st.SetUserDisabled(context.Background(), sam.ID, true); err != nil {
		t.Fatal(err)
	}
	b.Step("disabled-signed-out", chromedp.Navigate(ls.url+"/"), browsertest.WaitURL("/login"))
}
