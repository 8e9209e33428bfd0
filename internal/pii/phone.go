package pii

import (
	"strings"
)

// countryCodes are the assigned ITU-T E.164 country calling codes.
var countryCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58
		60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98
		211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 235 236 237 238 239
		240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255 256 257 258 260 261 262 263 264 265
		266 267 268 269 290 291 297 298 299 350 351 352 353 354 355 356 357 358 359 370 371 372 373 374 375
		376 377 378 379 380 381 382 383 385 386 387 389 420 421 423 500 501 502 503 504 505 506 507 508 509
		590 591 592 593 594 595 596 597 598 599 670 672 673 674 675 676 677 678 679 680 681 682 683 685 686
		687 688 689 690 691 692 800 808 850 852 853 855 856 870 878 880 881 882 883 886 888 960 961 962 963
		964 965 966 967 968 970 971 972 973 974 975 976 977 979 992 993 994 995 996 998`) {
		m[c] = true
	}
	return m
}()

// nsnLengths bounds the national significant number (after the country code) for the
// countries whose plans are regular enough to check; others get the E.164 limits.
var nsnLengths = map[string][2]int{
	"1": {10, 10}, "7": {10, 10}, "31": {9, 9}, "32": {8, 9}, "33": {9, 9}, "34": {9, 9},
	"39": {6, 11}, "41": {9, 9}, "43": {4, 13}, "44": {9, 10}, "45": {8, 8}, "46": {7, 13},
	"47": {8, 8}, "48": {9, 9}, "49": {6, 13}, "61": {9, 9}, "81": {9, 10}, "86": {7, 12},
	"91": {10, 10}, "351": {9, 9}, "353": {7, 9}, "358": {5, 12},
}

// fictionPrefixes are the national ranges regulators reserve for films and books (Ofcom's
// drama numbers, ARCEP's fiction ranges; NANP exchange 555 is checked in code): nobody
// answers them, so they are what careful fixtures use. Keyed by country code, listing
// national significant number prefixes.
var fictionPrefixes = map[string][]string{
	"44": {"7700900", "2079460", "1134960", "1144960", "1154960", "1164960", "1174960", "1184960",
		"1214960", "1314960", "1414960", "1514960", "1614960", "2890180", "2920180", "1632960",
		"1914980", "8081570", "9098790", "3069990"},
	"33": {"19900", "26191", "35301", "46571", "53649", "63998"},
	"61": {"491570", "491571", "491572", "255501", "370100", "755501", "855501"},
}

func isFiction(cc, nsn string) bool {
	if cc == "1" {
		// 555-0100 to 555-0199 are reserved for fiction; the rest of 555 was never
		// assigned to subscribers (555-1212 is directory assistance), so films and
		// fixtures use all of it.
		return len(nsn) == 10 && nsn[3:6] == "555"
	}
	for _, p := range fictionPrefixes[cc] {
		if strings.HasPrefix(nsn, p) {
			return true
		}
	}
	return false
}

// splitCountryCode takes the longest assigned country code off an international number.
func splitCountryCode(d string) (cc, nsn string) {
	for l := 1; l <= 3 && l < len(d); l++ {
		if countryCodes[d[:l]] {
			return d[:l], d[l:]
		}
	}
	return "", ""
}

func plausibleInternational(d string) (cc, nsn string, ok bool) {
	if len(d) < 8 || len(d) > 15 {
		return "", "", false
	}
	cc, nsn = splitCountryCode(d)
	if cc == "" {
		return "", "", false
	}
	lo, hi := 6, 15-len(cc)
	if r, ok := nsnLengths[cc]; ok {
		lo, hi = r[0], r[1]
	}
	if len(nsn) < lo || len(nsn) > hi || nsn[0] == '0' && cc != "39" {
		return "", "", false
	}
	if cc == "1" && !validNANP(nsn) {
		return "", "", false
	}
	return cc, nsn, !isFiction(cc, nsn)
}

// validNANP applies the North American plan: area code and exchange start 2–9 and are not
// N11 service codes.
func validNANP(d string) bool {
	if len(d) != 10 {
		return false
	}
	for _, part := range []string{d[:3], d[3:6]} {
		if part[0] < '2' || part[1] == '1' && part[2] == '1' {
			return false
		}
	}
	return true
}

// phoneMatch recognises international numbers (+CC or 00CC), NANP numbers and the
// trunk-prefixed national numbers of the UK, Germany, France and the Netherlands.
//
// Without a label or a phone column only formats that are unmistakably phone numbers
// count: a leading '+', "(415) 829-3341" and "415-829-3341". A bare national number
// ("030 1234567", "0612345678") is a phone number only when something says so: digits
// like these are also order numbers, amounts and IDs.
func phoneMatch(text []byte, s *numSpan, h Hint) (Match, bool) {
	if s.nd < 7 {
		return Match{}, false
	}
	labelled, _ := context(text, s.start, h, Phone)
	d := s.str()
	sep := s.uniformSep()
	m := Match{Kind: Phone, Start: s.start, End: s.end}
	conf := func(formatted bool) Confidence {
		switch {
		case h.Kind == Phone:
			return High
		case labelled && formatted:
			return High
		case labelled || formatted:
			return Medium
		}
		return Low
	}
	switch {
	case s.plus:
		if _, _, ok := plausibleInternational(d); !ok {
			return Match{}, false
		}
		// "+1.5" and "+12.34" are numbers with a sign; dotted international numbers are
		// rare enough to need a label.
		if sep == '.' && !labelled {
			return Match{}, false
		}
		m.Detail, m.Confidence = "E.164", conf(true)
		return m, true
	case len(d) > 4 && d[:2] == "00" && d[2] != '0':
		if _, _, ok := plausibleInternational(d[2:]); !ok || !labelled && h.Kind != Phone {
			return Match{}, false
		}
		m.Detail, m.Confidence = "international", conf(false)
		return m, true
	}
	if s.trunk {
		return Match{}, false
	}
	// NANP: (NXX) NXX-XXXX, NXX-NXX-XXXX, 1-NXX-NXX-XXXX, or bare/dotted with context.
	nanp := d
	if len(d) == 11 && d[0] == '1' {
		nanp = d[1:]
	}
	if len(nanp) == 10 && d[0] != '0' {
		if !validNANP(nanp) || isFiction("1", nanp) {
			return Match{}, false
		}
		formatted := s.paren && (s.shape(3, 3, 4) || s.shape(1, 3, 3, 4)) ||
			sep == '-' && (s.shape(3, 3, 4) || s.shape(1, 3, 3, 4))
		if !formatted && !labelled && h.Kind != Phone {
			return Match{}, false
		}
		m.Detail, m.Confidence = "NANP", conf(formatted)
		return m, true
	}
	// National numbers with a trunk 0: UK 0xx(x) xxxx xxxx, DE 0xx(x) xxxxxxx, FR 0x xx xx
	// xx xx, NL 0xx-xxxxxxx. Only with context.
	if len(d) >= 9 && len(d) <= 12 && d[0] == '0' && d[1] != '0' && (labelled || h.Kind == Phone) {
		nsn := d[1:]
		if isFiction("44", nsn) || isFiction("33", nsn) || isFiction("61", nsn) {
			return Match{}, false
		}
		if sep == '.' && !(s.shape(2, 2, 2, 2, 2) || s.shape(3, 3, 4)) {
			return Match{}, false
		}
		m.Detail, m.Confidence = "national", conf(false)
		if h.Kind != Phone {
			m.Confidence = Medium
		}
		return m, true
	}
	return Match{}, false
}
