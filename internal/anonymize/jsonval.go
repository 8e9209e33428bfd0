package anonymize

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

var errJSON = errors.New("not valid JSON")

// looksJSON is a cheap test before json.Valid: an object or an array.
func looksJSON(v []byte) bool {
	t := bytes.TrimSpace(v)
	return len(t) >= 2 && (t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']')
}

// rewriteJSON passes every string value (not keys) of a JSON document through leaf,
// keeping everything else byte for byte: key order, spacing, numbers.
func rewriteJSON(in []byte, leaf leafFunc) ([]byte, error) {
	if !json.Valid(in) {
		return nil, errJSON
	}
	out := make([]byte, 0, len(in)+16)
	type frame struct {
		obj       bool
		expectKey bool
		key       []byte
	}
	var stack []frame
	for i := 0; i < len(in); {
		c := in[i]
		switch c {
		case '{', '[':
			if len(stack) >= maxNesting {
				return nil, errJSON
			}
			stack = append(stack, frame{obj: c == '{', expectKey: c == '{'})
			out = append(out, c)
			i++
		case '}', ']':
			stack = stack[:len(stack)-1]
			out = append(out, c)
			i++
		case ',':
			if n := len(stack); n > 0 && stack[n-1].obj {
				stack[n-1].expectKey = true
			}
			out = append(out, c)
			i++
		case '"':
			j := i + 1
			for in[j] != '"' {
				if in[j] == '\\' {
					j++
				}
				j++
			}
			raw := in[i : j+1]
			i = j + 1
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, errJSON
			}
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].expectKey {
				stack[n-1].key = []byte(s)
				stack[n-1].expectKey = false
				out = append(out, raw...)
				continue
			}
			var key []byte
			if n := len(stack); n > 0 && stack[n-1].obj {
				key = stack[n-1].key
			}
			ns := leaf(key, []byte(s))
			if string(ns) == s {
				out = append(out, raw...)
			} else {
				out = appendJSONString(out, ns)
			}
		default:
			out = append(out, c)
			i++
		}
	}
	return out, nil
}

// appendJSONString writes s as a JSON string, escaping only what JSON requires (and
// keeping < > & as they are, unlike encoding/json).
func appendJSONString(dst, s []byte) []byte {
	const hexd = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&15])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
