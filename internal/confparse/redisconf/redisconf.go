// Package redisconf reads redis.conf: one directive per line, its arguments separated by
// blanks, each optionally quoted. The splitting follows Redis's own (sdssplitargs), so an
// argument reads here as it does to the server: "double quotes" decode \n, \xHH and the
// like, 'single quotes' only \', and a closing quote must end the argument.
package redisconf

import (
	"bytes"
	"fmt"
	"strings"
)

// Directive is one configuration line.
type Directive struct {
	// Name is lower case: Redis matches directive names case-insensitively.
	Name string
	Args []string
	Line int
	// Text is the line as written with surrounding blanks trimmed, for evidence.
	Text string
}

// SyntaxError is a line Redis would refuse to start with.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// File is a parsed redis.conf.
type File struct {
	Directives []Directive
	Errors     []*SyntaxError
}

// Parse reads a redis.conf. Lines that cannot be split are reported in File.Errors and
// skipped; the rest are still read.
func Parse(data []byte) *File {
	f := &File{}
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.Trim(string(raw), " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		args, err := Split(line)
		if err != "" {
			f.Errors = append(f.Errors, &SyntaxError{Line: i + 1, Msg: err})
			continue
		}
		if len(args) == 0 {
			continue
		}
		f.Directives = append(f.Directives, Directive{Name: strings.ToLower(args[0]), Args: args[1:], Line: i + 1, Text: line})
	}
	return f
}

// Split breaks a line into arguments; the error message is empty on success.
func Split(line string) ([]string, string) {
	var args []string
	i := 0
	for {
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		if i >= len(line) {
			return args, ""
		}
		var b strings.Builder
		switch line[i] {
		case '"':
			i++
			for {
				if i >= len(line) {
					return nil, "unbalanced quotes"
				}
				c := line[i]
				if c == '"' {
					i++
					break
				}
				if c == '\\' && i+1 < len(line) {
					if i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]) {
						b.WriteByte(unhex(line[i+2])<<4 | unhex(line[i+3]))
						i += 4
						continue
					}
					b.WriteByte(escape(line[i+1]))
					i += 2
					continue
				}
				b.WriteByte(c)
				i++
			}
		case '\'':
			i++
			for {
				if i >= len(line) {
					return nil, "unbalanced quotes"
				}
				c := line[i]
				if c == '\'' {
					i++
					break
				}
				if c == '\\' && i+1 < len(line) && line[i+1] == '\'' {
					b.WriteByte('\'')
					i += 2
					continue
				}
				b.WriteByte(c)
				i++
			}
		default:
			for i < len(line) && !isBlank(line[i]) {
				b.WriteByte(line[i])
				i++
			}
			args = append(args, b.String())
			continue
		}
		// A closing quote must be followed by a blank or the end of the line.
		if i < len(line) && !isBlank(line[i]) {
			return nil, "closing quote must be followed by a space"
		}
		args = append(args, b.String())
	}
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func escape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
