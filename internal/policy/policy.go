// Package policy holds the control catalogue: the policy pack types, the embedded default
// pack, loading and extending packs, and linting them.
package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Severity orders how much a broken control matters.
type Severity string

const (
	Info     Severity = "info"
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

var severityRank = map[Severity]int{Info: 0, Low: 1, Medium: 2, High: 3, Critical: 4}

// ParseSeverity accepts the five severity names in any case.
func ParseSeverity(s string) (Severity, error) {
	v := Severity(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := severityRank[v]; !ok {
		return "", fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", s)
	}
	return v, nil
}

// Rank is the severity's position, info lowest.
func (s Severity) Rank() int { return severityRank[s] }

// AtLeast reports whether s is as severe as min or more.
func (s Severity) AtLeast(min Severity) bool { return s.Rank() >= min.Rank() }

// Verification says how a control is proven: by a probe, by a record, or both.
type Verification string

const (
	Auto   Verification = "auto"
	Record Verification = "record"
)

// TargetKind names what a control is checked against.
type TargetKind string

const (
	KindRepo     TargetKind = "repo"
	KindEndpoint TargetKind = "endpoint"
	KindHost     TargetKind = "host"
	KindOrg      TargetKind = "org"
)

var knownKinds = []TargetKind{KindRepo, KindEndpoint, KindHost, KindOrg}

// Section is a heading of the policy document.
type Section struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
}

// Control is one checkable clause of the policy.
type Control struct {
	ID            string         `yaml:"id" json:"id"`
	Section       string         `yaml:"section" json:"section"`
	Title         string         `yaml:"title" json:"title"`
	Description   string         `yaml:"description,omitempty" json:"description,omitempty"`
	Severity      Severity       `yaml:"severity" json:"severity"`
	Verification  []Verification `yaml:"verification" json:"verification"`
	Targets       []TargetKind   `yaml:"targets" json:"targets"`
	NotApplicable string         `yaml:"not_applicable,omitempty" json:"not_applicable,omitempty"`
	// SeverityOverridden is set when a pack extension changed the severity; probes'
	// own severities then yield to it.
	SeverityOverridden bool `yaml:"-" json:"-"`
}

// AppliesTo reports whether the control is checked on targets of kind k.
func (c *Control) AppliesTo(k TargetKind) bool { return slices.Contains(c.Targets, k) }

// Automated reports whether a probe can decide the control.
func (c *Control) Automated() bool { return slices.Contains(c.Verification, Auto) }

// Metadata describes the pack and its review cycle (control PR-1).
type Metadata struct {
	Name         string `yaml:"name" json:"name"`
	Title        string `yaml:"title,omitempty" json:"title,omitempty"`
	Version      string `yaml:"version" json:"version"`
	Source       string `yaml:"source,omitempty" json:"source,omitempty"`
	LastReviewed Date   `yaml:"last_reviewed" json:"last_reviewed"`
	Expires      Date   `yaml:"expires" json:"expires"`
}

// Pack is a complete, resolved policy pack.
type Pack struct {
	APIVersion string    `yaml:"apiVersion" json:"apiVersion"`
	Kind       string    `yaml:"kind" json:"kind"`
	Metadata   Metadata  `yaml:"metadata" json:"metadata"`
	Sections   []Section `yaml:"sections" json:"sections"`
	Controls   []Control `yaml:"controls" json:"controls"`
	// Origin says where the pack came from, for messages ("embedded default", a path).
	Origin string `yaml:"-" json:"-"`
}

// Control returns the control with the given ID, or nil.
func (p *Pack) Control(id string) *Control {
	for i := range p.Controls {
		if p.Controls[i].ID == id {
			return &p.Controls[i]
		}
	}
	return nil
}

// Section returns the section with the given ID, or nil.
func (p *Pack) Section(id string) *Section {
	for i := range p.Sections {
		if p.Sections[i].ID == id {
			return &p.Sections[i]
		}
	}
	return nil
}

// Expired reports whether the pack's review period ended before now.
func (p *Pack) Expired(now time.Time) bool { return p.Metadata.Expires.EndsBefore(now) }

// ExpiryWarning is the message every run prints once the pack is past its expiry, or "".
func (p *Pack) ExpiryWarning(now time.Time) string {
	if !p.Expired(now) {
		return ""
	}
	days := int(now.Sub(p.Metadata.Expires.Time).Hours() / 24)
	return fmt.Sprintf("PR-1: policy pack %q (version %s) expired on %s, %d days ago; last reviewed %s. Review the policy and update the pack.",
		p.Metadata.Name, p.Metadata.Version, p.Metadata.Expires, days, p.Metadata.LastReviewed)
}
