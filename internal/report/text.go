package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/posture-dev/posture/internal/finding"
)

// ansi holds the escape codes text output uses, or empty strings without colour.
type ansi struct{ red, yellow, blue, green, dim, bold, reset string }

func palette(on bool) ansi {
	if !on {
		return ansi{}
	}
	return ansi{red: "\x1b[31m", yellow: "\x1b[33m", blue: "\x1b[34m", green: "\x1b[32m", dim: "\x1b[2m", bold: "\x1b[1m", reset: "\x1b[0m"}
}

func (a ansi) status(s finding.Status) string {
	label := map[finding.Status]string{finding.Pass: "pass", finding.Fail: "FAIL", finding.Deviation: "deviation",
		finding.NotApplicable: "n/a", finding.Unknown: "unknown"}[s]
	pad := fmt.Sprintf("%-9s", label)
	switch s {
	case finding.Fail:
		return a.red + a.bold + pad + a.reset
	case finding.Unknown:
		return a.yellow + pad + a.reset
	case finding.Deviation:
		return a.blue + pad + a.reset
	case finding.Pass:
		return a.green + pad + a.reset
	}
	return a.dim + pad + a.reset
}

func writeText(out io.Writer, d *Document, opt Options) error {
	w := bufio.NewWriter(out)
	c := palette(opt.Color)
	fmt.Fprintf(w, "%sposture %s%s  policy %q version %s (last reviewed %s, expires %s)\n",
		c.bold, d.Tool.Version, c.reset, d.Policy.Name, d.Policy.Version, d.Policy.LastReviewed, d.Policy.Expires)
	for _, warn := range d.Warnings {
		fmt.Fprintf(w, "%swarning:%s %s\n", c.yellow, c.reset, warn)
	}
	if len(d.Selection.Only) > 0 || len(d.Selection.Skip) > 0 {
		fmt.Fprintf(w, "selection: only=%s skip=%s\n", orAll(d.Selection.Only), orNone(d.Selection.Skip))
	}

	for _, t := range d.Targets {
		fmt.Fprintf(w, "\n%sTarget %s%s (%s", c.bold, t.Name, c.reset, t.Kind)
		if inv := t.Inventory; inv != nil {
			fmt.Fprintf(w, ", %d files listed by %s", inv.Files, inv.Source)
		}
		fmt.Fprintln(w, ")")
		writeScope(w, t, c)

		section := ""
		for _, ctl := range t.Controls {
			if ctl.Section != section {
				section = ctl.Section
				fmt.Fprintf(w, "\n  %s%s  %s%s\n", c.bold, section, ctl.SectionTitle, c.reset)
			}
			fmt.Fprintf(w, "    %-5s %s %-8s %s\n", ctl.ID, c.status(ctl.Status), ctl.Severity, ctl.Title)
			if ctl.Status != finding.Pass && ctl.Reason != "" {
				fmt.Fprintf(w, "          %s%s%s\n", c.dim, ctl.Reason, c.reset)
			}
			for _, f := range ctl.Findings {
				writeFinding(w, f, c)
			}
		}
		writeMatrix(w, t, c)
		writeDeviations(w, t)
	}

	fmt.Fprintln(w)
	s := d.Summary
	fmt.Fprintf(w, "Findings: %d open (%s), %d silenced by deviations\n", s.Open, bySeverity(s), s.Silenced)
	if d.Verdict.Failing {
		fmt.Fprintf(w, "%sResult: FAIL%s: open findings at or above %s severity\n", c.red+c.bold, c.reset, d.Verdict.FailOn)
	} else {
		fmt.Fprintf(w, "%sResult: no open findings at or above %s severity%s\n", c.green, d.Verdict.FailOn, c.reset)
	}
	return w.Flush()
}

func writeScope(w io.Writer, t Target, c ansi) {
	inv := t.Inventory
	if inv == nil {
		return
	}
	for _, e := range inv.Exclusions {
		fmt.Fprintf(w, "  out of scope: %s (%s): %s\n", e.Pattern, countPaths(e.Matched), e.Reason)
	}
	if len(inv.Skipped) > 0 {
		fmt.Fprintf(w, "  %snot examined: %d paths%s\n", c.yellow, len(inv.Skipped), c.reset)
		for _, s := range inv.Skipped {
			fmt.Fprintf(w, "    %s: %s\n", s.Path, s.Reason)
		}
	}
	for _, n := range inv.Notes {
		fmt.Fprintf(w, "  note: %s: %s\n", n.Path, n.Reason)
	}
}

func writeFinding(w io.Writer, f finding.Finding, c ansi) {
	loc := f.Location.String()
	if loc == "" {
		loc = "(repository)"
	}
	mark := "-"
	if f.Suppressed != nil {
		mark = "~"
	}
	fmt.Fprintf(w, "          %s %s%s%s  %s [%s]\n", mark, c.bold, loc, c.reset, f.Message, f.Severity)
	if f.Evidence.Text != "" {
		fmt.Fprintf(w, "              evidence: %s\n", f.Evidence.Text)
	}
	fmt.Fprintf(w, "              fix: %s\n", f.Fix)
	if s := f.Suppressed; s != nil {
		fmt.Fprintf(w, "              %ssilenced by deviation %s (approved by %s, expires %s): %s%s\n", c.blue, s.Deviation, s.ApprovedBy, s.Expires, s.Reason, c.reset)
	}
	fmt.Fprintf(w, "              %sfingerprint %s  rule %s%s\n", c.dim, f.Fingerprint, f.Rule, c.reset)
}

// writeMatrix prints sections against statuses: how many controls of each section ended
// in each status.
func writeMatrix(w io.Writer, t Target, c ansi) {
	var order []string
	counts := map[string]map[finding.Status]int{}
	for _, ctl := range t.Controls {
		if counts[ctl.Section] == nil {
			counts[ctl.Section] = map[finding.Status]int{}
			order = append(order, ctl.Section)
		}
		counts[ctl.Section][ctl.Status]++
	}
	fmt.Fprintf(w, "\n  %sSummary of controls%s\n  %-8s", c.bold, c.reset, "section")
	for _, s := range finding.Statuses {
		fmt.Fprintf(w, " %14s", s)
	}
	fmt.Fprintln(w)
	total := map[finding.Status]int{}
	for _, sec := range order {
		fmt.Fprintf(w, "  %-8s", sec)
		for _, s := range finding.Statuses {
			fmt.Fprintf(w, " %14s", dash(counts[sec][s]))
			total[s] += counts[sec][s]
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "  %-8s", "total")
	for _, s := range finding.Statuses {
		fmt.Fprintf(w, " %14s", dash(total[s]))
	}
	fmt.Fprintln(w)
}

func writeDeviations(w io.Writer, t Target) {
	if len(t.Deviations) == 0 {
		return
	}
	fmt.Fprintf(w, "\n  Deviations (%s)\n", ".posture/deviations.yaml")
	for _, dv := range t.Deviations {
		state := fmt.Sprintf("in force, silenced %d", dv.Silenced)
		if !dv.InForce {
			state = "NOT in force: " + strings.Join(dv.Problems, "; ")
		} else if dv.Silenced == 0 {
			state = "in force, matched no finding (consider removing it)"
		}
		fmt.Fprintf(w, "    %-10s %-5s expires %s  %s\n", dv.ID, dv.Control, dv.Expires, state)
	}
}

func dash(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func bySeverity(s Summary) string {
	var parts []string
	for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
		for k, n := range s.BySeverity {
			if string(k) == sev && n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, sev))
			}
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func orAll(s []string) string {
	if len(s) == 0 {
		return "all"
	}
	return strings.Join(s, ",")
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ",")
}
