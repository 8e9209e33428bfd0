package pii

// Identifiers that start with letters: IBANs, UK National Insurance numbers, Spanish NIEs
// and Italian fiscal codes. All are upper case in the wild; lower-case forms are left to
// the column hint and the anonymiser.

// appendIBANs finds IBANs written compact ("NL02ABNA0123456789") or in groups of four
// separated by single spaces, with the country's registered length and a valid mod-97
// checksum. Specimen IBANs from documentation are skipped like test cards.
func appendIBANs(dst []Match, text []byte) []Match {
	var buf [34]byte
	for i := 0; i+15 <= len(text); i++ {
		if !isUpper(text[i]) || !isUpper(text[i+1]) || !isDigit(text[i+2]) || !isDigit(text[i+3]) {
			continue
		}
		if i > 0 && isAlnum(text[i-1]) {
			continue
		}
		want := ibanLengths[string(text[i:i+2])]
		if want == 0 {
			continue
		}
		n, j := 0, i
	read:
		for j < len(text) && n < want {
			c := text[j]
			switch {
			case isUpper(c) || isDigit(c):
				buf[n] = c
				n++
				j++
			case c == ' ' && n%4 == 0 && n > 0 && j+1 < len(text) && (isUpper(text[j+1]) || isDigit(text[j+1])):
				j++
			default:
				break read
			}
		}
		if n != want || (j < len(text) && isAlnum(text[j])) {
			continue
		}
		s := string(buf[:n])
		if !ValidIBAN(s) || isExampleIBAN(s) {
			continue
		}
		dst = append(dst, Match{Kind: IBAN, Detail: s[:2], Start: i, End: j, Confidence: High})
		i = j - 1
	}
	return dst
}

func isExampleIBAN(s string) bool {
	for _, e := range ExampleIBANs {
		if s == e {
			return true
		}
	}
	return false
}

// appendLetterIDs finds UK NINOs, Spanish NIEs and Italian fiscal codes at word starts.
func appendLetterIDs(dst []Match, text []byte, h Hint) []Match {
	for i := 0; i+9 <= len(text); i++ {
		c := text[i]
		if !isUpper(c) || i > 0 && isAlnum(text[i-1]) {
			continue
		}
		if m, ok := ninoAt(text, i, h); ok {
			dst = append(dst, m)
			i = m.End - 1
			continue
		}
		if (c == 'X' || c == 'Y' || c == 'Z') && i+9 <= len(text) {
			j := i + 1
			if text[j] == '-' {
				j++
			}
			if j+7 <= len(text) && allDigits(string(text[j:j+7])) {
				if l, end := letterAfter(text, j+7); l != 0 {
					id := string(c) + string(text[j:j+7]) + string(l)
					if ValidDNI(id) {
						dst = append(dst, idMatch(text, i, end, h, "ES NIE", "dni", Medium))
						i = end - 1
						continue
					}
				}
			}
		}
		if i+16 <= len(text) && (i+16 == len(text) || !isAlnum(text[i+16])) && isUpper(text[i+5]) {
			s := string(text[i : i+16])
			if ValidCodiceFiscale(s) && s != "RSSMRA85T10A562S" && s != "RSSMRA80A01H501U" {
				dst = append(dst, idMatch(text, i, i+16, h, "IT codice fiscale", "cf", High))
				i += 15
			}
		}
	}
	return dst
}

// ninoAt reads "AB123456C" or "AB 12 34 56 C". Without a label the format alone would
// also fit product and reference codes, so it is only Low then.
func ninoAt(text []byte, i int, h Hint) (Match, bool) {
	var b [9]byte
	b[0], b[1] = text[i], text[i+1]
	if !isUpper(b[1]) {
		return Match{}, false
	}
	j, n := i+2, 2
	for n < 8 && j < len(text) {
		switch {
		case isDigit(text[j]):
			b[n] = text[j]
			n++
			j++
		case text[j] == ' ' && n%2 == 0 && j+1 < len(text) && isDigit(text[j+1]):
			j++
		default:
			return Match{}, false
		}
	}
	if n != 8 {
		return Match{}, false
	}
	if j < len(text) && text[j] == ' ' {
		j++
	}
	if j >= len(text) || j+1 < len(text) && isAlnum(text[j+1]) {
		return Match{}, false
	}
	b[8] = text[j]
	if !ValidNINO(string(b[:])) || string(b[:8]) == "AB123456" {
		return Match{}, false
	}
	m := Match{Kind: NationalID, Detail: "UK NINO", Start: i, End: j + 1, Confidence: Low}
	if ok, named := context(text, i, h, NationalID); ok && (named == "" || named == "nino") {
		m.Confidence = High
	}
	return m, true
}
