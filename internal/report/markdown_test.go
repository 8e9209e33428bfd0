package report

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func renderMD(t *testing.T, d *Document) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeMarkdown(&b, d); err != nil {
		t.Fatalf("writeMarkdown: %v", err)
	}
	return b.String()
}

func TestMarkdownVerdictAndSummary(t *testing.T) {
	out := renderMD(t, fixtureDoc())
	first, _, _ := strings.Cut(out, "\n")
	if want := "## posture: FAIL (1 control failing at or above high; 1 control could not be checked)"; first != want {
		t.Errorf("heading %q, want %q", first, want)
	}
	for _, want := range []string{
		"version 2025.01.28, last reviewed 2025-01-28, expires 2026-01-23 **(expired)**",
		"\n> **Policy expired:** the pack expired on 2026-01-23",
		"\n> **Warning:** PR-1: policy pack expired on 2026-01-23 &lt;script&gt;alert(\"x\")&lt;/script&gt;\n",
		"| FAIL | UNKNOWN | DEVIATION | PASS | NOT APPLICABLE |\n|---:|---:|---:|---:|---:|\n| 3 | 1 | 1 | 2 | 1 |\n",
		"Open findings: 4 (1 critical, 2 medium, 1 low); 2 silenced by approved deviations.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}

	d := fixtureDoc()
	d.Verdict.Failing = false
	d.Verdict.FailOn = "critical"
	first, _, _ = strings.Cut(renderMD(t, d), "\n")
	if want := "## posture: PASS (no controls failing at or above critical; 1 control could not be checked)"; first != want {
		t.Errorf("heading %q, want %q", first, want)
	}
}

// mdCells splits a table row on the pipes that are not backslash-escaped.
func mdCells(row string) []string {
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row):
			cur.WriteByte(row[i])
			cur.WriteByte(row[i+1])
			i++
		case row[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	cells = append(cells, strings.TrimSpace(cur.String()))
	return cells[1 : len(cells)-1] // rows start and end with a pipe
}

func TestMarkdownControlTable(t *testing.T) {
	out := renderMD(t, fixtureDoc())
	_, table, ok := strings.Cut(out, "### Failing and unknown controls\n\n")
	if !ok {
		t.Fatal("no table of failing controls")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	rows := strings.Split(table, "\n")
	header := mdCells(rows[0])
	if strings.Join(header, ",") != "Target,Control,Title,Severity,Status,Reason" {
		t.Fatalf("header %q", header)
	}
	var ids []string
	for _, r := range rows[2:] {
		cells := mdCells(r)
		if len(cells) != len(header) {
			t.Errorf("row %q has %d cells, want %d: a pipe was not escaped", r, len(cells), len(header))
			continue
		}
		ids = append(ids, cells[1]+"="+cells[4])
	}
	if got, want := strings.Join(ids, " "), "CR-1=FAIL CR-2=FAIL CH-1=UNKNOWN ZT-2=FAIL"; got != want {
		t.Errorf("rows %s, want %s", got, want)
	}
	for _, want := range []string{
		"| app | CR-2 | No weak hashes a\\|b | medium | FAIL |",
		"403 &lt;forbidden&gt; &amp; \\`gh\\` failed |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}

	// One target: no target column.
	d := fixtureDoc()
	d.Targets = d.Targets[:1]
	out = renderMD(t, d)
	if !strings.Contains(out, "| Control | Title | Severity | Status | Reason |\n|---|---|---|---|---|\n| CR-1 |") {
		t.Errorf("single-target table wrong:\n%s", out)
	}
}

func TestMarkdownFindingDetails(t *testing.T) {
	out := renderMD(t, fixtureDoc())
	if o, c := strings.Count(out, "<details>"), strings.Count(out, "</details>"); o != 3 || c != 3 {
		t.Errorf("%d <details> and %d </details>, want one per failing control (3)", o, c)
	}
	for _, want := range []string{
		"<details><summary>app: CR-2 No weak hashes a|b (2 open findings)</summary>\n\n",
		"- `config/prod.env:3` — AWS access key &lt;script&gt;alert(\"x\")&lt;/script&gt; — Fix: Rotate the key and load it from the secret store.\n",
		"- <code>pkg/a\\|b.go:12:4</code> — use \\`md5\\` &amp; friends — Fix: Use SHA-256 \\| SHA-3.\n",
		"- (whole target) — SHA-1 in TLS configuration — Fix: Remove SHA-1 cipher suites.\n",
		"1 further finding silenced by approved deviations.",
		"- `https://api.example.test/login` — no Strict-Transport-Security header",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if strings.Contains(out, "legacy/checksum.go") {
		t.Error("a silenced finding is listed as failing")
	}
}

func TestMarkdownNoRawHTMLFromData(t *testing.T) {
	d := fixtureDoc()
	d.Targets[0].Controls[0].Title = "Title <img src=x onerror=alert(1)> & co"
	d.Targets[0].Controls[0].Findings[0].Location.Path = "a<b>.go"
	out := renderMD(t, d)
	allowed := map[string]bool{"<details>": true, "</details>": true, "<summary>": true, "</summary>": true, "<code>": true, "</code>": true}
	for _, tag := range regexp.MustCompile(`<[^>]*>`).FindAllString(out, -1) {
		if !allowed[tag] {
			t.Errorf("raw HTML %q in Markdown", tag)
		}
	}
	for _, want := range []string{"CR-1 Title &lt;img src=x onerror=alert(1)&gt; &amp; co (1 open finding)", "<code>a&lt;b&gt;.go:3</code>"} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":                "a\\|b",
		"`x`":                "\\`x\\`",
		"<script>&":          "&lt;script&gt;&amp;",
		"*b* _i_ [l](u) ~s~": "\\*b\\* \\_i\\_ \\[l\\](u) \\~s\\~",
		"$x$ @team #1 \\":    "\\$x\\$ \\@team \\#1 \\\\",
		"two\nlines":         "two lines",
	} {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"src/main.go:3": "`src/main.go:3`",
		"a|b":           "<code>a\\|b</code>",
		"a`b":           "<code>a\\`b</code>",
		"<x>":           "<code>&lt;x&gt;</code>",
	} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdownOutOfScope(t *testing.T) {
	out := renderMD(t, fixtureDoc())
	_, scope, ok := strings.Cut(out, "\n### Out of scope\n\n")
	if !ok {
		t.Fatal("no Out of scope section")
	}
	want := "- app: `vendor/**` (12 paths): third-party code a\\|b reviewed upstream\n\nSkipped: 1 path could not be examined (listed in the HTML and JSON reports).\n"
	if scope != want {
		t.Errorf("out of scope:\n%s\nwant:\n%s", scope, want)
	}

	d := fixtureDoc()
	d.Targets = d.Targets[:1]
	d.Targets[0].Inventory.Exclusions = nil
	d.Targets[0].Inventory.Skipped = nil
	if out := renderMD(t, d); !strings.HasSuffix(out, "### Out of scope\n\n- nothing excluded\n\nSkipped: 0 paths could not be examined.\n") {
		t.Errorf("empty scope section wrong:\n%s", out)
	}
}

var mdMoreRE = regexp.MustCompile(`(?s)<details><summary>CR-\d+ Many findings \((\d+) open findings\)</summary>\n\n(.*?)</details>`)

func TestMarkdownTruncatesFindings(t *testing.T) {
	if mdMaxLen > 65536 {
		t.Fatalf("mdMaxLen %d is over GitHub's comment limit", mdMaxLen)
	}
	const controls, per = 5, 400
	d := fixtureManyFindings(controls, per)
	if full := renderMarkdown(d, -1); len(full) <= mdMaxLen {
		t.Fatalf("fixture too small to need truncation (%d bytes)", len(full))
	}
	out := renderMD(t, d)
	if len(out) > mdMaxLen {
		t.Fatalf("Markdown is %d bytes, over the %d limit", len(out), mdMaxLen)
	}
	blocks := mdMoreRE.FindAllStringSubmatch(out, -1)
	if len(blocks) != controls {
		t.Fatalf("%d finding blocks, want %d", len(blocks), controls)
	}
	for _, m := range blocks {
		total, _ := strconv.Atoi(m[1])
		shown := strings.Count(m[2], "- `src/file")
		more := regexp.MustCompile(`- … and (\d+) more\n`).FindStringSubmatch(m[2])
		if more == nil {
			t.Fatalf("no \"… and N more\" in a cut list:\n%s", m[2])
		}
		n, _ := strconv.Atoi(more[1])
		if shown == 0 || shown+n != total || total != per {
			t.Errorf("shown %d + %d more != %d findings", shown, n, total)
		}
	}
	if strings.Contains(out, mdClipNote) {
		t.Error("report clipped although shorter finding lists fit")
	}

	// Small reports keep every finding.
	if out := renderMD(t, fixtureManyFindings(1, 30)); strings.Contains(out, "more\n") || strings.Count(out, "- `src/file") != 30 {
		t.Error("a short report was truncated")
	}
}

func TestMarkdownClipsWhenListsAreNotEnough(t *testing.T) {
	d := fixtureManyFindings(3000, 1)
	out := renderMD(t, d)
	if len(out) > mdMaxLen {
		t.Fatalf("Markdown is %d bytes, over the %d limit", len(out), mdMaxLen)
	}
	if !strings.HasSuffix(out, mdClipNote) {
		t.Error("clipped report does not say so")
	}
	if o, c := strings.Count(out, "<details>"), strings.Count(out, "</details>"); o != c {
		t.Errorf("clipping left %d <details> and %d </details>", o, c)
	}
}

func TestMarkdownDeterministic(t *testing.T) {
	if a, b := renderMD(t, fixtureDoc()), renderMD(t, fixtureDoc()); a != b {
		t.Error("same document rendered differently")
	}
}
