package anonymize

import (
	"bytes"
	"strings"
)

// valSpan is one value of a captured tuple or COPY row: its raw bytes in the capture and,
// for a single string literal, where the literal's quotes are.
type valSpan struct {
	start, end int // trimmed raw span
	// qs, qe bound the string literal, quotes included; qs < 0 when the value is not
	// exactly one string literal (with an optional _charset, N, E or X introducer).
	qs, qe int
	quote  byte
	escape bool // backslash escapes apply inside the literal
	hex    bool // X'…' or 0x… literal
	null   bool
	// copyNull marks \N in COPY data.
}

// insert processes INSERT and REPLACE statements: the header up to VALUES is captured
// and parsed, then the tuples of a table with rules are rewritten one at a time; other
// tables' statements are copied as they stream.
func (p *proc) insert() error {
	in := p.in
	if err := in.setSink(sinkCapture); err != nil {
		return err
	}
	in.capture = in.capture[:0]
	start := in.offset()
	// Consume the header token by token up to VALUES.
	var cols []string
	var table string
	explicit := false
	form := ""
	for form == "" {
		if in.offset()-start > maxStatementHeader {
			return in.errorf("INSERT header longer than %d MiB", maxStatementHeader>>20)
		}
		if err := p.skipSpace(); err != nil {
			return err
		}
		c, ok, err := in.peek()
		if err != nil {
			return err
		}
		if !ok {
			return in.errorf("INSERT statement cut short (the dump is truncated)")
		}
		switch {
		case c == '`' || c == '"':
			s := in.capPos()
			if err := p.skipString(c, false); err != nil {
				return err
			}
			if err := in.flush(); err != nil {
				return err
			}
			name := unquoteIdent(in.capture[s:in.capPos()])
			if explicit {
				cols = append(cols, name)
			} else {
				table = name
			}
		case c == '(':
			in.pos++
			if table == "" {
				// INSERT INTO (…) without a name: not a form dumps use.
				form = "other"
				break
			}
			explicit = true
			cols = cols[:0]
		case c == ')' || c == ',' || c == '.':
			in.pos++
		case isWordStart(c):
			w, end, err := p.word(0)
			if err != nil {
				return err
			}
			// Keep the word as written: it may be a name.
			b, _ := in.ahead(end)
			raw := string(b)
			in.pos += end
			switch w {
			case "INSERT", "REPLACE", "INTO", "IGNORE", "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "OVERRIDING", "SYSTEM", "USER":
				if w == "USER" || w == "SYSTEM" {
					// OVERRIDING SYSTEM VALUE
					continue
				}
			case "VALUES", "VALUE":
				if table != "" {
					form = "values"
				}
			case "SELECT", "SET", "DEFAULT", "WITH", "PARTITION", "TABLE":
				if w == "PARTITION" {
					continue
				}
				form = "other"
			default:
				if explicit {
					cols = append(cols, raw)
				} else {
					table = raw
				}
			}
		default:
			form = "other"
		}
	}
	if err := in.flush(); err != nil {
		return err
	}
	pl, err := p.planFor(table, cols, explicit)
	if err != nil {
		return err
	}
	if form == "other" {
		if pl != nil {
			p.warnAt("INSERT into %s is not of the VALUES form and passes through unchanged", table)
		}
		if err := p.emitCapture(); err != nil {
			return err
		}
		return p.passStatement()
	}
	if pl == nil {
		if err := p.emitCapture(); err != nil {
			return err
		}
		return p.passValues()
	}
	if pl.truncate {
		in.capture = in.capture[:0]
		if err := in.setSink(sinkDrop); err != nil {
			return err
		}
		n, err := p.countTuples()
		if err != nil {
			return err
		}
		p.stats.Truncated += n
		p.stats.Tables[table] += n
		return in.setSink(sinkOut)
	}
	if err := p.emitCapture(); err != nil {
		return err
	}
	return p.tuples(pl, table)
}

// emitCapture writes the captured bytes and switches the sink back to the output.
func (p *proc) emitCapture() error {
	if err := p.in.setSink(sinkOut); err != nil {
		return err
	}
	err := p.pipe.emit(p.in.capture)
	p.in.capture = p.in.capture[:0]
	return err
}

func unquoteIdent(b []byte) string {
	if len(b) >= 2 {
		q := b[0]
		s := string(b[1 : len(b)-1])
		return strings.ReplaceAll(s, string([]byte{q, q}), string(q))
	}
	return string(b)
}

// passValues copies the rest of an INSERT of a table without rules; it must end with
// the statement's terminator.
func (p *proc) passValues() error {
	line, off := p.in.position()
	ok, err := p.scanStatement(true)
	if err != nil {
		return err
	}
	if !ok {
		return errorAt(line, off, "INSERT statement not terminated (the dump is truncated)")
	}
	return nil
}

// countTuples consumes the rest of an INSERT, counting its rows (for truncated tables).
func (p *proc) countTuples() (int64, error) {
	var n int64
	in := p.in
	line, off := in.position()
	for {
		if err := p.skipSpace(); err != nil {
			return n, err
		}
		c, ok, err := in.peek()
		if err != nil {
			return n, err
		}
		if !ok {
			return n, errorAt(line, off, "INSERT statement not terminated (the dump is truncated)")
		}
		switch {
		case c == '(':
			n++
			if err := p.scanTuple(nil); err != nil {
				return n, err
			}
		case c == ',':
			in.pos++
		case c == ';':
			in.pos++
			return n, nil
		default:
			_, err := p.scanStatement(true)
			return n, err
		}
	}
}

// tuples rewrites the rows of an INSERT … VALUES one at a time.
func (p *proc) tuples(pl *plan, table string) error {
	in := p.in
	line, off := in.position()
	for {
		if err := p.skipSpace(); err != nil {
			return err
		}
		c, ok, err := in.peek()
		if err != nil {
			return err
		}
		if !ok {
			return errorAt(line, off, "INSERT statement not terminated (the dump is truncated)")
		}
		switch {
		case c == '(':
			if err := in.setSink(sinkCapture); err != nil {
				return err
			}
			in.capture = in.capture[:0]
			p.vals = p.vals[:0]
			if err := p.scanTuple(&p.vals); err != nil {
				return err
			}
			if err := in.flush(); err != nil {
				return err
			}
			if err := in.setSink(sinkOut); err != nil {
				return err
			}
			if err := p.queueRow(pl, table, in.capture, p.vals, false); err != nil {
				return err
			}
			in.capture = in.capture[:0]
		case c == ',':
			in.pos++
		case c == ';':
			in.pos++
			return nil
		default:
			// ON DUPLICATE KEY UPDATE …, RETURNING …: copied as is.
			ok, err := p.scanStatement(true)
			if err != nil {
				return err
			}
			if !ok {
				return errorAt(line, off, "INSERT statement not terminated (the dump is truncated)")
			}
			return nil
		}
	}
}

// scanTuple consumes one parenthesised tuple, recording its values' spans in vals (when
// not nil) as positions in the capture.
func (p *proc) scanTuple(vals *[]valSpan) error {
	in := p.in
	line, off := in.position()
	in.pos++ // (
	for {
		if err := p.skipSpace(); err != nil {
			return err
		}
		v := valSpan{start: in.capPos(), qs: -1}
		tokens, depth := 0, 0
		prefix := ""
		end := v.start
	value:
		for {
			ok, err := in.more()
			if err != nil {
				return err
			}
			if !ok {
				return errorAt(line, off, "row not terminated (the dump is truncated)")
			}
			c := in.buf[in.pos]
			switch {
			case isSpace(c):
				in.pos++
				continue
			case c == ',' && depth == 0, c == ')' && depth == 0:
				break value
			case c == '(':
				depth++
				tokens += 2
				in.pos++
			case c == ')':
				depth--
				in.pos++
			case c == '"' && p.pg, c == '`':
				// A quoted name in an expression, not a value of its own.
				if err := p.skipString(c, false); err != nil {
					return err
				}
				tokens += 2
			case c == '#' && !p.pg, c == '-' && in.peekAt(1) == '-', c == '/' && in.peekAt(1) == '*', c == '$' && p.pg:
				// Comments and $-quotes as the statement scanner reads them, so that a
				// rewritten statement and a copied one agree on where values end.
				var err error
				switch c {
				case '#', '-':
					err = p.lineComment()
				case '/':
					err = p.blockComment()
				default:
					err = p.dollarQuote()
				}
				if err != nil {
					return err
				}
				tokens += 2
			case c == '\'' || c == '"':
				esc := p.bs || c == '"'
				if tokens == 1 && p.pg && (prefix == "E" || prefix == "e") {
					esc = true
				}
				if tokens == 0 || tokens == 1 && prefix != "" {
					v.qs, v.quote, v.escape = in.capPos(), c, esc
					v.hex = prefix == "X" || prefix == "x"
				}
				if err := p.skipString(c, esc); err != nil {
					return err
				}
				if v.qs >= 0 && v.qe == 0 {
					v.qe = in.capPos()
				}
				tokens++
			case isWordStart(c) || c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.':
				var wb [64]byte
				wn := 0
				var prev byte
				for first := true; ; first = false {
					if in.pos >= in.n {
						ok, err := in.fill()
						if err != nil {
							return err
						}
						if !ok {
							break
						}
					}
					b := in.buf[in.pos]
					if !first && !(isWordByte(b) || b == '.' || (b == '-' || b == '+') && (prev == 'e' || prev == 'E')) {
						break
					}
					prev = b
					if wn < len(wb) {
						wb[wn] = b
						wn++
					}
					in.pos++
				}
				if tokens == 0 {
					// Bytes, not a string: most words here are numbers, one per value.
					ws := wb[:wn]
					switch {
					case bytes.EqualFold(ws, []byte("NULL")):
						v.null = true
					case ws[0] == '_' || len(ws) == 1 && strings.IndexByte("NnEeXxBb", ws[0]) >= 0:
						prefix = string(ws)
					case len(ws) > 2 && ws[0] == '0' && (ws[1] == 'x' || ws[1] == 'X'):
						v.hex = true
					}
				}
				tokens++
			default:
				in.pos++
				tokens += 2
			}
			end = in.capPos()
		}
		v.end = end
		if tokens != 1 && !(tokens == 2 && prefix != "" && v.qs >= 0) {
			v.qs = -1
			v.null = false
			if !(tokens == 1 && v.hex) {
				v.hex = false
			}
		}
		if prefix == "B" || prefix == "b" {
			v.qs = -1
		}
		if vals != nil {
			*vals = append(*vals, v)
		}
		c := in.buf[in.pos]
		in.pos++
		if c == ')' {
			return nil
		}
	}
}
