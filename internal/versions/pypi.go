package versions

// pypiVersion is a PEP 440 version:
//
//	[v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]
//
// with every spelling PEP 440's normalisation accepts: any case; "alpha", "beta", "c",
// "pre", "preview" for a, b, rc; "-N", "rev", "r" for post; ".", "-", "_" or nothing as
// separators; omitted pre/post/dev numbers meaning 0; surrounding white space.
//
// Ordering follows PEP 440: epoch, then release with zero padding (1.0 == 1.0.0), then
// dev < pre < final < post, where a version with only a dev part sorts before its
// prereleases (1.0.dev1 < 1.0a1), and a dev part lowers whatever it is attached to
// (1.0a1.dev1 < 1.0a1, 1.0.post1.dev1 < 1.0.post1). A local version sorts above the same
// public version without one; local segments compare numerically when all digits,
// otherwise case-insensitively as text, text below numbers, a prefix below its
// extensions.
//
// A string that is not PEP 440 is not an error: PyPI still serves such releases, and
// OSV records name them. It is ordered as pip did before PEP 440 enforcement
// (packaging's LegacyVersion, the setuptools scheme), which puts every such version
// before every valid one. Only an empty string is rejected.
type pypiVersion struct {
	s       string
	release string // digits and dots, e.g. "1.0.3"
	epoch   string // digits; "" is 0
	preNum  string
	postNum string
	devNum  string
	local   string // without the "+"; "" when absent
	legacy  []legacyPart
	preKind int8 // 0 none, then pepAlpha, pepBeta, pepRC
	hasPost bool
	hasDev  bool
	isLeg   bool
}

const (
	pepAlpha = 1 + iota
	pepBeta
	pepRC
)

func (v *pypiVersion) String() string { return v.s }

func (v *pypiVersion) Compare(o Version) int {
	w, ok := o.(*pypiVersion)
	if !ok {
		return crossFamily(v, o)
	}
	return v.cmp(w)
}

func (v *pypiVersion) parse(eco, s string) error {
	v.s = s
	t := trimSpace(s)
	if t == "" {
		return invalid(eco, s, "empty version")
	}
	if !v.parsePEP440(t) {
		*v = pypiVersion{s: s, isLeg: true, legacy: legacyKey(t)}
	}
	return nil
}

func isPepSep(c byte) bool { return c == '.' || c == '-' || c == '_' }

// Word lists are in the order PEP 440's reference regular expression tries them, so
// that a longer spelling wins over its prefix ("alpha" over "a", "preview" over "pre").
var (
	pepPreWords  = [...]string{"alpha", "a", "beta", "b", "preview", "pre", "c", "rc"}
	pepPreKinds  = [...]int8{pepAlpha, pepAlpha, pepBeta, pepBeta, pepRC, pepRC, pepRC, pepRC}
	pepPostWords = [...]string{"post", "rev", "r"}
	pepDevWords  = [...]string{"dev"}
)

// parsePEP440 reports whether t is a valid PEP 440 version and fills v if so.
//
// Each optional part is tried once, greedily, without backtracking. That gives the same
// result as the reference regular expression because no spelling of one part can begin
// a later part: a word that matched could never have been the start of a shorter word
// followed by something valid, and a separator eaten after a word is never needed by
// what follows (only "-N" post-releases need a separator, and a "-" followed by digits
// is taken as the pre-release number first in both readings).
func (v *pypiVersion) parsePEP440(t string) bool {
	i := 0
	if t[0] == 'v' || t[0] == 'V' {
		i++
	}
	j := scanDigits(t, i)
	if j == i {
		return false
	}
	if j < len(t) && t[j] == '!' {
		v.epoch = t[i:j]
		i = j + 1
		j = scanDigits(t, i)
		if j == i {
			return false
		}
	}
	start := i
	i = j
	for i+1 < len(t) && t[i] == '.' && isDigit(t[i+1]) {
		i = scanDigits(t, i+1)
	}
	v.release = t[start:i]

	if k, w, ok := matchWord(t, i, pepPreWords[:]); ok {
		v.preKind = pepPreKinds[w]
		v.preNum, i = optNumber(t, k)
	}

	if i+1 < len(t) && t[i] == '-' && isDigit(t[i+1]) {
		v.hasPost = true
		j := scanDigits(t, i+1)
		v.postNum, i = t[i+1:j], j
	} else if k, _, ok := matchWord(t, i, pepPostWords[:]); ok {
		v.hasPost = true
		v.postNum, i = optNumber(t, k)
	}

	if k, _, ok := matchWord(t, i, pepDevWords[:]); ok {
		v.hasDev = true
		v.devNum, i = optNumber(t, k)
	}

	if i < len(t) && t[i] == '+' {
		if !validLocal(t[i+1:]) {
			return false
		}
		v.local = t[i+1:]
		i = len(t)
	}
	return i == len(t)
}

// matchWord matches an optional separator and then one of words (case-insensitively)
// at t[i:], returning where the word ends and which word it was.
func matchWord(t string, i int, words []string) (end, which int, ok bool) {
	if i < len(t) && isPepSep(t[i]) {
		i++
	}
	for w, word := range words {
		if hasPrefixFold(t, i, word) {
			return i + len(word), w, true
		}
	}
	return 0, 0, false
}

// optNumber reads the optional separator and number after a pre/post/dev word. The
// separator is consumed even when no number follows, as the reference expression does
// ("1.0a." is 1.0a0).
func optNumber(t string, i int) (num string, end int) {
	if i < len(t) && isPepSep(t[i]) {
		i++
	}
	j := scanDigits(t, i)
	return t[i:j], j
}

func validLocal(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isAlnum(c):
			n++
		case isPepSep(c) && n > 0:
			n = 0
		default:
			return false
		}
	}
	return n > 0
}

func (v *pypiVersion) cmp(w *pypiVersion) int {
	if v.isLeg || w.isLeg {
		switch {
		case !w.isLeg:
			return -1
		case !v.isLeg:
			return 1
		}
		return cmpLegacy(v.legacy, w.legacy)
	}
	if c := cmpDigits(v.epoch, w.epoch); c != 0 {
		return c
	}
	if c := cmpRelease(v.release, w.release); c != 0 {
		return c
	}
	if c := cmpInt(v.preClass(), w.preClass()); c != 0 {
		return c
	}
	if v.preKind != 0 {
		if c := cmpInt(int(v.preKind), int(w.preKind)); c != 0 {
			return c
		}
		if c := cmpDigits(v.preNum, w.preNum); c != 0 {
			return c
		}
	}
	if c := cmpOptional(v.hasPost, w.hasPost, v.postNum, w.postNum, false); c != 0 {
		return c
	}
	if c := cmpOptional(v.hasDev, w.hasDev, v.devNum, w.devNum, true); c != 0 {
		return c
	}
	return cmpLocal(v.local, w.local)
}

// preClass places a version relative to pre-releases of the same release: a bare dev
// release (1.0.dev1) below all of them, a version without a pre part above them.
func (v *pypiVersion) preClass() int {
	switch {
	case v.preKind != 0:
		return 1
	case v.hasDev && !v.hasPost:
		return 0
	}
	return 2
}

// cmpOptional compares a part that may be absent: absent sorts below every present one,
// or above when absentHigh (a dev part lowers a version, so no dev part is highest).
func cmpOptional(hasA, hasB bool, a, b string, absentHigh bool) int {
	switch {
	case hasA && hasB:
		return cmpDigits(a, b)
	case hasA == hasB:
		return 0
	case hasA == absentHigh:
		return -1
	}
	return 1
}

// cmpRelease compares dot-separated numbers, padding the shorter with zeros.
func cmpRelease(a, b string) int {
	for a != "" || b != "" {
		var x, y string
		x, a = nextIdent(a)
		y, b = nextIdent(b)
		if c := cmpDigits(x, y); c != 0 {
			return c
		}
	}
	return 0
}

func nextLocal(s string) (seg, rest string) {
	for i := 0; i < len(s); i++ {
		if isPepSep(s[i]) {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func cmpLocal(a, b string) int {
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	case b == "":
		return 1
	}
	for a != "" && b != "" {
		var x, y string
		x, a = nextLocal(a)
		y, b = nextLocal(b)
		xn, yn := allDigits(x), allDigits(y)
		var c int
		switch {
		case xn && yn:
			c = cmpDigits(x, y)
		case xn:
			c = 1 // numeric segments rank above text ones
		case yn:
			c = -1
		default:
			c = cmpFold(x, y)
		}
		if c != 0 {
			return c
		}
	}
	return cmpInt(len(a), len(b))
}

// cmpFold compares ASCII text ignoring case, as if both were lower-cased first.
func cmpFold(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if x, y := lower(a[i]), lower(b[i]); x != y {
			return cmpInt(int(x), int(y))
		}
	}
	return cmpInt(len(a), len(b))
}

// legacyPart is one element of the setuptools sort key. Numbers are kept as digits and
// compared by value; the original zero-pads them to eight characters and compares text,
// which agrees for every number of up to eight digits and is wrong beyond.
type legacyPart struct {
	s   string // digits without leading zeros, or the text without the "*" marker
	num bool
}

// legacyKey builds the sort key of a non-PEP 440 version the way setuptools (and
// packaging's LegacyVersion after it) did: lower-case, split into runs of digits, runs of
// letters, "." and "-" (anything else forms its own part); rename pre/preview/rc to c,
// dev to @ and - to final-; drop "."; drop zeros ending a numeric run and "final-"
// markers before a pre-release tag; end with a "final" marker.
func legacyKey(t string) []legacyPart {
	parts := make([]legacyPart, 0, 8)
	push := func(p legacyPart) {
		if !p.num {
			if p.s < "final" {
				for len(parts) > 0 && !parts[len(parts)-1].num && parts[len(parts)-1].s == "final-" {
					parts = parts[:len(parts)-1]
				}
			}
			for len(parts) > 0 && parts[len(parts)-1].num && parts[len(parts)-1].s == "" {
				parts = parts[:len(parts)-1]
			}
		}
		parts = append(parts, p)
	}
	var buf []byte
	for i := 0; i < len(t); {
		c := t[i]
		switch {
		case isDigit(c):
			j := scanDigits(t, i)
			push(legacyPart{s: trimZeros(t[i:j]), num: true})
			i = j
		case isLetter(c):
			j := i
			for j < len(t) && isLetter(t[j]) {
				j++
			}
			buf = buf[:0]
			for k := i; k < j; k++ {
				buf = append(buf, lower(t[k]))
			}
			w := string(buf)
			switch w {
			case "pre", "preview", "rc":
				w = "c"
			case "dev":
				w = "@"
			}
			push(legacyPart{s: w})
			i = j
		case c == '.':
			i++
		case c == '-':
			push(legacyPart{s: "final-"})
			i++
		default:
			j := i
			for j < len(t) && !isAlnum(t[j]) && t[j] != '.' && t[j] != '-' {
				j++
			}
			push(legacyPart{s: t[i:j]})
			i = j
		}
	}
	push(legacyPart{s: "final"})
	return parts
}

func cmpLegacy(a, b []legacyPart) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		var c int
		switch {
		case x.num && y.num:
			c = cmpDigits(x.s, y.s)
		case x.num:
			c = 1 // a zero-padded number sorts above any "*"-marked text
		case y.num:
			c = -1
		default:
			c = cmpString(x.s, y.s)
		}
		if c != 0 {
			return c
		}
	}
	return cmpInt(len(a), len(b))
}
