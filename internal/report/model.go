// Package report renders a scan result in the formats people and tools read: text, JSON,
// SARIF, HTML, Markdown and JUnit. Every format is built from the same Document, so they
// cannot disagree about what was found.
package report

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/posture-dev/posture/internal/deps"
	"github.com/posture-dev/posture/internal/engine"
	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
)

// SchemaVersion identifies the JSON report layout (docs/json-report.md). It changes only
// when a field is removed or its meaning changes; adding fields keeps it.
const SchemaVersion = "posture.report/v1"

// Meta describes the posture build that produced a report.
type Meta struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
}

// Options tune rendering.
type Options struct {
	// Color enables ANSI colour in text output (only on a terminal, never with NO_COLOR).
	Color bool
	// FailOn is the severity threshold the exit code uses, repeated in the verdict.
	FailOn policy.Severity
	// Packages, by target name, are added to the JSON report's targets: posture scan
	// --upload sends them so that the server can match them against vulnerability data
	// that changes after the scan.
	Packages map[string][]Package
}

// Package is a third-party package version a repository target locks.
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
}

// Packages converts lockfile packages for Options.Packages.
func Packages(pkgs []deps.Package) []Package {
	out := make([]Package, 0, len(pkgs))
	for _, p := range pkgs {
		out = append(out, Package{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version})
	}
	return out
}

// Formats lists the names accepted by Write.
var Formats = []string{"text", "json", "sarif", "html", "markdown", "junit"}

// Write renders res in the named format.
func Write(w io.Writer, format string, res *engine.Result, meta Meta, opt Options) error {
	if opt.FailOn == "" {
		opt.FailOn = policy.High
	}
	doc := Build(res, meta, opt.FailOn)
	for i := range doc.Targets {
		doc.Targets[i].Packages = opt.Packages[doc.Targets[i].Name]
	}
	switch format {
	case "text":
		return writeText(w, doc, opt)
	case "json":
		return writeJSON(w, doc)
	case "sarif":
		return writeSARIF(w, doc)
	case "html":
		return writeHTML(w, doc)
	case "markdown", "md":
		return writeMarkdown(w, doc)
	case "junit":
		return writeJUnit(w, doc)
	}
	return fmt.Errorf("unknown format %q (want one of %v)", format, Formats)
}

// Document is the JSON report, and the model every other format renders.
type Document struct {
	Schema      string       `json:"schema"`
	Tool        Tool         `json:"tool"`
	Policy      Policy       `json:"policy"`
	StartedAt   time.Time    `json:"started_at"`
	FinishedAt  time.Time    `json:"finished_at"`
	Interrupted bool         `json:"interrupted"`
	Warnings    []string     `json:"warnings"`
	Selection   Selection    `json:"selection"`
	Verdict     Verdict      `json:"verdict"`
	Summary     Summary      `json:"summary"`
	Targets     []Target     `json:"targets"`
	Sections    []SectionRef `json:"sections"`
}

// Tool names the scanner.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
}

// Policy identifies the pack the scan was judged against.
type Policy struct {
	Name         string      `json:"name"`
	Title        string      `json:"title,omitempty"`
	Version      string      `json:"version"`
	Origin       string      `json:"origin"`
	LastReviewed policy.Date `json:"last_reviewed"`
	Expires      policy.Date `json:"expires"`
	Expired      bool        `json:"expired"`
}

// Selection records --only/--skip.
type Selection struct {
	Only []string `json:"only"`
	Skip []string `json:"skip"`
}

// Verdict is what the exit code says, in words.
type Verdict struct {
	FailOn  policy.Severity `json:"fail_on"`
	Failing bool            `json:"failing"`
}

// Summary counts statuses and findings over all targets.
type Summary struct {
	Statuses   map[finding.Status]int  `json:"statuses"`
	Findings   int                     `json:"findings"`
	Open       int                     `json:"open"`
	Silenced   int                     `json:"silenced"`
	BySeverity map[policy.Severity]int `json:"open_by_severity"`
}

// SectionRef is a policy heading, listed once so that targets can refer to it by ID.
type SectionRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Target is one scanned target.
type Target struct {
	Name       string                  `json:"name"`
	Kind       policy.TargetKind       `json:"kind"`
	Inventory  *Inventory              `json:"inventory,omitempty"`
	Packages   []Package               `json:"packages,omitempty"`
	Controls   []Control               `json:"controls"`
	Deviations []engine.DeviationState `json:"deviations"`
	Probes     []engine.ProbeRun       `json:"probes"`
}

// Inventory says what part of a repository was examined.
type Inventory struct {
	Files      int                 `json:"files"`
	Source     string              `json:"source"`
	Exclusions []fileset.Exclusion `json:"exclusions"`
	Skipped    []fileset.Skip      `json:"skipped"`
	Notes      []fileset.Skip      `json:"notes"`
}

// Control is one control's status on a target.
type Control struct {
	ID           string            `json:"id"`
	Title        string            `json:"title"`
	Section      string            `json:"section"`
	SectionTitle string            `json:"section_title"`
	Severity     policy.Severity   `json:"severity"`
	Status       finding.Status    `json:"status"`
	Reason       string            `json:"reason"`
	Findings     []finding.Finding `json:"findings"`
}

// Build turns an engine result into the report document.
func Build(res *engine.Result, meta Meta, failOn policy.Severity) *Document {
	p := res.Pack
	d := &Document{
		Schema:      SchemaVersion,
		Tool:        Tool{Name: "posture", Version: meta.Version, Commit: meta.Commit},
		Policy:      Policy{Name: p.Metadata.Name, Title: p.Metadata.Title, Version: p.Metadata.Version, Origin: p.Origin, LastReviewed: p.Metadata.LastReviewed, Expires: p.Metadata.Expires, Expired: p.Expired(res.StartedAt)},
		StartedAt:   res.StartedAt.UTC(),
		FinishedAt:  res.FinishedAt.UTC(),
		Interrupted: res.Interrupted,
		Warnings:    nonNil(res.Warnings),
		Selection:   Selection{Only: nonNil(res.Only), Skip: nonNil(res.Skip)},
		Verdict:     Verdict{FailOn: failOn, Failing: res.Failing(failOn)},
		Summary:     Summary{Statuses: map[finding.Status]int{}, BySeverity: map[policy.Severity]int{}},
	}
	for _, s := range finding.Statuses {
		d.Summary.Statuses[s] = 0
	}
	for _, s := range p.Sections {
		d.Sections = append(d.Sections, SectionRef{ID: s.ID, Title: s.Title})
	}
	for _, tr := range res.Targets {
		t := Target{Name: tr.Name, Kind: tr.Kind, Deviations: nonNil(tr.Deviations), Probes: nonNil(tr.Probes)}
		if tr.Kind == policy.KindRepo {
			t.Inventory = &Inventory{Files: tr.FileCount, Source: tr.FileSource, Exclusions: nonNil(tr.Exclusions), Skipped: nonNil(tr.Skipped), Notes: nonNil(tr.Notes)}
		}
		for _, cr := range tr.Controls {
			c := Control{ID: cr.Control.ID, Title: cr.Control.Title, Section: cr.Control.Section, Severity: cr.Control.Severity,
				Status: cr.Status, Reason: cr.Reason, Findings: nonNil(cr.Findings)}
			if cr.Section != nil {
				c.SectionTitle = cr.Section.Title
			}
			d.Summary.Statuses[cr.Status]++
			for _, f := range cr.Findings {
				d.Summary.Findings++
				if f.Suppressed != nil {
					d.Summary.Silenced++
				} else {
					d.Summary.Open++
					d.Summary.BySeverity[f.Severity]++
				}
			}
			t.Controls = append(t.Controls, c)
		}
		d.Targets = append(d.Targets, t)
	}
	return d
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return slices.Clone(s)
}

// sectionTitle returns the title of a section ID.
func (d *Document) sectionTitle(id string) string {
	for _, s := range d.Sections {
		if s.ID == id {
			return s.Title
		}
	}
	return id
}

// countPaths says how many paths an exclusion removed, in words.
func countPaths(n int) string {
	if n == 1 {
		return "1 path"
	}
	return fmt.Sprintf("%d paths", n)
}
