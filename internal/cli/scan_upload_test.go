package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/server"
	"github.com/posture-dev/posture/internal/store"
)

type memAudit struct {
	mu     sync.Mutex
	events []server.Event
}

func (a *memAudit) Append(_ context.Context, e server.Event) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
	return nil
}

// uploadServer is a real posture server in this process, on TLS with httptest's
// certificate written out for --server-ca.
type uploadServer struct {
	st     *store.Store
	ts     *httptest.Server
	caFile string
	audit  *memAudit
}

func newUploadServer(t *testing.T) *uploadServer {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := &memAudit{}
	srv, err := server.New(server.Config{Store: st, Auditor: a})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(srv.Handler())
	t.Cleanup(ts.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateSystem(ctx, store.SystemInput{Name: "fixture", Owner: "tests", Environment: store.Dev, Classification: store.Internal}); err != nil {
		t.Fatal(err)
	}
	return &uploadServer{st: st, ts: ts, caFile: ca, audit: a}
}

// tokenFile creates an API token with the scopes and writes it to a 0600 file.
func (u *uploadServer) tokenFile(t *testing.T, scopes ...string) (string, string) {
	t.Helper()
	secret, hash := server.NewAPIToken()
	if _, err := u.st.CreateToken(context.Background(), store.TokenInput{Hash: hash, Name: "ci-" + strings.Join(scopes, "-"), Scopes: scopes, CreatedBy: "test",
		ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(f, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f, secret
}

func (u *uploadServer) scans(t *testing.T) []store.Scan {
	t.Helper()
	sc, err := u.st.LatestScans(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestScanUploadEndToEnd runs a real scan of the known-problems fixture with the real
// CLI and uploads it to a real server: the exit code stays the scan's, the server
// stores what the JSON report says, and a second upload finds everything recurring.
func TestScanUploadEndToEnd(t *testing.T) {
	root := repoRoot(t)
	t.Chdir(root)
	db := knownProblemsDB(t)
	srv := newUploadServer(t)
	tokFile, secret := srv.tokenFile(t, server.ScopeScansWrite)

	args := []string{"scan", "--format", "json", "--db", db, "--upload", srv.ts.URL + "/", "--system", "fixture",
		"--token-file", tokFile, "--server-ca", srv.caFile, "testdata/known-problems"}
	stdout, stderr, code := runCLI(t, args...)
	if code != ExitFailing {
		t.Fatalf("exit code %d, want the scan's own %d; stderr:\n%s", code, ExitFailing, stderr)
	}
	if !strings.Contains(stderr, "posture: uploaded scan 1 of fixture:") || !strings.Contains(stderr, srv.ts.URL+"/systems/fixture") {
		t.Errorf("no upload summary on stderr:\n%s", stderr)
	}
	if strings.Contains(stderr+stdout, secret) {
		t.Fatal("the token appears in the output")
	}
	scans := srv.scans(t)
	if len(scans) != 1 {
		t.Fatalf("%d scans stored", len(scans))
	}
	// The stored counts are the report's.
	if !strings.Contains(stdout, `"schema": "posture.report/v1"`) {
		t.Fatal("stdout is not the JSON report")
	}
	var summary struct {
		Summary struct{ Findings, Open int } `json:"summary"`
	}
	if err := json.Unmarshal([]byte(stdout), &summary); err != nil {
		t.Fatal(err)
	}
	if scans[0].Counts.Total != summary.Summary.Findings || scans[0].Counts.Open != summary.Summary.Open || summary.Summary.Findings == 0 {
		t.Errorf("stored counts %+v, report summary %+v", scans[0].Counts, summary.Summary)
	}
	// The repository's locked packages went with the report, for the server's re-match;
	// a range (flask>=3.0) is not a version and stays out.
	pkgs, ok, err := srv.st.ScanPackages(context.Background(), scans[0].ID)
	if err != nil || !ok {
		t.Fatalf("no packages stored with the upload (%v)", err)
	}
	var have []string
	for _, p := range pkgs {
		have = append(have, p.Ecosystem+":"+p.Name+"@"+p.Version)
	}
	for _, want := range []string{"Packagist:monolog/monolog@3.5.0", "PyPI:requests@2.32.3"} {
		if !slices.Contains(have, want) {
			t.Errorf("stored packages %v lack %s", have, want)
		}
	}
	for _, h := range have {
		if strings.Contains(h, "flask") {
			t.Errorf("an unpinned requirement was stored: %s", h)
		}
	}
	// What was sent is still a report of the documented layout, packages included.
	raw, err := srv.st.ScanReport(context.Background(), scans[0].ID)
	if err != nil || !strings.Contains(string(raw), `"packages"`) {
		t.Fatalf("stored report: %v", err)
	}
	validate(t, filepath.Join(root, "docs", "schema", "report-v1.schema.json"), raw)
	// Same scan again, text output this time: every finding recurs.
	args[2] = "text"
	_, stderr, code = runCLI(t, args...)
	if code != ExitFailing || !strings.Contains(stderr, "0 new, 0 fixed, ") {
		t.Fatalf("second upload: exit %d, stderr:\n%s", code, stderr)
	}
	d, err := srv.st.FindingDiff(context.Background(), scans[0].SystemID)
	if err != nil || len(d.New) != 0 || len(d.Fixed) != 0 || len(d.Recurring) != summary.Summary.Findings {
		t.Errorf("diff after the second upload: %d new, %d fixed, %d recurring, %v", len(d.New), len(d.Fixed), len(d.Recurring), err)
	}
}

// TestScanUploadFailures: a scan that passes (exit 0) exits 2 when the upload fails,
// and flag problems are found before scanning.
func TestScanUploadFailures(t *testing.T) {
	srv := newUploadServer(t)
	good, _ := srv.tokenFile(t, server.ScopeScansWrite)
	readOnly, _ := srv.tokenFile(t, server.ScopeRead)
	empty := t.TempDir() // nothing to find: the scan alone exits 0
	base := func(extra ...string) []string {
		return append([]string{"scan", "--no-history", "--upload", srv.ts.URL, "--server-ca", srv.caFile}, append(extra, empty)...)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"token without scans:write", base("--system", "fixture", "--token-file", readOnly), "403"},
		{"unknown system", base("--system", "nope", "--token-file", good), "404 no system named"},
		{"untrusted certificate", []string{"scan", "--no-history", "--upload", srv.ts.URL, "--system", "fixture", "--token-file", good, empty}, "certificate"},
		{"plain http", []string{"scan", "--upload", "http://example.com", "--system", "fixture", "--token-file", good, empty}, "https://"},
		{"no system", []string{"scan", "--upload", srv.ts.URL, "--token-file", good, empty}, "--system"},
		{"bad system name", []string{"scan", "--upload", srv.ts.URL, "--system", "../x", "--token-file", good, empty}, "system name"},
		{"no token", []string{"scan", "--upload", srv.ts.URL, "--system", "fixture", empty}, "POSTURE_TOKEN"},
		{"system without upload", []string{"scan", "--system", "fixture", empty}, "--system needs --upload"},
		{"missing CA file", base("--system", "fixture", "--token-file", good, "--server-ca", "/nonexistent/ca.pem"), "--server-ca"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, c.args...)
			if code != ExitError || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, want 2, stderr (want %q):\n%s", code, c.want, stderr)
			}
		})
	}
	if n := len(srv.scans(t)); n != 0 {
		t.Fatalf("%d scans stored by failed uploads", n)
	}
	// The token from the environment, and a passing scan: exit 0.
	secret, _ := os.ReadFile(good)
	var out, errb bytes.Buffer
	e := fixedEnv(&out, &errb)
	e.getenv = func(k string) string {
		if k == TokenEnv {
			return strings.TrimSpace(string(secret))
		}
		return ""
	}
	if code := run(context.Background(), e, []string{"scan", "--no-history", "--upload", srv.ts.URL, "--system", "fixture", "--server-ca", srv.caFile, empty}); code != ExitOK {
		t.Fatalf("upload with $%s: exit %d\n%s", TokenEnv, code, errb.String())
	}
	if n := len(srv.scans(t)); n != 1 {
		t.Fatalf("%d scans stored", n)
	}
}

func TestReadTokenRejectsJunk(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"empty": "", "no prefix": "abc", "header injection": "pst_abc\r\nX-Evil: 1", "space inside": "pst_a b"} {
		f := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		os.WriteFile(f, []byte(content), 0o600)
		var errb bytes.Buffer
		e := fixedEnv(&errb, &errb)
		if _, err := (&uploadFlags{tokenFile: f}).readToken(e); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), content) && content != "" {
			t.Errorf("%s: the error repeats the file's content: %v", name, err)
		}
	}
	f := filepath.Join(dir, "loose")
	os.WriteFile(f, []byte("pst_abc"), 0o644)
	var errb bytes.Buffer
	if _, err := (&uploadFlags{tokenFile: f}).readToken(fixedEnv(&errb, &errb)); err != nil || !strings.Contains(errb.String(), "readable by other users") {
		t.Errorf("a world-readable token file: %v, warning %q", err, errb.String())
	}
}

func TestUploadRetriesOnlyWhenRefused(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n < 3 {
			http.Error(w, "the audit log is unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"scan_id":7,"system":"web","latest":true,"url":"/systems/web"}`))
	}))
	defer ts.Close()
	u := &uploader{endpoint: ts.URL, base: ts.URL, token: "pst_x", client: ts.Client(), retryWait: []time.Duration{time.Millisecond, time.Millisecond}}
	status, _, err := u.post(context.Background(), []byte("{}"))
	if err != nil || status != 503 {
		t.Fatalf("first post: %d %v", status, err)
	}
	var errb bytes.Buffer
	err = u.sendBody(context.Background(), fixedEnv(&errb, &errb), []byte("{}"))
	if err != nil || !strings.Contains(errb.String(), "uploaded scan 7 of web") {
		t.Fatalf("send after retries: %v %q", err, errb.String())
	}
	if calls != 3 {
		t.Errorf("%d calls", calls)
	}
}
