package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// tf is a finding of a test report: control, severity, fingerprint seed.
type tf struct {
	control, severity, seed string
	path                    string
}

func fp(seed string) string { return fmt.Sprintf("%032x", []byte(seed + "................")[:16]) }

// testReport builds a posture.report/v1 document with one repository target "repo":
// every control of the findings fails, and ZT-1 passes.
func testReport(at time.Time, findings ...tf) map[string]any {
	controls := map[string][]any{}
	var order []string
	for _, f := range findings {
		if _, ok := controls[f.control]; !ok {
			order = append(order, f.control)
		}
		path := f.path
		if path == "" {
			path = "src/main.go"
		}
		controls[f.control] = append(controls[f.control], map[string]any{
			"control": f.control, "rule": "test/" + strings.ToLower(f.control), "severity": f.severity, "target": "repo",
			"location": map[string]any{"path": path, "line": 3}, "message": "problem " + f.seed, "fix": "fix " + f.seed,
			"evidence": map[string]any{"text": "evidence " + f.seed}, "fingerprint": fp(f.seed),
		})
	}
	cs := []any{map[string]any{"id": "ZT-1", "title": "Privileged functions", "section": "ZT", "section_title": "ZT", "severity": "critical",
		"status": "pass", "reason": "checked", "findings": []any{}}}
	for _, c := range order {
		cs = append(cs, map[string]any{"id": c, "title": "Control " + c, "section": strings.Split(c, "-")[0], "section_title": "S",
			"severity": "high", "status": "fail", "reason": "findings", "findings": controls[c]})
	}
	return map[string]any{
		"schema": "posture.report/v1", "tool": map[string]any{"name": "posture", "version": "1.0.0"},
		"policy":     map[string]any{"name": "secure-engineering-policy", "version": "2025.01.28", "origin": "embedded", "last_reviewed": "2025-01-28", "expires": "2026-01-23", "expired": false},
		"started_at": at.Add(-time.Minute).Format(time.RFC3339), "finished_at": at.Format(time.RFC3339), "interrupted": false,
		"warnings": []any{}, "selection": map[string]any{"only": []any{}, "skip": []any{}}, "verdict": map[string]any{"fail_on": "high", "failing": true},
		"summary": map[string]any{}, "sections": []any{},
		"targets": []any{map[string]any{"name": "repo", "kind": "repo", "controls": cs, "deviations": []any{}, "probes": []any{}}},
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// upload posts body to the upload route with the given headers and returns the status
// and the decoded JSON answer.
func (h *harness) upload(token, system string, body []byte, hdr map[string]string) (int, map[string]any) {
	h.t.Helper()
	req, err := http.NewRequest("POST", h.ts.URL+"/api/v1/systems/"+system+"/scans", bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	if out == nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, out
}

func (h *harness) system(name string) store.System {
	h.t.Helper()
	sys, err := h.st.CreateSystem(context.Background(), store.SystemInput{Name: name, Owner: "team", Environment: store.Prod, Classification: store.Internal,
		Targets: []store.Target{{Kind: store.Repo, Locator: "git@example.com:" + name}}})
	if err != nil {
		h.t.Fatal(err)
	}
	return sys
}

func (h *harness) scanCount() int {
	h.t.Helper()
	var n int
	if err := h.st.QueryRow(context.Background(), `SELECT COUNT(*) FROM scans`).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func TestUploadScanNewFixedRecurring(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		h.system("web")
		tok, _ := h.token([]string{ScopeScansWrite}, t0.Add(time.Hour))
		status, out := h.upload(tok, "web", mustJSON(t, testReport(t0.Add(-2*time.Hour), tf{"CR-2", "high", "a", ""}, tf{"ZT-3", "low", "b", ""})), nil)
		if status != http.StatusCreated || out["new"] != 2.0 || out["fixed"] != 0.0 || out["latest"] != true {
			t.Fatalf("first upload: %d %v", status, out)
		}
		// The second, gzip-compressed: a is fixed, b recurs, c is new.
		body := gz(t, mustJSON(t, testReport(t0.Add(-time.Hour), tf{"ZT-3", "low", "b", ""}, tf{"CR-1", "critical", "c", ""})))
		status, out = h.upload(tok, "web", body, map[string]string{"Content-Encoding": "gzip"})
		if status != http.StatusCreated || out["new"] != 1.0 || out["fixed"] != 1.0 || out["recurring"] != 1.0 || out["findings"] != 2.0 {
			t.Fatalf("second upload: %d %v", status, out)
		}
		if ev := h.audit.find("scan.upload", OutcomeSuccess); len(ev) != 2 || !strings.HasPrefix(ev[0].Actor, "token:") || ev[0].Object != "system:1" {
			t.Fatalf("audit events: %+v", ev)
		}
		// The stored report is what was sent, decompressed.
		raw, err := h.st.ScanReport(context.Background(), int64(out["scan_id"].(float64)))
		if err != nil || !json.Valid(raw) || !bytes.Contains(raw, []byte(fp("c"))) {
			t.Fatalf("stored report: %v %.80s", err, raw)
		}
	})
}

func TestUploadRejects(t *testing.T) {
	h := newHarness(t, store.Options{DataDir: t.TempDir()})
	h.system("web")
	tok, _ := h.token([]string{ScopeScansWrite}, t0.Add(time.Hour))
	readTok, _ := h.token([]string{ScopeRead}, t0.Add(time.Hour))
	good := testReport(t0, tf{"CR-2", "high", "a", ""})
	with := func(edit func(m map[string]any)) []byte {
		m := testReport(t0, tf{"CR-2", "high", "a", ""})
		edit(m)
		return mustJSON(t, m)
	}
	target := func(m map[string]any) map[string]any { return m["targets"].([]any)[0].(map[string]any) }
	finding := func(m map[string]any) map[string]any {
		return m["targets"].([]any)[0].(map[string]any)["controls"].([]any)[1].(map[string]any)["findings"].([]any)[0].(map[string]any)
	}
	// The limit is lowered to 1 MiB here so the oversize cases stay fast; the code path
	// is the same. A run of one byte compresses about a thousandfold: a small body that
	// must not be inflated without bound.
	uploadLimit.Store(1 << 20)
	t.Cleanup(func() { uploadLimit.Store(MaxUploadBytes) })
	bomb := gz(t, append([]byte(`{"schema":"posture.report/v1","x":"`), bytes.Repeat([]byte("a"), 4<<20)...))
	cases := []struct {
		name    string
		token   string
		system  string
		body    []byte
		hdr     map[string]string
		status  int
		message string
		audited bool
	}{
		{"no token", "", "web", mustJSON(t, good), nil, 401, "", false},
		{"token without scans:write", readTok, "web", mustJSON(t, good), nil, 403, "", false},
		{"wrong content type", tok, "web", mustJSON(t, good), map[string]string{"Content-Type": "text/plain"}, 415, "application/json", true},
		{"no content type", tok, "web", mustJSON(t, good), map[string]string{"Content-Type": ""}, 415, "application/json", true},
		{"unknown encoding", tok, "web", mustJSON(t, good), map[string]string{"Content-Encoding": "br"}, 415, "Content-Encoding", true},
		{"malformed JSON", tok, "web", []byte(`{"schema": "posture.report/v1",`), nil, 400, "malformed", true},
		{"not an object", tok, "web", []byte(`[1,2]`), nil, 400, "malformed", true},
		{"no schema", tok, "web", []byte(`{"tool":{}}`), nil, 400, "schema", true},
		{"unknown schema version", tok, "web", with(func(m map[string]any) { m["schema"] = "posture.report/v2" }), nil, 422, "unsupported report schema", true},
		{"trailing data", tok, "web", append(mustJSON(t, good), []byte(` {}`)...), nil, 400, "malformed", true},
		{"wrong type", tok, "web", with(func(m map[string]any) { m["targets"] = "repo" }), nil, 400, "targets", true},
		{"missing finished_at", tok, "web", with(func(m map[string]any) { delete(m, "finished_at") }), nil, 400, "finished_at", true},
		{"path traversal in location", tok, "web", with(func(m map[string]any) { finding(m)["location"] = map[string]any{"path": "src/../../etc/passwd"} }), nil, 400, "path traversal", true},
		{"absolute location", tok, "web", with(func(m map[string]any) { finding(m)["location"] = map[string]any{"path": "/etc/passwd"} }), nil, 400, "relative", true},
		{"bad fingerprint", tok, "web", with(func(m map[string]any) { finding(m)["fingerprint"] = "xyz" }), nil, 400, "fingerprint", true},
		{"bad severity", tok, "web", with(func(m map[string]any) { finding(m)["severity"] = "urgent" }), nil, 400, "severity", true},
		{"control characters", tok, "web", with(func(m map[string]any) { finding(m)["message"] = "a\x1b[31mred" }), nil, 400, "control characters", true},
		{"finding under the wrong control", tok, "web", with(func(m map[string]any) { finding(m)["control"] = "ZT-9" }), nil, 400, "listed under", true},
		{"package without a version", tok, "web", with(func(m map[string]any) {
			target(m)["packages"] = []any{map[string]any{"ecosystem": "npm", "name": "left-pad"}}
		}), nil, 400, "packages[0].version is empty", true},
		{"package name with control characters", tok, "web", with(func(m map[string]any) {
			target(m)["packages"] = []any{map[string]any{"ecosystem": "npm", "name": "a\x00b", "version": "1.0.0"}}
		}), nil, 400, "control characters", true},
		{"packages on an endpoint", tok, "web", with(func(m map[string]any) {
			target(m)["kind"] = "endpoint"
			target(m)["packages"] = []any{map[string]any{"ecosystem": "npm", "name": "x", "version": "1"}}
		}), nil, 400, "only repository targets", true},
		{"path traversal in system name", tok, "..%2Fadmin", mustJSON(t, good), nil, 400, "system name", true},
		{"dotted system name", tok, ".hidden", mustJSON(t, good), nil, 400, "system name", true},
		{"unknown system", tok, "nope", mustJSON(t, good), nil, 404, "create it first", true},
		{"bad gzip", tok, "web", []byte("not gzip at all"), map[string]string{"Content-Encoding": "gzip"}, 400, "gzip", true},
		{"gzip bomb", tok, "web", bomb, map[string]string{"Content-Encoding": "gzip"}, 413, "larger than", true},
		{"oversized body", tok, "web", bytes.Repeat([]byte(" "), 1<<20+10), nil, 413, "larger than", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(h.audit.find("scan.upload", OutcomeFailure))
			status, out := h.upload(c.token, c.system, c.body, c.hdr)
			if status != c.status {
				t.Fatalf("status %d, want %d: %v", status, c.status, out)
			}
			if msg := fmt.Sprint(out["error"]); c.message != "" && !strings.Contains(msg, c.message) {
				t.Errorf("error %q does not mention %q", msg, c.message)
			}
			if got := len(h.audit.find("scan.upload", OutcomeFailure)) - before; c.audited && got != 1 {
				t.Errorf("%d failure events, want 1", got)
			}
			if n := h.scanCount(); n != 0 {
				t.Fatalf("%d scans stored after a rejected upload", n)
			}
		})
	}
	// And a good one still goes through, so the cases above failed for their reason.
	if status, out := h.upload(tok, "web", mustJSON(t, good), nil); status != 201 {
		t.Fatalf("good upload: %d %v", status, out)
	}
}

func TestUploadFailsClosedWithoutAudit(t *testing.T) {
	h := newHarness(t, store.Options{DataDir: t.TempDir()})
	h.system("web")
	tok, _ := h.token([]string{ScopeScansWrite}, t0.Add(time.Hour))
	h.audit.fail.Store(true)
	if status, _ := h.upload(tok, "web", mustJSON(t, testReport(t0, tf{"CR-2", "high", "a", ""})), nil); status != http.StatusServiceUnavailable {
		t.Fatalf("status %d with the audit log down, want 503", status)
	}
	if n := h.scanCount(); n != 0 {
		t.Fatalf("%d scans stored without an audit event", n)
	}
}

func TestMultiTargetFingerprintsAreQualified(t *testing.T) {
	m := testReport(t0, tf{"CR-2", "high", "a", ""})
	tg := m["targets"].([]any)[0].(map[string]any)
	second := map[string]any{}
	for k, v := range tg {
		second[k] = v
	}
	second["name"] = "repo2"
	// The same finding, as the same file in a second repository would give.
	raw := bytes.ReplaceAll(mustJSON(t, second), []byte(`"target":"repo"`), []byte(`"target":"repo2"`))
	var s2 map[string]any
	json.Unmarshal(raw, &s2)
	m["targets"] = append(m["targets"].([]any), s2)
	rep, err := decodeReport(mustJSON(t, m))
	if err != nil {
		t.Fatal(err)
	}
	in, err := rep.scanInput("token:1:ci", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Findings) != 2 || in.Findings[0].Fingerprint == in.Findings[1].Fingerprint || !fingerprintRE.MatchString(in.Findings[0].Fingerprint) {
		t.Fatalf("fingerprints %+v", in.Findings)
	}
}

// TestUploadStoresPackages: the locked packages a report carries are stored with the
// scan, for the vulnerability re-match; a report without them stores none.
func TestUploadStoresPackages(t *testing.T) {
	h := newHarness(t, store.Options{DataDir: t.TempDir()})
	h.system("web")
	tok, _ := h.token([]string{ScopeScansWrite}, t0.Add(time.Hour))
	m := testReport(t0, tf{"CR-2", "high", "a", ""})
	m["targets"].([]any)[0].(map[string]any)["packages"] = []any{
		map[string]any{"ecosystem": "npm", "name": "lodash", "version": "4.17.20"},
		map[string]any{"ecosystem": "Go", "name": "golang.org/x/net", "version": "0.1.0"},
	}
	status, out := h.upload(tok, "web", mustJSON(t, m), nil)
	if status != 201 {
		t.Fatalf("upload: %d %v", status, out)
	}
	id := int64(out["scan_id"].(float64))
	pkgs, ok, err := h.st.ScanPackages(context.Background(), id)
	if err != nil || !ok || len(pkgs) != 2 {
		t.Fatalf("stored packages: %+v %t %v", pkgs, ok, err)
	}
	if pkgs[0] != (store.Package{Target: "repo", Ecosystem: "Go", Name: "golang.org/x/net", Version: "0.1.0"}) {
		t.Fatalf("first package = %+v", pkgs[0])
	}
	status, out = h.upload(tok, "web", mustJSON(t, testReport(t0.Add(time.Minute), tf{"CR-2", "high", "a", ""})), nil)
	if status != 201 {
		t.Fatalf("second upload: %d %v", status, out)
	}
	if _, ok, err := h.st.ScanPackages(context.Background(), int64(out["scan_id"].(float64))); ok || err != nil {
		t.Fatalf("a report without packages stored some (%t, %v)", ok, err)
	}
}
