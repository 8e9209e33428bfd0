package changecontrol

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/codeowners"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// CodeOwnersCoverage checks that CODEOWNERS gives every file an owner (CH-1): a file
// without one gets no reviewer requested automatically.
type CodeOwnersCoverage struct{}

func (CodeOwnersCoverage) Name() string               { return "repo/codeowners-coverage" }
func (CodeOwnersCoverage) Controls() []string         { return []string{"CH-1"} }
func (CodeOwnersCoverage) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (CodeOwnersCoverage) Description() string {
	return "every file in scope has an owner under the CODEOWNERS rules the forge applies"
}

// maxDirs bounds the uncovered directories a finding names.
const maxDirs = 10

func (CodeOwnersCoverage) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	var path string
	for _, p := range codeowners.Paths {
		if _, ok := t.Files.Lookup(p); ok {
			path = p // forges use the first file they find, in this order
			break
		}
	}
	if path == "" {
		r.MarkNotApplicable("CH-1", "no CODEOWNERS file, so there is no ownership to measure (repo/codeowners reports the missing file)")
		return r, nil
	}
	f, _ := t.Files.Lookup(path)
	data, err := t.Files.Read(f)
	if err != nil {
		r.MarkUnknown("CH-1", fmt.Sprintf("%s could not be read: %v", path, err))
		return r, nil
	}
	rules, _ := codeowners.Parse(data, strings.HasPrefix(path, ".gitlab/"))
	total, uncovered := 0, 0
	byDir := map[string]int{}
	for _, file := range t.Files.Files() {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		total++
		if len(rules.Owners(file.Path)) > 0 {
			continue
		}
		uncovered++
		top := "."
		if i := strings.IndexByte(file.Path, '/'); i >= 0 {
			top = file.Path[:i] + "/"
		}
		byDir[top]++
	}
	if total == 0 {
		r.MarkNotApplicable("CH-1", "no files in scope to own")
		return r, nil
	}
	if uncovered == 0 {
		r.Attest("CH-1", fmt.Sprintf("all %d files in scope have an owner in %s", total, path))
		return r, nil
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	// Largest gaps first, so the list leads with what matters most.
	sort.Slice(dirs, func(i, j int) bool {
		if byDir[dirs[i]] != byDir[dirs[j]] {
			return byDir[dirs[i]] > byDir[dirs[j]]
		}
		return dirs[i] < dirs[j]
	})
	var parts []string
	for i, d := range dirs {
		if i == maxDirs {
			parts = append(parts, fmt.Sprintf("and %d more directories", len(dirs)-maxDirs))
			break
		}
		label := d
		if d == "." {
			label = "files at the top level"
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", label, byDir[d]))
	}
	// Partial ownership is a gap in review routing, not an absence of review: low
	// while most files are owned, the control's own severity once most are not.
	sev := policy.Low
	if uncovered*2 > total {
		sev = ""
	}
	r.Add(finding.Finding{
		Control: "CH-1", Rule: "repo/codeowners-coverage/unowned", Severity: sev,
		Location: finding.Location{Path: path},
		Message: fmt.Sprintf("%d of %d files (%s) have no owner under %s, so no reviewer is requested for changes to them: %s.",
			uncovered, total, percent(uncovered, total), path, strings.Join(parts, ", ")),
		Fix: "Add CODEOWNERS rules for these paths (a catch-all `*` line first gives every file a default owner; later lines override it).",
		Key: "unowned",
	})
	return r, nil
}
