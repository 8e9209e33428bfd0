package anonymize

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// OpenInput wraps r, decompressing gzip and zstd transparently (recognised by their
// magic bytes, not the file name). The closer releases the decoder.
func OpenInput(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip input: %w", err)
		}
		return zr, func() { zr.Close() }, nil
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		// One decoder goroutine and a bounded window keep memory flat.
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(128<<20), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, nil, fmt.Errorf("zstd input: %w", err)
		}
		return zr, zr.Close, nil
	}
	return br, func() {}, nil
}

// AtomicFile is an output file written under a temporary name in the destination's
// directory and renamed into place by Commit; Abort (or a crash) leaves nothing under the
// destination's name, and only a hidden temporary file that Abort removes.
type AtomicFile struct {
	f    *os.File
	path string
	w    io.Writer
	zw   io.WriteCloser
}

// CreateAtomic starts writing path. Names ending in .gz or .zst are compressed.
func CreateAtomic(path string) (*AtomicFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("creating the output: %w", err)
	}
	a := &AtomicFile{f: f, path: path, w: f}
	switch {
	case strings.HasSuffix(path, ".gz"):
		a.zw = gzip.NewWriter(f)
	case strings.HasSuffix(path, ".zst"):
		zw, err := zstd.NewWriter(f, zstd.WithEncoderConcurrency(1))
		if err != nil {
			a.Abort()
			return nil, err
		}
		a.zw = zw
	}
	if a.zw != nil {
		a.w = a.zw
	}
	return a, nil
}

func (a *AtomicFile) Write(p []byte) (int, error) { return a.w.Write(p) }

// Commit flushes, syncs and renames the file into place.
func (a *AtomicFile) Commit() error {
	if a.zw != nil {
		if err := a.zw.Close(); err != nil {
			a.Abort()
			return fmt.Errorf("writing the output: %w", err)
		}
	}
	if err := a.f.Sync(); err != nil {
		a.Abort()
		return fmt.Errorf("writing the output: %w", err)
	}
	if err := a.f.Close(); err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("writing the output: %w", err)
	}
	if err := os.Rename(a.f.Name(), a.path); err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("renaming the output into place: %w", err)
	}
	return nil
}

// Abort removes the temporary file.
func (a *AtomicFile) Abort() {
	a.f.Close()
	os.Remove(a.f.Name())
}
