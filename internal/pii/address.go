package pii

import (
	"strings"
)

// Postal addresses are found from their house number: English and French put it before
// the street ("12 Baker Street", "12 rue de la Paix"), German and Dutch after it
// ("Hauptstraße 12", "Keizersgracht 123"). A street next to a house number is an address
// candidate; a postcode on the same line, a label or an address column makes it count.
// This is a heuristic: it misses streets without one of the listed words ("Unter den
// Linden 5") and addresses split over lines, and it will occasionally take a sentence
// like "3 Pine Road" in a README for an address (which is why free text also needs a
// postcode or a label).

// enStreetWords follow the street name in English addresses.
var enStreetWords = map[string]bool{
	"street": true, "st": true, "avenue": true, "ave": true, "road": true, "rd": true, "lane": true, "ln": true,
	"drive": true, "dr": true, "boulevard": true, "blvd": true, "court": true, "ct": true, "place": true,
	"pl": true, "way": true, "terrace": true, "close": true, "crescent": true, "square": true, "sq": true,
	"parkway": true, "pkwy": true, "highway": true, "hwy": true, "gardens": true, "grove": true, "mews": true,
	"row": true, "walk": true, "circle": true, "cir": true, "trail": true,
}

// frStreetWords precede the street name in French addresses.
var frStreetWords = map[string]bool{
	"rue": true, "avenue": true, "av": true, "boulevard": true, "bd": true, "place": true, "allée": true,
	"allee": true, "impasse": true, "chemin": true, "quai": true, "route": true, "cours": true, "square": true,
	"passage": true, "faubourg": true,
}

// nlDeStreetSuffixes end German and Dutch street names, written as one word
// ("Hauptstraße", "Prinsengracht") or after an adjective ("Berliner Straße").
var nlDeStreetSuffixes = []string{
	"straße", "strasse", "str.", "weg", "allee", "platz", "gasse", "damm", "ufer", "chaussee", "steig",
	"straat", "laan", "plein", "gracht", "kade", "singel", "dijk", "steeg", "dreef", "markt",
}

func wordAt(text []byte, i int) (string, int) {
	j := i
	for j < len(text) && (isLetter(text[j]) || text[j] == '\'') {
		j++
	}
	if j < len(text) && text[j] == '.' && j > i {
		j++ // "St.", "Str."
	}
	return string(text[i:j]), j
}

func wordBefore(text []byte, end int) (string, int) {
	i := end
	if i > 0 && text[i-1] == '.' {
		i--
	}
	for i > 0 && (isLetter(text[i-1]) || text[i-1] == '-') {
		i--
	}
	return string(text[i:end]), i
}

func capitalised(w string) bool { return w != "" && (isUpper(w[0]) || w[0] >= 0x80) }

// appendHouseNumber looks for a street around a house number span.
func appendHouseNumber(dst []Match, text []byte, s *numSpan, h Hint) []Match {
	if s.plus || s.paren || s.ng != 1 || s.nd > 5 || s.digits[0] == '0' {
		return dst
	}
	start, end := -1, -1
	// After the number: optional letter suffix ("221B"), then English words up to a
	// street word, or a French street word and a name.
	j := s.end
	if j < len(text) && isLetter(text[j]) && (j+1 == len(text) || !isLetter(text[j+1])) {
		j++
	}
	if j < len(text) && text[j] == ',' {
		j++
	}
	if j+1 < len(text) && text[j] == ' ' && isLetter(text[j+1]) {
		k := j + 1
		w, e := wordAt(text, k)
		lw := strings.TrimSuffix(strings.ToLower(w), ".")
		if lw == "bis" || lw == "ter" {
			if e+1 < len(text) && text[e] == ' ' {
				k = e + 1
				w, e = wordAt(text, k)
				lw = strings.TrimSuffix(strings.ToLower(w), ".")
			}
		}
		if frStreetWords[lw] && e+1 < len(text) && text[e] == ' ' {
			if nw, ne := wordAt(text, e+1); len(nw) >= 2 {
				// "rue de la Paix": take the article and the name.
				for n := 0; n < 3 && ne+1 < len(text) && text[ne] == ' '; n++ {
					nw2, ne2 := wordAt(text, ne+1)
					if !capitalised(nw2) && !isArticle(nw2) || nw2 == "" {
						break
					}
					ne = ne2
				}
				start, end = s.start, ne
			}
		} else {
			names := 0
			for n := 0; n < 4 && capitalised(w); n++ {
				lw := strings.TrimSuffix(strings.ToLower(w), ".")
				if enStreetWords[lw] && names > 0 {
					start, end = s.start, e
					break
				}
				names++
				if e+1 >= len(text) || text[e] != ' ' {
					break
				}
				w, e = wordAt(text, e+1)
			}
		}
	}
	// Before the number: "Hauptstraße 12", "Berliner Straße 12", "Keizersgracht 123".
	if start < 0 && s.start > 1 && text[s.start-1] == ' ' {
		w, ws := wordBefore(text, s.start-1)
		lw := strings.ToLower(w)
		for _, suf := range nlDeStreetSuffixes {
			if !strings.HasSuffix(lw, suf) || !capitalised(w) {
				continue
			}
			if len(lw) > len(suf)+2 {
				start = ws
			} else if ws > 1 && text[ws-1] == ' ' {
				if pw, ps := wordBefore(text, ws-1); capitalised(pw) && len(pw) >= 3 {
					start = ps
				}
			}
			break
		}
		if start >= 0 {
			end = s.end
			if end < len(text) && isLower(text[end]) && (end+1 == len(text) || !isLetter(text[end+1])) {
				end++ // "12a"
			}
		}
	}
	if start < 0 {
		return dst
	}
	m := Match{Kind: Address, Detail: "street", Start: start, End: end, Confidence: Low}
	if pe := postcodeAfter(text, end); pe > 0 {
		m.End, m.Confidence = pe, Medium
	}
	if ok, _ := context(text, start, h, Address); ok {
		m.Confidence = max(m.Confidence, Medium)
		if h.Kind == Address {
			m.Confidence = High
		}
	}
	return append(dst, m)
}

func isArticle(w string) bool {
	switch strings.ToLower(w) {
	case "de", "du", "des", "la", "le", "les", "d'", "l'":
		return true
	}
	return false
}

// postcodeAfter finds a postcode within a short distance after a street on the same line
// and returns where it (and a following town name) ends, or 0. Formats: UK "SW1A 1AA",
// NL "1011 AB", DE/FR "75002 Paris", US "NY 10001(-1234)".
func postcodeAfter(text []byte, i int) int {
	lim := min(len(text), i+60)
	for j := i; j < lim; j++ {
		c := text[j]
		if c == '\n' || c == '\r' {
			return 0
		}
		if j > 0 && isAlnum(text[j-1]) {
			continue
		}
		if e := postcodeAt(text, j); e > 0 {
			return e
		}
	}
	return 0
}

func postcodeAt(t []byte, j int) int {
	at := func(k int, f func(byte) bool) bool { return k < len(t) && f(t[k]) }
	end := func(k int) bool { return k >= len(t) || !isAlnum(t[k]) }
	// NL: 4 digits, optional space, 2 upper-case letters.
	if at(j, isDigit) && at(j+1, isDigit) && at(j+2, isDigit) && at(j+3, isDigit) && t[j] != '0' {
		k := j + 4
		if at(k, func(c byte) bool { return c == ' ' }) {
			k++
		}
		if at(k, isUpper) && at(k+1, isUpper) && end(k+2) {
			return k + 2
		}
		// DE/FR: 5 digits and a capitalised town.
		if at(j+4, isDigit) && at(j+5, func(c byte) bool { return c == ' ' }) && at(j+6, isUpper) && at(j+7, isLower) {
			_, e := wordAt(t, j+6)
			return e
		}
	}
	// US: state and ZIP.
	if at(j, isUpper) && at(j+1, isUpper) && at(j+2, func(c byte) bool { return c == ' ' }) {
		k := j + 3
		n := 0
		for at(k+n, isDigit) {
			n++
		}
		if n == 5 {
			k += 5
			if at(k, func(c byte) bool { return c == '-' }) && at(k+4, isDigit) {
				k += 5
			}
			if end(k) {
				return k
			}
		}
	}
	// UK: A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA.
	k := j
	letters := 0
	for letters < 2 && at(k, isUpper) {
		k++
		letters++
	}
	if letters == 0 || !at(k, isDigit) {
		return 0
	}
	k++
	if at(k, isDigit) || at(k, isUpper) {
		k++
	}
	if !at(k, func(c byte) bool { return c == ' ' }) {
		return 0
	}
	k++
	if at(k, isDigit) && at(k+1, isUpper) && at(k+2, isUpper) && end(k+3) {
		return k + 3
	}
	return 0
}

// appendFieldAddress takes the whole value of an address column as an address when no
// street was recognised in it but it looks like one: a house number and a name.
func appendFieldAddress(dst []Match, text []byte, h Hint, base int) []Match {
	if h.Kind != Address {
		return dst
	}
	for _, m := range dst[base:] {
		if m.Kind == Address {
			return dst
		}
	}
	s, e := 0, len(text)
	for s < e && (text[s] == ' ' || text[s] == '\t') {
		s++
	}
	for e > s && (text[e-1] == ' ' || text[e-1] == '\t') {
		e--
	}
	digits, letters := 0, 0
	for _, c := range text[s:e] {
		switch {
		case isDigit(c):
			digits++
		case isLetter(c):
			letters++
		}
	}
	if digits == 0 || letters < 4 || e-s > 200 {
		return dst
	}
	return append(dst, Match{Kind: Address, Detail: "address column", Start: s, End: e, Confidence: Medium})
}
