package pii

import (
	"bytes"
	"io"
	"strings"
)

// Table is what a reader learnt about one table (SQL) or record set (CSV): its columns
// and how many rows it holds.
type Table struct {
	Name    string
	Columns []string
	Rows    int64
}

// Limits that keep a hostile or broken dump from growing the reader's state.
const (
	maxTables  = 10000
	maxColumns = 4096
	maxName    = 256
)

// ReadSQL streams a SQL dump (mysqldump, phpMyAdmin, pg_dump with INSERTs or COPY) and
// calls fn for every literal in an INSERT, attributed to its table and column (named by
// the INSERT's column list, else by the table's CREATE TABLE), for every row of COPY
// data, and for comments and strings elsewhere as free text. Memory stays bounded by one
// chunk of input and one value, whatever the size of the dump or its lines. The tables
// seen are returned in order of appearance.
func ReadSQL(r io.Reader, fn func(Value) error) ([]Table, error) {
	sr := &sqlReader{src: newSource(r), fn: fn, tables: map[string]*Table{}}
	err := sr.run()
	if err == nil {
		err = sr.src.failure()
	}
	out := make([]Table, 0, len(sr.order))
	for _, n := range sr.order {
		out = append(out, *sr.tables[n])
	}
	return out, err
}

type sqlState int

const (
	sqlIdle sqlState = iota
	sqlInsert
	sqlInsertTable
	sqlInsertCols
	sqlValues
	sqlCreate
	sqlCreateTable
	sqlCreateBody
	sqlCopy
	sqlCopyCols
	sqlSkip
)

type sqlReader struct {
	src *source
	fn  func(Value) error
	val valueBuf

	tables map[string]*Table
	order  []string

	state      sqlState
	table      string
	cols       []string
	explicit   bool // the INSERT named its columns
	expectName bool // a '.' said the next name replaces the schema
	col, depth int
	row        int64
	metaKey    string
	elemStart  bool
	copyStdin  bool
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' || c == '$' }

func (r *sqlReader) run() error {
	for {
		c, ok := r.src.next()
		if !ok {
			return nil
		}
		start := r.src.offset() - 1
		var err error
		switch {
		case c == '\'' || c == '"':
			err = r.quoted(c, start)
		case c == '`':
			r.ident()
		case c == '-':
			if p, _ := r.src.peek(); p == '-' {
				err = r.lineComment(c, start)
			} else if isDigit(p) {
				err = r.word(c, start)
			}
		case c == '#':
			err = r.lineComment(c, start)
		case c == '/':
			if p, _ := r.src.peek(); p == '*' {
				err = r.blockComment(start)
			}
		case c == '(' || c == ')' || c == ',' || c == ';' || c == '.':
			err = r.punct(c)
		case isWordByte(c):
			err = r.word(c, start)
		}
		if err != nil {
			return err
		}
	}
}

// emit sends the accumulated value with the given attribution.
func (r *sqlReader) emit(table, field string, row int64) error {
	if len(r.val.text) == 0 {
		return nil
	}
	return r.fn(Value{Table: table, Field: field, Text: r.val.text, Start: r.val.start, End: r.src.offset(), Exact: r.val.exact, Row: row})
}

// add appends a decoded byte, flushing a full piece as free text or as the current field.
func (r *sqlReader) add(c byte, exact bool, flush func() error) error {
	if len(r.val.text) >= MaxValue {
		if err := flush(); err != nil {
			return err
		}
		r.val.reset(r.src.offset() - 1)
	}
	r.val.text = append(r.val.text, c)
	if !exact {
		r.val.exact = false
	}
	return nil
}

// quoted reads a string literal ('…' or "…", backslash escapes and doubled quotes).
func (r *sqlReader) quoted(q byte, start int64) error {
	r.val.reset(start + 1)
	table, field, row, inValue := r.attribution()
	flush := func() error { return r.emitPiece(table, field, row) }
	closed := false
	for {
		// Plain bytes are copied a run at a time, up to the next quote or backslash:
		// string literals are most of a dump's bytes.
		if r.src.pos >= r.src.n && !r.src.fill() {
			break
		}
		chunk := r.src.buf[r.src.pos:r.src.n]
		n := bytes.IndexByte(chunk, q)
		if n < 0 {
			n = len(chunk)
		}
		if b := bytes.IndexByte(chunk[:n], '\\'); b >= 0 {
			n = b
		}
		for run := chunk[:n]; len(run) > 0; {
			if len(r.val.text) >= MaxValue {
				if err := r.fn(Value{Table: table, Field: field, Text: r.val.text, Start: r.val.start, End: r.src.offset(), Exact: r.val.exact, Row: row}); err != nil {
					return err
				}
				r.val.reset(r.src.offset())
			}
			take := min(MaxValue-len(r.val.text), len(run))
			r.val.text = append(r.val.text, run[:take]...)
			r.src.pos += take
			run = run[take:]
		}
		if n == len(chunk) {
			continue
		}
		c, _ := r.src.next()
		if c == '\\' {
			e, ok := r.src.next()
			if !ok {
				r.val.exact = false
				break
			}
			if err := r.add(unescapeSQL(e), false, flush); err != nil {
				return err
			}
			continue
		}
		if c == q {
			if p, _ := r.src.peek(); p == q {
				r.src.next()
				if err := r.add(q, false, flush); err != nil {
					return err
				}
				continue
			}
			closed = true
			break
		}
	}
	// The closing quote is not part of the value.
	end := r.src.offset()
	if closed {
		end--
	}
	if r.wantsName() && q == '"' {
		r.name(string(r.val.text))
		return nil
	}
	if inValue && r.state == sqlValues && r.cols != nil && r.col < len(r.cols) && r.cols[r.col] == "meta_key" {
		r.metaKey = strings.ToLower(truncate(string(r.val.text), maxName))
	}
	if len(r.val.text) == 0 {
		return nil
	}
	return r.fn(Value{Table: table, Field: field, Text: r.val.text, Start: r.val.start, End: end, Exact: r.val.exact, Row: row})
}

func (r *sqlReader) emitPiece(table, field string, row int64) error {
	return r.fn(Value{Table: table, Field: field, Text: r.val.text, Start: r.val.start, End: r.src.offset() - 1, Exact: r.val.exact, Row: row})
}

func unescapeSQL(e byte) byte {
	switch e {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	case '0':
		return 0
	case 'Z':
		return 26
	}
	return e
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// attribution says where a literal read now belongs.
func (r *sqlReader) attribution() (table, field string, row int64, inValue bool) {
	if r.state != sqlValues || r.depth < 1 {
		return "", "", 0, false
	}
	if r.col < len(r.cols) {
		field = r.cols[r.col]
		if field == "meta_value" && r.metaKey != "" {
			field = r.metaKey
		}
	}
	return r.table, field, r.row, true
}

func (r *sqlReader) ident() {
	var b []byte
	for {
		c, ok := r.src.next()
		if !ok || c == '`' {
			break
		}
		if len(b) < maxName {
			b = append(b, c)
		}
	}
	r.name(string(b))
}

func (r *sqlReader) lineComment(first byte, start int64) error {
	r.val.reset(start)
	r.val.text = append(r.val.text, first)
	flush := func() error { return r.emitPiece("", "", 0) }
	for {
		c, ok := r.src.peek()
		if !ok || c == '\n' {
			break
		}
		r.src.next()
		if err := r.add(c, true, flush); err != nil {
			return err
		}
	}
	return r.emit("", "", 0)
}

func (r *sqlReader) blockComment(start int64) error {
	r.val.reset(start)
	r.val.text = append(r.val.text, '/')
	flush := func() error { return r.emitPiece("", "", 0) }
	prev := byte(0)
	for {
		c, ok := r.src.next()
		if !ok {
			break
		}
		if err := r.add(c, true, flush); err != nil {
			return err
		}
		if prev == '*' && c == '/' && len(r.val.text) > 3 {
			break
		}
		prev = c
	}
	return r.emit("", "", 0)
}

// word reads a bare word: a keyword, an unquoted name or a number.
func (r *sqlReader) word(first byte, start int64) error {
	r.val.reset(start)
	r.val.text = append(r.val.text, first)
	number := isDigit(first) || first == '-'
	for {
		c, ok := r.src.peek()
		if !ok || !(isWordByte(c) || number && c == '.') {
			break
		}
		r.src.next()
		if len(r.val.text) < maxName {
			r.val.text = append(r.val.text, c)
		} else {
			r.val.exact = false // cut short: the span holds more than the text
		}
	}
	if number {
		table, field, row, inValue := r.attribution()
		if inValue {
			return r.emit(table, field, row)
		}
		return nil
	}
	w := string(r.val.text)
	if r.wantsName() && (r.state == sqlInsertCols || r.state == sqlCopyCols || r.state == sqlCreateBody || !isKeyword(w)) {
		r.name(w)
		return nil
	}
	r.keyword(strings.ToUpper(w))
	return nil
}

func isKeyword(w string) bool {
	switch strings.ToUpper(w) {
	case "INTO", "IGNORE", "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "VALUES", "VALUE", "SELECT", "SET",
		"TABLE", "TEMPORARY", "IF", "NOT", "EXISTS", "FROM", "STDIN", "ONLY":
		return true
	}
	return false
}

func (r *sqlReader) wantsName() bool {
	switch r.state {
	case sqlInsert, sqlCreateTable, sqlCopy:
		return r.table == "" || r.expectName
	case sqlInsertTable:
		return r.expectName
	case sqlInsertCols, sqlCopyCols:
		return true
	case sqlCreateBody:
		return r.depth == 1 && r.elemStart
	}
	return false
}

func (r *sqlReader) name(n string) {
	n = truncate(n, maxName)
	switch r.state {
	case sqlInsert:
		r.table, r.expectName, r.state = n, false, sqlInsertTable
	case sqlInsertTable, sqlCreateTable, sqlCopy:
		if r.table == "" || r.expectName {
			if i := strings.LastIndexByte(n, '.'); i >= 0 {
				n = n[i+1:]
			}
			r.table, r.expectName = n, false
		}
	case sqlInsertCols, sqlCopyCols:
		if len(r.cols) < maxColumns {
			r.cols = append(r.cols, n)
		}
	case sqlCreateBody:
		r.elemStart = false
		switch strings.ToUpper(n) {
		case "PRIMARY", "KEY", "UNIQUE", "CONSTRAINT", "INDEX", "FULLTEXT", "SPATIAL", "FOREIGN", "CHECK":
			return
		}
		if len(r.cols) < maxColumns {
			r.cols = append(r.cols, n)
		}
	}
}

func (r *sqlReader) keyword(w string) {
	switch r.state {
	case sqlIdle:
		switch w {
		case "INSERT", "REPLACE":
			r.begin(sqlInsert)
		case "CREATE":
			r.begin(sqlCreate)
		case "COPY":
			r.begin(sqlCopy)
		default:
			r.state = sqlSkip
		}
	case sqlInsertTable:
		switch w {
		case "VALUES", "VALUE":
			r.state, r.depth = sqlValues, 0
			if !r.explicit {
				r.cols = nil
				if t := r.tables[r.table]; t != nil {
					r.cols = t.Columns
				}
			}
			r.noteTable(r.table, r.cols)
		case "SELECT", "SET":
			r.state = sqlSkip
		}
	case sqlValues:
		if w == "ON" && r.depth == 0 {
			r.state = sqlSkip
		}
	case sqlCreate:
		switch w {
		case "TABLE":
			r.state = sqlCreateTable
		case "TEMPORARY", "OR", "REPLACE", "UNLOGGED":
		default:
			r.state = sqlSkip
		}
	case sqlCreateBody:
		if r.depth == 1 {
			r.elemStart = false
		}
	case sqlCopy:
		if w == "STDIN" {
			r.copyStdin = true
		}
	}
}

func (r *sqlReader) begin(s sqlState) {
	r.state, r.table, r.cols, r.explicit, r.expectName, r.copyStdin = s, "", nil, false, false, false
}

func (r *sqlReader) noteTable(name string, cols []string) *Table {
	t := r.tables[name]
	if t == nil {
		if len(r.tables) >= maxTables {
			return &Table{}
		}
		t = &Table{Name: name}
		r.tables[name] = t
		r.order = append(r.order, name)
	}
	if len(cols) > 0 && len(t.Columns) == 0 {
		t.Columns = append([]string(nil), cols...)
	}
	return t
}

func (r *sqlReader) punct(c byte) error {
	if c == ';' {
		copyData := r.state == sqlCopy && r.copyStdin && r.table != ""
		table, cols := r.table, r.cols
		r.state = sqlIdle
		if copyData {
			return r.copyRows(table, cols)
		}
		return nil
	}
	switch r.state {
	case sqlInsertTable, sqlCreateTable, sqlCopy:
		switch c {
		case '.':
			r.expectName = true
		case '(':
			switch r.state {
			case sqlInsertTable:
				r.state, r.cols, r.explicit = sqlInsertCols, nil, true
			case sqlCreateTable:
				r.state, r.depth, r.elemStart, r.cols = sqlCreateBody, 1, true, nil
			case sqlCopy:
				r.state, r.cols = sqlCopyCols, nil
			}
		}
	case sqlInsertCols:
		if c == ')' {
			r.state = sqlInsertTable
		}
	case sqlCopyCols:
		if c == ')' {
			r.state = sqlCopy
		}
	case sqlValues:
		switch c {
		case '(':
			r.depth++
			if r.depth == 1 {
				r.col, r.metaKey = 0, ""
				r.row++
				r.noteTable(r.table, nil).Rows++
			}
		case ')':
			if r.depth > 0 {
				r.depth--
			}
		case ',':
			if r.depth == 1 {
				r.col++
			}
		}
	case sqlCreateBody:
		switch c {
		case '(':
			r.depth++
		case ')':
			r.depth--
			if r.depth == 0 {
				t := r.noteTable(r.table, nil)
				t.Columns = append([]string(nil), r.cols...)
				r.state = sqlSkip
			}
		case ',':
			if r.depth == 1 {
				r.elemStart = true
			}
		}
	}
	return nil
}

// copyRows reads pg_dump COPY data: one row per line, tab-separated, ending at "\.".
func (r *sqlReader) copyRows(table string, cols []string) error {
	t := r.noteTable(table, cols)
	// The rest of the COPY statement's line is not data.
	for {
		c, ok := r.src.next()
		if !ok {
			return nil
		}
		if c == '\n' {
			break
		}
	}
	col := 0
	lineStart := true
	r.val.reset(r.src.offset())
	field := func() string {
		if col < len(cols) {
			return cols[col]
		}
		return ""
	}
	flush := func() error { return r.emitPiece(table, field(), r.row) }
	for {
		c, ok := r.src.next()
		if !ok {
			return r.emitCopy(table, field(), r.src.offset())
		}
		if lineStart {
			lineStart = false
			r.row++
			t.Rows++
			if c == '\\' {
				if p, _ := r.src.peek(); p == '.' {
					r.src.next()
					t.Rows--
					r.row--
					r.val.reset(r.src.offset())
					return nil
				}
			}
		}
		switch c {
		case '\t', '\n':
			if err := r.emitCopy(table, field(), r.src.offset()-1); err != nil {
				return err
			}
			col++
			if c == '\n' {
				col, lineStart = 0, true
			}
			r.val.reset(r.src.offset())
		case '\\':
			e, ok := r.src.next()
			if !ok {
				r.val.exact = false
				return r.emitCopy(table, field(), r.src.offset())
			}
			if e == 'N' {
				r.val.exact = false // NULL: nothing to add, but the span holds "\\N"
				continue
			}
			if err := r.add(unescapeSQL(e), false, flush); err != nil {
				return err
			}
		default:
			if err := r.add(c, true, flush); err != nil {
				return err
			}
		}
	}
}

func (r *sqlReader) emitCopy(table, field string, end int64) error {
	if len(r.val.text) == 0 {
		return nil
	}
	return r.fn(Value{Table: table, Field: field, Text: r.val.text, Start: r.val.start, End: end, Exact: r.val.exact, Row: r.row})
}
