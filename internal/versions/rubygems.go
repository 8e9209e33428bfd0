package versions

// gemVersion is a RubyGems version with Gem::Version's semantics.
//
// Accepted syntax is Gem::Version's: digits, then "."-separated runs of letters and
// digits, then optionally "-" and "."-separated runs that may also contain "-";
// surrounding white space is ignored. Gem::Version reads "-" as ".pre.", so 1.0-1 is the
// prerelease 1.0.pre.1.
//
// The version splits into segments at dots and at every letter/digit boundary (1.0.b12
// is 1, 0, "b", 12). Trailing zeros of the leading numeric segments are insignificant,
// so 1 == 1.0 == 1.0.0 and 1.a == 1.0.0.a, as are trailing zeros at the very end.
// Segments then compare pairwise, a missing one reading as 0: numbers by value, text
// bytewise (case-sensitive), and text below any number, which is what makes any version
// containing a letter a prerelease of the numbers before it (1.0.a < 1.0 < 1.0.1).
//
// Deliberate deviation: Gem::Version reads an empty string as "0"; here it is an error,
// since an empty version in a lockfile or advisory is a data error and reading it as 0
// would put it below every fix.
type gemVersion struct {
	s string
	t string // trimmed text
	// numEnd is where the leading numeric segments stop mattering (after the last
	// non-zero one); strStart is where the first text segment (or "-") begins. Walking
	// t[:numEnd] then t[strStart:] yields Gem::Version's canonical segments without
	// building them.
	numEnd   int
	strStart int
}

func (v *gemVersion) String() string { return v.s }

func (v *gemVersion) Compare(o Version) int {
	w, ok := o.(*gemVersion)
	if !ok {
		return crossFamily(v, o)
	}
	return v.cmp(w)
}

func (v *gemVersion) parse(eco, s string) error {
	v.s = s
	t := trimSpace(s)
	v.t = t
	if t == "" {
		return invalid(eco, s, "empty version")
	}
	if !isDigit(t[0]) {
		return invalid(eco, s, "must start with a digit")
	}
	// [0-9]+(\.[0-9A-Za-z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?
	i := scanDigits(t, 0)
	for i < len(t) && t[i] == '.' {
		j := i + 1
		for j < len(t) && isAlnum(t[j]) {
			j++
		}
		if j == i+1 {
			return invalid(eco, s, "empty segment")
		}
		i = j
	}
	if i < len(t) && t[i] == '-' {
		for {
			j := i + 1
			for j < len(t) && (isAlnum(t[j]) || t[j] == '-') {
				j++
			}
			if j == i+1 {
				return invalid(eco, s, "empty segment")
			}
			i = j
			if i == len(t) || t[i] != '.' {
				break
			}
		}
	}
	if i != len(t) {
		return invalid(eco, s, "unexpected "+quoteByte(t[i]))
	}
	v.strStart = len(t)
	for i := 0; i < len(t); i++ {
		if isLetter(t[i]) || t[i] == '-' {
			v.strStart = i
			break
		}
	}
	v.numEnd = 0
	for i := 0; i < v.strStart; {
		if !isDigit(t[i]) {
			i++
			continue
		}
		j := scanDigits(t, i)
		if trimZeros(t[i:j]) != "" {
			v.numEnd = j
		}
		i = j
	}
	return nil
}

// A "-" immediately followed by text is one segment boundary for Ruby too: the
// replacement ".pre." adds dots, and scanning ignores dots.
func nextGemSegment(s string) (seg string, num bool, rest string) {
	for len(s) > 0 && s[0] == '.' {
		s = s[1:]
	}
	if s == "" {
		return "", false, ""
	}
	if s[0] == '-' {
		return "pre", false, s[1:]
	}
	i := 1
	if isDigit(s[0]) {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		return s[:i], true, s[i:]
	}
	for i < len(s) && isLetter(s[i]) {
		i++
	}
	return s[:i], false, s[i:]
}

type gemSegments struct {
	head, tail string // numeric prefix, then the rest
}

func (g *gemSegments) next() (seg string, num, ok bool) {
	for g.head != "" {
		seg, num, g.head = nextGemSegment(g.head)
		if seg != "" {
			return seg, num, true
		}
	}
	for g.tail != "" {
		seg, num, g.tail = nextGemSegment(g.tail)
		if seg != "" {
			return seg, num, true
		}
	}
	return "", false, false
}

func (v *gemVersion) cmp(w *gemVersion) int {
	if v.t == w.t {
		return 0
	}
	a := gemSegments{v.t[:v.numEnd], v.t[v.strStart:]}
	b := gemSegments{w.t[:w.numEnd], w.t[w.strStart:]}
	for {
		x, xn, xok := a.next()
		y, yn, yok := b.next()
		if !xok && !yok {
			return 0
		}
		// A missing segment reads as the number 0.
		if !xok {
			x, xn = "", true
		}
		if !yok {
			y, yn = "", true
		}
		var c int
		switch {
		case xn && yn:
			c = cmpDigits(x, y)
		case xn:
			c = 1
		case yn:
			c = -1
		default:
			c = cmpString(x, y)
		}
		if c != 0 {
			return c
		}
	}
}
