// Package ini reads INI-style option files in the two dialects posture checks: php.ini
// (and its conf.d snippets) and MySQL/MariaDB option files (my.cnf). Both are line
// oriented, so the parser is a line tokenizer that knows each dialect's quoting, comment
// and directive rules; it keeps every option in file order with its line, because for
// both programs the last setting of an option wins.
package ini

import (
	"bytes"
	"fmt"
	"strings"
)

// Dialect selects the rules of one program's parser.
type Dialect int

const (
	// PHP is php.ini: `;` comments, double-quoted values that may span lines, single-quoted
	// raw values, and every option line needs `=`.
	PHP Dialect = iota
	// MySQL is a MySQL/MariaDB option file: `#` or `;` comment lines, `#` comments after
	// an unquoted value, options without a value (`skip-networking`), backslash escapes,
	// and the `!include` / `!includedir` directives.
	MySQL
)

// Kind says what a line of the file does.
type Kind int

const (
	Option     Kind = iota // key, or key = value
	Include                // MySQL `!include FILE`: Value is the path
	IncludeDir             // MySQL `!includedir DIR`: Value is the path
)

// Entry is one meaningful line: an option (with the section it is in) or a directive.
type Entry struct {
	Kind Kind
	// Section is the name inside the brackets of the last section header, as written
	// (trimmed); "" before the first header.
	Section string
	Key     string
	// Value is the value with quotes removed and escapes decoded.
	Value string
	// HasValue is false for a bare option (`skip-grant-tables`), true after `=` even
	// when the value is empty.
	HasValue bool
	Line     int
	// Text is the source text of the entry with surrounding blanks trimmed, for evidence.
	// For a value that spans lines it holds the first line only.
	Text string
}

// SyntaxError is a line that the dialect's own parser would reject.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// File is a parsed option file.
type File struct {
	Entries []Entry
	// Errors lists rejected lines; the entries around them are still read, the way a
	// reader of the file would, but the program itself may refuse the whole file.
	Errors []*SyntaxError
}

// Parse reads an option file. It never fails as a whole: lines it cannot read are
// reported in File.Errors.
func Parse(data []byte, d Dialect) *File {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	p := &parser{d: d, f: &File{}}
	lines := splitLines(data)
	for i := 0; i < len(lines); i++ {
		i = p.line(lines, i)
	}
	return p.f
}

func splitLines(data []byte) []string {
	s := string(data)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

type parser struct {
	d       Dialect
	f       *File
	section string
	inGroup bool
}

func (p *parser) fail(line int, format string, args ...any) {
	p.f.Errors = append(p.f.Errors, &SyntaxError{Line: line, Msg: fmt.Sprintf(format, args...)})
}

// line reads the entry starting at lines[i] and returns the index of its last line (a
// PHP quoted value can continue on the following lines).
func (p *parser) line(lines []string, i int) int {
	n := i + 1
	text := strings.TrimSpace(lines[i])
	switch {
	case text == "", text[0] == ';', text[0] == '#':
		// PHP 7 dropped `#` comments, but PHP's own scanner still skips such lines
		// with a deprecation notice in the versions people run, so both read them as comments.
		return i
	case text[0] == '[':
		end := strings.IndexByte(text, ']')
		if end < 0 {
			p.fail(n, "section header %q has no closing ]", text)
			return i
		}
		if rest := strings.TrimSpace(text[end+1:]); rest != "" && rest[0] != ';' && rest[0] != '#' {
			p.fail(n, "unexpected text after section header: %q", rest)
		}
		p.section = strings.TrimSpace(text[1:end])
		p.inGroup = true
		return i
	case p.d == MySQL && text[0] == '!':
		p.directive(text, n)
		return i
	}
	if p.d == MySQL && !p.inGroup {
		p.fail(n, "option %q before any [group]", text)
		return i
	}
	key, rest, hasEq := strings.Cut(text, "=")
	key = strings.TrimSpace(key)
	if key == "" {
		p.fail(n, "option with no name")
		return i
	}
	e := Entry{Kind: Option, Section: p.section, Key: key, Line: n, Text: text}
	if !hasEq {
		if p.d == PHP {
			p.fail(n, "%q is not a setting (want name = value)", text)
			return i
		}
		// A bare option may still carry a trailing comment.
		e.Key = strings.TrimSpace(cutComment(key))
		p.f.Entries = append(p.f.Entries, e)
		return i
	}
	e.HasValue = true
	var err string
	last := i
	if p.d == PHP {
		e.Value, last, err = phpValue(rest, lines, i)
	} else {
		e.Value, err = mysqlValue(rest)
	}
	if err != "" {
		p.fail(n, "%s", err)
		return last
	}
	p.f.Entries = append(p.f.Entries, e)
	return last
}

func (p *parser) directive(text string, n int) {
	name, arg := text[1:], ""
	if sp := strings.IndexAny(name, " \t"); sp >= 0 {
		name, arg = name[:sp], strings.TrimSpace(name[sp:])
	}
	var k Kind
	switch strings.ToLower(name) {
	case "include":
		k = Include
	case "includedir":
		k = IncludeDir
	default:
		p.fail(n, "unknown directive !%s", name)
		return
	}
	if arg == "" {
		p.fail(n, "!%s needs a path", name)
		return
	}
	p.f.Entries = append(p.f.Entries, Entry{Kind: k, Section: p.section, Key: "!" + strings.ToLower(name), Value: arg, HasValue: true, Line: n, Text: text})
}

// cutComment drops a MySQL `#` comment from unquoted text.
func cutComment(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[:i]
	}
	return s
}

// mysqlValue decodes a MySQL option value: optionally quoted with ' or ", a trailing #
// comment after an unquoted value, and the escapes \b \t \n \r \\ \s.
func mysqlValue(raw string) (string, string) {
	v := strings.TrimSpace(raw)
	if v != "" && (v[0] == '"' || v[0] == '\'') {
		q := v[0]
		var b strings.Builder
		for i := 1; i < len(v); i++ {
			c := v[i]
			switch {
			case c == '\\' && i+1 < len(v):
				i++
				b.WriteString(mysqlEscape(v[i]))
			case c == q:
				tail := strings.TrimSpace(v[i+1:])
				if tail != "" && tail[0] != '#' && tail[0] != ';' {
					return "", fmt.Sprintf("unexpected text after quoted value: %q", tail)
				}
				return b.String(), ""
			default:
				b.WriteByte(c)
			}
		}
		return "", "unterminated quoted value"
	}
	v = strings.TrimSpace(cutComment(v))
	if !strings.Contains(v, `\`) {
		return v, ""
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
			b.WriteString(mysqlEscape(v[i]))
			continue
		}
		b.WriteByte(v[i])
	}
	return b.String(), ""
}

func mysqlEscape(c byte) string {
	switch c {
	case 'b':
		return "\b"
	case 't':
		return "\t"
	case 'n':
		return "\n"
	case 'r':
		return "\r"
	case 's':
		return " "
	case '\\':
		return `\`
	}
	// Unknown escapes keep the backslash, as MySQL does.
	return `\` + string(c)
}

// phpValue decodes a php.ini value: a sequence of unquoted text, "double-quoted" strings
// (which may run over several lines and escape \" and \\) and 'single-quoted' raw strings,
// up to a `;` comment. Blanks around unquoted text are dropped, blanks inside quotes kept.
// It returns the value, the index of the last line it used, and a syntax error message.
func phpValue(raw string, lines []string, i int) (string, int, string) {
	var b strings.Builder
	quotedEnd := 0 // length of b after the last quoted part: trailing blanks before it stay
	s := strings.TrimLeft(raw, " \t")
	j := 0
scan:
	for j < len(s) {
		switch c := s[j]; c {
		case ';':
			break scan
		case '"':
			j++
			for {
				for j < len(s) && s[j] != '"' {
					if s[j] == '\\' && j+1 < len(s) && (s[j+1] == '"' || s[j+1] == '\\') {
						j++
					}
					b.WriteByte(s[j])
					j++
				}
				if j < len(s) {
					break
				}
				if i+1 >= len(lines) {
					return "", i, "unterminated double-quoted value"
				}
				i++
				b.WriteByte('\n')
				s, j = lines[i], 0
			}
			j++
			quotedEnd = b.Len()
		case '\'':
			end := strings.IndexByte(s[j+1:], '\'')
			if end < 0 {
				return "", i, "unterminated single-quoted value"
			}
			b.WriteString(s[j+1 : j+1+end])
			j += end + 2
			quotedEnd = b.Len()
		default:
			b.WriteByte(c)
			j++
		}
	}
	v := b.String()
	trimmed := strings.TrimRight(v[quotedEnd:], " \t")
	return v[:quotedEnd] + trimmed, i, ""
}

// Bool reads an option value as a boolean the way both programs do: on/yes/true/1 and
// off/no/false/0/none/empty; ok is false for anything else.
func Bool(v string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "on", "yes", "true":
		return true, true
	case "0", "off", "no", "false", "none", "":
		return false, true
	}
	return false, false
}
