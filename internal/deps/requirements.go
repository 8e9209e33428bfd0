package deps

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// isRequirementsFile matches pip requirements files by the names projects give them:
// requirements.txt, requirements-dev.txt, dev-requirements.txt, test_requirements.txt…,
// and constraints.txt.
func isRequirementsFile(base string) bool {
	ok, _ := path.Match("*requirements*.txt", base)
	return ok || base == "constraints.txt"
}

// ParseRequirements reads a pip requirements or constraints file.
//
// Everything a requirements file names is installed because the project asked for it, so
// every requirement is Direct; the exception is a file compiled by pip-compile or uv
// (it lists the whole resolved tree and says for each line "# via" what pulled it in),
// where a package is Direct only when it came from an input file ("-r requirements.in",
// "pkg (pyproject.toml)"). Constraints files only pin versions of packages something
// else requires, so their entries are never Direct.
//
// Requirements files have no notion of development dependencies. By convention projects
// keep them in a separate file, so every package of a file whose name contains "dev" or
// "test" (requirements-dev.txt, test-requirements.txt) is Dev. This is a heuristic on the
// file name, not something pip knows about.
//
// Options (-i, --index-url, --hash, …) are ignored; -r and -c name other files, which
// are read on their own when they are requirements files themselves.
func ParseRequirements(lockPath string, data []byte) ([]Package, error) {
	base := strings.ToLower(path.Base(lockPath))
	constraints := strings.Contains(base, "constraints")
	dev := strings.Contains(base, "dev") || strings.Contains(base, "test")
	var out []Package
	var probs problems
	compiled := false
	var via [][]string // per package in out: what pip-compile says pulled it in
	inVia := false     // reading the lines of a multi-line "# via" block
	for _, l := range requirementLines(data) {
		text, comment := splitRequirementComment(l.text)
		if text = strings.TrimSpace(text); text != "" {
			inVia = false
			p, ok, err := parseRequirementLine(text)
			switch {
			case err != nil:
				probs.add(errAt(lockPath, l.line, "%v", err))
			case ok:
				p.Ecosystem, p.Path, p.Line = "PyPI", lockPath, l.line
				p.Direct, p.Dev = !constraints, dev
				out = append(out, p)
				via = append(via, nil)
			}
		}
		// pip-compile writes "# via a" after a requirement (or on its line), or "# via"
		// followed by one "#   a" line per origin.
		c := strings.TrimSpace(comment)
		switch {
		case c == "via":
			compiled, inVia = true, true
		case strings.HasPrefix(c, "via "):
			compiled, inVia = true, false
			c = strings.TrimSpace(c[4:])
		case inVia && c != "" && text == "" && strings.HasPrefix(comment, "  "):
		default:
			inVia = false
			continue
		}
		if c != "via" && len(via) > 0 {
			via[len(via)-1] = append(via[len(via)-1], c)
		}
	}
	if compiled && !constraints {
		for i := range out {
			out[i].Direct = len(via[i]) == 0 || fromInputFile(via[i])
		}
	}
	return out, probs.first
}

// fromInputFile reports whether pip-compile's "# via" list names an input file rather
// than only other packages.
func fromInputFile(via []string) bool {
	for _, v := range via {
		if strings.HasPrefix(v, "-r ") || strings.HasSuffix(v, ")") && strings.Contains(v, " (") {
			return true
		}
	}
	return false
}

type requirementLine struct {
	line int // where the logical line starts
	text string
}

// requirementLines splits a requirements file into logical lines: a line ending in a
// backslash continues on the next, except when it holds a comment (pip's rule, so a
// commented-out continuation does not swallow the following requirement).
func requirementLines(data []byte) []requirementLine {
	var out []requirementLine
	var cur strings.Builder
	start := 0
	continued := false
	for n, raw := range bytes.Split(data, []byte("\n")) {
		s := strings.TrimSuffix(string(raw), "\r")
		if !continued {
			start = n + 1
		}
		if strings.HasSuffix(s, "\\") {
			if _, comment := splitRequirementComment(s); comment == "" {
				cur.WriteString(strings.TrimSuffix(s, "\\"))
				continued = true
				continue
			}
		}
		cur.WriteString(s)
		out = append(out, requirementLine{line: start, text: cur.String()})
		cur.Reset()
		continued = false
	}
	if continued {
		out = append(out, requirementLine{line: start, text: cur.String()})
	}
	return out
}

// splitRequirementComment splits off a comment: '#' at the start of the line or after
// whitespace. A '#' inside a word is part of it (a URL's #egg= fragment).
func splitRequirementComment(s string) (text, comment string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t') {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// parseRequirementLine reads one logical line without its comment. ok is false for
// lines that name no package: options, other files, and unnamed local paths (usually the
// project itself, "-e .").
func parseRequirementLine(s string) (p Package, ok bool, err error) {
	if strings.HasPrefix(s, "-") {
		opt, arg := s, ""
		if i := strings.IndexAny(s, " \t="); i >= 0 {
			opt, arg = s[:i], strings.TrimSpace(strings.TrimLeft(s[i:], " \t="))
		}
		if opt != "-e" && opt != "--editable" {
			return p, false, nil
		}
		if arg == "" {
			return p, false, fmt.Errorf("%s without a path or URL", opt)
		}
		s = arg
	}
	s = cutRequirementOptions(s)
	if isURLRequirement(s) {
		return urlRequirement(s)
	}
	r, err := parsePyRequirement(s)
	if err != nil {
		return p, false, fmt.Errorf("malformed requirement %q: %v", s, err)
	}
	p.Name = pyName(r.name)
	if r.url != "" {
		p.Source, p.Commit = pyURLSource(r.url)
		return p, true, nil
	}
	if v, pinned := pyPinned(r.spec); pinned {
		p.Version = v
	} else {
		p.Constraint = r.spec
	}
	return p, true, nil
}

// cutRequirementOptions drops per-requirement options (--hash=…, --config-settings …):
// they start at the first whitespace-preceded '-' outside a quoted marker string.
func cutRequirementOptions(s string) string {
	var quote byte
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '-' && (s[i-1] == ' ' || s[i-1] == '\t'):
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}

// isURLRequirement tells a requirement given as a URL or a local path (pip accepts both
// without a name) from a PEP 508 one.
func isURLRequirement(s string) bool {
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~") {
		return true
	}
	scheme, _, ok := strings.Cut(s, "://")
	return ok && !strings.ContainsAny(scheme, " \t;@[(<>=!~")
}

// urlRequirement reads a requirement given as a URL or path. The name comes from the
// #egg= fragment or, for a wheel, from its file name; without either it is unknown and
// the line is skipped.
func urlRequirement(s string) (p Package, ok bool, err error) {
	s, frag, _ := strings.Cut(s, "#")
	for _, kv := range strings.Split(frag, "&") {
		if egg, found := strings.CutPrefix(kv, "egg="); found {
			r, err := parsePyRequirement(egg)
			if err != nil {
				return p, false, fmt.Errorf("malformed egg name %q: %v", egg, err)
			}
			p.Name = pyName(r.name)
		}
	}
	if name, version, found := wheelNameVersion(path.Base(s)); found && p.Name == "" {
		p.Name, p.Version = pyName(name), version
	}
	if p.Name == "" {
		return p, false, nil
	}
	p.Source, p.Commit = pyURLSource(s)
	return p, true, nil
}

// wheelNameVersion reads a wheel's file name, name-version[-build]-python-abi-platform.whl,
// in which the name's own dashes are written as underscores.
func wheelNameVersion(file string) (name, version string, ok bool) {
	if f, err := url.PathUnescape(file); err == nil {
		file = f
	}
	parts := strings.Split(strings.TrimSuffix(file, ".whl"), "-")
	if !strings.HasSuffix(file, ".whl") || len(parts) < 5 || len(parts) > 6 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// pyURLSource turns a requirement URL into Package.Source and Commit. VCS URLs carry the
// revision after the last '@' of their path: git+https://host/o/r.git@<rev>.
func pyURLSource(u string) (source, commit string) {
	u, _, _ = strings.Cut(u, "#")
	vcs, rest, isVCS := strings.Cut(u, "+")
	isVCS = isVCS && (vcs == "git" || vcs == "hg" || vcs == "svn" || vcs == "bzr")
	switch {
	case isVCS:
		repo, rev := rest, ""
		pathStart := 0
		if i := strings.Index(rest, "://"); i >= 0 {
			pathStart = i + 3
			if j := strings.IndexByte(rest[pathStart:], '/'); j >= 0 {
				pathStart += j
			}
		}
		if at := strings.LastIndexByte(rest[pathStart:], '@'); at >= 0 {
			repo, rev = rest[:pathStart+at], rest[pathStart+at+1:]
		}
		if isCommit(rev) {
			commit = rev
		}
		source = vcs + "+" + repo
		if rev != "" {
			source += "#" + rev
		}
		return source, commit
	case strings.HasPrefix(u, "file:"):
		if pu, err := url.Parse(u); err == nil && pu.Path != "" {
			return "path:" + pu.Path, ""
		}
		return u, ""
	case !strings.Contains(u, "://"):
		return "path:" + u, ""
	}
	return u, ""
}
