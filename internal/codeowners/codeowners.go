// Package codeowners reads CODEOWNERS files the way GitHub, GitLab and Gitea apply
// them: which lines a forge would reject or ignore, and who owns a given path. One
// parser serves both the validity check (repo/codeowners) and the coverage check
// (repo/codeowners-coverage), so the two cannot disagree about what a line means.
package codeowners

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Paths are where forges look for the file, in GitHub's search order, then GitLab's
// extra location. A forge uses the first one it finds.
var Paths = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}

// Problem is one line of a CODEOWNERS file the forge would reject or ignore.
type Problem struct {
	Line    int
	Text    string
	Message string
}

// Rule is one pattern line the forge applies.
type Rule struct {
	Line    int
	Pattern string
	// Owners is empty for a pattern listed without owners, which makes matching paths
	// explicitly unowned (unless a GitLab section supplies default owners).
	Owners []string
	// Section is the GitLab section the rule is in ("" outside any section).
	Section string
	match   *regexp.Regexp
}

// File is a parsed CODEOWNERS file.
type File struct {
	Rules  []Rule
	GitLab bool
	// sectionOwners are each GitLab section's default owners.
	sectionOwners map[string][]string
}

var (
	ownerUser  = regexp.MustCompile(`^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)
	ownerTeam  = regexp.MustCompile(`^@[A-Za-z0-9](?:[A-Za-z0-9-]*)/[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*$`)
	ownerEmail = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$`)
	// gitlabSection matches "[Name]", "^[Optional]", "[Name][2]" and "[Name] @owners".
	gitlabSection = regexp.MustCompile(`^\^?\[([^\]]+)\](?:\[\d+\])?(?:\s+(.*))?$`)
)

// Parse reads a CODEOWNERS file. GitLab files may use sections. Problems lists the
// lines the forge would reject or ignore; those lines are not in Rules.
func Parse(data []byte, gitlab bool) (*File, []Problem) {
	f := &File{GitLab: gitlab, sectionOwners: map[string][]string{}}
	var out []Problem
	rules := 0
	section := ""
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimSpace(strings.TrimSuffix(string(raw), "\r"))
		n := i + 1
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = stripComment(line)
		if m := gitlabSection.FindStringSubmatch(line); m != nil && (gitlab || strings.HasPrefix(line, "[") || strings.HasPrefix(line, "^[")) {
			if !gitlab {
				out = append(out, Problem{n, line, fmt.Sprintf("line %d is a GitLab section header, which GitHub does not understand", n)})
				continue
			}
			section = strings.ToLower(m[1]) // GitLab merges sections whose names differ only in case
			for _, o := range strings.Fields(m[2]) {
				if !validOwner(o) {
					out = append(out, Problem{n, line, fmt.Sprintf("line %d: %q is not a valid owner", n, o)})
					continue
				}
				f.sectionOwners[section] = append(f.sectionOwners[section], o)
			}
			continue
		}
		fields := splitUnescaped(line)
		pattern, owners := fields[0], fields[1:]
		switch {
		case strings.HasPrefix(pattern, "!"):
			out = append(out, Problem{n, line, fmt.Sprintf("line %d: negated pattern %q is not supported and the line is ignored", n, pattern)})
			continue
		case !gitlab && strings.ContainsAny(pattern, "[]"):
			out = append(out, Problem{n, line, fmt.Sprintf("line %d: character ranges in %q are not supported and the line is ignored", n, pattern)})
			continue
		}
		bad := false
		for _, o := range owners {
			if !validOwner(o) {
				out = append(out, Problem{n, line, fmt.Sprintf("line %d: %q is not a valid owner (want @user, @org/team or an e-mail address)", n, o)})
				bad = true
			}
		}
		if len(owners) > 0 {
			rules++
		}
		if bad {
			// GitHub skips a line with invalid syntax, so it owns nothing.
			continue
		}
		re, err := compilePattern(pattern)
		if err != nil {
			out = append(out, Problem{n, line, fmt.Sprintf("line %d: pattern %q cannot be applied: %v", n, pattern, err)})
			continue
		}
		f.Rules = append(f.Rules, Rule{Line: n, Pattern: pattern, Owners: owners, Section: section, match: re})
	}
	if rules == 0 && len(out) == 0 {
		out = append(out, Problem{0, "", "CODEOWNERS assigns no owner to any path"})
	}
	return f, out
}

// Owners returns who owns a slash-separated path relative to the repository root.
// Within a file (or a GitLab section) the last matching rule wins; a GitLab path is
// owned if any section gives it owners, a rule without owners taking its section's
// default owners.
func (f *File) Owners(path string) []string {
	last := map[string]*Rule{}
	var order []string
	for i := range f.Rules {
		r := &f.Rules[i]
		if !r.match.MatchString(path) {
			continue
		}
		if _, seen := last[r.Section]; !seen {
			order = append(order, r.Section)
		}
		last[r.Section] = r
	}
	var owners []string
	for _, s := range order {
		r := last[s]
		if len(r.Owners) > 0 {
			owners = append(owners, r.Owners...)
		} else if f.GitLab {
			owners = append(owners, f.sectionOwners[s]...)
		}
	}
	return owners
}

// compilePattern turns a gitignore-style CODEOWNERS pattern into a regular expression
// over file paths. As in .gitignore: a pattern with a slash before its end is anchored
// at the root, otherwise it matches at any depth; a pattern matching a directory owns
// everything under it; a trailing slash matches directories only; "*" and "?" stop at
// slashes and "**" crosses them. As GitHub documents, a final "/*" owns only the files
// directly in that directory, not deeper ones.
func compilePattern(p string) (*regexp.Regexp, error) {
	dirOnly := strings.HasSuffix(p, "/") && len(p) > 1
	p = strings.TrimSuffix(p, "/")
	anchored := strings.Contains(p, "/")
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil, fmt.Errorf("empty pattern")
	}
	shallow := p == "*" && anchored || strings.HasSuffix(p, "/*")
	var b strings.Builder
	b.WriteString("^")
	if !anchored {
		b.WriteString("(?:.*/)?")
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			i++
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		case c == '*' && i+1 < len(p) && p[i+1] == '*':
			i++
			switch {
			case i+1 < len(p) && p[i+1] == '/':
				// "**/" matches zero or more whole directories.
				i++
				b.WriteString("(?:.*/)?")
			default:
				b.WriteString(".*")
			}
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			// GitLab applies ranges (GitHub ignores the line before this point).
			end := strings.IndexByte(p[i+1:], ']')
			if end < 0 {
				b.WriteString(regexp.QuoteMeta("["))
				continue
			}
			class := p[i+1 : i+1+end]
			i += end + 1
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			if class == "" || class == "^" {
				return nil, fmt.Errorf("empty character range")
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
		default:
			// Byte by byte: a multi-byte character is copied through unchanged.
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	switch {
	case shallow:
		b.WriteString("$")
	case dirOnly:
		b.WriteString("/.+$")
	default:
		b.WriteString("(?:/.+)?$")
	}
	return regexp.Compile(b.String())
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
