package versions

import "strings"

// composerVersion is a Composer (Packagist) version, read as Composer's
// VersionParser::normalize reads it and ordered as Composer orders normalised versions,
// with PHP's version_compare. OSV's Packagist records carry the versions as published
// (tags like "v1.2", "2.0.0-RC1"), so both halves are needed: normalisation to make
// "v1.2" equal "1.2.0.0", and version_compare's rules for what follows the numbers.
//
// Normalisation:
//
//   - surrounding white space is ignored; "+build" metadata is dropped;
//   - "dev-<name>" (any case of "dev-") is a branch; bare master/trunk/default are the
//     branches dev-master, dev-trunk, dev-default;
//   - classical versions: an optional "v", one to four dot-separated numbers (the first
//     of at most five digits), missing ones read as 0, so 1.2 == 1.2.0.0;
//   - date versions: four digits then up to six two-digit groups and an optional group
//     of one to three digits, each optionally separated by ".", ":" or "-" (20230101,
//     2023-01-01, 202301011230); the numbers are kept as they are;
//   - then an optional stability suffix, separated by ".", "_", "-" or nothing:
//     stable, alpha/a, beta/b, RC, patch/pl/p, followed by any numbers (beta2, RC.1,
//     p.5), and an optional "dev" ("1.0-beta2-dev", "2.1-dev"); "stable" drops everything
//     after it, as Composer does;
//   - numeric branch names ending in "dev" ("1.x-dev", "2.0.*-dev"): x and missing
//     numbers read as 9999999.
//
// Ordering follows version_compare on the normalised text. The numbers and suffixes
// form a sequence of parts compared in turn: numbers by value, suffixes by
// dev < alpha < beta < RC < (a number) < patch. When one sequence runs out, the longer
// is higher if its next part is a number or patch, lower otherwise, which is what makes
// 1.0.0-beta2-dev < 1.0.0-beta2 < 1.0.0 < 1.0.0-patch1.
//
// Branches have no order in Composer (constraints never match them); here they sort
// below every version and among themselves by name, so that ranges can still be
// evaluated deterministically.
//
// Deliberate deviations: constraint decorations that normalize also strips (" as "
// aliases, "@stable"-style flags) are rejected, since they are never versions; "STABLE"
// in any case counts as stable (Composer compares it case-sensitively and, for other
// cases, keeps it as a suffix that sorts below dev); numbers are compared without PHP's
// 64-bit saturation.
type composerVersion struct {
	s        string
	branch   string
	more     []ctok // parts beyond toks, rarely needed
	toks     [8]ctok
	n        int
	isBranch bool
}

// ctok is one part of a normalised version: a number, or a stability word ranked as
// version_compare ranks it.
type ctok struct {
	num  string
	rank int8
}

const (
	rankDev int8 = iota
	rankAlpha
	rankBeta
	rankRC
	rankNum
	rankPatch
)

func (v *composerVersion) String() string { return v.s }

func (v *composerVersion) Compare(o Version) int {
	w, ok := o.(*composerVersion)
	if !ok {
		return crossFamily(v, o)
	}
	return v.cmp(w)
}

func (v *composerVersion) add(t ctok) {
	if v.n < len(v.toks) {
		v.toks[v.n] = t
	} else {
		v.more = append(v.more, t)
	}
	v.n++
}

func (v *composerVersion) tok(i int) ctok {
	if i < len(v.toks) {
		return v.toks[i]
	}
	return v.more[i-len(v.toks)]
}

// addNumbers adds each run of digits in s as a number part.
func (v *composerVersion) addNumbers(s string) {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := scanDigits(s, i)
		v.add(ctok{num: s[i:j], rank: rankNum})
		i = j
	}
}

func (v *composerVersion) parse(eco, s string) error {
	v.s = s
	t := trimSpace(s)
	if t == "" {
		return invalid(eco, s, "empty version")
	}
	switch t {
	case "master", "trunk", "default":
		v.isBranch, v.branch = true, t
		return nil
	}
	if hasPrefixFold(t, 0, "dev-") {
		v.isBranch, v.branch = true, t[4:]
		return nil
	}
	if i := strings.IndexByte(t, '+'); i > 0 && i < len(t)-1 &&
		!strings.ContainsAny(t[:i], ", \t\n\r\v\f") && !strings.ContainsAny(t[i+1:], " \t\n\r\v\f") {
		t = t[:i]
	}
	if v.parseNumeric(t) || v.parseBranch(t) {
		return nil
	}
	return invalid(eco, s, "not a Composer version")
}

func (v *composerVersion) parseNumeric(t string) bool {
	i := 0
	if t[0] == 'v' || t[0] == 'V' {
		i++
	}
	j := scanDigits(t, i)
	if j == i {
		return false
	}
	if j-i <= 5 {
		nums := [4]string{t[i:j], "0", "0", "0"}
		k := j
		for n := 1; n < 4 && k+1 < len(t) && t[k] == '.' && isDigit(t[k+1]); n++ {
			e := scanDigits(t, k+1)
			nums[n], k = t[k+1:e], e
		}
		if m, ok := parseModifier(t[k:]); ok {
			for _, n := range nums {
				v.add(ctok{num: n, rank: rankNum})
			}
			v.applyModifier(m)
			return true
		}
	}
	// A date's digits and separators run up to the modifier, which cannot start with
	// a digit; only a final "." or "-" may belong to the modifier instead.
	end := i
	for end < len(t) && (isDigit(t[end]) || isDateSep(t[end])) {
		end++
	}
	if end > i && !isDigit(t[end-1]) {
		end--
	}
	if !dateShape(t[i:end]) {
		return false
	}
	m, ok := parseModifier(t[end:])
	if !ok {
		return false
	}
	v.addNumbers(t[i:end])
	v.applyModifier(m)
	return true
}

func isDateSep(c byte) bool { return c == '.' || c == ':' || c == '-' }

// dateShape reports whether d is four digits followed by one to six groups of two
// digits and at most one group of one to three, each group optionally preceded by one
// separator.
func dateShape(d string) bool {
	if len(d) < 6 || !allDigits(d[:4]) {
		return false
	}
	return dateTail(d[4:], 0)
}

func dateTail(d string, pairs int) bool {
	if pairs > 0 {
		if d == "" {
			return true
		}
		s := d
		if isDateSep(s[0]) {
			s = s[1:]
		}
		if len(s) >= 1 && len(s) <= 3 && allDigits(s) {
			return true
		}
	}
	if pairs == 6 {
		return false
	}
	s := d
	if s != "" && isDateSep(s[0]) {
		s = s[1:]
	}
	return len(s) >= 2 && isDigit(s[0]) && isDigit(s[1]) && dateTail(s[2:], pairs+1)
}

type modifier struct {
	nums   string
	rank   int8
	stab   bool // a stability word other than stable was given
	stable bool
	dev    bool
}

var composerWords = [...]struct {
	word string
	rank int8
}{
	// In the order Composer's expression tries them, so "beta" wins over "b", "pl"
	// over "p".
	{"stable", rankNum}, {"beta", rankBeta}, {"b", rankBeta}, {"rc", rankRC},
	{"alpha", rankAlpha}, {"a", rankAlpha}, {"patch", rankPatch}, {"pl", rankPatch},
	{"p", rankPatch},
}

// parseModifier matches Composer's modifier expression against all of r:
//
//	[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?
//
// trying the alternatives in the order the regular expression engine would.
func parseModifier(r string) (modifier, bool) {
	for _, skip := range [2]bool{true, false} {
		p := 0
		if skip {
			if r == "" || (r[0] != '.' && r[0] != '_' && r[0] != '-') {
				continue
			}
			p = 1
		}
		for _, w := range composerWords {
			if !hasPrefixFold(r, p, w.word) {
				continue
			}
			start := p + len(w.word)
			q := start
			for {
				if q < len(r) && isDigit(r[q]) {
					q = scanDigits(r, q)
				} else if q+1 < len(r) && (r[q] == '.' || r[q] == '-') && isDigit(r[q+1]) {
					q = scanDigits(r, q+1)
				} else {
					break
				}
			}
			if dev, ok := devTail(r[q:]); ok {
				return modifier{
					nums: r[start:q], rank: w.rank, dev: dev,
					stable: w.word == "stable", stab: w.word != "stable",
				}, true
			}
		}
		if dev, ok := devTail(r[p:]); ok {
			return modifier{dev: dev}, true
		}
	}
	return modifier{}, false
}

// devTail matches ([.-]?dev)?$ case-insensitively.
func devTail(r string) (dev, ok bool) {
	switch {
	case r == "":
		return false, true
	case len(r) == 3 && hasPrefixFold(r, 0, "dev"):
		return true, true
	case len(r) == 4 && (r[0] == '.' || r[0] == '-') && hasPrefixFold(r, 1, "dev"):
		return true, true
	}
	return false, false
}

func (v *composerVersion) applyModifier(m modifier) {
	if m.stable {
		return
	}
	if m.stab {
		v.add(ctok{rank: m.rank})
		v.addNumbers(m.nums)
	}
	if m.dev {
		v.add(ctok{rank: rankDev})
	}
}

// parseBranch reads a numeric branch name ending in "dev", such as 1.x-dev or
// v2.0.*.dev, which Composer normalises to 1.9999999.9999999.9999999-dev.
func (v *composerVersion) parseBranch(t string) bool {
	if len(t) < 3 || !hasPrefixFold(t, len(t)-3, "dev") {
		return false
	}
	name := t[:len(t)-3]
	if name != "" && (name[len(name)-1] == '.' || name[len(name)-1] == '-') {
		name = name[:len(name)-1]
	}
	name = trimSpace(name)
	i := 0
	if name != "" && (name[0] == 'v' || name[0] == 'V') {
		i++
	}
	j := scanDigits(name, i)
	if j == i {
		return false
	}
	nums := [4]string{name[i:j], "9999999", "9999999", "9999999"}
	k := j
	for n := 1; n < 4 && k+1 < len(name) && name[k] == '.'; n++ {
		switch c := name[k+1]; {
		case isDigit(c):
			e := scanDigits(name, k+1)
			nums[n], k = name[k+1:e], e
		case c == 'x' || c == 'X' || c == '*':
			k += 2
		default:
			return false
		}
	}
	if k != len(name) {
		return false
	}
	for _, n := range nums {
		v.add(ctok{num: n, rank: rankNum})
	}
	v.add(ctok{rank: rankDev})
	return true
}

func (v *composerVersion) cmp(w *composerVersion) int {
	if v.isBranch || w.isBranch {
		switch {
		case v.isBranch && w.isBranch:
			return cmpString(v.branch, w.branch)
		case v.isBranch:
			return -1
		}
		return 1
	}
	n := min(v.n, w.n)
	for i := 0; i < n; i++ {
		a, b := v.tok(i), w.tok(i)
		var c int
		if a.rank == rankNum && b.rank == rankNum {
			c = cmpDigits(a.num, b.num)
		} else {
			c = cmpInt(int(a.rank), int(b.rank))
		}
		if c != 0 {
			return c
		}
	}
	switch {
	case v.n > n:
		return beyondEnd(v.tok(n))
	case w.n > n:
		return -beyondEnd(w.tok(n))
	}
	return 0
}

// beyondEnd is how a version whose next part is t compares with one that has ended
// there: version_compare ranks the missing part like a number for suffixes but below
// every actual number.
func beyondEnd(t ctok) int {
	if t.rank == rankNum {
		return 1
	}
	return cmpInt(int(t.rank), int(rankNum))
}
