package changecontrol

import (
	"regexp"
	"strings"

	"github.com/posture-dev/posture/internal/githistory"
)

// Kind is how a commit reached the branch, as far as its history tells.
type Kind int

const (
	// Direct is a commit with no sign of review: pushed straight to the branch.
	Direct Kind = iota
	// Merge is a merge commit: a branch merged through the forge (or by hand, which
	// history cannot tell apart).
	Merge
	// PullRequest is a squash or rebase merge whose message names the pull or merge
	// request it came from.
	PullRequest
	// Trailer is a commit carrying a Reviewed-by, Approved-by or Reviewed-on trailer.
	Trailer
	// Initial is the repository's first commit.
	Initial
	// Boundary is a commit whose parents a shallow clone left out: what it is cannot
	// be told.
	Boundary
)

func (k Kind) String() string {
	return [...]string{"direct push", "merge commit", "pull request reference", "review trailer", "initial commit", "shallow boundary"}[k]
}

var (
	// prSubject matches the subjects forges write for merged or squashed requests:
	// GitHub/Gitea squash "Title (#123)", GitHub merge "Merge pull request #123 from …",
	// Bitbucket "Merged in branch (pull request #12)", Azure DevOps "Merged PR 123: …".
	prSubject = regexp.MustCompile(`\(#\d+\)|^Merge pull request #\d+|^Merged in \S.*\(pull request #\d+\)|^Merged PR \d+:`)
	// gitlabMR matches the line GitLab adds to merge and squash commit messages.
	gitlabMR = regexp.MustCompile(`(?m)^See merge request \S*!\d+\s*$`)
	// trailerLine is "Key: value" as git interpret-trailers reads it.
	trailerLine = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(\S.*)$`)
	// syncMerge matches the merges `git pull` makes when local and remote work
	// diverged: the branch merged into itself, which is a direct push with extra steps.
	syncMerge = regexp.MustCompile(`^Merge (?:branch '([^']+)' of \S+|remote-tracking branch '(?:[^'/]+/)?([^']+)')(?: into (\S+))?$`)
)

// reviewTrailers are the trailer keys that record a review (lower case).
var reviewTrailers = map[string]bool{"reviewed-by": true, "approved-by": true, "reviewed-on": true}

// Classify says how a commit of branch's first-parent history reached it, and why.
func Classify(c githistory.BranchCommit, branch string) (Kind, string) {
	subject := c.Subject()
	switch {
	case len(c.Parents) == 0 && c.Boundary:
		return Boundary, "its parents are not in this shallow clone"
	case len(c.Parents) == 0:
		return Initial, "the first commit of the repository"
	case len(c.Parents) > 1:
		if m := syncMerge.FindStringSubmatch(subject); m != nil && (m[1] == branch || m[2] == branch) {
			return Direct, "a merge of " + branch + " into itself, as git pull makes"
		}
		return Merge, "a merge commit"
	}
	if m := prSubject.FindString(subject); m != "" {
		return PullRequest, "subject names a pull request: " + m
	}
	if m := gitlabMR.FindString(c.Message); m != "" {
		return PullRequest, "message names a merge request: " + strings.TrimSpace(m)
	}
	if key, who, ok := reviewTrailer(c); ok {
		return Trailer, key + ": " + who
	}
	return Direct, "no merge, pull request reference or review trailer"
}

// reviewTrailer finds a review trailer in the message's last paragraph (where git
// keeps trailers) naming someone other than the author; a review by oneself is none.
func reviewTrailer(c githistory.BranchCommit) (key, value string, ok bool) {
	paras := paragraphs(c.Message)
	if len(paras) < 2 {
		return "", "", false // a subject alone has no trailers
	}
	for _, line := range strings.Split(paras[len(paras)-1], "\n") {
		m := trailerLine.FindStringSubmatch(strings.TrimRight(line, " \t\r"))
		if m == nil || !reviewTrailers[strings.ToLower(m[1])] {
			continue
		}
		if strings.EqualFold(m[1], "reviewed-on") || !samePerson(m[2], c.Author, c.Email) {
			return m[1], strings.TrimSpace(m[2]), true
		}
	}
	return "", "", false
}

// paragraphs splits a message on blank lines, dropping empty ones.
func paragraphs(msg string) []string {
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	for _, l := range strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		cur = append(cur, l)
	}
	flush()
	return out
}

// samePerson reports whether a trailer value ("Name <email>") names the author.
func samePerson(value, name, email string) bool {
	value = strings.TrimSpace(value)
	if i := strings.IndexByte(value, '<'); i >= 0 {
		if j := strings.IndexByte(value[i:], '>'); j > 0 {
			addr := strings.TrimSpace(value[i+1 : i+j])
			if addr != "" && strings.EqualFold(addr, email) {
				return true
			}
			value = strings.TrimSpace(value[:i])
		}
	}
	return value != "" && strings.EqualFold(value, strings.TrimSpace(name))
}

// globMatch matches s against a pattern where "*" is any run of characters and "?"
// one character; there are no character classes, so "dependabot[bot]" is literal.
// Case is ignored: e-mail addresses and bot names are not case-sensitive in practice.
func globMatch(pattern, s string) bool {
	p, t := []rune(strings.ToLower(pattern)), []rune(strings.ToLower(s))
	// Iterative wildcard matching with one backtrack point: linear in practice and
	// never exponential, whatever the pattern.
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
