// Package vulndb keeps OSV records on disk in an index that opens in milliseconds and
// answers a lookup by reading only that package's records. The index is always derived
// from the archives kept beside it (downloaded or imported OSV zips), so a damaged index
// can be rebuilt without the network.
package vulndb

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/posture-dev/posture/internal/osv"
)

// The index file: a header magic, the records (each a deflated JSON array of the
// vulnerabilities of one package), a blob of keys, a fixed-width table sorted by key,
// the metadata as JSON, and a fixed-size trailer that locates them. Opening reads the
// trailer, the keys, the table and the metadata; records are read one at a time.
const (
	headerMagic  = "POSTURE-OSV-IDX1"
	trailerMagic = "POSTURE-OSV-END1"
	trailerSize  = 8*6 + 8 + len(trailerMagic)
	entrySize    = 24
	formatLevel  = 1
)

// ErrCorrupt marks an index that failed a consistency check; it must be rebuilt, never used.
var ErrCorrupt = errors.New("vulnerability database is corrupt")

// ErrNotFound means there is no database at the given directory.
var ErrNotFound = errors.New("no vulnerability database")

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// inflaters are reused across lookups: each new flate reader allocates a 32 KiB window,
// which dominated the cost of looking up a small record.
var inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

func key(ecosystem, name string) string {
	eco := osv.BaseEcosystem(ecosystem)
	return eco + "\x00" + osv.NormalizeName(eco, name)
}

// writeIndex writes records (key → vulnerabilities) and meta to w.
func writeIndex(w io.Writer, records map[string][]osv.Vulnerability, meta Meta) error {
	keys := make([]string, 0, len(records))
	for k := range records {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cw := &countingWriter{w: w}
	if _, err := io.WriteString(cw, headerMagic); err != nil {
		return err
	}
	table := make([]byte, 0, len(keys)*entrySize)
	var keyBlob bytes.Buffer
	var rec bytes.Buffer
	zw, _ := flate.NewWriter(&rec, flate.BestSpeed)
	for _, k := range keys {
		rec.Reset()
		zw.Reset(&rec)
		if err := json.NewEncoder(zw).Encode(records[k]); err != nil {
			return fmt.Errorf("encoding %q: %w", k, err)
		}
		if err := zw.Close(); err != nil {
			return err
		}
		var e [entrySize]byte
		binary.LittleEndian.PutUint32(e[0:], uint32(keyBlob.Len()))
		binary.LittleEndian.PutUint32(e[4:], uint32(len(k)))
		binary.LittleEndian.PutUint64(e[8:], uint64(cw.n))
		binary.LittleEndian.PutUint32(e[16:], uint32(rec.Len()))
		binary.LittleEndian.PutUint32(e[20:], crc32.Checksum(rec.Bytes(), crcTable))
		table = append(table, e[:]...)
		keyBlob.WriteString(k)
		if _, err := cw.Write(rec.Bytes()); err != nil {
			return err
		}
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	keysOff := cw.n
	tail := make([]byte, 0, keyBlob.Len()+len(table)+len(metaJSON))
	tail = append(tail, keyBlob.Bytes()...)
	tail = append(tail, table...)
	tail = append(tail, metaJSON...)
	if _, err := cw.Write(tail); err != nil {
		return err
	}
	var tr [trailerSize]byte
	binary.LittleEndian.PutUint64(tr[0:], uint64(keysOff))
	binary.LittleEndian.PutUint64(tr[8:], uint64(keyBlob.Len()))
	binary.LittleEndian.PutUint64(tr[16:], uint64(keysOff+int64(keyBlob.Len())))
	binary.LittleEndian.PutUint64(tr[24:], uint64(len(keys)))
	binary.LittleEndian.PutUint64(tr[32:], uint64(keysOff+int64(keyBlob.Len()+len(table))))
	binary.LittleEndian.PutUint64(tr[40:], uint64(len(metaJSON)))
	binary.LittleEndian.PutUint32(tr[48:], crc32.Checksum(tail, crcTable))
	binary.LittleEndian.PutUint32(tr[52:], formatLevel)
	copy(tr[56:], trailerMagic)
	_, err = cw.Write(tr[:])
	return err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Index is an open index file. It is safe for concurrent lookups.
type Index struct {
	f     *os.File
	size  int64
	keys  []byte
	table []byte
	n     int
	Meta  Meta
}

func corrupt(path, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s (rebuild it with `posture db rebuild`, or run `posture db update` or `posture db import`)", ErrCorrupt, path, fmt.Sprintf(format, args...))
}

// openIndex opens and verifies an index file's structure and metadata.
func openIndex(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s", ErrNotFound, path)
		}
		return nil, err
	}
	ix, err := readIndex(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	return ix, nil
}

func readIndex(f *os.File, path string) (*Index, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size < int64(len(headerMagic)+trailerSize) {
		return nil, corrupt(path, "file is truncated (%d bytes)", size)
	}
	head := make([]byte, len(headerMagic))
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if string(head) != headerMagic {
		return nil, corrupt(path, "not a posture vulnerability index")
	}
	var tr [trailerSize]byte
	if _, err := f.ReadAt(tr[:], size-int64(trailerSize)); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if string(tr[56:]) != trailerMagic {
		return nil, corrupt(path, "trailer missing (the file was cut short)")
	}
	if lvl := binary.LittleEndian.Uint32(tr[52:]); lvl != formatLevel {
		return nil, corrupt(path, "index format %d, this posture reads %d", lvl, formatLevel)
	}
	keysOff := binary.LittleEndian.Uint64(tr[0:])
	keysLen := binary.LittleEndian.Uint64(tr[8:])
	tableOff := binary.LittleEndian.Uint64(tr[16:])
	n := binary.LittleEndian.Uint64(tr[24:])
	metaOff := binary.LittleEndian.Uint64(tr[32:])
	metaLen := binary.LittleEndian.Uint64(tr[40:])
	end := uint64(size - int64(trailerSize))
	if keysOff < uint64(len(headerMagic)) || tableOff != keysOff+keysLen || n > end/entrySize ||
		metaOff != tableOff+n*entrySize || metaOff+metaLen != end {
		return nil, corrupt(path, "trailer offsets are inconsistent")
	}
	tail := make([]byte, end-keysOff)
	if _, err := f.ReadAt(tail, int64(keysOff)); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if crc32.Checksum(tail, crcTable) != binary.LittleEndian.Uint32(tr[48:]) {
		return nil, corrupt(path, "checksum of the key table does not match")
	}
	ix := &Index{f: f, size: size, keys: tail[:keysLen], table: tail[keysLen : keysLen+n*entrySize], n: int(n)}
	if err := json.Unmarshal(tail[keysLen+n*entrySize:], &ix.Meta); err != nil {
		return nil, corrupt(path, "metadata: %v", err)
	}
	return ix, nil
}

// Close releases the file.
func (ix *Index) Close() error { return ix.f.Close() }

// Packages is the number of distinct packages with at least one record.
func (ix *Index) Packages() int { return ix.n }

func (ix *Index) keyAt(i int) ([]byte, error) {
	e := ix.table[i*entrySize:]
	off, l := binary.LittleEndian.Uint32(e[0:]), binary.LittleEndian.Uint32(e[4:])
	if uint64(off)+uint64(l) > uint64(len(ix.keys)) {
		return nil, corrupt(ix.f.Name(), "key %d points outside the key table", i)
	}
	return ix.keys[off : off+l], nil
}

// Lookup returns the records that name a package, with only the affected entries for it.
func (ix *Index) Lookup(ecosystem, name string) ([]osv.Vulnerability, error) {
	want := []byte(key(ecosystem, name))
	var badKey error
	i := sort.Search(ix.n, func(i int) bool {
		k, err := ix.keyAt(i)
		if err != nil {
			badKey = err
			return true
		}
		return bytes.Compare(k, want) >= 0
	})
	if badKey != nil {
		return nil, badKey
	}
	if i >= ix.n {
		return nil, nil
	}
	if k, _ := ix.keyAt(i); !bytes.Equal(k, want) {
		return nil, nil
	}
	e := ix.table[i*entrySize:]
	off := binary.LittleEndian.Uint64(e[8:])
	l := binary.LittleEndian.Uint32(e[16:])
	if off < uint64(len(headerMagic)) || off+uint64(l) > uint64(ix.size) {
		return nil, corrupt(ix.f.Name(), "record of %s %s points outside the file", ecosystem, name)
	}
	buf := make([]byte, l)
	if _, err := ix.f.ReadAt(buf, int64(off)); err != nil {
		return nil, fmt.Errorf("reading %s: %w", ix.f.Name(), err)
	}
	if crc32.Checksum(buf, crcTable) != binary.LittleEndian.Uint32(e[20:]) {
		return nil, corrupt(ix.f.Name(), "record of %s %s fails its checksum", ecosystem, name)
	}
	zr := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(zr)
	if err := zr.(flate.Resetter).Reset(bytes.NewReader(buf), nil); err != nil {
		return nil, corrupt(ix.f.Name(), "record of %s %s: %v", ecosystem, name, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, corrupt(ix.f.Name(), "record of %s %s: %v", ecosystem, name, err)
	}
	var out []osv.Vulnerability
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, corrupt(ix.f.Name(), "record of %s %s: %v", ecosystem, name, err)
	}
	return out, nil
}
