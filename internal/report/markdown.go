package report

import (
	"cmp"
	"fmt"
	"html"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
)

// The Markdown report is written for a pull-request comment on GitHub: a verdict, the
// counts, what is failing or could not be checked, and what was left out of scope. All
// data is escaped, so nothing from a repository renders as HTML, a link or a mention.

// mdMaxLen is the most the Markdown report may hold. GitHub rejects comments over 65,536
// characters; the margin leaves room for whatever a bot wraps around the report.
const mdMaxLen = 60000

// mdFindingCaps are the longest finding lists tried per control, from all (-1) down to
// none, until the report fits in mdMaxLen. Cut lists end with "… and N more".
var mdFindingCaps = []int{-1, 100, 50, 20, 10, 5, 3, 1, 0}

// mdClipNote ends a report that had to be cut even without finding lists.
const mdClipNote = "\n_… the report was cut to fit in a comment; see the HTML or JSON report for the rest._\n"

func writeMarkdown(w io.Writer, d *Document) error {
	var out string
	for _, max := range mdFindingCaps {
		out = renderMarkdown(d, max)
		if len(out) <= mdMaxLen {
			break
		}
	}
	if len(out) > mdMaxLen {
		out = mdClip(out, mdMaxLen)
	}
	_, err := io.WriteString(w, out)
	return err
}

// renderMarkdown writes the report, listing at most max findings per failing control
// (all of them when max is negative).
func renderMarkdown(d *Document, max int) string {
	var b strings.Builder
	word, detail := verdictParts(d)
	fmt.Fprintf(&b, "## %s: %s (%s)\n\n", mdText(cmp.Or(d.Tool.Name, "posture")), word, mdText(detail))

	fmt.Fprintf(&b, "Policy %s version %s", mdText(cmp.Or(d.Policy.Title, d.Policy.Name)), mdText(d.Policy.Version))
	if s := d.Policy.LastReviewed.String(); s != "" {
		fmt.Fprintf(&b, ", last reviewed %s", s)
	}
	if s := d.Policy.Expires.String(); s != "" {
		fmt.Fprintf(&b, ", expires %s", s)
	}
	if d.Policy.Expired {
		b.WriteString(" **(expired)**")
	}
	fmt.Fprintf(&b, " · %s %s", mdText(cmp.Or(d.Tool.Name, "posture")), mdText(d.Tool.Version))
	if s := reportTime(d.StartedAt); s != "" {
		fmt.Fprintf(&b, " · %s", s)
	}
	b.WriteString("\n")
	if len(d.Selection.Only) > 0 || len(d.Selection.Skip) > 0 {
		b.WriteString("\nSelection: ")
		if len(d.Selection.Only) > 0 {
			b.WriteString("only " + mdText(strings.Join(d.Selection.Only, ", ")))
		} else {
			b.WriteString("all controls")
		}
		if len(d.Selection.Skip) > 0 {
			b.WriteString(", skipping " + mdText(strings.Join(d.Selection.Skip, ", ")))
		}
		b.WriteString("\n")
	}

	var notes []string
	if d.Policy.Expired {
		notes = append(notes, fmt.Sprintf("**Policy expired:** the pack expired on %s and is overdue for review.", d.Policy.Expires))
	}
	if d.Interrupted {
		notes = append(notes, "**Scan interrupted:** controls that did not finish are reported as unknown.")
	}
	for _, warn := range d.Warnings {
		notes = append(notes, "**Warning:** "+mdText(warn))
	}
	for _, n := range notes {
		b.WriteString("\n> " + n + "\n")
	}

	b.WriteString("\n|")
	for _, s := range finding.Statuses {
		b.WriteString(" " + statusLabel(s) + " |")
	}
	b.WriteString("\n|")
	for range finding.Statuses {
		b.WriteString("---:|")
	}
	b.WriteString("\n|")
	for _, s := range finding.Statuses {
		fmt.Fprintf(&b, " %d |", d.Summary.Statuses[s])
	}
	b.WriteString("\n\n")
	fmt.Fprintf(&b, "Open findings: %d (%s); %d silenced by approved deviations.\n",
		d.Summary.Open, openBySeverity(d.Summary), d.Summary.Silenced)

	multi := len(d.Targets) > 1
	type row struct {
		target string
		c      Control
	}
	var rows []row
	for _, t := range d.Targets {
		for _, c := range t.Controls {
			if c.Status == finding.Fail || c.Status == finding.Unknown {
				rows = append(rows, row{t.Name, c})
			}
		}
	}
	if len(rows) > 0 {
		b.WriteString("\n### Failing and unknown controls\n\n")
		if multi {
			b.WriteString("| Target | Control | Title | Severity | Status | Reason |\n|---|---|---|---|---|---|\n")
		} else {
			b.WriteString("| Control | Title | Severity | Status | Reason |\n|---|---|---|---|---|\n")
		}
		for _, r := range rows {
			b.WriteString("|")
			if multi {
				b.WriteString(" " + mdText(r.target) + " |")
			}
			fmt.Fprintf(&b, " %s | %s | %s | %s | %s |\n", mdText(r.c.ID), mdText(r.c.Title), mdText(string(r.c.Severity)),
				statusLabel(r.c.Status), mdText(r.c.Reason))
		}
		for _, r := range rows {
			if r.c.Status == finding.Fail {
				mdFindings(&b, r.target, multi, r.c, max)
			}
		}
	}

	repos, skipped := 0, 0
	var scope strings.Builder
	for _, t := range d.Targets {
		inv := t.Inventory
		if inv == nil {
			continue
		}
		repos++
		skipped += len(inv.Skipped)
		prefix := ""
		if multi {
			prefix = mdText(t.Name) + ": "
		}
		if len(inv.Exclusions) == 0 {
			fmt.Fprintf(&scope, "- %snothing excluded\n", prefix)
		}
		for _, e := range inv.Exclusions {
			fmt.Fprintf(&scope, "- %s%s (%s): %s\n", prefix, mdCode(e.Pattern), pluralize(e.Matched, "path", "paths"), mdText(e.Reason))
		}
	}
	if repos > 0 {
		b.WriteString("\n### Out of scope\n\n")
		b.WriteString(scope.String())
		fmt.Fprintf(&b, "\nSkipped: %s could not be examined", pluralize(skipped, "path", "paths"))
		if skipped > 0 {
			b.WriteString(" (listed in the HTML and JSON reports)")
		}
		b.WriteString(".\n")
	}
	return b.String()
}

// mdFindings writes a collapsed list of one failing control's open findings, at most max
// of them (all when max is negative).
func mdFindings(b *strings.Builder, target string, multi bool, c Control, max int) {
	var open []finding.Finding
	for _, f := range c.Findings {
		if f.Suppressed == nil {
			open = append(open, f)
		}
	}
	silenced := len(c.Findings) - len(open)
	summary := c.ID + " " + c.Title
	if multi {
		summary = target + ": " + summary
	}
	fmt.Fprintf(b, "\n<details><summary>%s (%s)</summary>\n\n", html.EscapeString(summary),
		html.EscapeString(pluralize(len(open), "open finding", "open findings")))
	shown := open
	if max >= 0 && len(shown) > max {
		shown = shown[:max]
	}
	for _, f := range shown {
		loc := "(whole target)"
		if s := f.Location.String(); s != "" {
			loc = mdCode(s)
		}
		fmt.Fprintf(b, "- %s — %s", loc, mdText(f.Message))
		if f.Fix != "" {
			b.WriteString(" — Fix: " + mdText(f.Fix))
		}
		b.WriteString("\n")
	}
	if more := len(open) - len(shown); more > 0 {
		fmt.Fprintf(b, "- … and %d more\n", more)
	}
	if silenced > 0 {
		fmt.Fprintf(b, "\n%s silenced by approved deviations.\n", pluralize(silenced, "further finding", "further findings"))
	}
	b.WriteString("\n</details>\n")
}

// mdClip cuts an over-long report at a line boundary, closes a <details> block the cut
// left open and says that it was cut. Data is escaped, so every "<details>" is our own.
func mdClip(s string, limit int) string {
	const closer = "\n</details>\n"
	cut := limit - len(mdClipNote) - len(closer)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	s = s[:cut]
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[:i+1]
	}
	if strings.Count(s, "<details>") > strings.Count(s, "</details>") {
		s += closer
	}
	return s + mdClipNote
}

// mdText escapes text for Markdown: HTML special characters become entities and the
// punctuation Markdown (and GitHub: tables, math, mentions) reacts to is backslashed.
// Line breaks become spaces so that text stays inside its table cell or list item.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '#', '$', '@', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode shows s as code: a plain code span when that is safe, otherwise <code> around
// escaped text (a code span cannot hold an escaped '<' or a table's '|').
func mdCode(s string) string {
	if s == "" || strings.ContainsAny(s, "<>&|`\\\n\r\t") || strings.TrimSpace(s) != s {
		return "<code>" + mdText(s) + "</code>"
	}
	return "`" + s + "`"
}

// The helpers below are shared by the HTML, Markdown and JUnit writers.

// severitiesHighFirst orders severities for display.
var severitiesHighFirst = []policy.Severity{policy.Critical, policy.High, policy.Medium, policy.Low, policy.Info}

// statusLabel is the word a report shows for a status, so that no report relies on colour.
func statusLabel(s finding.Status) string {
	switch s {
	case finding.Fail:
		return "FAIL"
	case finding.Unknown:
		return "UNKNOWN"
	case finding.Deviation:
		return "DEVIATION"
	case finding.Pass:
		return "PASS"
	case finding.NotApplicable:
		return "NOT APPLICABLE"
	}
	return strings.ToUpper(string(s))
}

// statusClass is the CSS class that colours a status.
func statusClass(s finding.Status) string {
	switch s {
	case finding.Fail, finding.Unknown, finding.Deviation, finding.Pass, finding.NotApplicable:
		return "st-" + string(s)
	}
	return "st-unknown"
}

// blockingControls counts the controls that make the verdict fail: failed, with an open
// finding at or above the threshold (the rule engine.Result.Failing applies).
func blockingControls(d *Document) int {
	n := 0
	for _, t := range d.Targets {
		for _, c := range t.Controls {
			if c.Status != finding.Fail {
				continue
			}
			for _, f := range c.Findings {
				if f.Suppressed == nil && f.Severity.AtLeast(d.Verdict.FailOn) {
					n++
					break
				}
			}
		}
	}
	return n
}

// verdictParts states the verdict as a word (FAIL or PASS) and the reason for it.
func verdictParts(d *Document) (word, detail string) {
	failOn := cmp.Or(d.Verdict.FailOn, policy.High)
	if d.Verdict.Failing {
		word = "FAIL"
		if n := blockingControls(d); n > 0 {
			detail = fmt.Sprintf("%s failing at or above %s", pluralize(n, "control", "controls"), failOn)
		} else {
			detail = fmt.Sprintf("open findings at or above %s", failOn)
		}
	} else {
		word = "PASS"
		detail = fmt.Sprintf("no controls failing at or above %s", failOn)
	}
	if n := d.Summary.Statuses[finding.Unknown]; n > 0 {
		detail += fmt.Sprintf("; %s could not be checked", pluralize(n, "control", "controls"))
	}
	return word, detail
}

// openBySeverity lists open finding counts, most severe first.
func openBySeverity(s Summary) string {
	var parts []string
	for _, sev := range severitiesHighFirst {
		if n := s.BySeverity[sev]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
