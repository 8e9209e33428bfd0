package engine

import (
	"time"

	"github.com/posture-dev/posture/internal/deviation"
	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
)

// Result is everything one scan established, ready for any report.
type Result struct {
	Pack        *policy.Pack
	StartedAt   time.Time
	FinishedAt  time.Time
	Interrupted bool
	// Warnings apply to the whole run (an expired policy pack, an interrupted scan).
	Warnings []string
	// Selection describes --only/--skip so reports can say what was left out.
	Only, Skip []string
	Targets    []*TargetResult
}

// TargetResult is the outcome for one target.
type TargetResult struct {
	Name     string
	Kind     policy.TargetKind
	Controls []*ControlResult
	// Inventory details for repository targets.
	FileCount  int
	FileSource string
	Exclusions []fileset.Exclusion
	Skipped    []fileset.Skip
	Notes      []fileset.Skip
	Deviations []DeviationState
	Probes     []ProbeRun
}

// ControlResult is one control's status on one target, with the findings behind it.
type ControlResult struct {
	Control  *policy.Control
	Section  *policy.Section
	Status   finding.Status
	Reason   string
	Findings []finding.Finding
}

// Open counts the findings that were not silenced.
func (c *ControlResult) Open() int {
	n := 0
	for _, f := range c.Findings {
		if f.Suppressed == nil {
			n++
		}
	}
	return n
}

// DeviationState is a deviation as found in the repository and what it did.
type DeviationState struct {
	deviation.Deviation
	InForce  bool     `json:"in_force"`
	Problems []string `json:"problems,omitempty"`
	Silenced int      `json:"silenced"`
}

// ProbeRun records how a probe fared on a target.
type ProbeRun struct {
	Probe    string        `json:"probe"`
	Duration time.Duration `json:"duration_ns"`
	Error    string        `json:"error,omitempty"`
}

// Failing reports whether any control failed with an open finding at or above min.
func (r *Result) Failing(min policy.Severity) bool {
	for _, t := range r.Targets {
		for _, c := range t.Controls {
			if c.Status != finding.Fail {
				continue
			}
			for _, f := range c.Findings {
				if f.Suppressed == nil && f.Severity.AtLeast(min) {
					return true
				}
			}
		}
	}
	return false
}

// ProbeErrors lists "target: probe: error" for every probe that failed outright.
func (r *Result) ProbeErrors() []string {
	var out []string
	for _, t := range r.Targets {
		for _, p := range t.Probes {
			if p.Error != "" {
				out = append(out, t.Name+": "+p.Probe+": "+p.Error)
			}
		}
	}
	return out
}

// Counts tallies control statuses over all targets.
func (r *Result) Counts() map[finding.Status]int {
	m := map[finding.Status]int{}
	for _, t := range r.Targets {
		for _, c := range t.Controls {
			m[c.Status]++
		}
	}
	return m
}
