package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// uiFixture is a server with two systems, two scans of "web" (a fixed, b recurring, c
// new), and signed-in browsers for a viewer and an engineer.
type uiFixture struct {
	*harness
	viewer, engineer *http.Client
}

func newUIFixture(t *testing.T, h *harness) *uiFixture {
	t.Helper()
	h.system("web")
	h.system("api")
	tok, _ := h.token([]string{ScopeScansWrite}, t0.Add(24*time.Hour))
	for _, rep := range []map[string]any{
		testReport(t0.Add(-48*time.Hour), tf{"CR-2", "high", "a", ""}, tf{"ZT-3", "low", "b", ""}),
		testReport(t0.Add(-24*time.Hour), tf{"ZT-3", "low", "b", ""}, tf{"CR-1", "critical", "c", ""}),
	} {
		if status, out := h.upload(tok, "web", mustJSON(t, rep), nil); status != 201 {
			t.Fatalf("upload: %d %v", status, out)
		}
	}
	f := &uiFixture{harness: h, viewer: h.client(), engineer: h.client()}
	h.login(f.viewer, h.user("viewer@example.com", store.RoleViewer))
	h.login(f.engineer, h.user("engineer@example.com", store.RoleEngineer))
	return f
}

func (f *uiFixture) get(c *http.Client, path string) (int, string) {
	f.t.Helper()
	resp, body := f.do(c, "GET", path, nil, map[string]string{"Accept": "text/html"})
	return resp.StatusCode, body
}

func TestPagesRender(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		f := newUIFixture(t, h)
		for _, c := range []struct {
			path string
			want []string
		}{
			{"/", []string{"<h1>Dashboard</h1>", `<th scope="row"><a href="/systems/web">web</a>`, `<svg class="chart"`, "<title id=\"trend-title\">", `class="state fail"`, "no scan"}},
			{"/?environment=prod", []string{`href="/systems/api"`}},
			{"/systems", []string{"<h1>Systems</h1>", `<a href="/systems/web">web</a>`, "git@example.com"[:0]}},
			{"/systems/web", []string{"<h1>web</h1>", "1 new, 1 fixed, 1 recurring", "evidence c", "Fix: fix c", `<a href="/controls/CR-1">CR-1</a>`, "Scan history"}},
			{"/systems/api", []string{"No scan uploaded yet"}},
			{"/controls/CR-1", []string{"What the policy asks", "1 system fails", "evidence c", "fix c"}},
			{"/controls/PR-1", []string{"No latest scan of any system has a finding under PR-1"}},
			{"/findings", []string{"2 findings", "problem c", "problem b"}},
			{"/findings?severity=critical", []string{"1 finding.", "problem c"}},
			{"/findings?system=api", []string{"0 findings"}},
		} {
			status, body := f.get(f.viewer, c.path)
			if status != 200 {
				t.Errorf("GET %s: %d\n%s", c.path, status, body)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s: no %q in page", c.path, w)
				}
			}
			// Viewers see no write controls.
			if strings.Contains(body, `action="/findings/triage"`) || strings.Contains(body, `href="/systems/new"`) {
				t.Errorf("GET %s: a viewer is offered a write form", c.path)
			}
		}
		_, body := f.get(f.engineer, "/findings")
		if !strings.Contains(body, `action="/findings/triage"`) {
			t.Error("engineer is not offered triage")
		}
		for _, bad := range []string{"/findings?severity=urgent", "/controls/..%2Fx", "/systems/..%2Fetc", "/?environment=mars"} {
			if status, _ := f.get(f.viewer, bad); status != 400 {
				t.Errorf("GET %s: %d, want 400", bad, status)
			}
		}
		for _, missing := range []string{"/systems/nope", "/controls/XX-99"} {
			if status, _ := f.get(f.viewer, missing); status != 404 {
				t.Errorf("GET %s: %d, want 404", missing, status)
			}
		}
	})
}

func TestDashboardJSONAndCache(t *testing.T) {
	h := newHarness(t, store.Options{DataDir: t.TempDir()})
	f := newUIFixture(t, h)
	read, _ := h.token([]string{ScopeRead}, t0.Add(24*time.Hour))
	get := func() DashboardJSON {
		resp, body := h.do(h.ts.Client(), "GET", "/api/v1/dashboard", nil, map[string]string{"Authorization": "Bearer " + read})
		if resp.StatusCode != 200 {
			t.Fatalf("dashboard JSON: %d %s", resp.StatusCode, body)
		}
		var d DashboardJSON
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := get()
	if len(d.Systems) != 2 || d.Systems[1].Name != "web" || d.Systems[1].Open != 2 || len(d.Trend.Days) != trendDays {
		t.Fatalf("dashboard: %+v", d)
	}
	cell := func(d DashboardJSON, sys, sec string) DashCell {
		for _, s := range d.Systems {
			if s.Name == sys {
				for _, c := range s.Cells {
					if c.Section == sec {
						return c
					}
				}
			}
		}
		t.Fatalf("no cell %s/%s", sys, sec)
		return DashCell{}
	}
	if c := cell(d, "web", "CR"); c.State != "fail" || c.Fail != 1 || c.Open != 1 {
		t.Errorf("web/CR: %+v", c)
	}
	if c := cell(d, "api", "CR"); c.State != "none" {
		t.Errorf("api/CR: %+v", c)
	}
	// The last day of the trend sees web's latest scan: ZT has ZT-1 pass and ZT-3 fail.
	for _, s := range d.Trend.Series {
		if s.Section == "ZT" {
			if v := s.Percent[trendDays-1]; v == nil || *v != 50 {
				t.Errorf("ZT today: %v", v)
			}
			if s.Percent[0] != nil {
				t.Errorf("ZT 89 days ago: %v, want no data", *s.Percent[0])
			}
		}
	}
	// A new scan changes the stamp, so the cached dashboard is rebuilt.
	tok, _ := h.token([]string{ScopeScansWrite}, t0.Add(24*time.Hour))
	if status, _ := h.upload(tok, "api", mustJSON(t, testReport(t0.Add(-time.Hour), tf{"CR-2", "medium", "z", ""})), nil); status != 201 {
		t.Fatal("upload to api failed")
	}
	if c := cell(get(), "api", "CR"); c.State != "fail" {
		t.Errorf("after upload, api/CR: %+v", c)
	}
	// A viewer may read it; an unauthenticated client may not.
	if resp, _ := h.do(f.viewer, "GET", "/api/v1/dashboard", nil, nil); resp.StatusCode != 200 {
		t.Errorf("viewer: %d", resp.StatusCode)
	}
	if resp, _ := h.do(h.ts.Client(), "GET", "/api/v1/dashboard", nil, nil); resp.StatusCode != 401 {
		t.Errorf("anonymous: %d", resp.StatusCode)
	}
}

func TestSystemFormsAndAPI(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		f := newUIFixture(t, h)
		form := url.Values{"name": {"billing"}, "owner": {"payments team"}, "environment": {"staging"}, "classification": {"confidential"},
			"repositories": {"git@example.com:billing\r\n\r\n"}, "endpoints": {"https://billing.example.com"}, "hosts": {"db1.internal"}}
		// A viewer may not; an engineer without the CSRF token may not.
		if status, _ := f.get(f.viewer, "/systems/new"); status != 403 {
			t.Errorf("viewer GET /systems/new: %d", status)
		}
		withCSRF := func(c *http.Client, v url.Values) url.Values {
			out := url.Values{}
			for k, x := range v {
				out[k] = x
			}
			out.Set(CSRFField, h.sessionCSRF(c))
			return out
		}
		if resp, _ := h.do(f.viewer, "POST", "/systems", withCSRF(f.viewer, form), nil); resp.StatusCode != 403 {
			t.Errorf("viewer POST /systems: %d", resp.StatusCode)
		}
		if resp, _ := h.do(f.engineer, "POST", "/systems", form, nil); resp.StatusCode != 403 {
			t.Errorf("POST /systems without CSRF: %d", resp.StatusCode)
		}
		if _, err := h.st.SystemByName(context.Background(), "billing"); err == nil {
			t.Fatal("system created by a refused request")
		}
		status, body := f.get(f.engineer, "/systems/new")
		if status != 200 || !strings.Contains(body, `<label for="owner">`) {
			t.Fatalf("GET /systems/new: %d", status)
		}
		resp, body := h.do(f.engineer, "POST", "/systems", withCSRF(f.engineer, form), nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/systems/billing" {
			t.Fatalf("create: %d %s", resp.StatusCode, body)
		}
		sys, err := h.st.SystemByName(context.Background(), "billing")
		if err != nil || sys.Environment != store.Staging || sys.Classification != store.Confidential || len(sys.Targets) != 3 {
			t.Fatalf("created: %+v %v", sys, err)
		}
		if ev := h.audit.find("system.create", OutcomeSuccess); len(ev) != 1 || !strings.Contains(ev[0].Actor, "engineer@") {
			t.Errorf("audit: %+v", ev)
		}
		// Bad input re-renders the form with the message, writes nothing, and is audited.
		bad := withCSRF(f.engineer, form)
		bad.Set("name", "../etc")
		resp, body = h.do(f.engineer, "POST", "/systems", bad, nil)
		if resp.StatusCode != 400 || !strings.Contains(body, `role="alert"`) || len(h.audit.find("system.create", OutcomeFailure)) != 1 {
			t.Errorf("bad name: %d", resp.StatusCode)
		}
		dup := withCSRF(f.engineer, form)
		if resp, _ = h.do(f.engineer, "POST", "/systems", dup, nil); resp.StatusCode != 409 {
			t.Errorf("duplicate name: %d", resp.StatusCode)
		}
		// Edit.
		if status, body := f.get(f.engineer, "/systems/billing/edit"); status != 200 || !strings.Contains(body, "payments team") {
			t.Fatalf("edit page: %d", status)
		}
		edit := withCSRF(f.engineer, form)
		edit.Set("environment", "prod")
		edit.Set("endpoints", "")
		resp, _ = h.do(f.engineer, "POST", "/systems/billing", edit, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d", resp.StatusCode)
		}
		if ev := h.audit.find("system.update", OutcomeSuccess); len(ev) != 1 || !strings.Contains(ev[0].Detail, "environment staging→prod") || !strings.Contains(ev[0].Detail, "-endpoint https://billing.example.com") {
			t.Errorf("update audit: %+v", ev)
		}

		// JSON API: read with a token, write with a session and the CSRF header.
		read, _ := h.token([]string{ScopeRead}, t0.Add(24*time.Hour))
		resp, body = h.do(h.ts.Client(), "GET", "/api/v1/systems/billing", nil, map[string]string{"Authorization": "Bearer " + read})
		if resp.StatusCode != 200 || !strings.Contains(body, `"environment":"prod"`) {
			t.Fatalf("GET system JSON: %d %s", resp.StatusCode, body)
		}
		if resp, _ := h.do(h.ts.Client(), "GET", "/api/v1/systems", nil, map[string]string{"Authorization": "Bearer " + read}); resp.StatusCode != 200 {
			t.Errorf("GET systems JSON: %d", resp.StatusCode)
		}
		post := func(c *http.Client, method, path, body string, hdr map[string]string) (*http.Response, string) {
			req, _ := http.NewRequest(method, h.ts.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			for k, v := range hdr {
				req.Header.Set(k, v)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b strings.Builder
			buf := make([]byte, 4096)
			for {
				n, err := resp.Body.Read(buf)
				b.Write(buf[:n])
				if err != nil {
					break
				}
			}
			return resp, b.String()
		}
		js := `{"name":"search","owner":"ops","environment":"dev","classification":"public","repositories":[],"endpoints":["https://search.example.com"],"hosts":[]}`
		csrf := map[string]string{CSRFHeader: h.sessionCSRF(f.engineer)}
		if resp, body := post(f.engineer, "POST", "/api/v1/systems", js, nil); resp.StatusCode != 403 {
			t.Errorf("API create without CSRF header: %d %s", resp.StatusCode, body)
		}
		if resp, body := post(h.ts.Client(), "POST", "/api/v1/systems", js, map[string]string{"Authorization": "Bearer " + read}); resp.StatusCode != 403 {
			t.Errorf("API create with a read token: %d %s", resp.StatusCode, body)
		}
		if resp, body := post(f.engineer, "POST", "/api/v1/systems", js, csrf); resp.StatusCode != 201 || !strings.Contains(body, `"name":"search"`) {
			t.Fatalf("API create: %d %s", resp.StatusCode, body)
		}
		if resp, body := post(f.engineer, "POST", "/api/v1/systems", `{"name":"x","unknown":1}`, csrf); resp.StatusCode != 400 {
			t.Errorf("API create with an unknown field: %d %s", resp.StatusCode, body)
		}
		if resp, body := post(f.engineer, "PUT", "/api/v1/systems/search", strings.Replace(js, `"dev"`, `"prod"`, 1), csrf); resp.StatusCode != 200 || !strings.Contains(body, `"environment":"prod"`) {
			t.Errorf("API update: %d %s", resp.StatusCode, body)
		}
		if resp, body := post(f.engineer, "PUT", "/api/v1/systems/search", strings.Replace(js, `https://search`, `ftp://search`, 1), csrf); resp.StatusCode != 400 {
			t.Errorf("API update with a bad endpoint: %d %s", resp.StatusCode, body)
		}
	})
}

func TestTriage(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		f := newUIFixture(t, h)
		form := url.Values{"system": {"web"}, "fingerprint": {fp("c")}, "state": {"false-positive"}, "reason": {"test key, not a secret"},
			"return": {"severity=critical&evil=1"}}
		csrfFor := func(c *http.Client) url.Values {
			v := url.Values{}
			for k, x := range form {
				v[k] = x
			}
			v.Set(CSRFField, h.sessionCSRF(c))
			return v
		}
		if resp, _ := h.do(f.viewer, "POST", "/findings/triage", csrfFor(f.viewer), nil); resp.StatusCode != 403 {
			t.Errorf("viewer triage: %d", resp.StatusCode)
		}
		if resp, _ := h.do(f.engineer, "POST", "/findings/triage", form, nil); resp.StatusCode != 403 {
			t.Errorf("triage without CSRF: %d", resp.StatusCode)
		}
		resp, body := h.do(f.engineer, "POST", "/findings/triage", csrfFor(f.engineer), nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/findings?severity=critical" {
			t.Fatalf("triage: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		if ev := h.audit.find("finding.triage", OutcomeSuccess); len(ev) != 1 || ev[0].Object != "finding:web/"+fp("c") || !strings.Contains(ev[0].Detail, "false-positive") {
			t.Errorf("audit: %+v", ev)
		}
		_, page := f.get(f.viewer, "/findings?triage=false-positive")
		if !strings.Contains(page, "1 finding.") || !strings.Contains(page, "test key, not a secret") {
			t.Errorf("triaged finding not listed:\n%s", page)
		}
		// Missing reason, unknown finding: refused, audited.
		noReason := csrfFor(f.engineer)
		noReason.Set("reason", " ")
		if resp, _ := h.do(f.engineer, "POST", "/findings/triage", noReason, nil); resp.StatusCode != 400 {
			t.Errorf("no reason: %d", resp.StatusCode)
		}
		unknown := csrfFor(f.engineer)
		unknown.Set("fingerprint", fp("a")) // fixed: not in the latest scan
		if resp, _ := h.do(f.engineer, "POST", "/findings/triage", unknown, nil); resp.StatusCode != 404 {
			t.Errorf("finding not in the latest scan: %d", resp.StatusCode)
		}
		if n := len(h.audit.find("finding.triage", OutcomeFailure)); n != 2 {
			t.Errorf("%d failure events, want 2", n)
		}
		// The JSON API clears it.
		req, _ := http.NewRequest("POST", h.ts.URL+"/api/v1/findings/triage", strings.NewReader(`{"system":"web","fingerprint":"`+fp("c")+`","state":"none"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(CSRFHeader, h.sessionCSRF(f.engineer))
		r2, err := f.engineer.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if r2.StatusCode != 200 {
			t.Fatalf("API clear: %d", r2.StatusCode)
		}
		if tr, _ := h.st.TriageOf(context.Background(), 1); len(tr) != 0 {
			t.Errorf("triage left after clearing: %v", tr)
		}
		// Fail closed: no audit, no triage.
		h.audit.fail.Store(true)
		resp, _ = h.do(f.engineer, "POST", "/findings/triage", csrfFor(f.engineer), nil)
		h.audit.fail.Store(false)
		if resp.StatusCode != 503 {
			t.Errorf("triage with the audit log down: %d", resp.StatusCode)
		}
		if tr, _ := h.st.TriageOf(context.Background(), 1); len(tr) != 0 {
			t.Errorf("triage written without an audit event: %v", tr)
		}
	})
}

func TestFindingsAndControlJSON(t *testing.T) {
	h := newHarness(t, store.Options{DataDir: t.TempDir()})
	newUIFixture(t, h)
	read, _ := h.token([]string{ScopeRead}, t0.Add(24*time.Hour))
	auth := map[string]string{"Authorization": "Bearer " + read}
	resp, body := h.do(h.ts.Client(), "GET", "/api/v1/findings?system=web&section=CR", nil, auth)
	var fj FindingsJSON
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &fj) != nil || fj.Total != 1 || fj.Findings[0].Fingerprint != fp("c") {
		t.Fatalf("findings JSON: %d %s", resp.StatusCode, body)
	}
	resp, body = h.do(h.ts.Client(), "GET", "/api/v1/controls/CR-1", nil, auth)
	var cv ControlView
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &cv) != nil || cv.Failing != 1 || !cv.InPack || cv.Systems[0].Findings[0].Fix != "fix c" {
		t.Fatalf("control JSON: %d %s", resp.StatusCode, body)
	}
	resp, body = h.do(h.ts.Client(), "GET", "/api/v1/systems/web", nil, auth)
	var sv SystemView
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &sv) != nil || len(sv.New) != 1 || len(sv.Fixed) != 1 || len(sv.Recurring) != 1 || len(sv.Controls) != 3 {
		t.Fatalf("system JSON: %d %s", resp.StatusCode, body)
	}
}

func TestTrendSVGEscapesAndBreaksGaps(t *testing.T) {
	v := 40.0
	svg := string(trendSVG(TrendJSON{Days: []string{"2026-01-01", "2026-01-02", "2026-01-03"},
		Series: []TrendSeries{{Section: "<x>", Title: "t", Percent: []*float64{&v, nil, &v}}}}))
	if strings.Contains(svg, "<x>") || !strings.Contains(svg, "&lt;x&gt;") {
		t.Error("section id not escaped")
	}
	if strings.Count(svg, "<circle") != 2 || strings.Contains(svg, "<polyline") {
		t.Errorf("a gap must split the line into two dots:\n%s", svg)
	}
}
