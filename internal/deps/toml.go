package deps

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/BurntSushi/toml"

	"github.com/posture-dev/posture/internal/textpos"
)

// posError is a problem at a place in a lockfile, printed as path:line[:col]: message so
// editors and CI logs can jump to it. The parsers in this package that read line-oriented
// or TOML formats all report through it.
type posError struct {
	path      string
	line, col int // col 0: only the line is known
	msg       string
	err       error // the underlying error, if any
}

func (e *posError) Error() string {
	switch {
	case e.line <= 0:
		return e.path + ": " + e.msg
	case e.col <= 0:
		return fmt.Sprintf("%s:%d: %s", e.path, e.line, e.msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.path, e.line, e.col, e.msg)
}

func (e *posError) Unwrap() error { return e.err }

func errAt(path string, line int, format string, args ...any) error {
	return &posError{path: path, line: line, msg: fmt.Sprintf(format, args...)}
}

// problems keeps the first problem found in a file: parsers go on after a bad entry so one
// typo does not hide every other package, and the caller is told where reading went wrong.
type problems struct{ first error }

func (p *problems) add(err error) {
	if p.first == nil && err != nil {
		p.first = err
	}
}

// decodeTOML parses a TOML document into generic maps. Lockfiles are read from maps rather
// than decoded into structs so that a value of an unexpected type is reported against the
// package it belongs to, with that package's line, instead of failing the whole file with
// the position of whichever package the library saw last.
func decodeTOML(path string, data []byte) (map[string]any, error) {
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line, col := pe.Position.Line, pe.Position.Col
			// The byte offset is the more exact part of the library's position: for an
			// error at a newline, Line is already the next line while Col is counted on
			// this one. Offsets are into the document without its byte order mark.
			start := pe.Position.Start
			if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
				start += 3
			}
			if start > 0 && start <= len(data) {
				line, col = textpos.LineCol(data, start)
			}
			return nil, &posError{path: path, line: line, col: col, msg: pe.Message, err: err}
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

// decodeTOMLLock decodes a lockfile whose packages are the top-level array of tables key,
// and returns the line each of its elements starts on. The library gives no positions for
// a successfully parsed document, so the lines come from tomlHeaders.
//
// A syntax error makes the library return nothing at all. To keep the packages before the
// error, the document is decoded again cut at the start of the last table before the error
// (not counting key's own subtables such as [package.source], so no package is kept
// half-read); the syntax error is returned either way.
func decodeTOMLLock(path string, data []byte, key string) (doc map[string]any, lines []int, err error) {
	hs := tomlHeaders(data)
	doc, err = decodeTOML(path, data)
	if err != nil {
		var pe *posError
		if !errors.As(err, &pe) {
			return nil, nil, err
		}
		cut := 0
		for _, h := range hs {
			if h.line > pe.line {
				break
			}
			if !h.array && len(h.key) > 1 && h.key[0] == key {
				continue
			}
			cut = h.off
		}
		if cut == 0 {
			return nil, nil, err
		}
		var perr error
		if doc, perr = decodeTOML(path, data[:cut]); perr != nil {
			return nil, nil, err
		}
		hs = tomlHeaders(data[:cut])
	}
	for _, h := range hs {
		if h.array && len(h.key) == 1 && h.key[0] == key {
			lines = append(lines, h.line)
		}
	}
	return doc, lines, err
}

// lineOf is the line of the i-th package. tomlHeaders and the library agree on every
// document the library accepts (FuzzParseTOMLLockfiles checks this); should they ever
// not, the last known header line is still a better pointer than none.
func lineOf(lines []int, i int) int {
	switch {
	case i < len(lines):
		return lines[i]
	case len(lines) > 0:
		return lines[len(lines)-1]
	}
	return 1
}

// tomlTables returns the tables of an array of tables, written either as [[key]] headers
// (decoded as []map[string]any) or inline as key = [{…}, …] (decoded as []any).
func tomlTables(v any) ([]map[string]any, bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case []map[string]any:
		return v, true
	case []any:
		out := make([]map[string]any, 0, len(v))
		for _, e := range v {
			t, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, t)
		}
		return out, true
	}
	return nil, false
}

// tomlField reads an optional field; a value of another type is an error naming the key.
func tomlField[T any](t map[string]any, key string) (T, error) {
	var zero T
	v, ok := t[key]
	if !ok {
		return zero, nil
	}
	x, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("%s is %s, expected %s", key, tomlKind(v), tomlKind(zero))
	}
	return x, nil
}

func tomlKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a table"
	case []any, []map[string]any:
		return "an array"
	}
	return "a date or time"
}

// tomlStrings reads an optional array of strings.
func tomlStrings(t map[string]any, key string) ([]string, error) {
	arr, err := tomlField[[]any](t, key)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%s holds %s, expected strings", key, tomlKind(e))
		}
		out = append(out, s)
	}
	return out, nil
}

// tomlHeader is a table header at the top level of a TOML document.
type tomlHeader struct {
	key   []string
	array bool // [[key]], or an inline table in a top-level `key = [{…}, …]`
	line  int
	off   int // where the header's line starts
}

// tomlHeaders finds the table headers of a TOML document with their lines. It is a
// lexer reduced to what decides whether a '[' opens a header: strings (a header-like line
// inside a multi-line string is text), comments, and the nesting of arrays and inline
// tables (a '[' inside a value is not a header). It never fails: on invalid input its
// answer is best effort, which is all decodeTOMLLock needs there.
func tomlHeaders(data []byte) []tomlHeader {
	var hs []tomlHeader
	i, line, lineOff := 0, 1, 0
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		i = 3
	}
	lineStart := true
	depth := 0
	inlineKey := "" // the top-level key whose array value is being read, if any
	root := true    // no header seen yet: keys belong to the root table
	for i < len(data) {
		c := data[i]
		switch {
		case c == '\n':
			i++
			line++
			lineStart, lineOff = true, i
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			i = skipTOMLString(data, i, &line, &lineOff)
			lineStart = false
		case c == '[' && lineStart && depth == 0:
			key, array, end := tomlHeaderKey(data, i)
			if key != nil {
				hs = append(hs, tomlHeader{key: key, array: array, line: line, off: lineOff})
			}
			root, lineStart, i = false, false, end
		case lineStart && depth == 0:
			// A key/value pair. Only a root-level `key = [` matters: its inline tables are
			// the elements of an array of tables.
			key, end := tomlKey(data, i)
			lineStart = false
			if end <= i {
				i++
				continue
			}
			i = end
			if root && len(key) == 1 {
				j := skipTOMLSpace(data, i)
				if j < len(data) && data[j] == '=' {
					j = skipTOMLSpace(data, j+1)
					if j < len(data) && data[j] == '[' {
						inlineKey = key[0]
					}
				}
			}
		case c == '[' || c == '{':
			if c == '{' && depth == 1 && inlineKey != "" {
				hs = append(hs, tomlHeader{key: []string{inlineKey}, array: true, line: line, off: lineOff})
			}
			depth++
			i++
			lineStart = false
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
			if depth == 0 {
				inlineKey = ""
			}
			i++
			lineStart = false
		default:
			i++
			lineStart = false
		}
	}
	return hs
}

func skipTOMLSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	return i
}

// skipTOMLString returns the offset after the string starting at data[i], counting the
// lines a multi-line string spans. A single-line string ends at the end of the line even
// when unterminated, as the TOML lexer does.
func skipTOMLString(data []byte, i int, line, lineOff *int) int {
	q := data[i]
	multi := bytes.HasPrefix(data[i:], []byte{q, q, q})
	if !multi {
		for i++; i < len(data) && data[i] != '\n'; i++ {
			switch {
			case data[i] == q:
				return i + 1
			case q == '"' && data[i] == '\\':
				if i+1 < len(data) && data[i+1] != '\n' {
					i++
				}
			}
		}
		return i
	}
	for i += 3; i < len(data); {
		switch c := data[i]; {
		case c == '\n':
			i++
			*line, *lineOff = *line+1, i
		case c == '\\' && q == '"':
			i++ // the escaped byte is skipped by the next iteration unless it is a newline
			if i < len(data) && data[i] != '\n' {
				i++
			}
		case c == q:
			// A closing delimiter may be preceded by up to two quotes that belong to the
			// content: a run of 3 to 5 quotes ends the string.
			n := 0
			for i+n < len(data) && data[i+n] == q {
				n++
			}
			i += n
			if n >= 3 {
				return i
			}
		default:
			i++
		}
	}
	return i
}

// tomlHeaderKey reads the header starting at data[i] ('['). It returns a nil key for a
// header it cannot read.
func tomlHeaderKey(data []byte, i int) (key []string, array bool, end int) {
	j := i + 1
	if j < len(data) && data[j] == '[' {
		array = true
		j++
	}
	key, j = tomlKey(data, skipTOMLSpace(data, j))
	j = skipTOMLSpace(data, j)
	closing := "]"
	if array {
		closing = "]]"
	}
	if key == nil || !bytes.HasPrefix(data[j:], []byte(closing)) {
		for j < len(data) && data[j] != '\n' {
			j++
		}
		return nil, false, j
	}
	return key, array, j + len(closing)
}

// tomlKey reads a possibly dotted key starting at data[i]. It returns a nil key, and end
// where reading stopped, when there is no valid key there.
func tomlKey(data []byte, i int) (key []string, end int) {
	for {
		i = skipTOMLSpace(data, i)
		if i >= len(data) {
			return nil, i
		}
		var part string
		switch c := data[i]; {
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(data) && data[j] != c && data[j] != '\n' {
				if c == '"' && data[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(data) || data[j] != c {
				return nil, j
			}
			part = string(data[i+1 : j])
			if c == '"' && bytes.IndexByte(data[i:j], '\\') >= 0 {
				// Escapes are rare in keys; let the library interpret them.
				var m map[string]string
				if _, err := toml.Decode("k = "+string(data[i:j+1]), &m); err != nil {
					return nil, j + 1
				}
				part = m["k"]
			}
			i = j + 1
		case isBareKeyByte(c):
			j := i
			for j < len(data) && isBareKeyByte(data[j]) {
				j++
			}
			part, i = string(data[i:j]), j
		default:
			return nil, i
		}
		key = append(key, part)
		j := skipTOMLSpace(data, i)
		if j >= len(data) || data[j] != '.' {
			return key, i
		}
		i = j + 1
	}
}

func isBareKeyByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
