// Package apache reads Apache httpd configuration and .htaccess files into a tree of
// directives and <Section> blocks that keeps the file, line and column of each, and
// follows Include/IncludeOptional inside a repository without ever leaving it.
//
// Line handling follows httpd's ap_cfg_getline and ap_getword_conf (server/util.c): a
// backslash at the very end of a line joins the next one, including for comments; a line
// whose first non-blank character is "#" is a comment, and "#" anywhere else is an
// ordinary character; an argument in double or single quotes may hold spaces and \" or
// \' for the quote; an unterminated quote runs to the end of the line, as httpd accepts.
// Directive and section names are case-insensitive, as in httpd.
package apache

import (
	"fmt"
	"strconv"
	"strings"
)

// Pos is where a directive or an error is: a slash path relative to the repository root
// and a 1-based line and byte column.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// Directive is one directive line or one <Section> with its body.
type Directive struct {
	// Name is as written; compare with Is.
	Name string
	Args []string
	Pos  Pos
	// IsSection is set for <Name args> … </Name> blocks.
	IsSection bool
	Block     []*Directive
	// Text is the logical line as written (continuations joined), whitespace collapsed,
	// for evidence in reports.
	Text string
	// Include is set on Include and IncludeOptional directives by Load.
	Include *Include
}

// Is reports whether the directive has the given name, ignoring case as httpd does.
func (d *Directive) Is(name string) bool { return strings.EqualFold(d.Name, name) }

// Include records how an Include or IncludeOptional directive was followed. The
// included directives follow the include directive itself in its block.
type Include struct {
	Files []string
	// Unresolved says why content httpd would read is missing from the tree, or "".
	Unresolved string
	// Refused is set for includes not followed because following them would be wrong: a
	// loop, a path leaving the repository, too deep a nesting.
	Refused bool
}

// SyntaxError is an error in the configuration text, at a position.
type SyntaxError struct {
	Pos Pos
	Msg string
}

func (e *SyntaxError) Error() string { return e.Pos.String() + ": " + e.Msg }

// MaxSectionDepth bounds section nesting, so that crafted input cannot make the checks'
// tree walks recurse without limit; real configurations nest a handful of levels.
const MaxSectionDepth = 64

// logicalLine is one directive line after continuations are joined.
type logicalLine struct {
	text      string
	line, col int // of the first non-blank character
}

// lines splits src into logical lines, skipping blank lines and comments.
func lines(src []byte) []logicalLine {
	var out []logicalLine
	var buf strings.Builder
	startLine, lineNo := 0, 0
	rest := string(src)
	for len(rest) > 0 {
		lineNo++
		var raw string
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			raw, rest = rest[:i], rest[i+1:]
		} else {
			raw, rest = rest, ""
		}
		raw = strings.TrimSuffix(raw, "\r")
		if buf.Len() == 0 {
			startLine = lineNo
		}
		if strings.HasSuffix(raw, "\\") {
			buf.WriteString(raw[:len(raw)-1])
			if len(rest) > 0 {
				continue
			}
		} else {
			buf.WriteString(raw)
		}
		text := buf.String()
		buf.Reset()
		trimmed := strings.TrimLeft(text, " \t\f\v")
		col := len(text) - len(trimmed) + 1
		trimmed = strings.TrimRight(trimmed, " \t\f\v\r")
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		out = append(out, logicalLine{text: trimmed, line: startLine, col: col})
	}
	return out
}

// Words splits a directive's arguments the way ap_getword_conf does.
func Words(s string) []string {
	var out []string
	for {
		s = strings.TrimLeft(s, " \t\r\n\f\v")
		if s == "" {
			return out
		}
		if q := s[0]; q == '"' || q == '\'' {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != q; i++ {
				if s[i] == '\\' && i+1 < len(s) && s[i+1] == q {
					i++
				}
				b.WriteByte(s[i])
			}
			out = append(out, b.String())
			if i < len(s) {
				i++
			}
			s = s[i:]
			continue
		}
		i := strings.IndexAny(s, " \t\r\n\f\v")
		if i < 0 {
			i = len(s)
		}
		out = append(out, s[:i])
		s = s[i:]
	}
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

type frame struct {
	d    *Directive
	list []*Directive
}

// Parse reads one file. file names it in positions. On an error the directives read
// before it are returned with a *SyntaxError.
func Parse(file string, src []byte) ([]*Directive, error) {
	stack := []frame{{}}
	pos := func(l logicalLine) Pos { return Pos{File: file, Line: l.line, Col: l.col} }
	errAt := func(l logicalLine, format string, args ...any) error {
		return &SyntaxError{Pos: pos(l), Msg: fmt.Sprintf(format, args...)}
	}
	finish := func(err error) ([]*Directive, error) {
		for len(stack) > 1 {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			top.d.Block = top.list
		}
		return stack[0].list, err
	}
	for _, l := range lines(src) {
		top := &stack[len(stack)-1]
		switch {
		case strings.HasPrefix(l.text, "</"):
			if !strings.HasSuffix(l.text, ">") {
				return finish(errAt(l, "%s directive missing closing '>'", firstWord(l.text)))
			}
			name := strings.TrimSpace(l.text[2 : len(l.text)-1])
			if len(stack) == 1 {
				return finish(errAt(l, "</%s> without matching <%s> section", name, name))
			}
			if !strings.EqualFold(name, top.d.Name) {
				return finish(errAt(l, "expected </%s> but saw </%s> (<%s> opened at line %d)", top.d.Name, name, top.d.Name, top.d.Pos.Line))
			}
			top.d.Block = top.list
			if top.d.Block == nil {
				top.d.Block = []*Directive{}
			}
			stack = stack[:len(stack)-1]
		case strings.HasPrefix(l.text, "<"):
			if !strings.HasSuffix(l.text, ">") {
				return finish(errAt(l, "%s> directive missing closing '>'", firstWord(l.text)))
			}
			inner := l.text[1 : len(l.text)-1]
			name := firstWord(inner)
			if name == "" {
				return finish(errAt(l, "section with no name"))
			}
			d := &Directive{Name: name, Args: Words(inner[len(name):]), Pos: pos(l), IsSection: true, Text: collapse(l.text)}
			top.list = append(top.list, d)
			if len(stack) > MaxSectionDepth {
				return finish(errAt(l, "sections nested more than %d deep", MaxSectionDepth))
			}
			stack = append(stack, frame{d: d})
		default:
			name := l.text
			if i := strings.IndexAny(name, " \t\f\v"); i >= 0 {
				name = name[:i]
			}
			top.list = append(top.list, &Directive{Name: name, Args: Words(l.text[len(name):]), Pos: pos(l), Text: collapse(l.text)})
		}
	}
	if len(stack) > 1 {
		open := stack[len(stack)-1].d
		return finish(&SyntaxError{Pos: open.Pos, Msg: fmt.Sprintf("<%s> was not closed", open.Name)})
	}
	return stack[0].list, nil
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t\f\v>"); i >= 0 {
		return s[:i]
	}
	return s
}
