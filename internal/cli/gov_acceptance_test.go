package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/governance"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/server"
	"github.com/posture-dev/posture/internal/store"
)

// The P7 acceptance test, over HTTP (no browser): a real server in this process with
// the real store, the hash-chained audit log and the governance routes; a real
// `posture scan --server` of the known-problems fixture with the real engine; one
// clock for both, moved past the deviation's expiry at the end.

type govClock struct{ ns atomic.Int64 }

func (c *govClock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *govClock) add(d time.Duration) { c.ns.Add(int64(d)) }

type govServer struct {
	t      *testing.T
	st     *store.Store
	ts     *httptest.Server
	caFile string
	clock  *govClock
}

func newGovServer(t *testing.T) *govServer {
	t.Helper()
	ctx := context.Background()
	clk := &govClock{}
	clk.ns.Store(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC).UnixNano())
	dir := t.TempDir()
	st, err := store.Open(ctx, store.Options{DataDir: dir, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, err := keys.OpenFile(filepath.Join(dir, "audit-signing.key"))
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.New(st, audit.Options{Signer: key, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close(context.Background()) })
	gov := server.NewGovernance(&governance.Service{St: st, Audit: log, Keys: key, EvidenceDir: filepath.Join(dir, "evidence"), Now: clk.now})
	srv, err := server.New(server.Config{Store: st, Auditor: logAuditor{log}, Now: clk.now, Routes: gov.Routes()})
	if err != nil {
		t.Fatal(err)
	}
	gov.Attach(srv)
	ts := httptest.NewTLSServer(srv.Handler())
	t.Cleanup(ts.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateSystem(ctx, store.SystemInput{Name: "fixture", Owner: "tests", Environment: store.Prod, Classification: store.Confidential}); err != nil {
		t.Fatal(err)
	}
	return &govServer{t: t, st: st, ts: ts, caFile: ca, clock: clk}
}

// person is a signed-in browser of one user.
type person struct {
	g      *govServer
	c      *http.Client
	email  string
	pw     string
	secret []byte
}

// account creates a user with a password and TOTP secret through an enrolment link.
func (g *govServer) account(email string, role store.Role) (password string, secret []byte) {
	g.t.Helper()
	ctx := context.Background()
	u, err := g.st.CreateUser(ctx, store.UserInput{Name: strings.Split(email, "@")[0], Email: email, Role: role})
	if err != nil {
		g.t.Fatal(err)
	}
	_, hash := server.NewEnrolmentSecret()
	if err := g.st.CreateEnrolment(ctx, u.ID, hash, g.clock.now().Add(time.Hour)); err != nil {
		g.t.Fatal(err)
	}
	password, secret = "correct horse battery "+email, server.NewTOTPSecret()
	ph, err := server.HashPassword(password)
	if err != nil {
		g.t.Fatal(err)
	}
	if err := g.st.ConsumeEnrolment(ctx, hash, g.clock.now(), func(tx *store.Tx, id int64) error {
		return store.SetPasswordTOTP(ctx, tx, id, ph, secret)
	}); err != nil {
		g.t.Fatal(err)
	}
	return password, secret
}

func (g *govServer) person(email string, role store.Role) *person {
	g.t.Helper()
	pw, secret := g.account(email, role)
	p := &person{g: g, email: email, pw: pw, secret: secret}
	jar, _ := cookiejar.New(nil)
	p.c = &http.Client{Transport: g.ts.Client().Transport, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	g.clock.add(30 * time.Second) // a fresh TOTP step for every sign-in
	tok := csrfOf(g.t, p.get("/login"))
	if st, body := p.post("/login", url.Values{"csrf_token": {tok}, "email": {email}, "password": {p.pw}, "code": {server.TOTPCode(p.secret, g.clock.now())}}); st != http.StatusSeeOther {
		g.t.Fatalf("sign-in of %s: %d %s", email, st, body)
	}
	return p
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindAllStringSubmatch(body, -1)
	if m == nil {
		t.Fatalf("no csrf_token in:\n%s", body)
	}
	return m[len(m)-1][1]
}

func (p *person) get(path string) string {
	p.g.t.Helper()
	resp, err := p.c.Get(p.g.ts.URL + path)
	if err != nil {
		p.g.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		p.g.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}

func (p *person) post(path string, form url.Values) (int, string) {
	p.g.t.Helper()
	req, _ := http.NewRequest("POST", p.g.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.g.ts.URL)
	resp, err := p.c.Do(req)
	if err != nil {
		p.g.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// scan runs posture scan --server on the fixture with the server's clock.
func (g *govServer) scan(tokenFile, db string) (map[string]any, string) {
	g.t.Helper()
	var out, errb bytes.Buffer
	e := fixedEnv(&out, &errb)
	e.now = g.clock.now
	code := run(context.Background(), e, []string{"scan", "--format", "json", "--db", db, "--server", g.ts.URL + "/", "--system", "fixture",
		"--token-file", tokenFile, "--server-ca", g.caFile, "testdata/known-problems"})
	if code != ExitFailing && code != ExitOK {
		g.t.Fatalf("scan exit %d:\n%s", code, errb.String())
	}
	var rep map[string]any
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		g.t.Fatalf("report: %v", err)
	}
	return rep, errb.String()
}

type repControl struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Findings []struct {
		Fingerprint string `json:"fingerprint"`
		Suppressed  *struct {
			Deviation  string `json:"deviation"`
			ApprovedBy string `json:"approved_by"`
		} `json:"suppressed"`
	} `json:"findings"`
}

func controlsOf(t *testing.T, rep map[string]any) map[string]repControl {
	t.Helper()
	raw, _ := json.Marshal(rep["targets"])
	var targets []struct {
		Controls []repControl `json:"controls"`
	}
	if err := json.Unmarshal(raw, &targets); err != nil || len(targets) != 1 {
		t.Fatalf("targets: %v (%d)", err, len(targets))
	}
	out := map[string]repControl{}
	for _, c := range targets[0].Controls {
		out[c.ID] = c
	}
	return out
}

// ciTokenFile writes a scans:write API token, as CI would hold it, to a file.
func (g *govServer) ciTokenFile() string {
	g.t.Helper()
	secret, hash := server.NewAPIToken()
	if _, err := g.st.CreateToken(context.Background(), store.TokenInput{Hash: hash, Name: "ci", Scopes: []string{server.ScopeScansWrite}, CreatedBy: "test",
		ExpiresAt: g.clock.now().Add(365 * 24 * time.Hour)}); err != nil {
		g.t.Fatal(err)
	}
	tokenFile := filepath.Join(g.t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(secret), 0o600); err != nil {
		g.t.Fatal(err)
	}
	return tokenFile
}

// singleFindingControl is the first failing control (other than ST-2) with exactly one
// finding in a report: the one the acceptance tests deviate from.
func singleFindingControl(t *testing.T, rep map[string]any) repControl {
	t.Helper()
	var target repControl
	for _, c := range controlsOf(t, rep) {
		if c.Status == "fail" && len(c.Findings) == 1 && c.ID != "ST-2" && (target.ID == "" || c.ID < target.ID) {
			target = c
		}
	}
	if target.ID == "" {
		t.Fatal("no failing control with a single finding in the fixture")
	}
	return target
}

func TestGovernanceDeviationAcceptance(t *testing.T) {
	t.Chdir(repoRoot(t))
	db := knownProblemsDB(t)
	g := newGovServer(t)
	ctx := context.Background()
	tokenFile := g.ciTokenFile()

	// Before: a failing control with exactly one finding.
	rep, stderr := g.scan(tokenFile, db)
	if !strings.Contains(stderr, "applying 0 deviation(s)") {
		t.Fatalf("stderr: %s", stderr)
	}
	target := singleFindingControl(t, rep)
	fp := target.Findings[0].Fingerprint
	t.Logf("deviating from %s, finding %s", target.ID, fp)

	eng := g.person("erin@example.com", store.RoleEngineer)
	apr := g.person("avery@example.com", store.RoleApprover)

	// The engineer requests a deviation for the finding.
	st, body := eng.post("/deviations", url.Values{"csrf_token": {csrfOf(t, eng.get("/deviations"))}, "system": {"fixture"}, "control": {target.ID},
		"scope": {"fingerprint"}, "fingerprint": {fp}, "reason": {"vendor fix due in January"}, "compensating": {"WAF rule blocks the path"}, "expires": {"2026-12-31"}})
	if st != http.StatusSeeOther {
		t.Fatalf("request: %d %s", st, body)
	}
	devs, err := store.GovDeviations(ctx, g.st, store.GovDeviationFilter{})
	if err != nil || len(devs) != 1 {
		t.Fatalf("deviations: %v %v", devs, err)
	}
	path := fmt.Sprintf("/deviations/%d", devs[0].ID)

	// A second engineer request with an expiry beyond twelve months is refused.
	if st, _ := eng.post("/deviations", url.Values{"csrf_token": {csrfOf(t, eng.get("/deviations"))}, "system": {"fixture"}, "control": {target.ID},
		"scope": {"system"}, "reason": {"r"}, "compensating": {"c"}, "expires": {"2028-01-01"}}); st != http.StatusBadRequest {
		t.Errorf("expiry beyond a year: %d", st)
	}

	// The same engineer cannot approve it: no permission (403, audited).
	if st, _ := eng.post(path+"/decision", url.Values{"csrf_token": {csrfOf(t, eng.get(path))}, "decision": {"approve"}}); st != http.StatusForbidden {
		t.Fatalf("engineer approving own request: %d", st)
	}
	// Nor can the requester when they hold the approver role: an approver asks, another decides.
	self := g.person("sam@example.com", store.RoleApprover)
	if st, _ := self.post("/deviations", url.Values{"csrf_token": {csrfOf(t, self.get("/deviations"))}, "system": {"fixture"}, "control": {target.ID},
		"scope": {"system"}, "reason": {"r"}, "compensating": {"c"}, "expires": {"2026-12-20"}}); st != http.StatusSeeOther {
		t.Fatalf("approver request: %d", st)
	}
	own, _ := store.GovDeviations(ctx, g.st, store.GovDeviationFilter{State: store.DeviationRequested})
	ownPath := fmt.Sprintf("/deviations/%d", own[0].ID)
	if st, body := self.post(ownPath+"/decision", url.Values{"csrf_token": {csrfOf(t, self.get(ownPath))}, "decision": {"approve"}}); st != http.StatusForbidden || !strings.Contains(body, "cannot decide it") {
		t.Fatalf("approver approving own request: %d %s", st, body)
	}

	// An approver does approve it.
	if st, body := apr.post(path+"/decision", url.Values{"csrf_token": {csrfOf(t, apr.get(path))}, "decision": {"approve"}, "note": {"ok until the vendor fix"}}); st != http.StatusSeeOther {
		t.Fatalf("approval: %d %s", st, body)
	}
	page := apr.get("/deviations")
	for _, want := range []string{"erin@example.com", "avery@example.com", "vendor fix due in January", "2026-12-31", "active"} {
		if !strings.Contains(page, want) {
			t.Errorf("register lacks %q", want)
		}
	}

	// Every step is in the audit log, the refusals as denied.
	events := auditActions(t, g.st)
	for _, want := range []string{"deviation.request success", "access denied", "deviation.approve denied", "deviation.approve success"} {
		if !events[want] {
			t.Errorf("audit log lacks %q: %v", want, events)
		}
	}

	// The next scan shows the finding as a deviation.
	rep, stderr = g.scan(tokenFile, db)
	if !strings.Contains(stderr, "applying 1 deviation(s)") {
		t.Fatalf("stderr: %s", stderr)
	}
	c := controlsOf(t, rep)[target.ID]
	if c.Status != "deviation" || c.Findings[0].Suppressed == nil || c.Findings[0].Suppressed.ApprovedBy != "avery@example.com" {
		t.Fatalf("after approval: %s %+v", c.Status, c.Findings)
	}

	// After the expiry it fails again.
	g.clock.add(40 * 24 * time.Hour)
	rep, stderr = g.scan(tokenFile, db)
	if !strings.Contains(stderr, "applying 0 deviation(s)") {
		t.Fatalf("stderr after expiry: %s", stderr)
	}
	if c := controlsOf(t, rep)[target.ID]; c.Status != "fail" {
		t.Fatalf("after expiry: %s", c.Status)
	}
	// Sessions have ended by now: an auditor signs in to read the register.
	aud := g.person("aud@example.com", store.RoleAuditor)
	if !strings.Contains(aud.get("/deviations"), "expired") {
		t.Error("the register does not show the deviation as expired")
	}
	// The other governance pages render (the get helper fails on anything but 200).
	for _, p := range []string{"/changes", "/incidents", "/attestations", "/policy", "/report", path} {
		aud.get(p)
	}
	if rep := aud.get("/report"); !strings.Contains(rep, target.ID) || !strings.Contains(rep, "fixture") {
		t.Error("the compliance report lacks the control or the system")
	}
}

func auditActions(t *testing.T, st *store.Store) map[string]bool {
	t.Helper()
	rows, err := st.Query(context.Background(), `SELECT action, outcome FROM audit_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var a, o string
		if err := rows.Scan(&a, &o); err != nil {
			t.Fatal(err)
		}
		out[a+" "+o] = true
	}
	return out
}
