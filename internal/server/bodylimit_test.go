package server

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/governance"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/store"
)

// newGovHarness is newHarness with the governance routes.
func newGovHarness(t *testing.T) *harness {
	t.Helper()
	c := newClock(t0)
	dir := t.TempDir()
	st, err := store.Open(context.Background(), store.Options{DataDir: dir, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, err := keys.OpenFile(filepath.Join(dir, "audit-signing.key"))
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.New(st, audit.Options{Signer: key, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close(context.Background()) })
	gov := NewGovernance(&governance.Service{St: st, Audit: log, Keys: key, EvidenceDir: filepath.Join(dir, "evidence"), Now: c.now})
	a := &memAuditor{}
	srv, err := New(Config{Store: st, Auditor: a, Now: c.now, Version: "test", Routes: gov.Routes()})
	if err != nil {
		t.Fatal(err)
	}
	gov.Attach(srv)
	ts := httptest.NewTLSServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &harness{t: t, st: st, srv: srv, ts: ts, clock: c, audit: a}
}

// attestationForm is a browser's attestation form with one evidence file of size bytes.
func attestationForm(t *testing.T, csrf string, size int) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range map[string]string{CSRFField: csrf, "system": "web", "kind": "penetration-test",
		"performed_on": t0.Format("2006-01-02"), "summary": "annual test"} {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("evidence", "report.pdf")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bytes.Repeat([]byte("%"), size))
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// onlyReader hides the length of a body, so that it is sent chunked.
type onlyReader struct{ io.Reader }

// TestRouteBodyLimits: a route's MaxBody bounds its body before the CSRF check reads
// the form; routes that declare none get DefaultMaxBody. Above the bound: 413 and
// nothing written; below: served. (An evidence file over MaxEvidenceSize inside the
// bound is the governance service's refusal, tested there.)
func TestRouteBodyLimits(t *testing.T) {
	t.Parallel() // tens of MiB through TLS and the multipart parser: overlap the rest
	h := newGovHarness(t)
	h.system("web")
	c := h.client()
	h.login(c, h.user("eve@example.com", store.RoleEngineer))
	csrf := h.sessionCSRF(c)
	post := func(path string, body io.Reader, ctype string) (int, string) {
		t.Helper()
		req, err := http.NewRequest("POST", h.ts.URL+path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ctype)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	cases := []struct {
		name      string
		path      string
		size      int
		chunked   bool
		status    int
		message   string
		evidences int // rows in gov_evidence afterwards
	}{
		{"evidence of the largest size, above the default bound", "/attestations", governance.MaxEvidenceSize, false, http.StatusSeeOther, "", 1},
		{"form above the route's bound", "/attestations", maxAttestationBody, false, http.StatusRequestEntityTooLarge, "larger than", 1},
		{"default bound on a route that declares none", "/incidents", DefaultMaxBody, false, http.StatusRequestEntityTooLarge, "1 MiB", 1},
		{"chunked form above the default bound", "/incidents", DefaultMaxBody, true, http.StatusRequestEntityTooLarge, "1 MiB", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, ctype := attestationForm(t, csrf, tc.size)
			var r io.Reader = bytes.NewReader(body)
			if tc.chunked {
				r = onlyReader{r}
			}
			status, out := post(tc.path, r, ctype)
			if status != tc.status || !strings.Contains(out, tc.message) {
				t.Fatalf("status %d, want %d with %q:\n%.300s", status, tc.status, tc.message, out)
			}
			if n := countRows(t, h.st, "gov_evidence"); n != tc.evidences {
				t.Fatalf("%d evidence rows, want %d", n, tc.evidences)
			}
		})
	}
	// A form below the default bound is served as before.
	if status, out := post("/incidents", strings.NewReader("csrf_token="+csrf+"&title=x"), "application/x-www-form-urlencoded"); status == http.StatusRequestEntityTooLarge || status == http.StatusForbidden {
		t.Fatalf("small form: %d %.200s", status, out)
	}
}

// TestScanUploadAboveDefaultBound: the scan upload route declares MaxUploadBytes, so a
// report above the 1 MiB default is recorded (its refusals above its own bound are in
// TestUploadRejects).
func TestScanUploadAboveDefaultBound(t *testing.T) {
	h := newHarness(t, store.Options{DataDir: t.TempDir()})
	h.system("web")
	tok, _ := h.token([]string{ScopeScansWrite}, t0.Add(1<<40))
	body := append(bytes.Repeat([]byte(" "), 2<<20), mustJSON(t, testReport(t0, tf{"CR-2", "high", "a", ""}))...)
	if status, out := h.upload(tok, "web", body, nil); status != http.StatusCreated {
		t.Fatalf("2 MiB report: %d %v", status, out)
	}
}
