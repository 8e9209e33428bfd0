// Package probe defines the one small interface every check implements. A probe looks at a
// target, reports findings under the controls it speaks for, and says honestly when it
// could not decide (unknown) or had nothing to look at (not applicable).
package probe

import (
	"context"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/target"
)

// Probe is a plugin. Implementations are registered in internal/probe/registry.
type Probe interface {
	// Name is stable and unique, "family/check" (e.g. "repo/security-contact").
	Name() string
	// Controls lists the control IDs this probe reports under.
	Controls() []string
	// Kinds lists the target kinds the probe accepts.
	Kinds() []policy.TargetKind
	// Run examines the target. A returned error makes every control of the probe
	// "unknown" with the error as the reason; it never counts as a pass.
	Run(ctx context.Context, t *target.Target) (*Result, error)
}

// Describer is optionally implemented to say, in one line, what the probe checks; reports
// use it to explain what a "pass" is based on.
type Describer interface {
	Description() string
}

// Result is what one run of a probe produced.
type Result struct {
	Findings []finding.Finding
	// NotApplicable marks controls the probe had nothing to examine for, with the reason.
	NotApplicable map[string]string
	// Unknown marks controls the probe could not decide, with the reason.
	Unknown map[string]string
	// Evidence says, per control, what a pass rests on ("14 of 14 commits reviewed"), so a
	// report can show more than "checked". It is ignored when the control fails.
	Evidence map[string]string
	// Incomplete says why part of what the probe should examine could not be read at all
	// (git missing, corrupt history). It keeps the findings the probe did make, and makes
	// the scan's exit code say the scan was incomplete.
	Incomplete []string
	// Warnings apply to the whole run rather than one control (a stale vulnerability
	// database); reports show each distinct warning once.
	Warnings []string
}

// Add appends a finding.
func (r *Result) Add(f finding.Finding) { r.Findings = append(r.Findings, f) }

// MarkNotApplicable records that control had nothing to examine.
func (r *Result) MarkNotApplicable(control, reason string) {
	if r.NotApplicable == nil {
		r.NotApplicable = map[string]string{}
	}
	r.NotApplicable[control] = reason
}

// Attest records what a pass of control rests on.
func (r *Result) Attest(control, evidence string) {
	if r.Evidence == nil {
		r.Evidence = map[string]string{}
	}
	r.Evidence[control] = evidence
}

// MarkUnknown records that control could not be decided.
func (r *Result) MarkUnknown(control, reason string) {
	if r.Unknown == nil {
		r.Unknown = map[string]string{}
	}
	if prev, ok := r.Unknown[control]; ok && prev != reason {
		reason = prev + "; " + reason
	}
	r.Unknown[control] = reason
}
