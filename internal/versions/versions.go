// Package versions orders package versions the way each OSV ecosystem does, so that
// affected[].ranges events of type ECOSYSTEM and SEMVER can be evaluated offline.
//
// Each ecosystem family has its own parser and ordering:
//
//   - "SEMVER", "npm", "crates.io", "Go": Semantic Versioning 2.0.0 precedence, read
//     leniently (see semver.go).
//   - "PyPI": PEP 440, with invalid versions ordered by the pre-PEP 440 setuptools
//     scheme before every valid version (see pypi.go).
//   - "Packagist": Composer's VersionParser normalisation and PHP version_compare
//     ordering (see packagist.go).
//   - "RubyGems": Gem::Version (see rubygems.go).
//
// OSV's introduced "0" means "before every version", not the version 0: Parse reads it
// as an ordinary version (0.0.0, 0, ...), and some versions sort before that (Go
// pseudo-versions v0.0.0-..., PyPI 0.dev0, Composer 0.0.0.0-dev), so callers should
// handle the sentinel themselves.
package versions

import (
	"errors"
	"fmt"
)

// Version is a parsed version of one ecosystem.
//
// Compare is meaningful only between versions of the same ecosystem family (npm,
// crates.io, Go and SEMVER share one). Comparing versions of different families does not
// panic, because a scanner should not crash on a record that mixes range types; it
// orders them by family instead, which is consistent (antisymmetric and transitive) but
// says nothing about the versions.
type Version interface {
	Compare(other Version) int // -1, 0, +1
	String() string            // the original text
}

// ErrUnknownEcosystem is returned, wrapped, by Parse and Compare for an ecosystem they
// have no ordering for.
var ErrUnknownEcosystem = errors.New("versions: unknown ecosystem")

type family uint8

const (
	famNone family = iota
	famSemver
	famPyPI
	famPackagist
	famRubyGems
)

// familyOf takes the exact OSV spellings only: OSV ecosystem names are case-sensitive,
// and a loose match here would hide a caller passing something else (e.g. "Debian:12"
// must be reduced by the caller, which knows what the suffix means).
func familyOf(ecosystem string) family {
	switch ecosystem {
	case "SEMVER", "npm", "crates.io", "Go":
		return famSemver
	case "PyPI":
		return famPyPI
	case "Packagist":
		return famPackagist
	case "RubyGems":
		return famRubyGems
	}
	return famNone
}

// Supported reports whether Parse knows the ecosystem.
func Supported(ecosystem string) bool {
	return familyOf(ecosystem) != famNone
}

// Parse parses a version string of an OSV ecosystem.
func Parse(ecosystem, v string) (Version, error) {
	switch familyOf(ecosystem) {
	case famSemver:
		p := new(semverVersion)
		if err := p.parse(ecosystem, v); err != nil {
			return nil, err
		}
		return p, nil
	case famPyPI:
		p := new(pypiVersion)
		if err := p.parse(ecosystem, v); err != nil {
			return nil, err
		}
		return p, nil
	case famPackagist:
		p := new(composerVersion)
		if err := p.parse(ecosystem, v); err != nil {
			return nil, err
		}
		return p, nil
	case famRubyGems:
		p := new(gemVersion)
		if err := p.parse(ecosystem, v); err != nil {
			return nil, err
		}
		return p, nil
	}
	return nil, unknownEcosystem(ecosystem)
}

// Compare parses both versions and compares them.
//
// The parsed values stay on the stack, so a one-off comparison costs no allocation
// (except for PyPI legacy versions).
func Compare(ecosystem, a, b string) (int, error) {
	switch familyOf(ecosystem) {
	case famSemver:
		var x, y semverVersion
		if err := x.parse(ecosystem, a); err != nil {
			return 0, err
		}
		if err := y.parse(ecosystem, b); err != nil {
			return 0, err
		}
		return x.cmp(&y), nil
	case famPyPI:
		var x, y pypiVersion
		if err := x.parse(ecosystem, a); err != nil {
			return 0, err
		}
		if err := y.parse(ecosystem, b); err != nil {
			return 0, err
		}
		return x.cmp(&y), nil
	case famPackagist:
		var x, y composerVersion
		if err := x.parse(ecosystem, a); err != nil {
			return 0, err
		}
		if err := y.parse(ecosystem, b); err != nil {
			return 0, err
		}
		return x.cmp(&y), nil
	case famRubyGems:
		var x, y gemVersion
		if err := x.parse(ecosystem, a); err != nil {
			return 0, err
		}
		if err := y.parse(ecosystem, b); err != nil {
			return 0, err
		}
		return x.cmp(&y), nil
	}
	return 0, unknownEcosystem(ecosystem)
}

func unknownEcosystem(ecosystem string) error {
	return fmt.Errorf("%w %q", ErrUnknownEcosystem, ecosystem)
}

func invalid(ecosystem, v, why string) error {
	return fmt.Errorf("versions: invalid %s version %q: %s", ecosystem, v, why)
}

// crossFamily orders a version against one of another family (or nil, or a foreign
// implementation) by family alone; see Version.
func crossFamily(a, b Version) int {
	return cmpInt(int(rankOf(a)), int(rankOf(b)))
}

func rankOf(v Version) family {
	switch v.(type) {
	case *semverVersion:
		return famSemver
	case *pypiVersion:
		return famPyPI
	case *composerVersion:
		return famPackagist
	case *gemVersion:
		return famRubyGems
	case nil:
		return famNone
	}
	// Foreign implementations sort after ours; among themselves they are their own
	// business.
	return famRubyGems + 1
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpDigits compares two ASCII digit strings as unbounded non-negative integers; ""
// reads as 0. Versions carry numbers beyond 64 bits in the wild (dates with times,
// build numbers), and comparing text avoids both overflow and allocation.
func cmpDigits(a, b string) int {
	a, b = trimZeros(a), trimZeros(b)
	if len(a) != len(b) {
		return cmpInt(len(a), len(b))
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func trimZeros(s string) string {
	for len(s) > 0 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isAlnum(c byte) bool { return isDigit(c) || isLetter(c) }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c | 0x20
	}
	return c
}

// scanDigits returns the end of the run of digits starting at i.
func scanDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// hasPrefixFold reports whether s[i:] starts with word, ignoring ASCII case; word is
// lower case.
func hasPrefixFold(s string, i int, word string) bool {
	if len(s)-i < len(word) {
		return false
	}
	for k := 0; k < len(word); k++ {
		if lower(s[i+k]) != word[k] {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}

// trimSpace trims ASCII white space only: every ecosystem's own parser strips
// surrounding blanks, and none of them treats other Unicode spaces as blank.
func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
