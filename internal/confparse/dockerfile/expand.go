package dockerfile

import "strings"

// maxExpandDepth bounds ${A:-${B:-...}} nesting so that crafted input cannot exhaust
// the stack.
const maxExpandDepth = 32

// Expand substitutes variables in s the way BuildKit does in FROM, ARG, ENV and USER:
// $NAME, ${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word}, ${NAME+word} and
// ${NAME:?message}. Quotes are removed; single quotes keep their text literal; the escape
// character makes the next character literal. A variable lookup cannot resolve (no value
// in the file: it is chosen at build time, or empty) expands to "" and is reported in
// unresolved, as is one whose modifier this function does not evaluate.
func Expand(s string, lookup func(string) (string, bool), esc rune) (string, []string) {
	e := &expander{lookup: lookup, esc: byte(esc)}
	out := e.word(s, 0)
	return out, e.unresolved
}

type expander struct {
	lookup     func(string) (string, bool)
	esc        byte
	unresolved []string
}

func (e *expander) miss(name string) {
	if !contains(e.unresolved, name) {
		e.unresolved = append(e.unresolved, name)
	}
}

func (e *expander) word(s string, depth int) string {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '\'' && c == '\'':
			quote = 0
		case quote == '\'':
			b.WriteByte(c)
		case c == e.esc && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case quote == '"' && c == '"':
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case c == '$' && i+1 < len(s):
			n := e.variable(s[i+1:], &b, depth)
			if n == 0 {
				b.WriteByte(c)
			}
			i += n
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isNameByte(c byte, first bool) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9')
}

// variable expands the reference that s (the text after a $) starts with into b and
// returns how many bytes of s it used; 0 means $ was literal.
func (e *expander) variable(s string, b *strings.Builder, depth int) int {
	if s[0] != '{' {
		n := 0
		for n < len(s) && isNameByte(s[n], n == 0) {
			n++
		}
		if n > 0 {
			b.WriteString(e.value(s[:n]))
		}
		return n
	}
	end := closingBrace(s)
	if end < 0 {
		return 0
	}
	body := s[1:end]
	n := 0
	for n < len(body) && isNameByte(body[n], n == 0) {
		n++
	}
	name, mod := body[:n], body[n:]
	if name == "" {
		return 0
	}
	if mod == "" {
		b.WriteString(e.value(name))
		return end + 1
	}
	v, set := e.lookup(name)
	var op string
	for _, o := range []string{":-", ":+", ":?", "-", "+", "?"} {
		if strings.HasPrefix(mod, o) {
			op = o
			break
		}
	}
	arg := strings.TrimPrefix(mod, op)
	sub := func() string {
		if depth >= maxExpandDepth {
			e.miss(name)
			return ""
		}
		return e.word(arg, depth+1)
	}
	switch op {
	case ":-":
		if set && v != "" {
			b.WriteString(v)
		} else {
			b.WriteString(sub())
		}
	case "-":
		if set {
			b.WriteString(v)
		} else {
			b.WriteString(sub())
		}
	case ":+":
		if set && v != "" {
			b.WriteString(sub())
		}
	case "+":
		if set {
			b.WriteString(sub())
		}
	case ":?", "?":
		if set && (op == "?" || v != "") {
			b.WriteString(v)
		} else {
			e.miss(name)
		}
	default:
		// Pattern removal and substitution (${A#x}, ${A/x/y}) depend on matching this
		// function does not do; the result is left unknown rather than guessed.
		e.miss(name)
	}
	return end + 1
}

func (e *expander) value(name string) string {
	v, ok := e.lookup(name)
	if !ok {
		e.miss(name)
	}
	return v
}

// maxBraced bounds how far closingBrace looks, so that many unclosed "${" cannot make
// expansion quadratic; no real variable reference is this long.
const maxBraced = 4096

// closingBrace returns the index of the } that closes the { at s[0], counting nested ${.
func closingBrace(s string) int {
	depth := 0
	for i := 0; i < len(s) && i < maxBraced; i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
