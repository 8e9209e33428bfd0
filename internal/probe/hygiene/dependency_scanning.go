package hygiene

import (
	"context"
	"fmt"
	"strings"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// DependencyScanning checks that CI runs a scanner for vulnerable dependencies (VM-2):
// update tooling proposes fixes, but only a scan in CI stops a change that adds a
// vulnerable package, and keeps checking packages nobody updates.
type DependencyScanning struct{}

func (DependencyScanning) Name() string               { return "repo/dependency-scanning" }
func (DependencyScanning) Controls() []string         { return []string{"VM-2"} }
func (DependencyScanning) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (DependencyScanning) Description() string {
	return "a CI job that can run (GitHub Actions, GitLab CI, Bitbucket, CircleCI, Azure, Jenkins, .ci/ scripts) scans dependencies for known vulnerabilities"
}

// notPackageEcosystems are ecosystems the update tooling watches that are not packages a
// dependency scanner reads: a repository whose only "dependencies" are workflow actions
// or base images is not asked for a package scan.
var notPackageEcosystems = map[string]bool{"github-actions": true, "docker": true}

func (p DependencyScanning) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	present := presentEcosystems(t.Files.Files())
	for e := range notPackageEcosystems {
		delete(present, e)
	}
	if len(present) == 0 {
		r.MarkNotApplicable("VM-2", "no dependency manifests found")
		return r, nil
	}
	scan := scanCI(ctx, inventoryFiles(t.Files))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var inactive []string
	for _, s := range scan.steps {
		if s.Active {
			// One scanner that runs is enough: the control asks that scanning runs, and a
			// CI file that does not parse cannot take that away.
			return r, nil
		}
		inactive = append(inactive, fmt.Sprintf("%s never runs: %s", s, s.Why))
	}
	for _, sk := range t.Files.Skipped() {
		if ciKind(sk.Path) != "" {
			scan.problems = append(scan.problems, sk.Path+": "+sk.Reason)
		}
	}
	if len(scan.problems) > 0 {
		r.MarkUnknown("VM-2", "no dependency scanning step in the CI definitions that could be read, and these could not: "+strings.Join(scan.problems, "; "))
		return r, nil
	}
	var msg strings.Builder
	if len(scan.defs) == 0 {
		fmt.Fprintf(&msg, "No CI definition was found, so nothing scans the dependencies of %s for known vulnerabilities.", listEcosystems(present))
	} else {
		fmt.Fprintf(&msg, "No CI job scans the dependencies of %s for known vulnerabilities (read %s).", listEcosystems(present), listFiles(scan.defs))
	}
	if len(inactive) > 0 {
		fmt.Fprintf(&msg, " Disabled: %s.", strings.Join(inactive, "; "))
	}
	if len(scan.outside) > 0 {
		fmt.Fprintf(&msg, " Not read, being outside the repository: %s; if that scans dependencies, record it as a deviation.", listFiles(scan.outside))
	}
	r.Add(finding.Finding{
		Control: "VM-2", Rule: "repo/dependency-scanning/missing",
		Message: msg.String(),
		Fix:     "Add a CI step that fails on vulnerable dependencies, e.g. osv-scanner, trivy fs, actions/dependency-review-action, or the ecosystem's audit command (npm audit, composer audit, pip-audit, govulncheck, cargo audit).",
		Key:     "missing",
	})
	return r, nil
}

func inventoryFiles(fs *fileset.Set) ciFiles {
	all := fs.Files()
	paths := make([]string, 0, len(all))
	for _, f := range all {
		paths = append(paths, f.Path)
	}
	return ciFiles{paths: paths, read: func(p string) ([]byte, error) {
		f, ok := fs.Lookup(p)
		if !ok {
			return nil, fmt.Errorf("%s: not in the inventory", p)
		}
		return fs.Read(f)
	}}
}

// listFiles names a few files and counts the rest, so a monorepo's message stays short.
func listFiles(files []string) string {
	const show = 5
	if len(files) <= show {
		return strings.Join(files, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(files[:show], ", "), len(files)-show)
}
