package httpcheck

import (
	"fmt"
	"strconv"
	"strings"
)

// HSTS is a parsed Strict-Transport-Security header.
type HSTS struct {
	MaxAge            int64
	IncludeSubDomains bool
	Preload           bool
}

// minHSTSAge is the shortest max-age the policy accepts: 180 days.
const minHSTSAge = 180 * 24 * 60 * 60

// maxAgeCap keeps an absurd max-age from overflowing; anything this large is "forever".
const maxAgeCap = 1 << 53

// ParseHSTS parses one header value as RFC 6797 section 6.1 defines it. A header that a
// browser would ignore (no max-age, a directive given twice, a malformed value) is an
// error, because it gives no protection.
func ParseHSTS(v string) (HSTS, error) {
	var h HSTS
	seen := map[string]bool{}
	haveAge := false
	for _, part := range strings.Split(v, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, hasVal := strings.Cut(part, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		val = strings.TrimSpace(val)
		if name == "" || !isToken(name) {
			return HSTS{}, fmt.Errorf("malformed directive %q", truncate(part, 40))
		}
		if seen[name] {
			return HSTS{}, fmt.Errorf("directive %s appears twice", name)
		}
		seen[name] = true
		if hasVal {
			uq, err := unquote(val)
			if err != nil {
				return HSTS{}, fmt.Errorf("directive %s: %w", name, err)
			}
			val = uq
		}
		switch name {
		case "max-age":
			if !hasVal || val == "" {
				return HSTS{}, fmt.Errorf("max-age without a value")
			}
			for _, c := range val {
				if c < '0' || c > '9' {
					return HSTS{}, fmt.Errorf("max-age %q is not a number of seconds", truncate(val, 40))
				}
			}
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n > maxAgeCap {
				n = maxAgeCap
			}
			h.MaxAge, haveAge = n, true
		case "includesubdomains":
			if hasVal {
				return HSTS{}, fmt.Errorf("includeSubDomains takes no value")
			}
			h.IncludeSubDomains = true
		case "preload":
			h.Preload = true
		}
	}
	if !haveAge {
		return HSTS{}, fmt.Errorf("no max-age directive")
	}
	return h, nil
}

// isToken reports whether s is an RFC 7230 token.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return s != ""
}

func unquote(v string) (string, error) {
	if !strings.HasPrefix(v, `"`) {
		if !isToken(v) && v != "" {
			return "", fmt.Errorf("value %q is neither a token nor a quoted string", truncate(v, 40))
		}
		return v, nil
	}
	if len(v) < 2 || !strings.HasSuffix(v, `"`) {
		return "", fmt.Errorf("unterminated quoted string")
	}
	var b strings.Builder
	in := v[1 : len(v)-1]
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '\\':
			if i+1 >= len(in) {
				return "", fmt.Errorf("quoted string ends in a backslash")
			}
			i++
			b.WriteByte(in[i])
		case c == '"':
			return "", fmt.Errorf("stray quote in quoted string")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// days renders a max-age for people.
func days(sec int64) string {
	d := sec / 86400
	if d == 1 {
		return "1 day"
	}
	return strconv.FormatInt(d, 10) + " days"
}
