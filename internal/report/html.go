package report

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/deviation"
	"github.com/posture-dev/posture/internal/engine"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
)

// The HTML report is one self-contained page meant to be forwarded: no external styles,
// scripts, fonts or images, and a Content-Security-Policy that forbids loading any. All
// data goes through html/template, so nothing a repository contains can become markup.

//go:embed html.tmpl
var htmlSource string

var htmlPage = template.Must(template.New("html.tmpl").Parse(htmlSource))

// htmlScript is the only script on the page: it adds "expand all"/"collapse all" buttons
// and opens every control before printing. Without it the page works the same, through
// <details>. Its hash goes into the page's Content-Security-Policy.
const htmlScript = `(function(){var d=document,b=d.getElementById("toggles");if(!b)return;b.hidden=false;` +
	`function all(o){d.querySelectorAll("details").forEach(function(e){e.open=o})}` +
	`d.getElementById("expand").onclick=function(){all(true)};` +
	`d.getElementById("collapse").onclick=function(){all(false)};` +
	`window.addEventListener("beforeprint",function(){all(true)})})();`

var htmlCSP = func() string {
	sum := sha256.Sum256([]byte(htmlScript))
	return "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
}()

// htmlView is what the template renders: the document, flattened into display strings
// in a fixed order.
type htmlView struct {
	Title       string
	CSP         string
	Script      template.JS
	Tool        Tool
	Policy      Policy
	PolicyName  string
	Started     string
	Duration    string
	Interrupted bool
	Warnings    []string
	Only, Skip  string
	Verdict     htmlVerdict
	Statuses    []htmlCount
	Severities  []htmlCount
	Summary     Summary
	Targets     []htmlTarget
}

type htmlVerdict struct {
	Failing bool
	Word    string
	Detail  string
}

type htmlCount struct {
	Label string
	Class string
	Count int
}

type htmlTarget struct {
	Name       string
	Kind       policy.TargetKind
	Inventory  *htmlInventory
	Counts     []htmlCount
	Sections   []htmlSection
	Deviations []htmlDeviation
	DevFile    string
	Probes     []htmlProbe
	ProbeErrs  int
}

type htmlInventory struct {
	Inventory
	SkippedText string
}

type htmlSection struct {
	ID, Title string
	Controls  []htmlControl
}

type htmlControl struct {
	ID, Title, Severity string
	Status              string
	Class               string
	Reason              string
	Open, Silenced      int
	Expanded            bool
	Findings            []htmlFinding
}

type htmlFinding struct {
	Location, Message, Severity, Rule string
	Evidence                          string
	Redacted                          bool
	Fix                               string
	Fingerprint, FPShort              string
	Suppressed                        *htmlSuppression
}

type htmlSuppression struct {
	Deviation, ApprovedBy, Expires, Reason string
}

type htmlDeviation struct {
	ID, Control, Expires, ApprovedBy, Reason string
	InForce                                  bool
	Problems                                 []string
	Silenced                                 int
}

type htmlProbe struct {
	Name, Duration, Error string
}

func writeHTML(w io.Writer, d *Document) error {
	bw := bufio.NewWriter(w)
	if err := htmlPage.Execute(bw, newHTMLView(d)); err != nil {
		return err
	}
	return bw.Flush()
}

func newHTMLView(d *Document) htmlView {
	word, detail := verdictParts(d)
	v := htmlView{
		Title:       strings.Join(strings.Fields(cmp.Or(d.Tool.Name, "posture")+" "+d.Tool.Version), " ") + " security posture report",
		CSP:         htmlCSP,
		Script:      template.JS(htmlScript),
		Tool:        d.Tool,
		Policy:      d.Policy,
		PolicyName:  cmp.Or(d.Policy.Title, d.Policy.Name),
		Started:     reportTime(d.StartedAt),
		Interrupted: d.Interrupted,
		Warnings:    d.Warnings,
		Verdict:     htmlVerdict{Failing: d.Verdict.Failing, Word: word, Detail: detail},
		Summary:     d.Summary,
	}
	v.Tool.Name = cmp.Or(v.Tool.Name, "posture")
	if !d.StartedAt.IsZero() && !d.FinishedAt.IsZero() && !d.FinishedAt.Before(d.StartedAt) {
		v.Duration = d.FinishedAt.Sub(d.StartedAt).Round(time.Millisecond).String()
	}
	if len(d.Selection.Only) > 0 {
		v.Only = strings.Join(d.Selection.Only, ", ")
	}
	if len(d.Selection.Skip) > 0 {
		v.Skip = strings.Join(d.Selection.Skip, ", ")
	}
	for _, s := range finding.Statuses {
		v.Statuses = append(v.Statuses, htmlCount{Label: statusLabel(s), Class: statusClass(s), Count: d.Summary.Statuses[s]})
	}
	for _, sev := range severitiesHighFirst {
		v.Severities = append(v.Severities, htmlCount{Label: string(sev), Class: "sev-" + string(sev), Count: d.Summary.BySeverity[sev]})
	}
	for _, t := range d.Targets {
		v.Targets = append(v.Targets, newHTMLTarget(d, t))
	}
	return v
}

func newHTMLTarget(d *Document, t Target) htmlTarget {
	ht := htmlTarget{Name: t.Name, Kind: t.Kind, DevFile: deviation.File}
	if t.Inventory != nil {
		ht.Inventory = &htmlInventory{Inventory: *t.Inventory,
			SkippedText: pluralize(len(t.Inventory.Skipped), "path", "paths") + " could not be examined"}
	}
	counts := map[finding.Status]int{}
	for _, grp := range groupBySection(d, t.Controls) {
		sec := htmlSection{ID: grp.id, Title: grp.title}
		for _, c := range grp.controls {
			counts[c.Status]++
			sec.Controls = append(sec.Controls, newHTMLControl(c))
		}
		ht.Sections = append(ht.Sections, sec)
	}
	for _, s := range finding.Statuses {
		if counts[s] > 0 {
			ht.Counts = append(ht.Counts, htmlCount{Label: statusLabel(s), Class: statusClass(s), Count: counts[s]})
		}
	}
	for _, dv := range t.Deviations {
		ht.Deviations = append(ht.Deviations, htmlDeviation{ID: dv.ID, Control: dv.Control, Expires: dv.Expires.String(),
			ApprovedBy: dv.ApprovedBy, Reason: dv.Reason, InForce: dv.InForce, Problems: dv.Problems, Silenced: dv.Silenced})
	}
	for _, p := range sortedProbes(t) {
		ht.Probes = append(ht.Probes, htmlProbe{Name: p.Probe, Duration: p.Duration.Round(time.Millisecond).String(), Error: p.Error})
		if p.Error != "" {
			ht.ProbeErrs++
		}
	}
	return ht
}

func newHTMLControl(c Control) htmlControl {
	hc := htmlControl{ID: c.ID, Title: c.Title, Severity: string(c.Severity), Status: statusLabel(c.Status),
		Class: statusClass(c.Status), Reason: c.Reason,
		Expanded: c.Status == finding.Fail || c.Status == finding.Unknown}
	for _, f := range c.Findings {
		hf := htmlFinding{Location: cmp.Or(f.Location.String(), "(whole target)"), Message: f.Message,
			Severity: string(f.Severity), Rule: f.Rule, Evidence: f.Evidence.Text, Redacted: f.Evidence.Redacted,
			Fix: f.Fix, Fingerprint: f.Fingerprint, FPShort: shortFingerprint(f.Fingerprint)}
		if s := f.Suppressed; s != nil {
			hc.Silenced++
			hf.Suppressed = &htmlSuppression{Deviation: s.Deviation, ApprovedBy: s.ApprovedBy, Expires: s.Expires.String(), Reason: s.Reason}
		} else {
			hc.Open++
		}
		hc.Findings = append(hc.Findings, hf)
	}
	return hc
}

// sectionGroup is a run of controls under one policy heading.
type sectionGroup struct {
	id, title string
	controls  []Control
}

// groupBySection collects a target's controls under their sections, in the order the
// sections first appear, keeping the controls' own order inside each.
func groupBySection(d *Document, controls []Control) []sectionGroup {
	var out []sectionGroup
	index := map[string]int{}
	for _, c := range controls {
		i, ok := index[c.Section]
		if !ok {
			i = len(out)
			index[c.Section] = i
			out = append(out, sectionGroup{id: c.Section, title: cmp.Or(c.SectionTitle, d.sectionTitle(c.Section))})
		}
		out[i].controls = append(out[i].controls, c)
	}
	return out
}

// sortedProbes orders probe runs by name: the engine records them as they finish.
func sortedProbes(t Target) []engine.ProbeRun {
	ps := slices.Clone(t.Probes)
	slices.SortStableFunc(ps, func(a, b engine.ProbeRun) int { return cmp.Compare(a.Probe, b.Probe) })
	return ps
}

// shortFingerprint is the prefix people quote; the full value is in JSON and SARIF.
func shortFingerprint(fp string) string {
	if len(fp) > 12 {
		return fp[:12]
	}
	return fp
}

// reportTime formats a report timestamp in UTC, to the second.
func reportTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
