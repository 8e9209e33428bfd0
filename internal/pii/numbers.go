package pii

// numSpan is a run of digits with the separators people write numbers with: "+31 6
// 1234 5678", "(415) 829-3341", "4539 1488 0343 6467", "1 85 05 78 006 084 36". Cards,
// phone numbers, numeric national IDs and house numbers are all read from it, so the text
// is walked once for all of them.
type numSpan struct {
	start, end int
	plus       bool // written with a leading '+'
	paren      bool // a group was in parentheses
	trunk      bool // "+44 (0)20 …": the (0) was dropped
	digits     [maxSpanDigits]byte
	nd         int
	groups     [maxGroups]int // length of each digit group
	seps       [maxGroups]byte
	ng         int
}

const (
	maxSpanDigits = 24
	maxGroups     = 12
	maxSpanBytes  = 48
)

func (s *numSpan) str() string { return string(s.digits[:s.nd]) }

// uniformSep returns the one separator used between all groups (0 for a bare run), or
// 'x' when they are mixed.
func (s *numSpan) uniformSep() byte {
	var sep byte
	for i := 0; i < s.ng-1; i++ {
		switch {
		case sep == 0:
			sep = s.seps[i]
		case s.seps[i] != sep:
			return 'x'
		}
	}
	return sep
}

func (s *numSpan) shape(lens ...int) bool {
	if s.ng != len(lens) {
		return false
	}
	for i, l := range lens {
		if s.groups[i] != l {
			return false
		}
	}
	return true
}

// joiners are characters that glue a number to the token before it ("v1.2", "a716-4466",
// "id_42", "path/7"): a number after one of them is part of that token.
func isJoiner(c byte) bool { return c == '.' || c == '-' || c == '_' || c == '/' }

func isNumSep(c byte) bool { return c == ' ' || c == '-' || c == '.' || c == '/' }

// read parses a span starting at i and reports whether it is one. end is where scanning
// continues either way.
func (s *numSpan) read(text []byte, i int) (end int, ok bool) {
	*s = numSpan{start: i}
	j := i
	if text[j] == '+' {
		s.plus = true
		j++
	}
	cur, open := 0, false
	closeGroup := func(sep byte) bool {
		if s.ng == maxGroups {
			return false
		}
		s.groups[s.ng], s.seps[s.ng] = cur, sep
		s.ng++
		cur = 0
		return true
	}
loop:
	for j < len(text) && j-i < maxSpanBytes {
		c := text[j]
		switch {
		case isDigit(c):
			if s.nd == maxSpanDigits {
				return skipRun(text, j), false
			}
			s.digits[s.nd] = c
			s.nd++
			cur++
			j++
		case c == '(' && !open && cur == 0 && !s.paren && j+1 < len(text) && isDigit(text[j+1]):
			if s.plus && s.nd > 0 && j+2 < len(text) && text[j+1] == '0' && text[j+2] == ')' {
				s.trunk = true
				j += 3
				if j < len(text) && text[j] == ' ' {
					j++
				}
				continue
			}
			open, s.paren = true, true
			j++
		case c == ')' && open && cur > 0:
			open = false
			if !closeGroup(')') {
				break loop
			}
			j++
			if j+1 < len(text) && (text[j] == ' ' || text[j] == '-') && isDigit(text[j+1]) {
				j++
			}
		case isNumSep(c) && cur > 0 && !open && j+1 < len(text) && (isDigit(text[j+1]) || text[j+1] == '(' && c == ' '):
			if !closeGroup(c) {
				break loop
			}
			j++
		default:
			break loop
		}
	}
	if open || s.nd == 0 {
		return max(j, i+1), false
	}
	if cur > 0 {
		closeGroup(0)
	}
	s.end = j
	if j < len(text) && (isDigit(text[j]) || text[j] == '@' || text[j] == '_') {
		return skipRun(text, j), false
	}
	return j, true
}

func skipRun(text []byte, j int) int {
	for j < len(text) && (isAlnum(text[j]) || isJoiner(text[j])) {
		j++
	}
	return j
}

// appendNumbers walks text for numeric spans and classifies each as at most one card,
// national ID or phone number, and its house numbers as possible addresses.
func appendNumbers(dst []Match, text []byte, h Hint) []Match {
	var s numSpan
	for i := 0; i < len(text); {
		c := text[i]
		start := isDigit(c) || (c == '+' || c == '(') && i+1 < len(text) && isDigit(text[i+1])
		if !start {
			i++
			continue
		}
		if i > 0 && (isAlnum(text[i-1]) || isJoiner(text[i-1]) && i > 1 && isAlnum(text[i-2])) {
			i = skipRun(text, i+1)
			continue
		}
		end, ok := s.read(text, i)
		if ok {
			dst = classify(dst, text, &s, h)
		}
		i = max(end, i+1)
	}
	return dst
}

// letterAfter returns the upper-case letter closing a span ("12345678Z", "12345678-Z")
// and where the match then ends, or 0.
func letterAfter(text []byte, j int) (byte, int) {
	if j < len(text) && (text[j] == '-' || text[j] == ' ') {
		j++
	}
	if j < len(text) && isUpper(text[j]) && (j+1 == len(text) || !isAlnum(text[j+1])) {
		return text[j], j + 1
	}
	return 0, 0
}

func classify(dst []Match, text []byte, s *numSpan, h Hint) []Match {
	// A Spanish DNI is eight digits and a check letter, adjacent or after a dash.
	if s.nd == 8 && s.ng == 1 && !s.plus {
		if l, end := letterAfter(text, s.end); l != 0 {
			if id := s.str() + string(l); ValidDNI(id) && id != "12345678Z" {
				return append(dst, idMatch(text, s.start, end, h, "ES DNI", "dni", Medium))
			}
		}
	}
	// Any other letter right after the digits makes a token ("123abc", "4K"), or a house
	// number ("221B Baker Street").
	if s.end < len(text) && isLetter(text[s.end]) {
		return appendHouseNumber(dst, text, s, h)
	}
	if looksLikeDate(s) || looksLikeIP(s) {
		return dst
	}
	if m, ok := cardMatch(text, s, h); ok {
		return append(dst, m)
	}
	if m, ok := numericIDMatch(text, s, h); ok {
		return append(dst, m)
	}
	if m, ok := phoneMatch(text, s, h); ok {
		return append(dst, m)
	}
	return appendHouseNumber(dst, text, s, h)
}

// idMatch builds a national-ID match whose confidence rises to High with a label or
// column naming that identifier (or national IDs in general).
func idMatch(text []byte, start, end int, h Hint, detail, id string, bare Confidence) Match {
	m := Match{Kind: NationalID, Detail: detail, Start: start, End: end, Confidence: bare}
	if ok, named := context(text, start, h, NationalID); ok && (named == "" || named == id) {
		m.Confidence = High
	}
	return m
}

func looksLikeDate(s *numSpan) bool {
	for g := 0; g+2 < s.ng; g++ {
		a, b, c := s.groups[g], s.groups[g+1], s.groups[g+2]
		sep := s.seps[g]
		if sep != '-' && sep != '.' && sep != '/' || s.seps[g+1] != sep {
			continue
		}
		off := 0
		for k := 0; k < g; k++ {
			off += s.groups[k]
		}
		d := s.digits[off : off+a+b+c]
		num := func(x []byte) int {
			v := 0
			for _, c := range x {
				v = v*10 + int(c-'0')
			}
			return v
		}
		switch {
		case a == 4 && b <= 2 && c <= 2: // 2024-03-15
			if m := num(d[4 : 4+b]); m >= 1 && m <= 12 {
				return true
			}
		case a <= 2 && b <= 2 && (c == 4 || c == 2): // 15.03.2024, 03/15/24
			x, y := num(d[:a]), num(d[a:a+b])
			if x >= 1 && y >= 1 && (x <= 12 && y <= 31 || y <= 12 && x <= 31) {
				return true
			}
		}
	}
	return false
}

func looksLikeIP(s *numSpan) bool {
	if s.ng != 4 || s.uniformSep() != '.' {
		return false
	}
	off := 0
	for g := 0; g < 4; g++ {
		if s.groups[g] > 3 {
			return false
		}
		v := 0
		for _, c := range s.digits[off : off+s.groups[g]] {
			v = v*10 + int(c-'0')
		}
		if v > 255 {
			return false
		}
		off += s.groups[g]
	}
	return true
}

// cardMatch accepts 13–19 digits, bare or in groups of four (Amex and Diners: 4-6-5 and
// 4-6-4) joined by spaces or dashes, that pass Luhn, carry a real scheme's prefix and are
// not a published test number.
func cardMatch(text []byte, s *numSpan, h Hint) (Match, bool) {
	if s.nd < 13 || s.nd > 19 || s.plus || s.paren || s.trunk {
		return Match{}, false
	}
	sep := s.uniformSep()
	grouped := false
	switch sep {
	case 0:
	case ' ', '-':
		grouped = s.shape(4, 6, 5) || s.shape(4, 6, 4)
		if !grouped {
			grouped = true
			for g := 0; g < s.ng; g++ {
				if s.groups[g] != 4 && !(g == s.ng-1 && s.groups[g] >= 1 && s.groups[g] < 4) {
					grouped = false
				}
			}
		}
		if !grouped {
			return Match{}, false
		}
	default:
		return Match{}, false
	}
	d := s.str()
	scheme := CardScheme(d)
	if scheme == "" || !Luhn(d) || IsTestCard(d) {
		return Match{}, false
	}
	m := Match{Kind: Card, Detail: scheme, Start: s.start, End: s.end, Confidence: Medium}
	switch ok, _ := context(text, s.start, h, Card); {
	case ok || grouped:
		m.Confidence = High
	case s.nd != 16 && !(s.nd == 15 && scheme == "amex"):
		// Bare 13- and 19-digit numbers are mostly IDs (a 19-digit Visa is rare, a
		// 13-digit one retired), and one in ten passes Luhn.
		m.Confidence = Low
	case h.Name != "":
		// A column that is not about cards holding a bare 16-digit number: a bigint id
		// far more often than a card, and one in ten ids passes Luhn.
		m.Confidence = Low
	}
	return m, true
}

// numericIDMatch recognises the national identifiers that are all digits. Those without a
// strong structure (SSN, BSN, Steuer-ID) need a label or column that names them: nine or
// eleven digits passing a mod-11 check are too common otherwise. A NIR carries sex, month
// and a mod-97 key, and stands on its own.
func numericIDMatch(text []byte, s *numSpan, h Hint) (Match, bool) {
	if s.plus || s.paren {
		return Match{}, false
	}
	if s.nd != 9 && s.nd != 11 && s.nd != 15 {
		return Match{}, false
	}
	labelled, named := context(text, s.start, h, NationalID)
	d := s.str()
	sep := s.uniformSep()
	switch s.nd {
	case 9:
		if (s.shape(3, 2, 4) && (sep == '-' || sep == ' ') || s.ng == 1) && ValidSSN(d) && labelled && (named == "ssn" || named == "" && s.ng == 3) {
			return Match{Kind: NationalID, Detail: "US SSN", Start: s.start, End: s.end, Confidence: High}, true
		}
		if (s.ng == 1 || s.shape(4, 2, 3) && sep == '.') && ValidBSN(d) {
			switch {
			case labelled && (named == "bsn" || named == ""):
				return Match{Kind: NationalID, Detail: "NL BSN", Start: s.start, End: s.end, Confidence: High}, true
			case !labelled:
				return Match{Kind: NationalID, Detail: "NL BSN", Start: s.start, End: s.end, Confidence: Low}, true
			}
		}
	case 11:
		if (s.ng == 1 || sep == ' ') && ValidSteuerID(d) {
			switch {
			case labelled && (named == "steuerid" || named == ""):
				return Match{Kind: NationalID, Detail: "DE Steuer-ID", Start: s.start, End: s.end, Confidence: High}, true
			case !labelled:
				return Match{Kind: NationalID, Detail: "DE Steuer-ID", Start: s.start, End: s.end, Confidence: Low}, true
			}
		}
	case 15:
		if (s.ng == 1 || s.shape(1, 2, 2, 2, 3, 3, 2) && sep == ' ') && ValidNIR(d) {
			m := Match{Kind: NationalID, Detail: "FR NIR", Start: s.start, End: s.end, Confidence: Medium}
			if labelled && (named == "nir" || named == "") {
				m.Confidence = High
			}
			return m, true
		}
	}
	return Match{}, false
}
