package pii

import (
	"bytes"
)

// Password hashes are recognised by their modular-crypt or framework prefix and the exact
// length and alphabet of what follows, so they need no context: "$2y$10$" and 53 bcrypt
// characters is nothing but a bcrypt hash.

func isCryptChar(c byte) bool { return isDigit(c) || isUpper(c) || isLower(c) || c == '.' || c == '/' }
func isB64Char(c byte) bool   { return isDigit(c) || isUpper(c) || isLower(c) || c == '+' || c == '/' }

// run counts bytes from i that satisfy f, up to limit.
func run(text []byte, i, limit int, f func(byte) bool) int {
	n := 0
	for i+n < len(text) && n < limit && f(text[i+n]) {
		n++
	}
	return n
}

func digitsAt(text []byte, i int) int { return run(text, i, 10, isDigit) }

func endsToken(text []byte, i int, f func(byte) bool) bool { return i >= len(text) || !f(text[i]) }

// djangoPrefixes precede a '$' in Django's password field; the '$' scan finds the
// separator and looks back for the algorithm.
var djangoPrefixes = []string{"pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "scrypt"}

// appendHashes finds password hashes: phpass ($P$, $H$; WordPress before 6.8, phpBB),
// bcrypt ($2a$, $2b$, $2x$, $2y$; and WordPress 6.8's $wp$2y$), argon2 ($argon2id$, $argon2i$,
// $argon2d$), Drupal 7 ($S$), SHA-crypt ($5$, $6$), MD5-crypt ($1$, $apr1$), yescrypt
// ($y$) and Django's pbkdf2_sha256$… family.
func appendHashes(dst []Match, text []byte) []Match {
	for off := 0; ; {
		i := bytes.IndexByte(text[off:], '$')
		if i < 0 {
			return dst
		}
		p := off + i
		off = p + 1
		if m, ok := hashAt(text, p); ok {
			for _, pre := range djangoPrefixes {
				if p >= len(pre) && string(text[p-len(pre):p]) == pre {
					m.Start = p - len(pre)
					m.Detail = "django " + m.Detail
				}
			}
			if m.Start > 0 && isAlnum(text[m.Start-1]) {
				continue
			}
			dst = append(dst, m)
			off = m.End
			continue
		}
		// Django pbkdf2: pbkdf2_sha256$<iterations>$<salt>$<base64 hash>.
		for _, pre := range []string{"pbkdf2_sha256", "pbkdf2_sha1"} {
			s := p - len(pre)
			if s < 0 || string(text[s:p]) != pre || s > 0 && isAlnum(text[s-1]) {
				continue
			}
			k := p + 1
			n := digitsAt(text, k)
			if n == 0 || k+n >= len(text) || text[k+n] != '$' {
				continue
			}
			k += n + 1
			salt := run(text, k, 128, isB64Char)
			if salt == 0 || k+salt >= len(text) || text[k+salt] != '$' {
				continue
			}
			k += salt + 1
			h := run(text, k, 128, func(c byte) bool { return isB64Char(c) || c == '=' })
			if h < 20 {
				continue
			}
			dst = append(dst, Match{Kind: PasswordHash, Detail: "django " + pre, Start: s, End: k + h, Confidence: High})
			off = k + h
		}
	}
}

// hashAt recognises a modular-crypt hash starting at the '$' at p.
func hashAt(text []byte, p int) (Match, bool) {
	rest := text[p:]
	m := Match{Kind: PasswordHash, Start: p, Confidence: High}
	fixed := func(prefix int, n int, detail string) (Match, bool) {
		if run(text, p+prefix, n+1, isCryptChar) != n {
			return Match{}, false
		}
		m.End, m.Detail = p+prefix+n, detail
		return m, true
	}
	bcrypt := func(prefix int, detail string) (Match, bool) {
		k := p + prefix
		if digitsAt(text, k) != 2 || k+2 >= len(text) || text[k+2] != '$' {
			return Match{}, false
		}
		return fixed(prefix+3, 53, detail)
	}
	switch {
	case bytes.HasPrefix(rest, []byte("$P$")) || bytes.HasPrefix(rest, []byte("$H$")):
		return fixed(3, 31, "phpass")
	case bytes.HasPrefix(rest, []byte("$wp$2y$")):
		return bcrypt(7, "WordPress bcrypt")
	case len(rest) > 4 && rest[1] == '2' && rest[3] == '$' && bytes.IndexByte([]byte("abxy"), rest[2]) >= 0:
		return bcrypt(4, "bcrypt")
	case bytes.HasPrefix(rest, []byte("$S$")):
		return fixed(3, 52, "drupal")
	case bytes.HasPrefix(rest, []byte("$argon2")):
		return argon2At(text, p)
	case bytes.HasPrefix(rest, []byte("$6$")):
		return shaCrypt(text, p, 86, "sha512-crypt")
	case bytes.HasPrefix(rest, []byte("$5$")):
		return shaCrypt(text, p, 43, "sha256-crypt")
	case bytes.HasPrefix(rest, []byte("$1$")):
		return saltedCrypt(text, p, 3, 8, 22, "md5-crypt")
	case bytes.HasPrefix(rest, []byte("$apr1$")):
		return saltedCrypt(text, p, 6, 8, 22, "apr1-md5")
	case bytes.HasPrefix(rest, []byte("$y$")):
		k := p + 3
		n := run(text, k, 16, isCryptChar)
		if n == 0 || k+n >= len(text) || text[k+n] != '$' {
			return Match{}, false
		}
		return saltedCrypt(text, k+n, 1, 64, 43, "yescrypt")
	}
	return Match{}, false
}

// saltedCrypt reads "<prefix><salt up to maxSalt>$<hash of n chars>" at p.
func saltedCrypt(text []byte, p, prefix, maxSalt, n int, detail string) (Match, bool) {
	k := p + prefix
	salt := run(text, k, maxSalt+1, isCryptChar)
	if salt == 0 || salt > maxSalt || k+salt >= len(text) || text[k+salt] != '$' {
		return Match{}, false
	}
	k += salt + 1
	if run(text, k, n+1, isCryptChar) != n {
		return Match{}, false
	}
	return Match{Kind: PasswordHash, Detail: detail, Start: p, End: k + n, Confidence: High}, true
}

func shaCrypt(text []byte, p, n int, detail string) (Match, bool) {
	k := p + 3
	if bytes.HasPrefix(text[k:], []byte("rounds=")) {
		d := digitsAt(text, k+7)
		if d == 0 || k+7+d >= len(text) || text[k+7+d] != '$' {
			return Match{}, false
		}
		k += 7 + d + 1
	}
	m, ok := saltedCrypt(text, k, 0, 16, n, detail)
	m.Start = p
	return m, ok
}

// argon2At reads the PHC string format: $argon2id$v=19$m=65536,t=4,p=1$<salt>$<hash>.
func argon2At(text []byte, p int) (Match, bool) {
	k := p + len("$argon2")
	variant := run(text, k, 3, isLower)
	switch string(text[k : k+variant]) {
	case "id", "i", "d":
	default:
		return Match{}, false
	}
	k += variant
	if k >= len(text) || text[k] != '$' {
		return Match{}, false
	}
	k++
	if bytes.HasPrefix(text[k:], []byte("v=")) {
		d := digitsAt(text, k+2)
		if d == 0 || k+2+d >= len(text) || text[k+2+d] != '$' {
			return Match{}, false
		}
		k += 2 + d + 1
	}
	params := run(text, k, 64, func(c byte) bool { return isDigit(c) || c == 'm' || c == 't' || c == 'p' || c == '=' || c == ',' })
	if params < 11 || k+params >= len(text) || text[k+params] != '$' {
		return Match{}, false
	}
	k += params + 1
	salt := run(text, k, 128, isB64Char)
	if salt < 8 || k+salt >= len(text) || text[k+salt] != '$' {
		return Match{}, false
	}
	k += salt + 1
	h := run(text, k, 256, isB64Char)
	if h < 16 || !endsToken(text, k+h, isB64Char) {
		return Match{}, false
	}
	return Match{Kind: PasswordHash, Detail: "argon2" + string(text[p+7:p+7+variant]), Start: p, End: k + h, Confidence: High}, true
}

// appendFieldHash accepts an unsalted hex digest (MD5, SHA-1, SHA-256) as a password hash
// only in a password column: WordPress before 2.5 stored MD5 there, and elsewhere hex
// strings of these lengths are checksums and commit ids.
func appendFieldHash(dst []Match, text []byte, h Hint, base int) []Match {
	if h.Kind != PasswordHash || len(dst) > base {
		return dst
	}
	s, e := 0, len(text)
	for s < e && text[s] == ' ' {
		s++
	}
	for e > s && text[e-1] == ' ' {
		e--
	}
	switch e - s {
	case 32, 40, 64:
	default:
		return dst
	}
	for _, c := range text[s:e] {
		if !isDigit(c) && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return dst
		}
	}
	return append(dst, Match{Kind: PasswordHash, Detail: "unsalted hex digest", Start: s, End: e, Confidence: High})
}
