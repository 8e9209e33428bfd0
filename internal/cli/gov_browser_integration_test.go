//go:build integration

package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posture-dev/posture/internal/server"
	"github.com/posture-dev/posture/internal/store"
	"github.com/posture-dev/posture/internal/testutil/browsertest"
)

// The P7 acceptance test through Chromium: the same server, fixture and fixed clock as
// TestGovernanceDeviationAcceptance, with every person's step taken in the browser and
// screenshots in $POSTURE_ARTIFACTS/TestGovernanceDeviationBrowser.

const govSignedIn = `form[action="/logout"] button`

func (g *govServer) browserSignIn(b *browsertest.Browser, step, email, password string, secret []byte) {
	g.t.Helper()
	g.clock.add(30 * time.Second) // a fresh TOTP step: codes are single-use
	b.Step(step,
		chromedp.Navigate(g.ts.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SetValue(chromedp.CSS("#email"), email),
		chromedp.SetValue(chromedp.CSS("#password"), password),
		chromedp.SetValue(chromedp.CSS("#code"), server.TOTPCode(secret, g.clock.now())),
		chromedp.Click(chromedp.CSS(`form.card button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(govSignedIn)))
}

// forgeDecision submits, from the page the browser is on, the approval form the page
// does not offer, with the session's CSRF token: what an engineer could do from the
// developer tools. It returns the status of the page that answers.
func forgeDecision(t *testing.T, b *browsertest.Browser, path string) int {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const f = document.createElement("form");
		f.method = "post";
		f.action = %q;
		for (const [k, v] of [["csrf_token", document.querySelector('input[name="csrf_token"]').value], ["decision", "approve"]]) {
			const i = document.createElement("input");
			i.type = "hidden"; i.name = k; i.value = v;
			f.appendChild(i);
		}
		document.body.appendChild(f);
		f.submit();
		return true;
	})()`, path)
	ctx, cancel := context.WithTimeout(b.Context(), 15*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](js)(ctx, t)
		return err
	}))
	b.Step("engineer-approval-forbidden") // numbers the screenshot of the answer
	if err != nil {
		t.Fatalf("forged approval: %v", err)
	}
	return int(resp.Status)
}

func TestGovernanceDeviationBrowser(t *testing.T) {
	t.Chdir(repoRoot(t))
	db := knownProblemsDB(t)
	g := newGovServer(t)
	ctx := context.Background()
	b := browsertest.New(t, browsertest.Options{TrustCAs: []*x509.Certificate{g.ts.Certificate()}})
	tokenFile := g.ciTokenFile()

	rep, stderr := g.scan(tokenFile, db)
	if !strings.Contains(stderr, "applying 0 deviation(s)") {
		t.Fatalf("stderr: %s", stderr)
	}
	target := singleFindingControl(t, rep)
	fp := target.Findings[0].Fingerprint
	t.Logf("deviating from %s, finding %s", target.ID, fp)

	engPW, engSecret := g.account("erin@example.com", store.RoleEngineer)
	aprPW, aprSecret := g.account("avery@example.com", store.RoleApprover)
	audPW, audSecret := g.account("aud@example.com", store.RoleAuditor)

	// The engineer requests a deviation for the finding through the register's form.
	g.browserSignIn(b, "engineer-sign-in", "erin@example.com", engPW, engSecret)
	b.Step("engineer-request-form",
		chromedp.Navigate(g.ts.URL+"/deviations"), chromedp.WaitVisible(chromedp.CSS("#d-fp")),
		chromedp.SetValue(chromedp.CSS("#d-system"), "fixture"),
		chromedp.SetValue(chromedp.CSS("#d-control"), target.ID),
		chromedp.SetValue(chromedp.CSS("#d-fp"), fp),
		chromedp.SetValue(chromedp.CSS("#d-reason"), "vendor fix due in January"),
		chromedp.SetValue(chromedp.CSS("#d-comp"), "WAF rule blocks the path"),
		chromedp.SetValue(chromedp.CSS("#d-exp"), "2026-12-31"))
	b.Step("engineer-requested",
		chromedp.Click(chromedp.CSS(`form[method="post"][action="/deviations"] button[type="submit"]`)),
		browsertest.WaitURL("/deviations/"), chromedp.WaitVisible(chromedp.CSS("dl.facts")))
	devs, err := store.GovDeviations(ctx, g.st, store.GovDeviationFilter{})
	if err != nil || len(devs) != 1 || devs[0].Fingerprint != fp || devs[0].State != store.DeviationRequested {
		t.Fatalf("deviations after the request: %+v %v", devs, err)
	}
	path := fmt.Sprintf("/deviations/%d", devs[0].ID)
	if page := b.Text("main"); !strings.Contains(page, "requested") || strings.Contains(page, "Approve") {
		t.Fatalf("the requester's page:\n%s", page)
	}

	// The same engineer cannot approve it: the page offers no form, and a forged one is
	// refused by the server (403 page, audited).
	if st := forgeDecision(t, b, path+"/decision"); st != http.StatusForbidden {
		t.Fatalf("engineer approving own request: status %d", st)
	}
	if body := b.Text("body"); !strings.Contains(body, "forbidden") {
		t.Fatalf("403 page shows %q", body)
	}
	if devs, _ := store.GovDeviations(ctx, g.st, store.GovDeviationFilter{}); devs[0].State != store.DeviationRequested {
		t.Fatalf("state after the refused approval: %s", devs[0].State)
	}
	b.Step("engineer-sign-out", chromedp.Navigate(g.ts.URL+"/deviations"), chromedp.WaitVisible(chromedp.CSS(govSignedIn)),
		chromedp.Click(chromedp.CSS(govSignedIn)), browsertest.WaitURL("/login"))

	// An approver approves it in the browser.
	g.browserSignIn(b, "approver-sign-in", "avery@example.com", aprPW, aprSecret)
	b.Step("approver-decision-form",
		chromedp.Navigate(g.ts.URL+path), chromedp.WaitVisible(chromedp.CSS("#note")),
		chromedp.SetValue(chromedp.CSS("#note"), "ok until the vendor fix"))
	b.Step("approver-approved",
		chromedp.Click(chromedp.CSS(`button[name="decision"][value="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS("span.status.active")))
	b.Step("register-active", chromedp.Navigate(g.ts.URL+"/deviations"), chromedp.WaitVisible(chromedp.CSS("table")))
	page := b.Text("main")
	for _, want := range []string{"erin@example.com", "avery@example.com", "vendor fix due in January", "2026-12-31", "active"} {
		if !strings.Contains(page, want) {
			t.Errorf("register lacks %q:\n%s", want, page)
		}
	}
	events := auditActions(t, g.st)
	for _, want := range []string{"deviation.request success", "access denied", "deviation.approve success"} {
		if !events[want] {
			t.Errorf("audit log lacks %q: %v", want, events)
		}
	}

	// posture scan --server shows the finding as a deviation.
	rep, stderr = g.scan(tokenFile, db)
	if !strings.Contains(stderr, "applying 1 deviation(s)") {
		t.Fatalf("stderr: %s", stderr)
	}
	c := controlsOf(t, rep)[target.ID]
	if c.Status != "deviation" || c.Findings[0].Suppressed == nil || c.Findings[0].Suppressed.ApprovedBy != "avery@example.com" {
		t.Fatalf("after approval: %s %+v", c.Status, c.Findings)
	}

	// After the expiry (the fixed clock moved past 2026-12-31) it fails again, and the
	// register says expired to an auditor signing in then.
	g.clock.add(40 * 24 * time.Hour)
	rep, stderr = g.scan(tokenFile, db)
	if !strings.Contains(stderr, "applying 0 deviation(s)") {
		t.Fatalf("stderr after expiry: %s", stderr)
	}
	if c := controlsOf(t, rep)[target.ID]; c.Status != "fail" {
		t.Fatalf("after expiry: %s", c.Status)
	}
	g.browserSignIn(b, "auditor-sign-in", "aud@example.com", audPW, audSecret)
	b.Step("register-expired", chromedp.Navigate(g.ts.URL+"/deviations"), chromedp.WaitVisible(chromedp.CSS("span.status.expired")))
}
