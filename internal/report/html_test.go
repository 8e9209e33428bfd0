package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
)

func renderHTML(t *testing.T, d *Document) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeHTML(&b, d); err != nil {
		t.Fatalf("writeHTML: %v", err)
	}
	return b.String()
}

func TestHTMLIsSelfContained(t *testing.T) {
	out := renderHTML(t, fixtureDoc())
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<link\b`),
		regexp.MustCompile(`(?i)<script[^>]*\bsrc\s*=`),
		regexp.MustCompile(`(?i)\b(src|href|srcset|action|poster|data)\s*=`),
		regexp.MustCompile(`(?i)url\s*\(`),
		regexp.MustCompile(`(?i)@import`),
		regexp.MustCompile(`(?i)<(img|iframe|object|embed|audio|video|form|base)\b`),
		regexp.MustCompile(`(?i)["'(]\s*(https?:)?//`),
	} {
		if m := re.FindString(out); m != "" {
			t.Errorf("HTML references an external resource: %q matches %s", m, re)
		}
	}
	if !strings.Contains(out, `http-equiv="Content-Security-Policy"`) {
		t.Error("no Content-Security-Policy")
	}
	if !strings.Contains(out, "@media print") {
		t.Error("no print styles")
	}
}

func TestHTMLScriptMatchesCSP(t *testing.T) {
	out := renderHTML(t, fixtureDoc())
	if n := strings.Count(out, "<script"); n != 1 {
		t.Fatalf("%d <script> elements, want exactly our own", n)
	}
	start := strings.Index(out, "<script>") + len("<script>")
	end := strings.Index(out[start:], "</script>")
	if end < 0 {
		t.Fatal("unterminated script")
	}
	sum := sha256.Sum256([]byte(out[start : start+end]))
	want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	m := regexp.MustCompile(`Content-Security-Policy" content="([^"]*)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no CSP content")
	}
	csp := html.UnescapeString(m[1])
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src "+want) {
		t.Errorf("CSP %q does not pin the inline script to %s", csp, want)
	}
}

func TestHTMLEscapesData(t *testing.T) {
	out := renderHTML(t, fixtureDoc())
	if strings.Contains(out, fixtureScript) || strings.Contains(out, "<script>alert") || strings.Contains(out, "<forbidden>") || strings.Contains(out, "`x` <b>") {
		t.Error("data reached the page as markup")
	}
	for _, want := range []string{"&lt;script&gt;alert(", "&lt;forbidden&gt;", "use `md5` &amp; friends", "pkg/a|b.go:12:4", "&lt;b&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("escaped %q not found", want)
		}
	}
}

func TestHTMLContents(t *testing.T) {
	d := fixtureDoc()
	out := renderHTML(t, d)
	for _, want := range []string{
		"<title>posture 1.2.3 security posture report: FAIL</title>",
		"Secure Engineering Policy",
		"version 2025.01.28, last reviewed 2025-01-28, expires 2026-01-23",
		`class="banner expired"`, "The policy pack expired on 2026-01-23",
		"<strong>Warning:</strong> PR-1: policy pack expired",
		`<section class="verdict failing"`, "<strong>FAIL</strong><span>1 control failing at or above high; 1 control could not be checked</span>",
		// summary grid: status counts and open findings by severity
		`<div class="card st-fail"><b>3</b><span class="badge">FAIL</span></div>`,
		`<div class="card st-not-applicable"><b>1</b><span class="badge">NOT APPLICABLE</span></div>`,
		`<div class="card sev-critical"><b>1</b><span>critical</span></div>`,
		`<div class="card sev-medium"><b>2</b><span>medium</span></div>`,
		"6 findings in total: 4 open, 2 silenced by approved deviations.",
		// inventory
		"42 files examined, listed by git.", "<h4>Out of scope</h4>", "<code>vendor/**</code>", "<td class=\"n\">12</td>",
		"third-party code a|b reviewed upstream", "<code>big/blob.bin</code>", "file larger than the size limit",
		"<code>docs/readme.md</code>: not valid UTF-8 &amp; read anyway",
		// sections and controls
		"<h4>CR · Cryptography is hard</h4>", "<h4>CH · Changes should be controlled, and reviewed</h4>",
		"<h4>ZT · No such thing as internal traffic</h4>",
		`<details class="ctl st-fail" open><summary><span class="badge">FAIL</span> <span class="id">CR-1</span>`,
		`<details class="ctl st-unknown" open><summary><span class="badge">UNKNOWN</span> <span class="id">CH-1</span>`,
		`<details class="ctl st-deviation"><summary><span class="badge">DEVIATION</span> <span class="id">CR-3</span>`,
		`<div class="ctl st-pass"><div class="row"><span class="badge">PASS</span> <span class="id">CH-2</span>`,
		`<span class="badge">NOT APPLICABLE</span> <span class="id">ZT-3</span>`,
		`<span class="count">2 open · 1 silenced</span>`,
		// findings
		"<code>config/prod.env:3</code>", "(secret redacted)", "…(redacted, sha256:",
		"<strong>Fix:</strong> Rotate the key", `<code title="aaaa1111bbbb2222cccc3333dddd4444">aaaa1111bbbb</code>`,
		"<code>(whole target)</code>", "<code>https://api.example.test/login</code>",
		`<li class="silenced">`, "Silenced by deviation <strong>DEV-7</strong>, approved by sec-lead@example.com, expires 2026-12-31: checksum only, not security",
		// deviations
		`<tr><td>DEV-7</td><td>CR-2</td><td><span class="yes">Yes</span></td><td>2026-12-31</td><td>sec-lead@example.com</td><td class="n">2</td>`,
		`<tr><td>DEV-8</td><td>CR-1</td><td><span class="no">No</span></td>`, `<li class="no">approved by its own requester</li>`,
		"No deviations recorded.",
		// probes, in name order
		"Probes: 2 run, 1 with errors", "<tr><td>branch-protection</td><td class=\"n\">200ms</td><td>403 forbidden</td></tr>\n<tr><td>secrets</td>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Index(out, "<h2>Target app") > strings.Index(out, "<h2>Target https://api.example.test") {
		t.Error("targets out of order")
	}
	for _, tag := range []string{"details", "summary", "table", "tr", "ul", "li", "section", "div", "code", "h2", "h3", "h4", "p"} {
		open := len(regexp.MustCompile(`<`+tag+`[\s>]`).FindAllString(out, -1))
		if closed := strings.Count(out, "</"+tag+">"); open != closed {
			t.Errorf("<%s>: %d opened, %d closed", tag, open, closed)
		}
	}
}

func TestHTMLPassingAndNoExclusions(t *testing.T) {
	d := fixtureDoc()
	d.Policy.Expired = false
	d.Warnings = []string{}
	d.Verdict.Failing = false
	d.Targets = d.Targets[:1]
	d.Targets[0].Inventory.Exclusions = nil
	d.Targets[0].Inventory.Skipped = nil
	d.Targets[0].Deviations = nil
	d.Targets[0].Probes = nil
	d.Targets[0].Controls = slices.DeleteFunc(d.Targets[0].Controls, func(c Control) bool {
		return c.Status == finding.Fail || c.Status == finding.Unknown
	})
	d.Summary = fixtureSummary(d)
	out := renderHTML(t, d)
	for _, want := range []string{`<section class="verdict passing"`, "<strong>PASS</strong><span>no controls failing at or above high</span>",
		"<h4>Out of scope</h4>\n<p>Nothing is out of scope: no exclusions were configured.</p>",
		"Every file in scope was examined.", "No deviations recorded in <code>.posture/deviations.yaml</code>."} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, unwanted := range []string{"banner expired", "<strong>Warning:</strong>", "Probes:"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("HTML has %q", unwanted)
		}
	}
}

func TestHTMLEmptyDocument(t *testing.T) {
	out := renderHTML(t, &Document{Verdict: Verdict{FailOn: policy.Critical}})
	if !strings.Contains(out, "no controls failing at or above critical") || !strings.HasSuffix(out, "</html>\n") {
		t.Errorf("unexpected empty report:\n%s", out)
	}
}

func TestHTMLDeterministic(t *testing.T) {
	a := renderHTML(t, fixtureDoc())
	d := fixtureDoc()
	slices.Reverse(d.Targets[0].Probes) // the engine records probes as they finish
	if b := renderHTML(t, d); a != b {
		t.Error("same document rendered differently")
	}
}
