// Package hygiene holds repository checks that need no heavy machinery: a security contact,
// dependency-update tooling, dependency scanning in CI, lockfiles, where dependencies come
// from, and code ownership.
package hygiene

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// SecurityContact checks that the repository tells people where to report a vulnerability
// (VM-5): a SECURITY file where the forges look for one, naming an address or a link.
type SecurityContact struct{}

func (SecurityContact) Name() string               { return "repo/security-contact" }
func (SecurityContact) Controls() []string         { return []string{"VM-5"} }
func (SecurityContact) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (SecurityContact) Description() string {
	return "a SECURITY.md (root, .github/ or docs/) that names a contact address or reporting link"
}

var securityFileNames = []string{"security.md", "security.markdown", "security.txt", "security.rst", "security"}

// securityDirs are where GitHub and GitLab look for a security policy.
var securityDirs = []string{".", ".github", "docs"}

var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	linkRE  = regexp.MustCompile(`https://[^\s<>()\]]+`)
)

func (p SecurityContact) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	var candidates []string
	for _, f := range t.Files.Named(securityFileNames...) {
		if containsDir(securityDirs, f.Dir()) {
			candidates = append(candidates, f.Path)
		}
	}
	if len(candidates) == 0 {
		if s, ok := skippedNamed(t, securityFileNames, securityDirs); ok {
			r.MarkUnknown("VM-5", fmt.Sprintf("%s could not be examined: %s", s.Path, s.Reason))
			return r, nil
		}
		r.Add(finding.Finding{
			Control: "VM-5", Rule: "repo/security-contact/missing",
			Message: "The repository has no SECURITY.md, so nobody knows where to report a vulnerability.",
			Fix:     "Add SECURITY.md naming the security team's address (and, if used, the forge's private reporting link).",
			Key:     "missing",
		})
		return r, nil
	}
	for _, p := range candidates {
		f, _ := t.Files.Lookup(p)
		data, err := t.Files.Read(f)
		if err != nil {
			r.MarkUnknown("VM-5", err.Error())
			continue
		}
		if emailRE.Match(data) || linkRE.Match(data) {
			return &probe.Result{}, nil // one file with a contact is enough
		}
	}
	if len(r.Unknown) > 0 {
		return r, nil
	}
	r.Add(finding.Finding{
		Control: "VM-5", Rule: "repo/security-contact/no-contact",
		Location: finding.Location{Path: candidates[0], Line: 1},
		Message:  fmt.Sprintf("%s exists but names no e-mail address or https link to report a vulnerability to.", path.Base(candidates[0])),
		Fix:      "Add the security team's e-mail address or a private reporting link to the file.",
		Key:      "no-contact",
	})
	return r, nil
}

func containsDir(dirs []string, d string) bool {
	for _, x := range dirs {
		if strings.EqualFold(x, d) {
			return true
		}
	}
	return false
}
