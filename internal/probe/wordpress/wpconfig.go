// Package wordpress checks WordPress configuration files (wp-config.php) for the settings
// that keep a running site from changing its own code, keep logins on TLS, and keep debug
// output out of production.
package wordpress

import (
	"bytes"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// Kind says what sort of value a constant was given.
type Kind int

const (
	// KindDynamic is anything that is not a plain literal: a call such as getenv(...), a
	// variable, an expression. Its value is only known when the site runs.
	KindDynamic Kind = iota
	KindBool
	KindInt
	KindFloat
	KindString
	KindNull
)

func (k Kind) String() string {
	switch k {
	case KindBool:
		return "bool"
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindString:
		return "string"
	case KindNull:
		return "null"
	}
	return "dynamic"
}

// Value is a constant's value when it is a literal.
type Value struct {
	Kind  Kind
	Bool  bool
	Int   int64
	Float float64
	Str   string
}

// Truthy is the value as PHP's if() would see it; ok is false for dynamic values. PHP
// truthiness matters because WordPress tests these constants with if(CONSTANT): a
// define('WP_DEBUG', 'false') switches debugging on.
func (v Value) Truthy() (truth, ok bool) {
	switch v.Kind {
	case KindBool:
		return v.Bool, true
	case KindInt:
		return v.Int != 0, true
	case KindFloat:
		return v.Float != 0, true
	case KindString:
		return v.Str != "" && v.Str != "0", true
	case KindNull:
		return false, true
	}
	return false, false
}

// Constant is one constant definition found in a PHP file.
type Constant struct {
	Name string
	// Line is the 1-based line of the define or const keyword.
	Line int
	// Raw is the value as written in the source.
	Raw   string
	Value Value
	// Conditional is set when the definition may not run every time the file runs:
	// inside a block or function, after an if/else/loop without braces, or behind a
	// ternary or short-circuit operator.
	Conditional bool
	// Guarded is set for the redefinition guard idiom (`defined('X') || define('X', ...)`
	// or `if (!defined('X')) { define('X', ...); }`). It is not Conditional: it only
	// skips a constant that is already defined, and the first definition wins in PHP anyway.
	Guarded bool
	// Snippet is the definition's source text with whitespace collapsed, for evidence. It
	// covers only this definition, not the whole line, so that a neighbouring secret
	// (a DB_PASSWORD on the same line) never ends up in a report.
	Snippet string
}

// SyntaxError is a lexical error that stopped extraction at Line.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ParseConstants extracts the constants that src defines with define() or a top-level
// const statement, in source order. On a lexical error (an unterminated string, comment
// or heredoc) it returns the constants defined before that point together with a
// *SyntaxError.
func ParseConstants(src []byte) ([]Constant, error) {
	lx := &lexer{src: src, newlines: newlineIndex(src), toks: make([]token, 0, len(src)/8)}
	toks, lexErr := lx.run()
	p := &parser{src: src, toks: toks, lines: lx.newlines}
	p.walk()
	if lexErr != nil {
		return p.out, lexErr
	}
	return p.out, nil
}

// ---- lexer ----

type tokKind uint8

const (
	tIdent tokKind = iota + 1
	tVar
	tString
	tNumber
	tPunct
)

type token struct {
	kind       tokKind
	text       string // identifier, variable, number or punctuation as written
	start, end int    // byte offsets into the source
	str        string // decoded value of a string literal
	interp     bool   // the string interpolates variables, so its value is dynamic
}

// maxNesting bounds recursion through "{$...}" interpolation so that crafted input cannot
// exhaust the stack.
const maxNesting = 64

type lexer struct {
	src      []byte
	newlines []int
	pos      int
	toks     []token
	nested   int // >0 while scanning code inside a string's {$...}
}

func newlineIndex(src []byte) []int {
	var nl []int
	for i, c := range src {
		if c == '\n' {
			nl = append(nl, i)
		}
	}
	return nl
}

// lineAt is the 1-based line of byte offset off.
func lineAt(newlines []int, off int) int {
	return sort.SearchInts(newlines, off) + 1
}

func (lx *lexer) errAt(off int, msg string) *SyntaxError {
	return &SyntaxError{Line: lineAt(lx.newlines, off), Msg: msg}
}

func (lx *lexer) run() ([]token, error) {
	for lx.pos < len(lx.src) {
		lx.skipInlineHTML()
		for lx.pos < len(lx.src) {
			tok, closed, err := lx.next()
			if err != nil {
				return lx.toks, err
			}
			if closed {
				// "?>" ends a statement like ";" does.
				lx.toks = append(lx.toks, token{kind: tPunct, text: ";", start: tok.start, end: tok.end})
				break
			}
			if tok.kind == 0 {
				continue // whitespace or comment
			}
			lx.toks = append(lx.toks, tok)
			if tok.kind == tIdent && strings.EqualFold(tok.text, "__halt_compiler") {
				// Everything after __halt_compiler() is raw data, not PHP.
				return lx.toks, nil
			}
		}
	}
	return lx.toks, nil
}

// skipInlineHTML moves past text outside PHP tags. "<?" alone opens PHP too, because
// short_open_tag is on unless php.ini turns it off.
func (lx *lexer) skipInlineHTML() {
	i := bytes.Index(lx.src[lx.pos:], []byte("<?"))
	if i < 0 {
		lx.pos = len(lx.src)
		return
	}
	p := lx.pos + i + 2
	switch {
	case hasFoldPrefix(lx.src[p:], "php") && (p+3 == len(lx.src) || isSpace(lx.src[p+3])):
		p += 3
	case p < len(lx.src) && lx.src[p] == '=':
		p++
	}
	lx.pos = p
}

func hasFoldPrefix(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isNameChar(c byte) bool { return isNameStart(c) || (c >= '0' && c <= '9') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// puncts are PHP's multi-character operators, longest first, so that "::" is never read
// as two alternative-syntax colons and "??" never as a ternary.
var puncts = []string{
	"<<=", ">>=", "**=", "...", "<=>", "===", "!==", "??=", "?->",
	"::", "->", "=>", "==", "!=", "<>", "<=", ">=", "&&", "||", "??", "++", "--",
	"+=", "-=", "*=", "/=", ".=", "%=", "&=", "|=", "^=", "<<", ">>", "**", "#[",
}

// singleBytes holds one-byte punctuation as strings, so that tokens share them instead of
// each allocating its own.
var singleBytes = func() (t [256]string) {
	for i := range t {
		t[i] = string([]byte{byte(i)})
	}
	return t
}()

// next scans one token in PHP code. A zero kind means whitespace or a comment; closed
// reports a "?>" closing tag.
func (lx *lexer) next() (tok token, closed bool, err error) {
	src, i := lx.src, lx.pos
	c := src[i]
	tok.start = i
	switch {
	case isSpace(c):
		for i < len(src) && isSpace(src[i]) {
			i++
		}
	case c == '?' && i+1 < len(src) && src[i+1] == '>' && lx.nested == 0:
		i += 2
		closed = true
	case c == '#' && !(i+1 < len(src) && src[i+1] == '['), c == '/' && i+1 < len(src) && src[i+1] == '/':
		i = lx.lineCommentEnd(i)
	case c == '/' && i+1 < len(src) && src[i+1] == '*':
		end := bytes.Index(src[i+2:], []byte("*/"))
		if end < 0 {
			return tok, false, lx.errAt(i, "unterminated /* comment")
		}
		i += 2 + end + 2
	case c == '\'':
		tok.kind = tString
		tok.str, i, err = lx.singleQuoted(i)
	case c == '"' || c == '`':
		tok.kind = tString
		tok.str, tok.interp, i, err = lx.doubleQuoted(i, c)
	case c == '<' && bytes.HasPrefix(src[i:], []byte("<<<")):
		var ok bool
		tok.str, tok.interp, i, ok, err = lx.heredoc(i)
		if ok {
			tok.kind = tString
		} else if err == nil {
			tok.kind, tok.text, i = tPunct, "<<", i+2
		}
	case c == '$' && i+1 < len(src) && isNameStart(src[i+1]):
		i++
		for i < len(src) && isNameChar(src[i]) {
			i++
		}
		tok.kind = tVar
	case isNameStart(c) || (c == '\\' && i+1 < len(src) && isNameStart(src[i+1])):
		i++
		for i < len(src) && (isNameChar(src[i]) || (src[i] == '\\' && i+1 < len(src) && isNameStart(src[i+1]))) {
			i++
		}
		tok.kind = tIdent
	case isDigit(c) || (c == '.' && i+1 < len(src) && isDigit(src[i+1])):
		i = scanNumber(src, i)
		tok.kind = tNumber
	default:
		tok.kind, tok.text = tPunct, singleBytes[c]
		for _, p := range puncts {
			if bytes.HasPrefix(src[i:], []byte(p)) {
				tok.text = p
				break
			}
		}
		i += len(tok.text)
	}
	if err != nil {
		return tok, false, err
	}
	tok.end = i
	if tok.kind == tIdent || tok.kind == tVar || tok.kind == tNumber {
		tok.text = string(src[tok.start:i])
	}
	lx.pos = i
	return tok, closed, nil
}

// lineCommentEnd finds the end of a // or # comment: the end of the line, or a "?>",
// which closes PHP mode even inside a one-line comment.
func (lx *lexer) lineCommentEnd(i int) int {
	src := lx.src
	for ; i < len(src); i++ {
		switch src[i] {
		case '\n', '\r':
			return i
		case '?':
			if i+1 < len(src) && src[i+1] == '>' && lx.nested == 0 {
				return i
			}
		}
	}
	return i
}

func scanNumber(src []byte, i int) int {
	if src[i] == '0' && i+1 < len(src) && strings.IndexByte("xXbBoO", src[i+1]) >= 0 {
		i += 2
		for i < len(src) && (isHex(src[i]) || src[i] == '_') {
			i++
		}
		return i
	}
	for i < len(src) && (isDigit(src[i]) || src[i] == '_') {
		i++
	}
	if i+1 < len(src) && src[i] == '.' && isDigit(src[i+1]) {
		i++
		for i < len(src) && (isDigit(src[i]) || src[i] == '_') {
			i++
		}
	} else if i < len(src) && src[i] == '.' && !(i+1 < len(src) && src[i+1] == '.') {
		i++ // "1." is a float
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(src[j]) {
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			i = j
		}
	}
	return i
}

func isHex(c byte) bool { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') }

func (lx *lexer) singleQuoted(start int) (string, int, error) {
	src := lx.src
	var b strings.Builder
	for i := start + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			if i+1 < len(src) && (src[i+1] == '\\' || src[i+1] == '\'') {
				i++
			}
			b.WriteByte(src[i])
		case '\'':
			return b.String(), i + 1, nil
		default:
			b.WriteByte(src[i])
		}
	}
	return "", len(src), lx.errAt(start, "unterminated single-quoted string")
}

// doubleQuoted scans a "..." or `...` string. Interpolated expressions ({$...}, ${...})
// are lexed as code, so quotes inside them do not end the string.
func (lx *lexer) doubleQuoted(start int, quote byte) (string, bool, int, error) {
	src := lx.src
	var b strings.Builder
	interp := false
	i := start + 1
	for i < len(src) {
		c := src[i]
		switch {
		case c == quote:
			return b.String(), interp, i + 1, nil
		case c == '\\' && i+1 < len(src):
			i = decodeEscape(src, i, quote, &b)
			continue
		case c == '$' && i+1 < len(src) && isNameStart(src[i+1]):
			interp = true
		case (c == '{' && i+1 < len(src) && src[i+1] == '$') || (c == '$' && i+1 < len(src) && src[i+1] == '{'):
			interp = true
			end, err := lx.skipBraced(i + 2)
			if err != nil {
				return "", true, len(src), err
			}
			i = end
			continue
		}
		b.WriteByte(c)
		i++
	}
	kind := "double-quoted string"
	if quote == '`' {
		kind = "backtick string"
	}
	return "", interp, len(src), lx.errAt(start, "unterminated "+kind)
}

var simpleEscapes = map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', 'v': '\v', 'e': 0x1b, 'f': '\f', '\\': '\\', '$': '$'}

// decodeEscape decodes the escape at src[i] == '\\' and returns the offset after it.
// quote is the string's delimiter, or 0 in a heredoc, where quotes need no escaping.
func decodeEscape(src []byte, i int, quote byte, b *strings.Builder) int {
	c := src[i+1]
	if r, ok := simpleEscapes[c]; ok {
		b.WriteByte(r)
		return i + 2
	}
	switch {
	case quote != 0 && c == quote:
		b.WriteByte(c)
		return i + 2
	case c >= '0' && c <= '7':
		j, n := i+1, 0
		for j < len(src) && j < i+4 && src[j] >= '0' && src[j] <= '7' {
			n = n*8 + int(src[j]-'0')
			j++
		}
		b.WriteByte(byte(n))
		return j
	case c == 'x' && i+2 < len(src) && isHex(src[i+2]):
		j, n := i+2, 0
		for j < len(src) && j < i+4 && isHex(src[j]) {
			v, _ := strconv.ParseUint(string(src[j]), 16, 8)
			n = n*16 + int(v)
			j++
		}
		b.WriteByte(byte(n))
		return j
	case c == 'u' && i+2 < len(src) && src[i+2] == '{':
		window := src[i+3 : min(len(src), i+3+7)] // at most six hex digits and the brace
		if end := bytes.IndexByte(window, '}'); end > 0 {
			if r, err := strconv.ParseUint(string(src[i+3:i+3+end]), 16, 32); err == nil {
				b.WriteRune(rune(r))
				return i + 3 + end + 1
			}
		}
	}
	b.WriteByte('\\')
	return i + 1
}

// skipBraced lexes the code of a {$...} interpolation starting at from and returns the
// offset after its closing brace.
func (lx *lexer) skipBraced(from int) (int, error) {
	if lx.nested >= maxNesting {
		return len(lx.src), lx.errAt(from, "string interpolation nested too deeply")
	}
	lx.nested++
	defer func() { lx.nested-- }()
	saved := lx.pos
	defer func() { lx.pos = saved }()
	lx.pos = from
	depth := 1
	for lx.pos < len(lx.src) {
		tok, _, err := lx.next()
		if err != nil {
			return len(lx.src), err
		}
		if tok.kind != tPunct {
			continue
		}
		switch tok.text {
		case "{":
			depth++
		case "}":
			depth--
			if depth == 0 {
				return lx.pos, nil
			}
		}
	}
	return len(lx.src), lx.errAt(from, "unterminated string interpolation")
}

// heredoc scans <<<ID, <<<"ID" (heredoc) or <<<'ID' (nowdoc) at start. ok is false when
// the text is not a heredoc opener after all. The closing marker may be indented and
// followed by more code on its line (PHP 7.3+); the indentation is removed from the body.
func (lx *lexer) heredoc(start int) (body string, interp bool, end int, ok bool, err error) {
	src := lx.src
	i := start + 3
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	var q byte
	if i < len(src) && (src[i] == '\'' || src[i] == '"') {
		q = src[i]
		i++
	}
	idStart := i
	if i >= len(src) || !isNameStart(src[i]) {
		return "", false, start, false, nil
	}
	for i < len(src) && isNameChar(src[i]) {
		i++
	}
	id := src[idStart:i]
	if q != 0 {
		if i >= len(src) || src[i] != q {
			return "", false, start, false, nil
		}
		i++
	}
	if i < len(src) && src[i] == '\r' {
		i++
	}
	if i >= len(src) || src[i] != '\n' {
		return "", false, start, false, nil
	}
	bodyStart := i + 1
	for ls := bodyStart; ls <= len(src); {
		p := ls
		for p < len(src) && (src[p] == ' ' || src[p] == '\t') {
			p++
		}
		if bytes.HasPrefix(src[p:], id) && (p+len(id) == len(src) || !isNameChar(src[p+len(id)])) {
			raw := ""
			if ls > bodyStart {
				raw = strings.TrimSuffix(strings.TrimSuffix(string(src[bodyStart:ls]), "\n"), "\r")
			}
			raw = dedent(raw, string(src[ls:p]))
			if q == '\'' {
				return raw, false, p + len(id), true, nil
			}
			var b strings.Builder
			rawb := []byte(raw)
			for j := 0; j < len(raw); {
				c := raw[j]
				if c == '\\' && j+1 < len(raw) {
					j = decodeEscape(rawb, j, 0, &b)
					continue
				}
				if c == '$' && j+1 < len(raw) && (isNameStart(raw[j+1]) || raw[j+1] == '{') || c == '{' && j+1 < len(raw) && raw[j+1] == '$' {
					interp = true
				}
				b.WriteByte(c)
				j++
			}
			return b.String(), interp, p + len(id), true, nil
		}
		nl := bytes.IndexByte(src[ls:], '\n')
		if nl < 0 {
			break
		}
		ls += nl + 1
	}
	return "", false, len(src), false, lx.errAt(start, "unterminated heredoc <<<"+string(id))
}

func dedent(body, indent string) string {
	if indent == "" {
		return body
	}
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, indent)
	}
	return strings.Join(lines, "\n")
}

// ---- statement walker ----

// scope is one open bracket, brace or alternative-syntax block (if (...): ... endif;).
type scope struct {
	open        byte   // '(', '[', '{' or 'A' for an alternative-syntax block
	header      string // control keyword whose condition this '(' holds
	headerStart int
	guard       string // constant name this block is guarded by (if (!defined('X')))
	transparent bool   // namespace and declare blocks: their code always runs
	conditional bool
	restoreNS   *string // namespace to restore when a namespace block closes
}

// single is the one-statement body of a control structure written without braces.
type single struct {
	depth int
	guard string
}

// pendingBlock describes the block a following "{" opens, decided by what came before it.
type pendingBlock struct {
	at          int
	guard       string
	transparent bool
	ns          *string
}

type parser struct {
	src   []byte
	toks  []token
	lines []int
	match []int // index of the matching bracket, or -1
	out   []Constant

	nest      []scope
	openCount map[byte]int // scopes in nest by their open byte
	singles   []single
	condCount int            // open conditional contexts (blocks and single statements)
	guarded   map[string]int // of those, how many are guarded by each name
	opaque    int            // open scopes other than transparent blocks
	stmtStart int
	opSeen    bool // a ternary or short-circuit operator appeared in this statement
	pending   pendingBlock
	ns        string
}

func (p *parser) line(t token) int { return lineAt(p.lines, t.start) }

func (p *parser) tok(i int) token {
	if i < 0 || i >= len(p.toks) {
		return token{}
	}
	return p.toks[i]
}

func isPunct(t token, s string) bool { return t.kind == tPunct && t.text == s }

// keyword is an identifier's text lower-cased, with a leading namespace separator
// removed (\true, \define).
func keyword(t token) string {
	if t.kind != tIdent {
		return ""
	}
	return strings.ToLower(strings.TrimPrefix(t.text, "\\"))
}

// computeMatches pairs brackets in one pass. A closer that does not match the innermost
// opener closes the nearest opener of its own type, so one stray bracket cannot unpair
// everything after it.
func (p *parser) computeMatches() {
	p.match = make([]int, len(p.toks))
	var stack []int
	// open counts the openers of each kind on the stack, so that a stray closer costs
	// nothing instead of a search through the whole stack.
	open := map[byte]int{}
	for i, t := range p.toks {
		p.match[i] = -1
		if t.kind != tPunct {
			continue
		}
		switch t.text {
		case "(", "[", "#[", "{":
			stack = append(stack, i)
			open[bracketKind(t.text)]++
		case ")", "]", "}":
			want := bracketKind(t.text)
			if open[want] == 0 {
				continue
			}
			k := len(stack) - 1
			for bracketKind(p.toks[stack[k]].text) != want {
				k--
			}
			for _, j := range stack[k:] {
				open[bracketKind(p.toks[j].text)]--
			}
			p.match[stack[k]], p.match[i] = i, stack[k]
			stack = stack[:k]
		}
	}
}

// bracketKind names a bracket by its opening byte; "#[" opens an attribute closed by "]".
func bracketKind(b string) byte {
	switch b {
	case "(", ")":
		return '('
	case "[", "]", "#[":
		return '['
	}
	return '{'
}

func (p *parser) setStmt(i int) {
	p.stmtStart = i
	p.opSeen = false
}

func (p *parser) push(s scope) {
	if (s.open == '{' || s.open == 'A') && !s.transparent {
		s.conditional = true
		p.addCond(s.guard, 1)
	}
	if !(s.open == '{' && s.transparent) {
		p.opaque++
	}
	if p.openCount == nil {
		p.openCount = map[byte]int{}
	}
	p.openCount[s.open]++
	p.nest = append(p.nest, s)
}

func (p *parser) addCond(guard string, d int) {
	p.condCount += d
	if guard != "" {
		if p.guarded == nil {
			p.guarded = map[string]int{}
		}
		p.guarded[guard] += d
	}
}

// popUntil closes scopes down to and including the innermost one opened by open and
// returns it; ok is false (and nothing is closed) when there is none.
func (p *parser) popUntil(open byte) (scope, bool) {
	if p.openCount[open] == 0 {
		return scope{}, false
	}
	k := len(p.nest) - 1
	for p.nest[k].open != open {
		k--
	}
	var s scope
	for len(p.nest) > k {
		s = p.nest[len(p.nest)-1]
		p.nest = p.nest[:len(p.nest)-1]
		p.openCount[s.open]--
		if s.conditional {
			p.addCond(s.guard, -1)
		}
		if !(s.open == '{' && s.transparent) {
			p.opaque--
		}
		if s.restoreNS != nil {
			p.ns = *s.restoreNS
		}
	}
	p.popSingles(len(p.nest) + 1)
	return s, true
}

// popSingles ends brace-less statement bodies that started at depth or deeper.
func (p *parser) popSingles(depth int) {
	for len(p.singles) > 0 && p.singles[len(p.singles)-1].depth >= depth {
		p.addCond(p.singles[len(p.singles)-1].guard, -1)
		p.singles = p.singles[:len(p.singles)-1]
	}
}

func (p *parser) pushSingle(guard string, next int) {
	p.singles = append(p.singles, single{depth: len(p.nest), guard: guard})
	p.addCond(guard, 1)
	p.setStmt(next)
}

var controlHeaders = map[string]bool{"if": true, "elseif": true, "while": true, "for": true, "foreach": true, "switch": true, "declare": true}

// memberAccess reports whether the token before i makes an identifier a method or
// property name, or a declaration, rather than a keyword or a call of a global function.
func (p *parser) memberAccess(i int) bool {
	prev := p.tok(i - 1)
	if prev.kind == tPunct {
		return prev.text == "->" || prev.text == "?->" || prev.text == "::"
	}
	switch keyword(prev) {
	case "function", "const", "new", "use", "class", "interface", "trait", "enum":
		return true
	}
	return false
}

func (p *parser) walk() {
	p.computeMatches()
	p.pending.at = -1
	for i := 0; i < len(p.toks); i++ {
		t := p.toks[i]
		switch t.kind {
		case tPunct:
			i = p.punct(i, t)
		case tIdent:
			i = p.ident(i, t)
		}
	}
}

func (p *parser) punct(i int, t token) int {
	switch t.text {
	case "(", "[", "#[":
		s := scope{open: t.text[len(t.text)-1]}
		if s.open == '(' {
			if kw := keyword(p.tok(i - 1)); controlHeaders[kw] && !p.memberAccess(i-1) {
				s.header, s.headerStart = kw, i+1
			}
		}
		p.push(s)
	case ")", "]":
		open := byte('(')
		if t.text == "]" {
			open = '['
		}
		if s, ok := p.popUntil(open); ok && s.header != "" {
			return p.afterHeader(s, i)
		}
	case "{":
		s := scope{open: '{'}
		// A block that starts a statement on its own always runs (a bare { ... }).
		s.transparent = p.stmtStart == i
		if p.pending.at == i {
			s.guard, s.transparent = p.pending.guard, p.pending.transparent
			if p.pending.ns != nil {
				old := p.ns
				s.restoreNS, p.ns = &old, *p.pending.ns
			}
		}
		p.push(s)
		p.setStmt(i + 1)
	case "}":
		if _, ok := p.popUntil('{'); ok {
			p.popSingles(len(p.nest))
		}
		p.setStmt(i + 1)
	case ";":
		p.popSingles(len(p.nest))
		p.setStmt(i + 1)
	case "?", "??", "||", "&&":
		p.opSeen = true
	}
	return i
}

// afterHeader decides what the body of a control structure is, once its (...) closed at i.
func (p *parser) afterHeader(s scope, i int) int {
	guard := ""
	if s.header == "if" {
		guard = p.guardName(s.headerStart, i)
	}
	next := p.tok(i + 1)
	switch {
	case isPunct(next, "{"):
		p.pending = pendingBlock{at: i + 1, guard: guard, transparent: s.header == "declare"}
	case isPunct(next, ":"):
		if s.header == "elseif" {
			p.clearAltGuard()
		} else {
			p.push(scope{open: 'A', guard: guard, transparent: s.header == "declare"})
		}
		p.setStmt(i + 2)
		return i + 1
	case s.header == "declare" || s.header == "switch":
		p.setStmt(i + 1)
	default:
		p.pushSingle(guard, i+1)
	}
	return i
}

// clearAltGuard drops the guard of the innermost alternative-syntax block when it reaches
// its else/elseif branch, which runs precisely when the guarded constant already exists.
func (p *parser) clearAltGuard() {
	if n := len(p.nest); n > 0 && p.nest[n-1].open == 'A' && p.nest[n-1].guard != "" {
		top := &p.nest[n-1]
		p.addCond(top.guard, -1)
		p.addCond("", 1)
		top.guard = ""
	}
}

// guardName returns X when the tokens in [from, to) are `!defined('X')`, possibly wrapped
// in parentheses.
func (p *parser) guardName(from, to int) string {
	for to-from >= 2 && isPunct(p.toks[from], "(") && p.match[from] == to-1 {
		from, to = from+1, to-1
	}
	if to-from != 5 || !isPunct(p.toks[from], "!") {
		return ""
	}
	return p.definedCall(from+1, to)
}

// definedCall returns X when the tokens in [from, to) are exactly `defined('X')`.
func (p *parser) definedCall(from, to int) string {
	if to-from != 4 || keyword(p.toks[from]) != "defined" || !isPunct(p.toks[from+1], "(") ||
		!isPunct(p.toks[from+3], ")") {
		return ""
	}
	if s := p.toks[from+2]; s.kind == tString && !s.interp {
		return s.str
	}
	return ""
}

func (p *parser) ident(i int, t token) int {
	kw := keyword(t)
	if p.memberAccess(i) {
		return i
	}
	next := p.tok(i + 1)
	switch kw {
	case "else":
		switch {
		case isPunct(next, ":"):
			p.clearAltGuard()
			p.setStmt(i + 2)
			return i + 1
		case isPunct(next, "{"):
			p.pending = pendingBlock{at: i + 1}
		default:
			p.pushSingle("", i+1)
		}
	case "try", "finally", "do":
		// These bodies run every time (short of an exception), unlike catch blocks; a
		// do-while body runs at least once.
		if isPunct(next, "{") {
			p.pending = pendingBlock{at: i + 1, transparent: true}
		} else {
			p.setStmt(i + 1)
		}
	case "endif", "endwhile", "endfor", "endforeach", "endswitch", "enddeclare":
		p.popUntil('A')
	case "or", "and", "xor", "fn", "function":
		p.opSeen = true
	case "namespace":
		p.namespace(i)
	case "define":
		if isPunct(next, "(") {
			p.define(i)
		}
	case "const":
		if p.opaque == 0 && len(p.singles) == 0 {
			p.constStmt(i)
		}
	}
	return i
}

func (p *parser) namespace(i int) {
	next := p.tok(i + 1)
	switch {
	case isPunct(next, "{"):
		global := ""
		p.pending = pendingBlock{at: i + 1, transparent: true, ns: &global}
	case next.kind == tIdent:
		name := strings.TrimPrefix(next.text, "\\")
		after := p.tok(i + 2)
		if isPunct(after, ";") {
			p.ns = name
		} else if isPunct(after, "{") {
			p.pending = pendingBlock{at: i + 2, transparent: true, ns: &name}
		}
	}
}

// args splits the tokens between an opening bracket at open and its match into
// top-level, comma-separated [from, to) ranges.
func (p *parser) args(open int) [][2]int {
	end := p.match[open]
	var out [][2]int
	from := open + 1
	for j := from; j < end; j++ {
		t := p.toks[j]
		if t.kind == tPunct && p.match[j] > j {
			j = p.match[j]
			continue
		}
		if isPunct(t, ",") {
			out = append(out, [2]int{from, j})
			from = j + 1
		}
	}
	if from < end {
		out = append(out, [2]int{from, end})
	}
	return out
}

var defineParams = map[string]int{"constant_name": 0, "value": 1, "case_insensitive": 2}

func (p *parser) define(i int) {
	open := i + 1
	if p.match[open] < 0 {
		return // cut off by a lexical error or the end of the file
	}
	var params [3][2]int
	var have [3]bool
	for n, a := range p.args(open) {
		// PHP 8 named arguments: define(constant_name: 'X', value: true).
		if a[1]-a[0] >= 2 && p.toks[a[0]].kind == tIdent && isPunct(p.toks[a[0]+1], ":") {
			k, ok := defineParams[strings.ToLower(p.toks[a[0]].text)]
			if !ok {
				return
			}
			n = k
			a[0] += 2
		}
		if n < 3 && a[0] < a[1] {
			params[n], have[n] = a, true
		}
	}
	if !have[0] || !have[1] {
		return
	}
	nameTok, ok := p.literalToken(params[0][0], params[0][1])
	if !ok || nameTok.kind != tString || nameTok.interp {
		return // a computed name cannot be matched against anything
	}
	c := Constant{Name: nameTok.str, Line: p.line(p.toks[i])}
	c.Raw, c.Value = p.value(params[1][0], params[1][1])

	// Conditional by expression: only what precedes the call in its statement matters.
	from := p.stmtStart
	for from < i && isPunct(p.toks[from], "@") {
		from++
	}
	to := i
	for to > from && isPunct(p.toks[to-1], "@") {
		to--
	}
	switch {
	case c.Name != "" && p.exprGuard(from, to) == c.Name:
		c.Guarded = true
	case p.opSeen:
		c.Conditional = true
	}
	// Conditional by position: inside a block or a brace-less body that is not a
	// redefinition guard for this very constant.
	if p.condCount-p.guarded[c.Name] > 0 {
		c.Conditional, c.Guarded = true, false
	} else if p.guarded[c.Name] > 0 && !c.Conditional {
		c.Guarded = true
	}
	end := p.match[open] + 1
	// The ";" a "?>" stands for is not part of the definition's text.
	if t := p.tok(end); isPunct(t, ";") && p.src[t.start] == ';' {
		end++
	}
	c.Snippet = p.snippet(p.toks[i].start, p.toks[end-1].end)
	p.out = append(p.out, c)
}

// exprGuard returns X when the tokens in [from, to) are `defined('X') ||` (or `or`), or
// `!defined('X') &&` (or `and`): the idioms that skip an existing constant.
func (p *parser) exprGuard(from, to int) string {
	if to-from < 5 {
		return ""
	}
	op := p.toks[to-1]
	switch {
	case isPunct(op, "||") || keyword(op) == "or":
		return p.definedCall(from, to-1)
	case isPunct(op, "&&") || keyword(op) == "and":
		if isPunct(p.toks[from], "!") {
			return p.definedCall(from+1, to-1)
		}
	}
	return ""
}

// literalToken returns the single token in [from, to) after removing redundant
// parentheses.
func (p *parser) literalToken(from, to int) (token, bool) {
	for to-from >= 2 && isPunct(p.toks[from], "(") && p.match[from] == to-1 {
		from, to = from+1, to-1
	}
	if to-from != 1 {
		return token{}, false
	}
	return p.toks[from], true
}

// value classifies the expression in [from, to): a literal gets its typed value,
// anything else is dynamic.
func (p *parser) value(from, to int) (string, Value) {
	raw := string(p.src[p.toks[from].start:p.toks[to-1].end])
	sign := 1
	inner := from
	for inner < to-1 && isPunct(p.toks[inner], "(") && p.match[inner] == to-1 {
		inner, to = inner+1, to-1
	}
	if to-inner == 2 && (isPunct(p.toks[inner], "-") || isPunct(p.toks[inner], "+")) && p.toks[inner+1].kind == tNumber {
		if p.toks[inner].text == "-" {
			sign = -1
		}
		inner++
	}
	if to-inner != 1 {
		return raw, Value{}
	}
	t := p.toks[inner]
	switch {
	case t.kind == tString && !t.interp && sign == 1:
		return raw, Value{Kind: KindString, Str: t.str}
	case t.kind == tNumber:
		return raw, numberValue(t.text, sign)
	case t.kind == tIdent && sign == 1:
		switch keyword(t) {
		case "true":
			return raw, Value{Kind: KindBool, Bool: true}
		case "false":
			return raw, Value{Kind: KindBool}
		case "null":
			return raw, Value{Kind: KindNull}
		}
	}
	return raw, Value{}
}

func numberValue(text string, sign int) Value {
	s := strings.ReplaceAll(text, "_", "")
	lower := strings.ToLower(s)
	isFloat := !strings.HasPrefix(lower, "0x") && strings.ContainsAny(lower, ".e")
	if !isFloat {
		if n, err := strconv.ParseInt(s, 0, 64); err == nil {
			return Value{Kind: KindInt, Int: int64(sign) * n}
		}
		// PHP turns integers that overflow into floats.
		if n, ok := new(big.Int).SetString(s, 0); ok {
			f, _ := new(big.Float).SetInt(n).Float64()
			return Value{Kind: KindFloat, Float: float64(sign) * f}
		}
		return Value{}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return Value{Kind: KindFloat, Float: float64(sign) * f}
	}
	return Value{}
}

// maxSnippet bounds the evidence text taken from the source; finding.Plain shortens it
// further.
const maxSnippet = 400

func (p *parser) snippet(from, to int) string {
	if to-from > maxSnippet {
		to = from + maxSnippet
	}
	return strings.Join(strings.Fields(string(p.src[from:to])), " ")
}

// constStmt records `const A = 1, B = 2;` at the top level of a file or namespace.
func (p *parser) constStmt(i int) {
	j := i + 1
	for {
		name, eq := p.tok(j), p.tok(j+1)
		if name.kind != tIdent || !isPunct(eq, "=") {
			return
		}
		from := j + 2
		k := from
		for ; k < len(p.toks); k++ {
			t := p.toks[k]
			if t.kind == tPunct && p.match[k] > k {
				k = p.match[k]
				continue
			}
			if isPunct(t, ",") || isPunct(t, ";") || (t.kind == tPunct && p.match[k] >= 0 && p.match[k] < k) {
				break
			}
		}
		if k >= len(p.toks) || from == k {
			return // cut off: the statement never ended
		}
		full := name.text
		if p.ns != "" {
			full = p.ns + "\\" + name.text
		}
		c := Constant{Name: full, Line: p.line(name)}
		c.Raw, c.Value = p.value(from, k)
		c.Snippet = "const " + name.text + " = " + p.snippet(p.toks[from].start, p.toks[k-1].end)
		p.out = append(p.out, c)
		if !isPunct(p.toks[k], ",") {
			return
		}
		j = k + 1
	}
}
