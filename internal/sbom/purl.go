package sbom

import (
	"strings"

	"github.com/posture-dev/posture/internal/deps"
)

// identity is how one package is named in the SBOM: the purl parts and the CycloneDX
// group/name split, which differ (npm and Composer lowercase the purl but the component
// keeps the name as the lockfile spells it).
type identity struct {
	purlType  string
	namespace []string // purl namespace segments, not yet encoded
	purlName  string
	group     string
	name      string
}

// identify maps an OSV ecosystem to its purl type. ok is false for ecosystems posture
// has no purl rule for; such packages still get a component, without a purl.
func identify(p deps.Package) (id identity, ok bool) {
	switch p.Ecosystem {
	case "npm":
		// A scoped name "@scope/name": the scope is the purl namespace, its '@' is
		// percent-encoded like any other, and npm names are lowercase by rule.
		id = identity{purlType: "npm", name: p.Name, purlName: strings.ToLower(p.Name)}
		if scope, name, found := strings.Cut(p.Name, "/"); found && strings.HasPrefix(scope, "@") {
			id.group, id.name = scope, name
			id.namespace, id.purlName = []string{strings.ToLower(scope)}, strings.ToLower(name)
		}
		return id, true
	case "Packagist":
		id = identity{purlType: "composer", name: p.Name, purlName: strings.ToLower(p.Name)}
		if vendor, name, found := strings.Cut(p.Name, "/"); found {
			id.group, id.name = vendor, name
			id.namespace, id.purlName = []string{strings.ToLower(vendor)}, strings.ToLower(name)
		}
		return id, true
	case "Go":
		// The module path is the name; the purl splits it at the last '/'. The golang
		// type still says to lowercase it, but Go module paths are case-sensitive and
		// OSV, deps.dev and the module proxy only know the path as written, so the case
		// is kept (package-url/purl-spec#308).
		id = identity{purlType: "golang", name: p.Name, purlName: p.Name}
		if i := strings.LastIndexByte(p.Name, '/'); i >= 0 {
			id.namespace, id.purlName = strings.Split(p.Name[:i], "/"), p.Name[i+1:]
		}
		return id, true
	case "crates.io":
		return identity{purlType: "cargo", name: p.Name, purlName: p.Name}, true
	case "PyPI":
		return identity{purlType: "pypi", name: p.Name, purlName: pypiName(p.Name)}, true
	case "RubyGems":
		return identity{purlType: "gem", name: p.Name, purlName: p.Name}, true
	}
	return identity{name: p.Name}, false
}

// purl builds the canonical package URL: each namespace segment, the name and the version
// percent-encoded on their own, so a '/' or '@' inside one cannot be read as a separator.
func (id identity) purl(version string) string {
	var b strings.Builder
	b.WriteString("pkg:")
	b.WriteString(id.purlType)
	b.WriteByte('/')
	for _, seg := range id.namespace {
		if seg == "" {
			continue
		}
		b.WriteString(purlEscape(seg))
		b.WriteByte('/')
	}
	b.WriteString(purlEscape(id.purlName))
	if version != "" {
		b.WriteByte('@')
		b.WriteString(purlEscape(version))
	}
	return b.String()
}

// purlEscape percent-encodes everything but the characters the purl specification
// forbids encoding: ASCII letters and digits, ".-_~" and ':'.
func purlEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '-', c == '_', c == '~', c == ':':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// pypiName normalises a distribution name as the pypi purl type requires (PEP 503):
// lowercase, every run of '-', '_' and '.' one '-'. Requirements files keep the name
// as written, so "Flask_SQLAlchemy" and "flask-sqlalchemy" must meet here.
func pypiName(name string) string {
	var b strings.Builder
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
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
