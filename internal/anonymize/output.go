package anonymize

import (
	"io"
	"sync/atomic"
)

// output buffers writes to the destination and counts them. Writing happens on a second
// goroutine through two swapped buffers, so that compressing or writing the output
// overlaps with parsing the next chunk of input on a two-core machine.
type output struct {
	w     io.Writer
	buf   []byte
	n     int64
	full  chan []byte
	empty chan []byte
	done  chan error
	err   error
	// werr is the writer goroutine's first error, seen by the parser at the next swap.
	werr atomic.Pointer[error]
}

const outputBuffer = 256 << 10

func newOutput(w io.Writer) *output {
	o := &output{w: w, buf: make([]byte, 0, outputBuffer), full: make(chan []byte, 1), empty: make(chan []byte, 2), done: make(chan error, 1)}
	o.empty <- make([]byte, 0, outputBuffer)
	go func() {
		var err error
		for b := range o.full {
			if err == nil {
				if _, err = o.w.Write(b); err != nil {
					o.werr.Store(&err)
				}
			}
			o.empty <- b[:0]
		}
		o.done <- err
	}()
	return o
}

func (o *output) write(p []byte) error {
	if o.err != nil {
		return o.err
	}
	o.n += int64(len(p))
	for len(p) > 0 {
		if len(o.buf) == cap(o.buf) {
			if err := o.swap(); err != nil {
				return err
			}
		}
		k := copy(o.buf[len(o.buf):cap(o.buf)], p)
		o.buf = o.buf[:len(o.buf)+k]
		p = p[k:]
	}
	return nil
}

func (o *output) writeString(s string) error {
	if o.err != nil {
		return o.err
	}
	o.n += int64(len(s))
	for len(s) > 0 {
		if len(o.buf) == cap(o.buf) {
			if err := o.swap(); err != nil {
				return err
			}
		}
		k := copy(o.buf[len(o.buf):cap(o.buf)], s)
		o.buf = o.buf[:len(o.buf)+k]
		s = s[k:]
	}
	return nil
}

// swap hands the full buffer to the writer goroutine and takes an empty one.
func (o *output) swap() error {
	if e := o.werr.Load(); e != nil {
		o.err = *e
		return o.err
	}
	o.full <- o.buf
	o.buf = <-o.empty
	return nil
}

// close writes what is buffered and stops the writer goroutine; it reports the first
// write error.
func (o *output) close() error {
	if len(o.buf) > 0 && o.err == nil {
		o.full <- o.buf
		o.buf = nil
	}
	close(o.full)
	err := <-o.done
	if err != nil {
		return err
	}
	return o.err
}
