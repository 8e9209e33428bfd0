package store

import (
	"strconv"
	"strings"
	"sync"
)

// rebindCache holds rewritten queries: the store's queries are constants, so each is
// lexed once per process rather than on every call.
var rebindCache sync.Map

// rebindDollar rewrites each `?` placeholder of q to PostgreSQL's `$1`, `$2`, … in order.
// A `?` inside a string literal ('…', E'…' with backslash escapes, $tag$…$tag$), a quoted
// identifier ("…") or a comment (-- to end of line, nested /* … */) is text, not a
// placeholder, and is left alone. Queries must not mix `?` and `$n`, and cannot use
// PostgreSQL's jsonb `?` operators (write jsonb_exists instead).
func rebindDollar(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	if v, ok := rebindCache.Load(q); ok {
		return v.(string)
	}
	out, _ := rewritePlaceholders(q)
	rebindCache.Store(q, out)
	return out
}

// rewritePlaceholders does the work of rebindDollar and also returns the byte offsets in
// q of the placeholders it replaced, which the fuzz test checks the output against.
// An unterminated literal or comment runs to the end of q: nothing after its start is
// rewritten, and the server rejects the query.
func rewritePlaceholders(q string) (string, []int) {
	var b strings.Builder
	var offsets []int
	last := 0 // start of the not yet copied part of q
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '?':
			b.WriteString(q[last:i])
			offsets = append(offsets, i)
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(len(offsets)))
			i++
			last = i
		case c == '\'':
			escapes := i > 0 && (q[i-1] == 'E' || q[i-1] == 'e') && (i < 2 || !isIdentByte(q[i-2]))
			i = skipQuoted(q, i+1, '\'', escapes)
		case c == '"':
			i = skipQuoted(q, i+1, '"', false)
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			if nl := strings.IndexByte(q[i:], '\n'); nl >= 0 {
				i += nl + 1
			} else {
				i = len(q)
			}
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			i = skipBlockComment(q, i+2)
		case c == '$' && (i == 0 || !isIdentByte(q[i-1])):
			i = skipDollarQuoted(q, i)
		default:
			i++
		}
	}
	if len(offsets) == 0 {
		return q, nil
	}
	b.WriteString(q[last:])
	return b.String(), offsets
}

// skipQuoted returns the index just past the closing quote of a literal whose body starts
// at i. A doubled quote is an escaped quote; with escapes, so is a backslash-escaped one.
func skipQuoted(q string, i int, quote byte, escapes bool) int {
	for i < len(q) {
		switch q[i] {
		case '\\':
			if escapes {
				i += 2
				continue
			}
		case quote:
			if i+1 < len(q) && q[i+1] == quote {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return len(q)
}

// skipBlockComment returns the index just past the */ that closes a comment whose body
// starts at i. PostgreSQL block comments nest.
func skipBlockComment(q string, i int) int {
	depth := 1
	for i < len(q) {
		switch {
		case q[i] == '/' && i+1 < len(q) && q[i+1] == '*':
			depth++
			i += 2
		case q[i] == '*' && i+1 < len(q) && q[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(q)
}

// skipDollarQuoted handles a `$` at i: the start of a $tag$…$tag$ literal, or anything
// else ($1, a lone $), which is passed over.
func skipDollarQuoted(q string, i int) int {
	j := i + 1
	for j < len(q) && q[j] != '$' && isIdentByte(q[j]) && !(j == i+1 && q[j] >= '0' && q[j] <= '9') {
		j++
	}
	if j >= len(q) || q[j] != '$' {
		return i + 1
	}
	tag := q[i : j+1]
	if end := strings.Index(q[j+1:], tag); end >= 0 {
		return j + 1 + end + len(tag)
	}
	return len(q)
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
