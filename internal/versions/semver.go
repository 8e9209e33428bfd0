package versions

// semverVersion is a Semantic Versioning 2.0.0 version, read leniently because the
// ecosystems that use it are lenient in practice:
//
//   - A leading "v" is accepted and ignored: go.mod writes v1.2.3 while OSV's Go records
//     write 1.2.3, and the two must be the same version.
//   - Missing minor and patch numbers read as 0 ("1.2" is 1.2.0, "0" is 0.0.0), as OSV's
//     own matcher does; npm ranges and OSV introduced "0" events produce such versions.
//   - Leading zeros in numeric parts are accepted and compared by value. Strict semver
//     rejects them, but rejecting a version means the scanner cannot evaluate the range
//     at all, which is worse than a lenient reading.
//   - Surrounding white space is ignored, as npm's parser does.
//
// Everything else is strict: at most three numeric parts, non-empty identifiers of
// [0-9A-Za-z-] in the prerelease and build metadata. Build metadata (including Go's
// "+incompatible") is kept in String but plays no part in ordering, as the specification
// requires.
//
// Go pseudo-versions (v0.0.0-20191109021931-daa7c04131f5, v1.2.4-0.2019...-abc,
// v1.2.3-pre.0.2019...-abc) are ordinary prereleases whose identifiers were designed to
// sort correctly under these rules, so they need no special handling.
type semverVersion struct {
	s                   string
	major, minor, patch string // digits; "" is 0
	pre                 string // without the "-"; "" when there is no prerelease
}

func (v *semverVersion) String() string { return v.s }

func (v *semverVersion) Compare(o Version) int {
	w, ok := o.(*semverVersion)
	if !ok {
		return crossFamily(v, o)
	}
	return v.cmp(w)
}

func (v *semverVersion) parse(eco, s string) error {
	v.s = s
	t := trimSpace(s)
	i := 0
	if i < len(t) && t[i] == 'v' {
		i++
	}
	nums := [3]string{}
	for k := 0; k < 3; k++ {
		j := scanDigits(t, i)
		if j == i {
			return invalid(eco, s, "expected a number")
		}
		nums[k] = t[i:j]
		i = j
		if i == len(t) || t[i] != '.' {
			break
		}
		if k == 2 {
			return invalid(eco, s, "more than three numeric parts")
		}
		i++
	}
	v.major, v.minor, v.patch = nums[0], nums[1], nums[2]
	if i < len(t) && t[i] == '-' {
		j, ok := scanIdents(t, i+1)
		if !ok {
			return invalid(eco, s, "empty or malformed prerelease identifier")
		}
		v.pre = t[i+1 : j]
		i = j
	}
	if i < len(t) && t[i] == '+' {
		j, ok := scanIdents(t, i+1)
		if !ok {
			return invalid(eco, s, "empty or malformed build metadata")
		}
		i = j
	}
	if i != len(t) {
		return invalid(eco, s, "unexpected "+quoteByte(t[i]))
	}
	return nil
}

// scanIdents reads dot-separated non-empty identifiers of [0-9A-Za-z-] from i and
// returns where they end.
func scanIdents(s string, i int) (int, bool) {
	for {
		j := i
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-') {
			j++
		}
		if j == i {
			return i, false
		}
		if j == len(s) || s[j] != '.' {
			return j, true
		}
		i = j + 1
	}
}

func (v *semverVersion) cmp(w *semverVersion) int {
	if c := cmpDigits(v.major, w.major); c != 0 {
		return c
	}
	if c := cmpDigits(v.minor, w.minor); c != 0 {
		return c
	}
	if c := cmpDigits(v.patch, w.patch); c != 0 {
		return c
	}
	return cmpPrerelease(v.pre, w.pre)
}

// cmpPrerelease walks the identifiers in place rather than splitting, so comparing
// allocates nothing.
func cmpPrerelease(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1 // a release ranks above its prereleases
	case b == "":
		return -1
	}
	for a != "" && b != "" {
		var x, y string
		x, a = nextIdent(a)
		y, b = nextIdent(b)
		if c := cmpIdent(x, y); c != 0 {
			return c
		}
	}
	// All shared identifiers are equal: the one with more identifiers is higher.
	return cmpInt(len(a), len(b))
}

func nextIdent(s string) (ident, rest string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func cmpIdent(x, y string) int {
	xn, yn := allDigits(x), allDigits(y)
	switch {
	case xn && yn:
		return cmpDigits(x, y)
	case xn:
		return -1 // numeric identifiers rank below alphanumeric ones
	case yn:
		return 1
	}
	return cmpString(x, y)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	const hex = "0123456789abcdef"
	return "byte 0x" + string([]byte{hex[c>>4], hex[c&15]})
}
