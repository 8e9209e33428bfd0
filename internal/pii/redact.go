package pii

import (
	"strings"
)

// Redact turns a matched value into a sample a report may show: enough to tell what kind
// of thing was found and to recognise a familiar pattern ("j***@gm***.com", "card ending
// 4467"), never enough to recover or use the value. value is the matched text.
func Redact(m Match, value []byte) string {
	v := strings.ToValidUTF8(string(value), "?")
	switch m.Kind {
	case Email:
		return redactEmail(v)
	case Phone:
		return redactPhone(v)
	case Card:
		return m.Detail + " " + maskDigits(v, 4)
	case IBAN:
		return redactIBAN(v)
	case NationalID:
		return m.Detail + " " + maskAlnum(v, 2)
	case PasswordHash:
		return redactHash(m, v)
	case Address:
		return redactAddress(v)
	}
	return "***"
}

func redactEmail(v string) string {
	local, domain, ok := strings.Cut(v, "@")
	if !ok {
		return "***"
	}
	keep := func(s string, n int) string {
		if len(s) <= n+1 {
			return "***"
		}
		return s[:n] + "***"
	}
	tld := ""
	name := domain
	if i := strings.LastIndexByte(domain, '.'); i >= 0 {
		name, tld = domain[:i], domain[i:]
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:] // "mail.example.co" → "co"; the registrable label is enough
	}
	return keep(local, 1) + "@" + keep(name, 2) + tld
}

// redactPhone keeps the country code of an international number, the separators and the
// last two digits.
func redactPhone(v string) string {
	keepLead := 0
	if strings.HasPrefix(v, "+") {
		d := digitsOnly(v)
		if cc, _ := splitCountryCode(d); cc != "" {
			keepLead = len(cc)
		}
	}
	total := len(digitsOnly(v))
	var b strings.Builder
	seen := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isDigit(c) {
			b.WriteByte(c)
			continue
		}
		seen++
		if seen <= keepLead || seen > total-2 {
			b.WriteByte(c)
		} else {
			b.WriteByte('*')
		}
	}
	return b.String()
}

func digitsOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// maskDigits replaces every digit but the last keep with '*', keeping separators.
func maskDigits(v string, keep int) string {
	total := len(digitsOnly(v))
	var b strings.Builder
	seen := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isDigit(c) {
			seen++
			if seen <= total-keep {
				c = '*'
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// maskAlnum replaces every letter and digit but the last keep.
func maskAlnum(v string, keep int) string {
	total := 0
	for i := 0; i < len(v); i++ {
		if isAlnum(v[i]) {
			total++
		}
	}
	var b strings.Builder
	seen := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isAlnum(c) {
			seen++
			if seen <= total-keep {
				c = '*'
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func redactIBAN(v string) string {
	if len(v) < 4 {
		return "***"
	}
	return v[:2] + maskAlnum(v[2:], 2)
}

// redactHash shows the algorithm and its cost parameter, which say how strong the hash
// is; the salt and digest never appear.
func redactHash(m Match, v string) string {
	prefix := ""
	switch {
	case strings.HasPrefix(v, "$2") && len(v) > 7:
		prefix = v[:7] // $2y$10$
	case strings.HasPrefix(v, "$wp$2y$") && len(v) > 10:
		prefix = v[:10]
	case strings.HasPrefix(v, "$P$") || strings.HasPrefix(v, "$H$") || strings.HasPrefix(v, "$S$"):
		prefix = v[:3]
	case strings.HasPrefix(v, "$argon2"):
		if i := strings.Index(v, "$m="); i > 0 {
			if j := strings.IndexByte(v[i+1:], '$'); j > 0 {
				prefix = v[:i+1+j+1]
			}
		}
	case strings.HasPrefix(v, "$"):
		if i := strings.IndexByte(v[1:], '$'); i > 0 {
			prefix = v[:i+2]
		}
	default:
		if i := strings.IndexByte(v, '$'); i > 0 && i < 20 {
			prefix = v[:i+1]
		}
	}
	return m.Detail + " " + prefix + "…"
}

// redactAddress keeps the street words ("Street", "rue", "straat") that say this is an
// address, the first letter of other words, and no digits.
func redactAddress(v string) string {
	var out []string
	for _, w := range strings.Fields(v) {
		lw := strings.ToLower(strings.Trim(w, ".,"))
		keepWord := enStreetWords[lw] || frStreetWords[lw] || isArticle(lw)
		for _, suf := range nlDeStreetSuffixes {
			if lw == suf {
				keepWord = true
			}
		}
		switch {
		case keepWord:
			out = append(out, w)
		case strings.IndexFunc(w, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0:
			out = append(out, "**")
		default:
			r := []rune(w)
			out = append(out, string(r[0])+"***")
		}
	}
	return strings.Join(out, " ")
}
