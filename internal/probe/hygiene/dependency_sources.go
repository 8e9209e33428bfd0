package hygiene

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/posture-dev/posture/internal/deps"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// DependencySources checks that dependencies are chosen deliberately (VM-1): each comes
// from its registry, where a published version cannot change, over an encrypted
// connection, and Python requirements pin the version they get.
type DependencySources struct{}

func (DependencySources) Name() string               { return "repo/dependency-sources" }
func (DependencySources) Controls() []string         { return []string{"VM-1"} }
func (DependencySources) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (DependencySources) Description() string {
	return "every locked package comes from its registry over HTTPS, and Python requirements are pinned with =="
}

func (p DependencySources) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	lockfiles, errs := probe.Lockfiles(t)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		// A parser may quote the line it stopped at, credentials and all.
		msg := finding.RedactURLsIn(err.Error())
		r.MarkUnknown("VM-1", msg)
	}
	if len(lockfiles) == 0 && len(errs) == 0 {
		r.MarkNotApplicable("VM-1", "no lockfile or requirements file that posture reads")
		return r, nil
	}
	for _, lf := range lockfiles {
		seen := map[string]bool{}
		for _, pkg := range lf.Packages {
			if pkg.Name == "" {
				continue
			}
			for _, f := range sourceFindings(lf, pkg) {
				id := f.Rule + "\x00" + f.Key
				if seen[id] {
					continue // one lockfile may install the same package in several places
				}
				seen[id] = true
				r.Add(f)
			}
		}
	}
	return r, nil
}

// sourceFindings judges where one package comes from.
func sourceFindings(lf deps.Lockfile, pkg deps.Package) []finding.Finding {
	var out []finding.Finding
	src := strings.TrimSpace(pkg.Source)
	where := fmt.Sprintf("%s:%d", pkg.Path, pkg.Line)
	if pkg.Line <= 0 {
		where = pkg.Path
	}
	loc := finding.Location{Path: pkg.Path, Line: pkg.Line}
	shown, hadCreds := finding.RedactURL(src)
	key := pkg.Ecosystem + "/" + pkg.Name + "/" + shown
	evidence := finding.Plain(shown)
	evidence.Redacted = hadCreds
	creds := ""
	if hadCreds {
		creds = " The URL carries credentials (redacted here); revoke them, since everyone who can read the repository has them."
	}
	if src != "" && !strings.HasPrefix(src, "path:") {
		if isGitSource(src, pkg.Commit) {
			pinned := ""
			if pkg.Commit != "" {
				pinned = fmt.Sprintf(" It is pinned to commit %s.", shortCommit(pkg.Commit))
			}
			out = append(out, finding.Finding{
				Control: "VM-1", Rule: "repo/dependency-sources/git", Severity: policy.Medium,
				Location: loc,
				Message: fmt.Sprintf("%s (%s) in %s is fetched from git (%s), bypassing the registry's immutability and review.%s%s",
					pkg.Name, pkg.Ecosystem, where, shown, pinned, creds),
				Evidence: evidence,
				Fix:      "Depend on a released version from the registry (or a private registry). If the fork is needed, publish it; otherwise pin a full commit hash and record the exception as a deviation.",
				Key:      key,
			})
		}
		if scheme := insecureScheme(src); scheme != "" {
			out = append(out, finding.Finding{
				Control: "VM-1", Rule: "repo/dependency-sources/insecure-url", Severity: policy.High,
				Location: loc,
				Message: fmt.Sprintf("%s (%s) in %s is downloaded over unencrypted %s (%s), so anyone on the network path can substitute its code.%s",
					pkg.Name, pkg.Ecosystem, where, scheme, shown, creds),
				Evidence: evidence,
				Fix:      "Fetch it from the registry, or at least over https:// (git+https:// for git), and regenerate the lockfile.",
				Key:      key,
			})
		}
	}
	// Only direct requirements: a constraints file (read by the same parser) installs
	// nothing itself, and its entries are not Direct.
	if src == "" && pkg.Version == "" && pkg.Direct && pkg.Ecosystem == "PyPI" && isRequirementsFile(lf, pkg.Path) {
		c := strings.TrimSpace(pkg.Constraint)
		what := fmt.Sprintf("only constrained to %q", c)
		if c == "" {
			what = "not constrained at all"
		}
		out = append(out, finding.Finding{
			Control: "VM-1", Rule: "repo/dependency-sources/unpinned", Severity: policy.Medium,
			Location: loc,
			Message: fmt.Sprintf("%s (%s) in %s is %s, so each install may resolve a different, unreviewed version.",
				pkg.Name, pkg.Ecosystem, where, what),
			Evidence: finding.Plain(pkg.Name + c),
			Fix:      "Pin with == and hashes: generate the file with `pip-compile --generate-hashes` (or `uv pip compile --generate-hashes`) from a requirements.in that keeps the ranges.",
			Key:      key,
		})
	}
	return out
}

// isRequirementsFile is true for pip requirements files (requirements.txt,
// dev-requirements.txt, requirements/base.txt), where a range is what pip installs from.
// Other PyPI formats are lockfiles, or manifests whose ranges a lockfile resolves.
func isRequirementsFile(lf deps.Lockfile, p string) bool {
	base := strings.ToLower(path.Base(p))
	if !strings.HasSuffix(base, ".txt") {
		return false
	}
	return lf.Format.Name == "requirements.txt" || strings.Contains(base, "requirements") ||
		path.Base(path.Dir(p)) == "requirements"
}

// vcsPrefixes mark a source as a git repository in the spellings package managers use.
var vcsPrefixes = []string{"git+", "git://", "git@", "ssh://", "github:", "gitlab:", "bitbucket:", "gist:"}

// gitHosts serve git repositories; a URL there (a repository, or an archive of a commit
// such as codeload.github.com's) is git by another name.
var gitHosts = map[string]bool{"github.com": true, "gitlab.com": true, "bitbucket.org": true, "codeload.github.com": true}

func isGitSource(src, commit string) bool {
	if commit != "" {
		return true
	}
	l := strings.ToLower(src)
	for _, p := range vcsPrefixes {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	u, _, _ := strings.Cut(l, "#")
	u, _, _ = strings.Cut(u, "?")
	if strings.HasSuffix(u, ".git") {
		return true
	}
	_, host, _, _ := finding.SplitURL(l)
	return gitHosts[host]
}

// insecureScheme returns "http" or "git://" for a source fetched without TLS, else "".
func insecureScheme(src string) string {
	scheme, _, ok := strings.Cut(strings.ToLower(src), "://")
	if !ok || strings.ContainsAny(scheme, "/@") {
		return ""
	}
	for _, vcs := range []string{"git+", "hg+", "svn+", "bzr+"} {
		scheme = strings.TrimPrefix(scheme, vcs)
	}
	switch scheme {
	case "http":
		return "HTTP"
	case "git":
		return "git:// protocol"
	}
	return ""
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}
