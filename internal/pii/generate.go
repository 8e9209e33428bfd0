package pii

import (
	"strconv"
)

// Completers append the check digit or letter that makes an identifier valid. The
// anonymiser needs them to write replacements that still pass an application's
// validation; tests and benchmarks use them so that no real-looking identifier has to be
// written into the source. Each returns "" when the input cannot be completed.

// CompleteLuhn appends the Luhn check digit to digits.
func CompleteLuhn(digits string) string {
	if !allDigits(digits) {
		return ""
	}
	for d := byte('0'); d <= '9'; d++ {
		if s := digits + string(d); Luhn(s) {
			return s
		}
	}
	return ""
}

// CompleteIBAN computes the two check digits of an IBAN for country and bban.
func CompleteIBAN(country, bban string) string {
	if len(country) != 2 || ibanLengths[country] != len(bban)+4 {
		return ""
	}
	for k := 2; k <= 98; k++ {
		s := country + strconv.Itoa(k/10) + strconv.Itoa(k%10) + bban
		if ValidIBAN(s) {
			return s
		}
	}
	return ""
}

// CompleteBSN appends the 11-proof digit to 8 digits; some prefixes have none.
func CompleteBSN(first8 string) string {
	for d := byte('0'); d <= '9'; d++ {
		if s := first8 + string(d); ValidBSN(s) {
			return s
		}
	}
	return ""
}

// CompleteSteuerID appends the check digit to 10 digits of the right structure.
func CompleteSteuerID(first10 string) string {
	for d := byte('0'); d <= '9'; d++ {
		if s := first10 + string(d); ValidSteuerID(s) {
			return s
		}
	}
	return ""
}

// CompleteNIR appends the two-digit key to 13 digits.
func CompleteNIR(first13 string) string {
	for k := 1; k <= 97; k++ {
		if s := first13 + strconv.Itoa(k/10) + strconv.Itoa(k%10); ValidNIR(s) {
			return s
		}
	}
	return ""
}

// CompleteDNI appends the check letter to 8 digits (or an NIE's X/Y/Z and 7 digits).
func CompleteDNI(first8 string) string {
	for c := byte('A'); c <= 'Z'; c++ {
		if s := first8 + string(c); ValidDNI(s) {
			return s
		}
	}
	return ""
}

// CompleteCodiceFiscale appends the check letter to the first 15 characters.
func CompleteCodiceFiscale(first15 string) string {
	for c := byte('A'); c <= 'Z'; c++ {
		if s := first15 + string(c); ValidCodiceFiscale(s) {
			return s
		}
	}
	return ""
}
