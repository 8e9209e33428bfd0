package pii

import (
	"bytes"
	"io"
)

// ReadCSV streams delimiter-separated data whose first record is a header, and calls fn
// for every field of every later record, attributed to its header's column. comma 0 means
// guess from the header line (the most frequent of ',', ';', tab and '|'). Quoting follows
// RFC 4180 loosely, the way spreadsheets write it: a quote inside an unquoted field is
// taken literally, and a malformed file never stops the read. Memory stays bounded by one
// chunk and one field.
func ReadCSV(r io.Reader, comma byte, fn func(Value) error) (Table, error) {
	src := newSource(r)
	if comma == 0 {
		comma = guessComma(src)
	}
	cr := &csvReader{src: src, comma: comma, fn: fn}
	err := cr.run()
	if err == nil {
		err = src.failure()
	}
	return cr.table, err
}

// guessComma looks at the first line held in the source's first chunk.
func guessComma(src *source) byte {
	if _, ok := src.peek(); !ok {
		return ','
	}
	line := src.buf[src.pos:src.n]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	best, bestN := byte(','), 0
	for _, c := range []byte{',', ';', '\t', '|'} {
		if n := bytes.Count(line, []byte{c}); n > bestN {
			best, bestN = c, n
		}
	}
	return best
}

type csvReader struct {
	src   *source
	comma byte
	fn    func(Value) error
	val   valueBuf
	table Table
	col   int
	row   int64 // 0 while reading the header
}

func (r *csvReader) field() string {
	if r.col < len(r.table.Columns) {
		return r.table.Columns[r.col]
	}
	return ""
}

func (r *csvReader) emit(end int64) error {
	if r.row == 0 {
		if len(r.table.Columns) < maxColumns {
			r.table.Columns = append(r.table.Columns, truncate(string(bytes.TrimSpace(r.val.text)), maxName))
		}
		return nil
	}
	if len(r.val.text) == 0 {
		return nil
	}
	return r.fn(Value{Field: r.field(), Text: r.val.text, Start: r.val.start, End: end, Exact: r.val.exact, Row: r.row})
}

func (r *csvReader) add(c byte, exact bool) error {
	if len(r.val.text) >= MaxValue {
		if r.row == 0 {
			return nil // a header name is truncated, not split
		}
		if err := r.emit(r.src.offset() - 1); err != nil {
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

func (r *csvReader) endRecord() {
	if r.row == 0 {
		r.table.Name = "header"
	} else {
		r.table.Rows++
	}
	r.row++
	r.col = 0
}

func (r *csvReader) run() error {
	quoted, afterQuote, fieldStart, empty := false, false, true, true
	sawCR := false // a '\r' just before the '\n' that ends a record
	r.val.reset(r.src.offset())
	for {
		c, ok := r.src.next()
		if !ok {
			if !empty || r.col > 0 {
				end := r.src.offset()
				if afterQuote {
					end--
				}
				if err := r.emit(end); err != nil {
					return err
				}
				r.endRecord()
			}
			return nil
		}
		if c == '\r' && !quoted {
			if p, _ := r.src.peek(); p == '\n' {
				sawCR = true
				continue
			}
		}
		switch {
		case quoted:
			if c == '"' {
				if p, _ := r.src.peek(); p == '"' {
					r.src.next()
					if err := r.add('"', false); err != nil {
						return err
					}
					continue
				}
				quoted, afterQuote = false, true
				continue
			}
			if err := r.add(c, true); err != nil {
				return err
			}
		case c == '"' && fieldStart:
			quoted, fieldStart, empty = true, false, false
			r.val.reset(r.src.offset())
		case c == r.comma || c == '\n':
			end := r.src.offset() - 1
			if afterQuote {
				end-- // the closing quote
			}
			if sawCR {
				end--
			}
			if !(c == '\n' && empty && r.col == 0) {
				if err := r.emit(end); err != nil {
					return err
				}
				r.col++
			}
			if c == '\n' && !(empty && r.col == 0) {
				r.endRecord()
			}
			quoted, afterQuote, fieldStart, empty, sawCR = false, false, true, c == '\n', false
			r.val.reset(r.src.offset())
		default:
			if afterQuote {
				r.val.exact = false // junk after a closing quote: dropped, as spreadsheets do
				continue
			}
			fieldStart, empty = false, false
			if err := r.add(c, true); err != nil {
				return err
			}
		}
	}
}
