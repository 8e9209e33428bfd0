// Package nginx reads nginx configuration into a tree of directives that keeps the file,
// line and column of each one, and follows include directives inside a repository
// without ever leaving it.
//
// The tokenizer follows ngx_conf_read_token in nginx's src/core/ngx_conf_file.c rather
// than a grammar of its own, so that what posture accepts and rejects is what nginx
// accepts and rejects: "#" starts a comment only where a token could start, quotes only
// open at the start of a token, "}" inside a word is part of the word, and a quoted
// string must be followed by a separator. The bodies of *_by_lua_block directives are
// Lua, not nginx syntax, and are kept as raw text the way lua-nginx-module reads them.
package nginx

import (
	"bytes"
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

// Directive is one directive: a simple one ending in ";" or a block.
type Directive struct {
	Name string
	Args []string
	Pos  Pos
	// IsBlock is set for directives with a { } body, even an empty one.
	IsBlock bool
	Block   []*Directive
	// Lua is the raw body of a *_by_lua_block directive, which is not nginx syntax.
	Lua string
	// Text is the directive as written up to its ";" or "{", whitespace collapsed, for
	// evidence in reports.
	Text string
	// Include is set on include directives by Load: what the directive brought in.
	Include *Include
}

// Include records how an include directive was followed. The included directives
// follow the include directive itself in its block, in the order nginx reads them.
type Include struct {
	Files []string
	// Unresolved says why content nginx would read is missing from the tree (a file
	// that is not in the repository, an absolute path elsewhere on the server), or "".
	Unresolved string
	// Refused is set when the include was not followed because following it would be
	// wrong: a loop, a path leaving the repository, too deep a nesting.
	Refused bool
}

// SyntaxError is an error in the configuration text, at a position.
type SyntaxError struct {
	Pos Pos
	Msg string
}

func (e *SyntaxError) Error() string { return e.Pos.String() + ": " + e.Msg }

// MaxBlockDepth bounds block nesting. Real configurations nest a handful of levels
// (http, server, location, nested location, if); the bound keeps crafted input from
// making the tree walks of the checks recurse without limit.
const MaxBlockDepth = 64

// Parse reads one file's directives. file names the file in positions. On an error the
// directives read before it are returned with a *SyntaxError.
func Parse(file string, src []byte) ([]*Directive, error) {
	lx := &lexer{file: file, src: src, line: 1}
	return lx.parse()
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokSemi
	tokOpen
	tokClose
)

type token struct {
	kind  tokKind
	val   string
	start int // byte offset of the token (of the opening quote for quoted words)
	line  int
	col   int
}

type lexer struct {
	file      string
	src       []byte
	pos       int
	line      int
	lineStart int
}

func (lx *lexer) posAt(line, col int) Pos { return Pos{File: lx.file, Line: line, Col: col} }

func (lx *lexer) errAt(line, col int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: lx.posAt(line, col), Msg: fmt.Sprintf(format, args...)}
}

// advance moves past one byte, keeping line accounting.
func (lx *lexer) advance() {
	if lx.src[lx.pos] == '\n' {
		lx.line++
		lx.lineStart = lx.pos + 1
	}
	lx.pos++
}

func (lx *lexer) col() int { return lx.pos - lx.lineStart + 1 }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipSpace moves past whitespace and comments. A "#" is only reached here, where a
// token could start; inside a word it is an ordinary character.
func (lx *lexer) skipSpace() {
	for lx.pos < len(lx.src) {
		switch c := lx.src[lx.pos]; {
		case isSpace(c):
			lx.advance()
		case c == '#':
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.advance()
			}
		default:
			return
		}
	}
}

// next returns the next token.
func (lx *lexer) next() (token, error) {
	lx.skipSpace()
	if lx.pos >= len(lx.src) {
		return token{kind: tokEOF, start: lx.pos, line: lx.line, col: lx.col()}, nil
	}
	t := token{start: lx.pos, line: lx.line, col: lx.col()}
	switch lx.src[lx.pos] {
	case ';':
		lx.advance()
		t.kind = tokSemi
		return t, nil
	case '{':
		lx.advance()
		t.kind = tokOpen
		return t, nil
	case '}':
		lx.advance()
		t.kind = tokClose
		return t, nil
	case '"', '\'':
		return lx.quoted(t)
	}
	return lx.word(t), nil
}

// word reads an unquoted word. A word ends at whitespace, ";" or "{" ("${" excepted, as
// in "${var}"); "}" and quotes inside a word are ordinary characters, as in nginx.
func (lx *lexer) word(t token) token {
	start := lx.pos
	variable := false
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		if c == '{' && variable {
			lx.advance()
			variable = false
			continue
		}
		variable = false
		switch {
		case c == '\\':
			lx.advance()
			if lx.pos < len(lx.src) {
				lx.advance()
			}
			continue
		case c == '$':
			variable = true
		case isSpace(c) || c == ';' || c == '{':
			t.kind, t.val = tokWord, unescape(lx.src[start:lx.pos])
			return t
		}
		lx.advance()
	}
	t.kind, t.val = tokWord, unescape(lx.src[start:lx.pos])
	return t
}

// quoted reads a quoted word. A backslash protects the next character, so \" does not
// end a double-quoted word.
func (lx *lexer) quoted(t token) (token, error) {
	q := lx.src[lx.pos]
	lx.advance()
	start := lx.pos
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		if c == '\\' {
			lx.advance()
			if lx.pos < len(lx.src) {
				lx.advance()
			}
			continue
		}
		if c == q {
			t.kind, t.val = tokWord, unescape(lx.src[start:lx.pos])
			lx.advance()
			if lx.pos < len(lx.src) {
				switch c := lx.src[lx.pos]; {
				case isSpace(c), c == ';', c == '{', c == ')':
					// nginx lets ")" follow a quoted word, for if ($a = "b"), and reads it
					// as the start of the next word.
				default:
					return t, lx.errAt(lx.line, lx.col(), "unexpected %q after a quoted string (a space, \";\" or \"{\" must follow it)", string(rune(c)))
				}
			}
			return t, nil
		}
		lx.advance()
	}
	return t, lx.errAt(t.line, t.col, "quoted string is not terminated")
}

// unescape applies nginx's escapes: \" \' \\ lose the backslash and \t \r \n become
// control characters; any other backslash stays.
func unescape(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '\\' && i+1 < len(raw) {
			switch raw[i+1] {
			case '"', '\'', '\\':
				b.WriteByte(raw[i+1])
				i++
				continue
			case 't':
				b.WriteByte('\t')
				i++
				continue
			case 'r':
				b.WriteByte('\r')
				i++
				continue
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func collapse(b []byte) string { return strings.Join(strings.Fields(string(b)), " ") }

type frame struct {
	d    *Directive // nil at the top level
	list []*Directive
}

func (lx *lexer) parse() ([]*Directive, error) {
	stack := []frame{{}}
	var cur *Directive
	var curStart int
	// finish hands back what was read so far, closing open blocks, so that a caller
	// that reports the error still sees the directives before it.
	finish := func(err error) ([]*Directive, error) {
		for len(stack) > 1 {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			top.d.Block = top.list
		}
		return stack[0].list, err
	}
	for {
		t, err := lx.next()
		if err != nil {
			return finish(err)
		}
		top := &stack[len(stack)-1]
		switch t.kind {
		case tokWord:
			if cur == nil {
				cur = &Directive{Name: t.val, Pos: lx.posAt(t.line, t.col)}
				curStart = t.start
			} else {
				cur.Args = append(cur.Args, t.val)
			}
		case tokSemi:
			if cur == nil {
				return finish(lx.errAt(t.line, t.col, `unexpected ";"`))
			}
			cur.Text = collapse(lx.src[curStart:lx.pos])
			top.list = append(top.list, cur)
			cur = nil
		case tokOpen:
			if cur == nil {
				return finish(lx.errAt(t.line, t.col, `unexpected "{"`))
			}
			cur.IsBlock = true
			cur.Text = collapse(lx.src[curStart:lx.pos])
			top.list = append(top.list, cur)
			if strings.HasSuffix(cur.Name, "_by_lua_block") {
				if err := lx.lua(cur, t); err != nil {
					return finish(err)
				}
				cur = nil
				continue
			}
			if len(stack) > MaxBlockDepth {
				return finish(lx.errAt(t.line, t.col, "blocks nested more than %d deep", MaxBlockDepth))
			}
			stack = append(stack, frame{d: cur})
			cur = nil
		case tokClose:
			if cur != nil || len(stack) == 1 {
				return finish(lx.errAt(t.line, t.col, `unexpected "}"`))
			}
			stack = stack[:len(stack)-1]
			top.d.Block = top.list
			if top.d.Block == nil {
				top.d.Block = []*Directive{}
			}
		case tokEOF:
			switch {
			case cur != nil:
				return finish(lx.errAt(t.line, t.col, `unexpected end of file, expecting ";" or "}" (directive %q at line %d is not terminated)`, cur.Name, cur.Pos.Line))
			case len(stack) > 1:
				open := stack[len(stack)-1].d
				return finish(lx.errAt(t.line, t.col, `unexpected end of file, expecting "}" (block %q at line %d is not closed)`, open.Name, open.Pos.Line))
			}
			return stack[0].list, nil
		}
	}
}

// lua reads the body of a *_by_lua_block up to its closing brace, skipping over Lua
// strings, long brackets and comments, in which braces do not count.
func (lx *lexer) lua(d *Directive, open token) error {
	start := lx.pos
	depth := 1
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == '-' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '-':
			line, col := lx.line, lx.col()
			lx.advance()
			lx.advance()
			if level, ok := lx.longBracket(); ok {
				if err := lx.skipLong(level, line, col); err != nil {
					return err
				}
				continue
			}
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.advance()
			}
			continue
		case c == '[':
			line, col := lx.line, lx.col()
			if level, ok := lx.longBracket(); ok {
				if err := lx.skipLong(level, line, col); err != nil {
					return err
				}
				continue
			}
		case c == '"' || c == '\'':
			line, col := lx.line, lx.col()
			lx.advance()
			for {
				if lx.pos >= len(lx.src) || lx.src[lx.pos] == '\n' {
					return lx.errAt(line, col, "Lua string is not terminated")
				}
				ch := lx.src[lx.pos]
				lx.advance()
				if ch == '\\' && lx.pos < len(lx.src) {
					lx.advance()
				} else if ch == c {
					break
				}
			}
			continue
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				d.Lua = string(lx.src[start:lx.pos])
				d.Block = []*Directive{}
				lx.advance()
				return nil
			}
		}
		lx.advance()
	}
	return lx.errAt(open.line, open.col, "Lua block is not closed")
}

// longBracket recognises the opening of a Lua long bracket ([[, [=[, [==[ …) at the
// current position and moves past it.
func (lx *lexer) longBracket() (level int, ok bool) {
	i := lx.pos
	if i >= len(lx.src) || lx.src[i] != '[' {
		return 0, false
	}
	i++
	for i < len(lx.src) && lx.src[i] == '=' {
		i++
	}
	if i >= len(lx.src) || lx.src[i] != '[' {
		return 0, false
	}
	level = i - lx.pos - 1
	for lx.pos <= i {
		lx.advance()
	}
	return level, true
}

func (lx *lexer) skipLong(level, line, col int) error {
	closing := "]" + strings.Repeat("=", level) + "]"
	i := bytes.Index(lx.src[lx.pos:], []byte(closing))
	if i < 0 {
		return lx.errAt(line, col, "Lua long string or comment is not closed")
	}
	end := lx.pos + i + len(closing)
	for lx.pos < end {
		lx.advance()
	}
	return nil
}
