package anonymize

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Options configure one run of the anonymiser.
type Options struct {
	// Rules say what to rewrite; nil rewrites nothing (the dump is copied, with the marker).
	Rules *Rules
	// Key is the secret that makes pseudonyms deterministic. It must not be empty.
	Key []byte
	// Marker is the line written near the top of the output (see pii.SQLMarker); "" for none.
	Marker string
	// Workers is how many goroutines rewrite rows; 0 means one per core (at most 4).
	// The output is the same for any number.
	Workers int
	// batch overrides the job size, for tests that want many jobs from a small dump.
	batch int
}

// Stats is what a run did.
type Stats struct {
	BytesIn, BytesOut int64
	Statements        int64
	// Rows counts the rows of tables with rules; RowsChanged those with a value rewritten.
	Rows, RowsChanged, ValuesChanged int64
	// Truncated counts the rows dropped by truncate rules.
	Truncated int64
	// SerializedFailures counts values that looked PHP-serialized but did not parse; they
	// were left unchanged.
	SerializedFailures int64
	Dialect            string
	// Tables lists the tables rules applied to, with their row counts.
	Tables map[string]int64
	// Warnings are the distinct warnings with how often each occurred.
	Warnings map[string]int64
}

// WarningList is Warnings sorted, most frequent first.
func (s *Stats) WarningList() []string {
	type kv struct {
		k string
		n int64
	}
	var l []kv
	for k, n := range s.Warnings {
		l = append(l, kv{k, n})
	}
	sort.Slice(l, func(i, j int) bool {
		if l[i].n != l[j].n {
			return l[i].n > l[j].n
		}
		return l[i].k < l[j].k
	})
	out := make([]string, len(l))
	for i, e := range l {
		if e.n > 1 {
			out[i] = fmt.Sprintf("%s (%d times)", e.k, e.n)
		} else {
			out[i] = e.k
		}
	}
	return out
}

// maxWarnings bounds the distinct warnings kept: a broken dump can produce one per row.
const maxWarnings = 200

// Anonymize streams a SQL dump from r to w, rewriting the values the rules name. Rows are
// rewritten on opt.Workers goroutines and written in order. Memory stays bounded by the
// jobs in flight (a few MiB) and one row of a table with rules, whatever the size of the
// dump. On error the output is incomplete and must be discarded.
func Anonymize(r io.Reader, w io.Writer, opt Options) (*Stats, error) {
	if len(opt.Key) == 0 {
		return nil, fmt.Errorf("anonymize: empty key")
	}
	p := &proc{
		rules:  opt.Rules,
		tables: map[string]*tableInfo{},
		plans:  map[string]*plan{},
		stats:  &Stats{Tables: map[string]int64{}, Warnings: map[string]int64{}, Dialect: "mysql"},
		delim:  []byte{';'},
		bs:     true,
	}
	p.pipe = newPipeline(w, opt.Key, opt.Workers, opt.batch, p.stats.Warnings)
	p.in = newInput(r, p.pipe.emit)
	err := p.start(opt.Marker)
	if err == nil {
		err = p.run()
	}
	if err == nil {
		err = p.in.setSink(sinkOut)
	}
	p.flushRowCount()
	n, werr := p.pipe.finish()
	if err == nil {
		err = werr
	}
	p.stats.BytesIn = p.in.offset()
	p.stats.BytesOut = n
	p.stats.RowsChanged = p.pipe.rowsChanged
	p.stats.ValuesChanged = p.pipe.changed
	p.stats.SerializedFailures = p.pipe.serialFailures
	return p.stats, err
}

// proc is the tokenizer: it reads the dump statement by statement, learns tables and
// plans, and hands bytes and rows of tables with rules to the pipeline.
type proc struct {
	in    *input
	pipe  *pipeline
	rules *Rules
	stats *Stats

	// pg is set once the dump shows itself as pg_dump's: "" quotes identifiers, $$
	// quotes bodies, and psql meta-commands start with a backslash.
	pg bool
	// bs says backslashes escape in '…' strings: always in MySQL, in PostgreSQL only
	// with standard_conforming_strings off.
	bs    bool
	delim []byte

	tables map[string]*tableInfo
	plans  map[string]*plan

	vals []valSpan
	// rowTable and rowCount batch Stats.Tables: a map update per row showed in profiles.
	rowTable string
	rowCount int64
}

func (p *proc) countRow(table string) {
	if table != p.rowTable {
		p.flushRowCount()
		p.rowTable = table
	}
	p.rowCount++
}

func (p *proc) flushRowCount() {
	if p.rowCount > 0 {
		p.stats.Tables[p.rowTable] += p.rowCount
		p.rowCount = 0
	}
}

func (p *proc) warn(format string, args ...any) {
	p.pipe.warn(fmt.Sprintf(format, args...))
}

// queueRow counts a captured row of a table with rules and hands it to the pipeline; a
// row with the wrong number of values passes through unchanged.
func (p *proc) queueRow(pl *plan, table string, capt []byte, vals []valSpan, copyData bool) error {
	p.stats.Rows++
	p.countRow(table)
	if len(vals) != len(pl.acts) {
		p.warnAt("a row of %s has %d values where %d columns were expected; left unchanged", table, len(vals), len(pl.acts))
		return p.pipe.emit(capt)
	}
	return p.pipe.emitRow(rowOp{pl: pl, copyData: copyData, bs: p.bs, pg: p.pg}, capt, vals)
}

// warnAt is warn with the current position, for warnings about one place in the dump.
func (p *proc) warnAt(format string, args ...any) {
	line, off := p.in.position()
	p.warn("line %d, byte %d: %s", line, off, fmt.Sprintf(format, args...))
}

// start writes the marker: first, unless the dump opens with MariaDB's sandbox-mode
// line, which the client honours only as the first line.
func (p *proc) start(marker string) error {
	if marker == "" {
		return nil
	}
	head, err := p.in.ahead(64)
	if err != nil {
		return err
	}
	if bytes.HasPrefix(head, []byte("/*M!999999")) {
		if err := p.lineComment(); err != nil {
			return err
		}
		if err := p.in.flush(); err != nil {
			return err
		}
	}
	return p.pipe.emit([]byte(marker + "\n"))
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isWordStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}
func isWordByte(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' || c == '$' }

// run is the statement loop.
func (p *proc) run() error {
	in := p.in
	for {
		if err := p.skipSpace(); err != nil {
			return err
		}
		c, ok, err := in.peek()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		c1 := in.peekAt(1)
		switch {
		case c == '-' && c1 == '-', c == '#' && !p.pg:
			err = p.lineComment()
		case c == '/' && c1 == '*':
			err = p.blockComment()
		case c == ';':
			in.pos++
		case c == '\\':
			// A psql meta-command (\connect, \restrict): one line.
			p.setPG()
			err = p.lineComment()
		case p.isDelimiter():
			in.pos += len(p.delim)
		case isWordStart(c):
			p.stats.Statements++
			err = p.statement()
		default:
			p.stats.Statements++
			p.warnAt("unknown statement passed through unchanged")
			err = p.passStatement()
		}
		if err != nil {
			return err
		}
	}
}

func (p *proc) setPG() {
	if !p.pg {
		p.pg = true
		p.bs = false
		p.stats.Dialect = "postgresql"
	}
}

func (p *proc) isDelimiter() bool {
	if len(p.delim) == 1 && p.delim[0] == ';' {
		return false
	}
	b, _ := p.in.ahead(len(p.delim))
	return bytes.Equal(b, p.delim)
}

func (p *proc) skipSpace() error {
	in := p.in
	for {
		ok, err := in.more()
		if err != nil || !ok {
			return err
		}
		for in.pos < in.n {
			if !isSpace(in.buf[in.pos]) {
				return nil
			}
			in.pos++
		}
	}
}

// lineComment consumes through the end of the line.
func (p *proc) lineComment() error {
	in := p.in
	for {
		ok, err := in.more()
		if err != nil || !ok {
			return err
		}
		if i := bytes.IndexByte(in.buf[in.pos:in.n], '\n'); i >= 0 {
			in.pos += i + 1
			return nil
		}
		in.pos = in.n
	}
}

// blockComment consumes a /* … */ comment, /*!…*/ directives included.
func (p *proc) blockComment() error {
	in := p.in
	line, off := in.position()
	in.pos += 2
	for {
		ok, err := in.more()
		if err != nil {
			return err
		}
		if !ok {
			return errorAt(line, off, "unterminated comment (the dump is truncated)")
		}
		b := in.buf[in.pos:in.n]
		if i := bytes.IndexByte(b, '*'); i >= 0 {
			in.pos += i + 1
			if in.peekAt(0) == '/' {
				in.pos++
				return nil
			}
			continue
		}
		in.pos = in.n
	}
}

// word returns the bare word at the read position without consuming it, upper-cased.
func (p *proc) word(skip int) (string, int, error) {
	b, err := p.in.ahead(skip + 64)
	if err != nil {
		return "", 0, err
	}
	i := skip
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	j := i
	for j < len(b) && isWordByte(b[j]) {
		j++
	}
	return strings.ToUpper(string(b[i:j])), j, nil
}

// statement dispatches on the first keyword.
func (p *proc) statement() error {
	kw, end, err := p.word(0)
	if err != nil {
		return err
	}
	switch kw {
	case "INSERT", "REPLACE":
		return p.insert()
	case "COPY":
		p.setPG()
		return p.copyStmt()
	case "CREATE":
		next, end2, err := p.word(end)
		if err != nil {
			return err
		}
		for next == "TEMPORARY" || next == "UNLOGGED" || next == "OR" || next == "REPLACE" || next == "GLOBAL" || next == "LOCAL" {
			if next, end2, err = p.word(end2); err != nil {
				return err
			}
		}
		if next == "TABLE" {
			return p.createTable()
		}
		return p.passStatement()
	case "SET":
		b, _ := p.in.ahead(128)
		low := bytes.ToLower(b)
		if bytes.Contains(low, []byte("standard_conforming_strings")) {
			p.setPG()
			p.bs = bytes.Contains(low, []byte("off"))
		}
		return p.passStatement()
	case "SELECT":
		if b, _ := p.in.ahead(40); bytes.Contains(b, []byte("pg_catalog.")) {
			p.setPG()
		}
		return p.passStatement()
	case "DELIMITER":
		if p.pg {
			break
		}
		return p.delimiter(end)
	case "LOCK", "UNLOCK", "DROP", "ALTER", "USE", "START", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
		"RELEASE", "GRANT", "REVOKE", "COMMENT", "TRUNCATE", "FLUSH", "ANALYZE", "OPTIMIZE", "VACUUM",
		"DECLARE", "PREPARE", "EXECUTE", "DEALLOCATE", "RESET", "REFRESH", "REINDEX", "CALL", "DO":
		return p.passStatement()
	}
	p.warn("%s statements passed through unchanged", kw)
	return p.passStatement()
}

// delimiter handles the mysql client's DELIMITER command (around triggers and routines).
func (p *proc) delimiter(end int) error {
	b, err := p.in.ahead(end + 128)
	if err != nil {
		return err
	}
	rest := b[end:]
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	d := bytes.TrimSpace(rest)
	if len(d) == 0 {
		return p.in.errorf("DELIMITER without a delimiter")
	}
	p.delim = append([]byte(nil), d...)
	return p.lineComment()
}

// passStatement copies a statement through its terminator.
func (p *proc) passStatement() error {
	_, err := p.scanStatement(false)
	return err
}

// stop classes for scanStatement.
var stmtStop = func() (t [256]bool) {
	for _, c := range []byte("'\"`;-#/$") {
		t[c] = true
	}
	return
}()

// scanStatement consumes up to and including the statement's terminator, skipping
// strings, quoted names and comments. It reports whether a terminator was found (false
// at the end of input).
func (p *proc) scanStatement(insideValues bool) (bool, error) {
	in := p.in
	custom := !(len(p.delim) == 1 && p.delim[0] == ';')
	for {
		ok, err := in.more()
		if err != nil {
			return false, err
		}
		if !ok {
			if !insideValues {
				p.warnAt("statement not terminated at the end of the dump")
			}
			return false, nil
		}
		b := in.buf[in.pos:in.n]
		i := 0
		if custom {
			for i < len(b) && !stmtStop[b[i]] && b[i] != p.delim[0] {
				i++
			}
		} else {
			for i < len(b) && !stmtStop[b[i]] {
				i++
			}
		}
		in.pos += i
		if i == len(b) {
			continue
		}
		c := b[i]
		if custom && c == p.delim[0] {
			if p.isDelimiter() {
				in.pos += len(p.delim)
				return true, nil
			}
		}
		switch c {
		case '\'':
			err = p.skipString('\'', p.bs)
		case '"':
			err = p.skipString('"', !p.pg)
		case '`':
			err = p.skipString('`', false)
		case ';':
			in.pos++
			if !custom {
				return true, nil
			}
		case '-':
			if in.peekAt(1) == '-' {
				err = p.lineComment()
			} else {
				in.pos++
			}
		case '#':
			if p.pg {
				in.pos++
			} else {
				err = p.lineComment()
			}
		case '/':
			if in.peekAt(1) == '*' {
				err = p.blockComment()
			} else {
				in.pos++
			}
		case '$':
			if p.pg {
				err = p.dollarQuote()
			} else {
				in.pos++
			}
		default:
			in.pos++
		}
		if err != nil {
			return false, err
		}
	}
}

// skipString consumes a quoted string or name starting at the read position.
func (p *proc) skipString(q byte, backslash bool) error {
	in := p.in
	line, off := in.position()
	in.pos++
	for {
		ok, err := in.more()
		if err != nil {
			return err
		}
		if !ok {
			return errorAt(line, off, "unterminated string (the dump is truncated or malformed)")
		}
		b := in.buf[in.pos:in.n]
		i := bytes.IndexByte(b, q)
		if backslash {
			// Skip the escapes before the quote, searching for the quote again only
			// when one escapes it: text full of \n and \" stays one pass.
			lim := len(b)
			if i >= 0 {
				lim = i
			}
			k := 0
			for {
				j := bytes.IndexByte(b[k:lim], '\\')
				if j < 0 {
					break
				}
				k += j + 2 // the backslash and the byte it escapes
				if k > len(b) {
					break
				}
				if k > lim {
					// The quote was escaped: find the next one.
					i, lim = -1, len(b)
					if x := bytes.IndexByte(b[k:], q); x >= 0 {
						i, lim = k+x, k+x
					}
				}
			}
			if k > len(b) {
				// A backslash ends the chunk: the byte it escapes comes with the next.
				in.pos = in.n
				if ok, err := in.more(); err != nil {
					return err
				} else if !ok {
					return errorAt(line, off, "unterminated string (the dump is truncated or malformed)")
				}
				in.pos++
				continue
			}
		}
		if i < 0 {
			in.pos = in.n
			continue
		}
		in.pos += i + 1
		if in.peekAt(0) == q {
			in.pos++
			continue
		}
		return nil
	}
}

// dollarQuote consumes a PostgreSQL $tag$…$tag$ string, or a lone $.
func (p *proc) dollarQuote() error {
	in := p.in
	b, err := in.ahead(66)
	if err != nil {
		return err
	}
	j := 1
	for j < len(b) && (isWordByte(b[j]) && b[j] != '$') {
		j++
	}
	if j >= len(b) || b[j] != '$' || (j > 1 && b[1] >= '0' && b[1] <= '9') {
		in.pos++
		return nil
	}
	tag := append([]byte(nil), b[:j+1]...)
	line, off := in.position()
	in.pos += len(tag)
	for {
		ok, err := in.more()
		if err != nil {
			return err
		}
		if !ok {
			return errorAt(line, off, "unterminated $-quoted string")
		}
		i := bytes.IndexByte(in.buf[in.pos:in.n], '$')
		if i < 0 {
			in.pos = in.n
			continue
		}
		in.pos += i
		a, err := in.ahead(len(tag))
		if err != nil {
			return err
		}
		if bytes.Equal(a, tag) {
			in.pos += len(tag)
			return nil
		}
		in.pos++
	}
}
