package pii

import (
	"strings"
)

// Checksum validators, exported for the anonymiser, which must generate replacements that
// pass (or deliberately fail) the same checks. Each takes the bare characters of the
// identifier, without separators.

// Luhn reports whether digits pass the Luhn (mod 10) check used by payment cards.
func Luhn(digits string) bool {
	if len(digits) < 2 {
		return false
	}
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if !isDigit(c) {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// CardScheme names the scheme whose issuer prefix (IIN) and length digits have, or "".
func CardScheme(digits string) string {
	n := len(digits)
	if n < 12 || n > 19 {
		return ""
	}
	p := func(k int) int {
		v := 0
		for _, c := range digits[:k] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	p2, p3, p4 := p(2), p(3), p(4)
	switch {
	case digits[0] == '4' && (n == 13 || n == 16 || n == 19):
		return "visa"
	case (p2 >= 51 && p2 <= 55 || p4 >= 2221 && p4 <= 2720) && n == 16:
		return "mastercard"
	case (p2 == 34 || p2 == 37) && n == 15:
		return "amex"
	case (p4 == 6011 || p3 >= 644 && p3 <= 649 || p2 == 65) && n >= 16:
		return "discover"
	case p4 >= 3528 && p4 <= 3589 && n >= 16:
		return "jcb"
	case (p2 == 36 || p3 >= 300 && p3 <= 305 || p2 == 38 || p2 == 39) && n >= 14:
		return "diners"
	case p2 == 62 && n >= 16:
		return "unionpay"
	case (p2 == 50 || p2 >= 56 && p2 <= 69) && n >= 13:
		return "maestro"
	}
	return ""
}

// TestCardNumbers are the numbers payment providers publish for integration tests
// (Stripe, Braintree, Adyen, PayPal, Worldpay and the schemes' own). They pass Luhn but
// are nobody's card, so a fixture full of them is fine and they are never reported.
var TestCardNumbers = []string{
	"4111111111111111", "4242424242424242", "4012888888881881", "4222222222222", "4000056655665556",
	"4012000033330026", "4012000077777777", "4917610000000000", "4444333322221111", "4005519200000004",
	"4009348888881881", "4111111111111", "4988438843884305", "4166676667666746", "4646464646464644",
	"4000000000000002", "4000000000000077", "4000000000000093", "4000000000003220", "4000002500003155",
	"4000002760003184", "4000000000009995", "4000000000000341", "4000000000000010", "4000000000000028",
	"4000000000000101", "4000000000000127", "4000000000000069", "4000000000000119", "4000000000009235",
	"4917484589897107", "4035501000000008", "4360000001000005", "4400000000000008", "4484070000000000",
	"5555555555554444", "5105105105105100", "5200828282828210", "5454545454545454", "5425233430109903",
	"2223003122003222", "2223000048410010", "2223520043560014", "5555341244441115", "5500000000000004",
	"5431111111111111", "5101180000000007", "5577000055770004", "5136333333333335", "5585558555855583",
	"378282246310005", "371449635398431", "378734493671000", "370000000000002", "340000000000009",
	"371111111111114", "374251018720018", "374251021090003", "6011111111111117", "6011000990139424",
	"6011601160116611", "6445644564456445", "6011000000000004", "6011000000000012", "3056930009020004",
	"36227206271667", "30569309025904", "38520000023237", "36006666333344", "36700102000000",
	"3566002020360505", "3530111333300000", "3566111111111113", "3569990010095841", "3528000700000000",
	"6200000000000005", "6205500000000000004", "6243030000000001", "6250941006528599", "6759649826438453",
	"6799990100000000019", "5000000000000611", "6304000000000000", "5641821111166669", "6703444444444449",
}

var testCards = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range TestCardNumbers {
		m[c] = true
	}
	return m
}()

// IsTestCard reports a published test number, or a dummy: eight or more equal digits in a
// row ("4000 0000 0000 0002") are how test and placeholder numbers are made, not issued.
func IsTestCard(digits string) bool {
	if testCards[digits] {
		return true
	}
	run := 1
	for i := 1; i < len(digits); i++ {
		if digits[i] == digits[i-1] {
			run++
			if run >= 8 {
				return true
			}
		} else {
			run = 1
		}
	}
	return false
}

// ibanLengths is the length of the IBAN of each country in the SWIFT IBAN registry.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
	"JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
	"MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
	"NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
	"SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// IBANLength is the registered length of country's IBANs, 0 for a country without.
func IBANLength(country string) int { return ibanLengths[country] }

// ExampleIBANs are the specimens banks and standards print; like test cards they pass the
// checksum and belong to no one.
var ExampleIBANs = []string{
	"DE89370400440532013000", "GB82WEST12345698765432", "GB29NWBK60161331926819", "NL91ABNA0417164300",
	"FR1420041010050500013M02606", "FR7630006000011234567890189", "BE68539007547034", "ES9121000418450200051332",
	"IT60X0542811101000000123456", "CH9300762011623852957", "AT611904300234573201", "NL02ABNA0123456789",
	"DE02120300000000202051", "DE75512108001245126199", "PL61109010140000071219812874", "SE4550000000058398257466",
}

// ValidIBAN checks the country's length and the ISO 7064 mod-97 checksum of an IBAN
// written without spaces.
func ValidIBAN(s string) bool {
	if len(s) < 15 || len(s) > 34 || ibanLengths[s[:2]] != len(s) || !isDigit(s[2]) || !isDigit(s[3]) {
		return false
	}
	rem := 0
	for i := 0; i < len(s); i++ {
		c := s[(i+4)%len(s)]
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case isUpper(c):
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// ValidBSN applies the Dutch citizen service number's 11-proof to 9 digits.
func ValidBSN(d string) bool {
	if len(d) != 9 || !allDigits(d) || d == "000000000" {
		return false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(d[i]-'0') * (9 - i)
	}
	sum -= int(d[8] - '0')
	return sum%11 == 0
}

// ValidSteuerID checks a German tax identification number: 11 digits, no leading zero, in
// the first ten exactly one digit repeated (twice or thrice, never three in a row) and the
// ISO 7064 MOD 11,10 check digit.
func ValidSteuerID(d string) bool {
	if len(d) != 11 || !allDigits(d) || d[0] == '0' {
		return false
	}
	var count [10]int
	for i := 0; i < 10; i++ {
		count[d[i]-'0']++
	}
	repeated := 0
	for _, c := range count {
		switch {
		case c == 2 || c == 3:
			repeated++
		case c > 3:
			return false
		}
	}
	if repeated != 1 {
		return false
	}
	for i := 2; i < 10; i++ {
		if d[i] == d[i-1] && d[i] == d[i-2] {
			return false
		}
	}
	product := 10
	for i := 0; i < 10; i++ {
		sum := (int(d[i]-'0') + product) % 10
		if sum == 0 {
			sum = 10
		}
		product = (sum * 2) % 11
	}
	check := 11 - product
	if check == 10 {
		check = 0
	}
	return check == int(d[10]-'0')
}

// ValidNIR checks a French social security number (NIR) of 15 digits: sex, a plausible
// month and the key 97 − (number mod 97). Corsican department codes (2A, 2B) are letters
// and are accepted in that form.
func ValidNIR(s string) bool {
	if len(s) != 15 {
		return false
	}
	switch s[0] {
	case '1', '2', '3', '4', '7', '8':
	default:
		return false
	}
	body := s[:13]
	switch strings.ToUpper(s[5:7]) {
	case "2A":
		body = s[:5] + "19" + s[7:13]
	case "2B":
		body = s[:5] + "18" + s[7:13]
	}
	if !allDigits(body) || !allDigits(s[13:]) {
		return false
	}
	month := int(s[3]-'0')*10 + int(s[4]-'0')
	if !(month >= 1 && month <= 12 || month >= 20 && month <= 42 || month >= 50 && month <= 99) {
		return false
	}
	rem := 0
	for _, c := range body {
		rem = (rem*10 + int(c-'0')) % 97
	}
	key := int(s[13]-'0')*10 + int(s[14]-'0')
	return key == 97-rem
}

const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// ValidDNI checks a Spanish DNI (8 digits and a check letter) or NIE (X, Y or Z, 7 digits
// and the letter).
func ValidDNI(s string) bool {
	if len(s) != 9 || !isUpper(s[8]) {
		return false
	}
	num := s[:8]
	switch s[0] {
	case 'X':
		num = "0" + s[1:8]
	case 'Y':
		num = "1" + s[1:8]
	case 'Z':
		num = "2" + s[1:8]
	}
	if !allDigits(num) {
		return false
	}
	n := 0
	for _, c := range num {
		n = n*10 + int(c-'0')
	}
	return dniLetters[n%23] == s[8]
}

// Italian codice fiscale check character tables: odd positions (1st, 3rd, …) map through
// cfOdd, even ones through their plain value.
var cfOdd = [36]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

// omocodia letters replace digits when two people would share a code.
const omocodia = "LMNPQRSTUV"

// ValidCodiceFiscale checks the shape (6 letters, 2 digits, month letter, 2 digits, a
// letter and 3 digits, with omocodia substitutions) and the check character of an Italian
// fiscal code.
func ValidCodiceFiscale(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := 0; i < 16; i++ {
		c := s[i]
		switch i {
		case 0, 1, 2, 3, 4, 5, 8, 11, 15:
			if !isUpper(c) {
				return false
			}
		default:
			if !isDigit(c) && !strings.ContainsRune(omocodia, rune(c)) {
				return false
			}
		}
	}
	if !strings.ContainsRune("ABCDEHLMPRST", rune(s[8])) {
		return false
	}
	sum := 0
	for i := 0; i < 15; i++ {
		c := s[i]
		v := 0
		if isDigit(c) {
			v = int(c - '0')
		} else {
			v = int(c - 'A')
		}
		if i%2 == 0 {
			idx := v
			if !isDigit(c) {
				idx = v + 10
			}
			sum += cfOdd[idx]
		} else {
			sum += v
		}
	}
	return s[15] == byte('A'+sum%26)
}

// ValidSSN applies the US Social Security number's allocation rules (no checksum exists):
// area not 000, 666 or 900–999, group not 00, serial not 0000; and refuses the numbers
// known from advertising and documentation.
func ValidSSN(d string) bool {
	if len(d) != 9 || !allDigits(d) {
		return false
	}
	area, group, serial := d[:3], d[3:5], d[5:]
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return false
	}
	switch d {
	case "078051120", "219099999", "123456789", "111111111", "333333333":
		return false
	}
	return true
}

// ValidNINO applies the UK National Insurance number's format rules (no checksum exists):
// two prefix letters (not D, F, I, Q, U or V; second not O; not BG, GB, KN, NK, NT, TN or
// ZZ), six digits and a suffix A–D.
func ValidNINO(s string) bool {
	if len(s) != 9 || !isUpper(s[0]) || !isUpper(s[1]) || !allDigits(s[2:8]) || s[8] < 'A' || s[8] > 'D' {
		return false
	}
	if strings.IndexByte("DFIQUV", s[0]) >= 0 || strings.IndexByte("DFIQUVO", s[1]) >= 0 {
		return false
	}
	switch s[:2] {
	case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
		return false
	}
	return true
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
