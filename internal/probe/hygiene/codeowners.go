package hygiene

import (
	"context"
	"fmt"
	"strings"

	"github.com/posture-dev/posture/internal/codeowners"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// CodeOwners checks that the repository declares who reviews which code (CH-1) in a
// CODEOWNERS file that the forge can actually read.
type CodeOwners struct{}

func (CodeOwners) Name() string               { return "repo/codeowners" }
func (CodeOwners) Controls() []string         { return []string{"CH-1"} }
func (CodeOwners) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (CodeOwners) Description() string {
	return "a CODEOWNERS file exists where the forge reads it and every line parses"
}

func (p CodeOwners) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	var found []string
	for _, p := range codeowners.Paths {
		if _, ok := t.Files.Lookup(p); ok {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		if s, ok := skippedNamed(t, []string{"codeowners"}, []string{".", ".github", "docs", ".gitlab"}); ok {
			r.MarkUnknown("CH-1", fmt.Sprintf("%s could not be examined: %s", s.Path, s.Reason))
			return r, nil
		}
		r.Add(finding.Finding{
			Control: "CH-1", Rule: "repo/codeowners/missing",
			Message: "The repository has no CODEOWNERS file, so no reviewer is requested automatically for any change.",
			Fix:     "Add .github/CODEOWNERS assigning every path (at least `*`) to a team that reviews changes.",
			Key:     "missing",
		})
		return r, nil
	}
	for _, name := range found {
		f, _ := t.Files.Lookup(name)
		data, err := t.Files.Read(f)
		if err != nil {
			r.MarkUnknown("CH-1", err.Error())
			continue
		}
		for _, prob := range CheckCodeOwners(data, strings.HasPrefix(name, ".gitlab/")) {
			r.Add(finding.Finding{
				Control: "CH-1", Rule: "repo/codeowners/invalid",
				Location: finding.Location{Path: name, Line: prob.Line},
				Message:  prob.Message,
				Evidence: finding.Plain(prob.Text),
				Fix:      "Correct the line so that the forge can apply it; owners are @user, @org/team or an e-mail address.",
				Key:      prob.Message,
			})
		}
	}
	return r, nil
}

// CodeOwnersProblem is one line of a CODEOWNERS file the forge would reject or ignore.
type CodeOwnersProblem = codeowners.Problem

// CheckCodeOwners validates CODEOWNERS syntax. GitLab files may use sections.
func CheckCodeOwners(data []byte, gitlab bool) []CodeOwnersProblem {
	_, probs := codeowners.Parse(data, gitlab)
	return probs
}
