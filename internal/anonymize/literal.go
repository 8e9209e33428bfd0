package anonymize

import (
	"encoding/hex"
	"unicode/utf8"
)

// decode returns the value of a captured SQL value: the string a literal stands for, the
// bytes of a hex literal, or the raw text of anything else (numbers, expressions).
func (w *worker) decode(capt []byte, v valSpan, dst []byte) ([]byte, bool) {
	switch {
	case v.null:
		return dst[:0], true
	case v.qs >= 0 && v.hex:
		raw := capt[v.qs+2 : v.qe-1]
		if out, err := hex.AppendDecode(dst[:0], raw); err == nil {
			return out, false
		}
		return append(dst[:0], capt[v.start:v.end]...), false
	case v.qs >= 0:
		raw := capt[v.qs+1 : v.qe-1]
		if v.escape && w.pg {
			return unescapePGE(dst[:0], raw, v.quote), false
		}
		return unescapeSQL(dst[:0], raw, v.quote, v.escape), false
	case v.hex:
		if out, err := hex.AppendDecode(dst[:0], capt[v.start+2:v.end]); err == nil {
			return out, false
		}
	}
	return append(dst[:0], capt[v.start:v.end]...), false
}

// unescapeSQL decodes the inside of a MySQL string literal: doubled quotes and, with
// backslash escapes on, \0 \' \" \b \n \r \t \Z \\ (and \% \_, which keep their
// backslash, as MySQL does outside LIKE patterns).
func unescapeSQL(dst, raw []byte, q byte, backslash bool) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\\' && backslash && i+1 < len(raw):
			i++
			switch e := raw[i]; e {
			case '0':
				dst = append(dst, 0)
			case 'b':
				dst = append(dst, '\b')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'Z':
				dst = append(dst, 26)
			case '%', '_':
				dst = append(dst, '\\', e)
			default:
				dst = append(dst, e)
			}
		case c == q && i+1 < len(raw) && raw[i+1] == q:
			dst = append(dst, q)
			i++
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// unescapePGE decodes a PostgreSQL E'…' string (or '…' with standard_conforming_strings
// off): \b \f \n \r \t, octal \ooo, \xhh, \uXXXX, \UXXXXXXXX, other characters as
// themselves, and doubled quotes.
func unescapePGE(dst, raw []byte, q byte) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == q && i+1 < len(raw) && raw[i+1] == q {
			dst = append(dst, q)
			i++
			continue
		}
		if c != '\\' || i+1 >= len(raw) {
			dst = append(dst, c)
			continue
		}
		i++
		switch e := raw[i]; {
		case e == 'b':
			dst = append(dst, '\b')
		case e == 'f':
			dst = append(dst, '\f')
		case e == 'n':
			dst = append(dst, '\n')
		case e == 'r':
			dst = append(dst, '\r')
		case e == 't':
			dst = append(dst, '\t')
		case e >= '0' && e <= '7':
			v, k := 0, 0
			for k < 3 && i+k < len(raw) && raw[i+k] >= '0' && raw[i+k] <= '7' {
				v = v*8 + int(raw[i+k]-'0')
				k++
			}
			dst = append(dst, byte(v))
			i += k - 1
		case e == 'x':
			v, k := 0, 0
			for k < 2 && i+1+k < len(raw) && hexVal(raw[i+1+k]) >= 0 {
				v = v*16 + hexVal(raw[i+1+k])
				k++
			}
			if k == 0 {
				dst = append(dst, 'x')
				continue
			}
			dst = append(dst, byte(v))
			i += k
		case e == 'u' || e == 'U':
			n := 4
			if e == 'U' {
				n = 8
			}
			if i+n >= len(raw) {
				dst = append(dst, e)
				continue
			}
			v := 0
			okHex := true
			for k := 1; k <= n; k++ {
				h := hexVal(raw[i+k])
				if h < 0 {
					okHex = false
					break
				}
				v = v*16 + h
			}
			if !okHex {
				dst = append(dst, e)
				continue
			}
			dst = utf8.AppendRune(dst, rune(v))
			i += n
		default:
			dst = append(dst, e)
		}
	}
	return dst
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// sqlEscapeMySQL and sqlEscapePG mark the bytes sqlLiteral escapes.
var sqlEscapeMySQL, sqlEscapePG = func() (my, pg [256]bool) {
	for _, c := range []byte{0, '\n', '\r', '\\', '\'', '"', 26} {
		my[c] = true
	}
	pg['\''] = true
	return
}()

// sqlLiteral appends v as a string literal of the dump's dialect, or NULL.
func (w *worker) sqlLiteral(dst, v []byte, null bool) []byte {
	if null {
		return append(dst, "NULL"...)
	}
	dst = append(dst, '\'')
	esc := &sqlEscapePG
	if w.bs {
		esc = &sqlEscapeMySQL
	}
	for len(v) > 0 {
		// Most of a value needs no escaping: copy runs of plain bytes at once.
		i := 0
		for i < len(v) && !esc[v[i]] {
			i++
		}
		dst = append(dst, v[:i]...)
		if i == len(v) {
			break
		}
		c := v[i]
		v = v[i+1:]
		if w.bs {
			// As mysqldump writes them (mysql_real_escape_string).
			switch c {
			case 0:
				dst = append(dst, '\\', '0')
				continue
			case '\n':
				dst = append(dst, '\\', 'n')
				continue
			case '\r':
				dst = append(dst, '\\', 'r')
				continue
			case '\\':
				dst = append(dst, '\\', '\\')
				continue
			case '\'':
				dst = append(dst, '\\', '\'')
				continue
			case '"':
				dst = append(dst, '\\', '"')
				continue
			case 26:
				dst = append(dst, '\\', 'Z')
				continue
			}
		} else if c == '\'' {
			dst = append(dst, '\'', '\'')
			continue
		}
		dst = append(dst, c)
	}
	return append(dst, '\'')
}

// unescapeCopy decodes one field of COPY text format; \N alone is NULL.
func unescapeCopy(dst, raw []byte) ([]byte, bool) {
	if len(raw) == 2 && raw[0] == '\\' && raw[1] == 'N' {
		return dst[:0], true
	}
	dst = dst[:0]
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			dst = append(dst, c)
			continue
		}
		i++
		switch e := raw[i]; {
		case e == 'b':
			dst = append(dst, '\b')
		case e == 'f':
			dst = append(dst, '\f')
		case e == 'n':
			dst = append(dst, '\n')
		case e == 'r':
			dst = append(dst, '\r')
		case e == 't':
			dst = append(dst, '\t')
		case e == 'v':
			dst = append(dst, '\v')
		case e >= '0' && e <= '7':
			v, k := 0, 0
			for k < 3 && i+k < len(raw) && raw[i+k] >= '0' && raw[i+k] <= '7' {
				v = v*8 + int(raw[i+k]-'0')
				k++
			}
			dst = append(dst, byte(v))
			i += k - 1
		case e == 'x' && i+1 < len(raw) && hexVal(raw[i+1]) >= 0:
			v := hexVal(raw[i+1])
			i++
			if i+1 < len(raw) && hexVal(raw[i+1]) >= 0 {
				v = v*16 + hexVal(raw[i+1])
				i++
			}
			dst = append(dst, byte(v))
		default:
			dst = append(dst, e)
		}
	}
	return dst, false
}

// copyLiteral appends v in COPY text format.
func copyLiteral(dst, v []byte, null bool) []byte {
	if null {
		return append(dst, '\\', 'N')
	}
	for _, c := range v {
		switch c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
