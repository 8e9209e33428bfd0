package deps

import (
	"fmt"
	"strings"
)

// pyName normalises a Python distribution name as PEP 503 does (lowercase, every run of
// '-', '_' and '.' one '-'), so that "Flask_SQLAlchemy" in a requirements file and
// "flask-sqlalchemy" in a lockfile and in OSV are the same package.
func pyName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for _, c := range []byte(strings.TrimSpace(name)) {
		if c == '-' || c == '_' || c == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// pyRequirement is one PEP 508 dependency specifier.
type pyRequirement struct {
	name   string // as written
	extras []string
	spec   string // version specifiers without spaces: ">=1.0,<2"
	url    string // name @ url
	marker string
}

// parsePyRequirement reads a PEP 508 specifier: name[extras] (specifiers) ; marker, or
// name[extras] @ url ; marker.
func parsePyRequirement(s string) (pyRequirement, error) {
	var r pyRequirement
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && isPyNameByte(s[i]) {
		i++
	}
	r.name = s[:i]
	if r.name == "" || !isAlnum(r.name[0]) || !isAlnum(r.name[len(r.name)-1]) {
		return r, fmt.Errorf("no valid package name")
	}
	rest := strings.TrimSpace(s[i:])
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return r, fmt.Errorf("unclosed extras")
		}
		for _, e := range strings.Split(rest[1:end], ",") {
			if e = strings.TrimSpace(e); e != "" {
				r.extras = append(r.extras, e)
			}
		}
		rest = strings.TrimSpace(rest[end+1:])
	}
	if strings.HasPrefix(rest, "@") {
		// The URL ends at whitespace: a ';' directly after it belongs to the URL.
		u := strings.TrimSpace(rest[1:])
		if end := strings.IndexAny(u, " \t"); end >= 0 {
			u, rest = u[:end], strings.TrimSpace(u[end:])
		} else {
			rest = ""
		}
		if u == "" {
			return r, fmt.Errorf("no URL after @")
		}
		r.url = u
		if rest != "" && !strings.HasPrefix(rest, ";") {
			return r, fmt.Errorf("unexpected %q after the URL", rest)
		}
	} else {
		spec := rest
		if j := strings.IndexByte(rest, ';'); j >= 0 {
			spec, rest = rest[:j], rest[j:]
		} else {
			rest = ""
		}
		spec = strings.TrimSpace(spec)
		if strings.HasPrefix(spec, "(") && strings.HasSuffix(spec, ")") {
			spec = spec[1 : len(spec)-1]
		}
		spec = strings.Join(strings.Fields(spec), "")
		if err := checkPySpec(spec); err != nil {
			return r, err
		}
		r.spec = spec
	}
	if strings.HasPrefix(rest, ";") {
		r.marker = strings.TrimSpace(rest[1:])
	}
	return r, nil
}

var pyOperators = []string{"===", "==", "!=", "<=", ">=", "~=", "<", ">"}

// checkPySpec accepts a comma-separated list of PEP 440 clauses. Version text is checked
// only for characters that cannot appear in a version, to catch garbage rather than to
// validate PEP 440; ${VAR} is allowed because pip expands environment variables.
func checkPySpec(spec string) error {
	if spec == "" {
		return nil
	}
	for _, clause := range strings.Split(spec, ",") {
		op := ""
		for _, o := range pyOperators {
			if strings.HasPrefix(clause, o) {
				op = o
				break
			}
		}
		v := clause[len(op):]
		if op == "" || v == "" {
			return fmt.Errorf("malformed version specifier %q", clause)
		}
		for _, c := range []byte(v) {
			if !isAlnum(c) && !strings.ContainsRune(".*+!_-${}", rune(c)) {
				return fmt.Errorf("malformed version specifier %q", clause)
			}
		}
	}
	return nil
}

// pyPinned returns the version a specifier list pins, if one clause pins exactly one
// version (== without a wildcard, or ===).
func pyPinned(spec string) (string, bool) {
	for _, clause := range strings.Split(spec, ",") {
		var v string
		switch {
		case strings.HasPrefix(clause, "==="):
			v = clause[3:]
		case strings.HasPrefix(clause, "=="):
			v = clause[2:]
			if strings.Contains(v, "*") {
				continue
			}
		default:
			continue
		}
		if v != "" && !strings.Contains(v, "${") {
			return v, true
		}
	}
	return "", false
}

func isPyNameByte(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '.' }

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isDefaultPyPI reports whether an index URL is PyPI itself, which Package.Source leaves
// implicit.
func isDefaultPyPI(u string) bool {
	u = strings.TrimSuffix(strings.TrimSpace(u), "/")
	switch u {
	case "", "https://pypi.org/simple", "https://pypi.python.org/simple", "https://pypi.org/pypi":
		return true
	}
	return false
}

// pyDeclared is what a manifest (pyproject.toml, Pipfile) says about a package.
type pyDeclared struct {
	main, dev bool // declared as a runtime dependency / in a development group
}

// devOnly reports whether the manifest declares the package only for development.
func (d pyDeclared) devOnly() bool { return d.dev && !d.main }
