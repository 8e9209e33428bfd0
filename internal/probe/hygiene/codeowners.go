package hygiene

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"

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

// codeownersPaths in the order GitHub searches them, then GitLab's extra location.
var codeownersPaths = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}

var (
	ownerUser  = regexp.MustCompile(`^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)
	ownerTeam  = regexp.MustCompile(`^@[A-Za-z0-9](?:[A-Za-z0-9-]*)/[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*$`)
	ownerEmail = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$`)
	// gitlabSection matches "[Name]", "^[Optional]", "[Name][2]" and "[Name] @owners".
	gitlabSection = regexp.MustCompile(`^\^?\[[^\]]+\](?:\[\d+\])?(?:\s+(.*))?$`)
)

func (p CodeOwners) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	var found []string
	for _, p := range codeownersPaths {
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
type CodeOwnersProblem struct {
	Line    int
	Text    string
	Message string
}

// CheckCodeOwners validates CODEOWNERS syntax. GitLab files may use sections.
func CheckCodeOwners(data []byte, gitlab bool) []CodeOwnersProblem {
	var out []CodeOwnersProblem
	rules := 0
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimSpace(strings.TrimSuffix(string(raw), "\r"))
		n := i + 1
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = stripComment(line)
		if m := gitlabSection.FindStringSubmatch(line); m != nil && (gitlab || strings.HasPrefix(line, "[") || strings.HasPrefix(line, "^[")) {
			if !gitlab {
				out = append(out, CodeOwnersProblem{n, line, fmt.Sprintf("line %d is a GitLab section header, which GitHub does not understand", n)})
				continue
			}
			for _, o := range strings.Fields(m[1]) {
				if !validOwner(o) {
					out = append(out, CodeOwnersProblem{n, line, fmt.Sprintf("line %d: %q is not a valid owner", n, o)})
				}
			}
			continue
		}
		fields := splitUnescaped(line)
		pattern, owners := fields[0], fields[1:]
		switch {
		case strings.HasPrefix(pattern, "!"):
			out = append(out, CodeOwnersProblem{n, line, fmt.Sprintf("line %d: negated pattern %q is not supported and the line is ignored", n, pattern)})
			continue
		case !gitlab && strings.ContainsAny(pattern, "[]"):
			out = append(out, CodeOwnersProblem{n, line, fmt.Sprintf("line %d: character ranges in %q are not supported and the line is ignored", n, pattern)})
			continue
		}
		for _, o := range owners {
			if !validOwner(o) {
				out = append(out, CodeOwnersProblem{n, line, fmt.Sprintf("line %d: %q is not a valid owner (want @user, @org/team or an e-mail address)", n, o)})
			}
		}
		if len(owners) > 0 {
			rules++
		}
	}
	if rules == 0 && len(out) == 0 {
		out = append(out, CodeOwnersProblem{0, "", "CODEOWNERS assigns no owner to any path"})
	}
	return out
}

func validOwner(o string) bool {
	return ownerUser.MatchString(o) || ownerTeam.MatchString(o) || ownerEmail.MatchString(o)
}

// stripComment removes a trailing " # comment"; "\#" is an escaped hash in a pattern.
func stripComment(line string) string {
	for i := 1; i < len(line); i++ {
		if line[i] == '#' && line[i-1] != '\\' && (line[i-1] == ' ' || line[i-1] == '\t') {
			return strings.TrimSpace(line[:i])
		}
	}
	return line
}

// splitUnescaped splits on whitespace not preceded by a backslash.
func splitUnescaped(line string) []string {
	var out []string
	var cur strings.Builder
	esc := false
	for _, r := range line {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case r == '\\':
			cur.WriteRune(r)
			esc = true
		case r == ' ' || r == '\t':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
