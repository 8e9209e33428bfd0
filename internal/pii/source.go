package pii

import (
	"io"
)

// Value is one value read from a structured document: a SQL literal, a CSV field, a JSON
// string or number, or a run of free text (a comment, a string outside any INSERT).
type Value struct {
	// Table is the SQL table a row belongs to; "" elsewhere.
	Table string
	// Field is the column or key the value is stored under; "" for free text.
	Field string
	// Text is the decoded value, valid only during the callback. Very long values arrive
	// in several pieces of at most MaxValue bytes.
	Text []byte
	// Start and End are the value's raw byte span in the input.
	Start, End int64
	// Exact says Text is the input's bytes [Start, End) unchanged (no escapes were
	// decoded), so an offset in Text is Start plus that offset in the input.
	Exact bool
	// Row numbers the record the value belongs to (counting from 1), 0 for free text.
	Row int64
}

// MaxValue bounds the bytes of one value held in memory; longer values are split. A
// piece boundary can cut a match in two, which loses that one match.
const MaxValue = 256 << 10

// source reads the input in fixed chunks and hands out bytes with their offset, so a
// reader holds one chunk and one value at a time however large the input is.
type source struct {
	r   io.Reader
	buf []byte
	pos int
	n   int
	off int64 // input offset of buf[0]
	err error
}

func newSource(r io.Reader) *source {
	return &source{r: r, buf: make([]byte, 64<<10)}
}

func (s *source) fill() bool {
	if s.err != nil {
		return false
	}
	s.off += int64(s.n)
	s.pos, s.n = 0, 0
	for s.n == 0 && s.err == nil {
		s.n, s.err = s.r.Read(s.buf)
	}
	return s.n > 0
}

// offset is the input offset of the next byte.
func (s *source) offset() int64 { return s.off + int64(s.pos) }

// next returns the next byte, false at the end of input.
func (s *source) next() (byte, bool) {
	if s.pos >= s.n && !s.fill() {
		return 0, false
	}
	c := s.buf[s.pos]
	s.pos++
	return c, true
}

// peek returns the next byte without consuming it.
func (s *source) peek() (byte, bool) {
	if s.pos >= s.n && !s.fill() {
		return 0, false
	}
	return s.buf[s.pos], true
}

// failure is the read error that stopped the input, nil at a clean end.
func (s *source) failure() error {
	if s.err == io.EOF {
		return nil
	}
	return s.err
}

// valueBuf accumulates one value, flushing pieces of MaxValue bytes.
type valueBuf struct {
	text  []byte
	start int64
	exact bool
}

func (v *valueBuf) reset(start int64) {
	v.text, v.start, v.exact = v.text[:0], start, true
}
