package anonymize

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// input is a byte-level reader over the dump that knows where every byte goes. Bytes are
// consumed with next/skip and, when the buffer is refilled or the sink changes, the bytes
// consumed since the last change are handed to the current sink: copied to the output
// unchanged, captured for rewriting, or dropped. Pass-through therefore costs one bulk
// copy per buffer, and a captured span is one tuple or one statement header, never a
// whole extended INSERT.
type input struct {
	r    io.Reader
	buf  []byte
	pos  int // next byte to read
	n    int // bytes in buf
	mark int // start of the bytes not yet handed to the sink
	base int64
	// lines counts the newlines in the input before buf[counted]: positions are asked for
	// often (every string remembers where it began, for its error message), so newlines
	// are counted once each, as the position moves forward.
	lines   int
	counted int
	err     error

	sink sinkMode
	// emit takes the bytes that pass through unchanged.
	emit    func([]byte) error
	capture []byte
}

type sinkMode uint8

const (
	sinkOut sinkMode = iota
	sinkCapture
	sinkDrop
)

const inputBuffer = 256 << 10

func newInput(r io.Reader, emit func([]byte) error) *input {
	return &input{r: r, buf: make([]byte, inputBuffer), emit: emit}
}

// flush hands buf[mark:pos] to the sink.
func (in *input) flush() error {
	if in.pos > in.mark {
		seg := in.buf[in.mark:in.pos]
		switch in.sink {
		case sinkOut:
			if err := in.emit(seg); err != nil {
				return err
			}
		case sinkCapture:
			if len(in.capture)+len(seg) > maxCapture {
				return in.errorf("a single row or statement header is longer than %d MiB", maxCapture>>20)
			}
			in.capture = append(in.capture, seg...)
		}
	}
	in.mark = in.pos
	return nil
}

// setSink flushes what was consumed so far to the old sink and switches.
func (in *input) setSink(m sinkMode) error {
	if err := in.flush(); err != nil {
		return err
	}
	in.sink = m
	return nil
}

// capPos is the length the capture will have once the consumed bytes are flushed: the
// position in the capture of the next byte read.
func (in *input) capPos() int { return len(in.capture) + in.pos - in.mark }

// fill makes more input available, keeping buf[pos:n]. It returns false at the end of
// input or on a read error (kept in err).
func (in *input) fill() (bool, error) {
	if err := in.flush(); err != nil {
		return false, err
	}
	if in.pos > 0 {
		in.lines += bytes.Count(in.buf[in.counted:in.pos], []byte{'\n'})
		in.counted = 0
		in.base += int64(in.pos)
		copy(in.buf, in.buf[in.pos:in.n])
		in.n -= in.pos
		in.pos, in.mark = 0, 0
	}
	if in.err != nil || in.n == len(in.buf) {
		return false, nil
	}
	for {
		m, err := in.r.Read(in.buf[in.n:])
		in.n += m
		if err != nil {
			in.err = err
		}
		if m > 0 {
			return true, nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return false, nil
			}
			return false, fmt.Errorf("reading the dump: %w", err)
		}
	}
}

// more ensures at least one unread byte; false at the end of input.
func (in *input) more() (bool, error) {
	if in.pos < in.n {
		return true, nil
	}
	return in.fill()
}

// ensure tries to make k unread bytes available (fewer at the end of input).
func (in *input) ensure(k int) error {
	for in.n-in.pos < k {
		ok, err := in.fill()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
	}
	return nil
}

// peek returns the next byte without consuming it; 0, false at the end of input.
func (in *input) peek() (byte, bool, error) {
	ok, err := in.more()
	if !ok || err != nil {
		return 0, false, err
	}
	return in.buf[in.pos], true, nil
}

// peekAt returns the byte i positions ahead, 0 when there is none (or on a read error,
// which the next read reports).
func (in *input) peekAt(i int) byte {
	if in.n-in.pos <= i {
		_ = in.ensure(i + 1)
	}
	if in.pos+i < in.n {
		return in.buf[in.pos+i]
	}
	return 0
}

// ahead returns up to k unread bytes without consuming them.
func (in *input) ahead(k int) ([]byte, error) {
	if err := in.ensure(k); err != nil {
		return nil, err
	}
	return in.buf[in.pos:min(in.n, in.pos+k)], nil
}

// position is the line (from 1) and byte offset (from 0) of the next byte.
func (in *input) position() (int, int64) {
	if in.pos > in.counted {
		in.lines += bytes.Count(in.buf[in.counted:in.pos], []byte{'\n'})
		in.counted = in.pos
	}
	return in.lines + 1, in.base + int64(in.pos)
}

// offset is the byte offset of the next byte.
func (in *input) offset() int64 { return in.base + int64(in.pos) }

// Error is a problem with the dump, with where it was found.
type Error struct {
	Line   int
	Offset int64
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d, byte %d: %s", e.Line, e.Offset, e.Msg) }

func (in *input) errorf(format string, args ...any) error {
	line, off := in.position()
	return &Error{Line: line, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// errorAt is errorf for a position remembered earlier (where a string began).
func errorAt(line int, off int64, format string, args ...any) error {
	return &Error{Line: line, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// maxCapture bounds one captured tuple, COPY row or statement header. Rows of tables
// without rules are never captured; a larger row in a table with rules is an error
// rather than unbounded memory.
const maxCapture = 256 << 20
