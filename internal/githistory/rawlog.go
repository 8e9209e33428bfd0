package githistory

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// logFormat makes git log print, per commit, five NUL-terminated header fields
// (the -z commit terminator ends the last one), followed by the -z raw entries
// ":srcmode dstmode srcoid dstoid status\0path\0" (the first prefixed by "\n").
// The hash comes first and is hex, so it can never be taken for a raw entry.
const logFormat = "--format=%H%x00%an%x00%ae%x00%ad%x00%s"

// logHeaderFields is the number of NUL-terminated fields logFormat prints.
const logHeaderFields = 5

type recordKind int

const (
	recCommit recordKind = iota + 1
	recEntry
)

// rawEntry is one line of --raw output. Slices are valid until the next call to
// next.
type rawEntry struct {
	srcMode, dstMode uint32
	srcOID, dstOID   []byte // hex
	status           byte
	path             []byte // destination path for renames and copies
}

// rawLogParser reads `git log -z --raw` output produced with logFormat. It checks
// every field it relies on, so corrupt or unexpected output is an error, not a
// silently wrong attribution.
type rawLogParser struct {
	r       *bufio.Reader
	scratch []byte // token that did not fit in r's buffer
	inLog   bool   // a commit header has been read
	commit  Commit
	entry   rawEntry
	oidBuf  [2][64]byte
	pathBuf []byte
}

func newRawLogParser(r io.Reader) *rawLogParser {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 256<<10)
	}
	return &rawLogParser{r: br}
}

// token returns the next NUL-terminated token without its terminator. It is valid
// until the next call.
func (p *rawLogParser) token() ([]byte, error) {
	b, err := p.r.ReadSlice(0)
	if err == nil {
		return b[:len(b)-1], nil
	}
	if err == bufio.ErrBufferFull {
		p.scratch = append(p.scratch[:0], b...)
		for {
			b, err = p.r.ReadSlice(0)
			p.scratch = append(p.scratch, b...)
			if err == nil {
				return p.scratch[:len(p.scratch)-1], nil
			}
			if err != bufio.ErrBufferFull {
				break
			}
		}
		b = p.scratch
	}
	if err == io.EOF {
		if len(b) == 0 {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("raw log: %w: unterminated field %.40q", io.ErrUnexpectedEOF, b)
	}
	return nil, err
}

// next reads one record: a commit header (in p.commit) or a raw entry (in p.entry).
// It returns io.EOF at the clean end of the stream.
func (p *rawLogParser) next() (recordKind, error) {
	for {
		tok, err := p.token()
		if err != nil {
			return 0, err
		}
		// git separates a commit's header from its diff with a newline.
		if len(tok) > 0 && tok[0] == '\n' {
			tok = tok[1:]
		}
		if len(tok) == 0 {
			continue
		}
		if tok[0] == ':' {
			if !p.inLog {
				return 0, errors.New("raw log: diff entry before any commit header")
			}
			if err := p.parseEntry(tok); err != nil {
				return 0, err
			}
			return recEntry, nil
		}
		if err := p.parseHeader(tok); err != nil {
			return 0, err
		}
		p.inLog = true
		return recCommit, nil
	}
}

func (p *rawLogParser) parseHeader(hash []byte) error {
	if !isHexOID(hash) {
		return fmt.Errorf("raw log: expected a commit hash, got %.60q", hash)
	}
	var f [logHeaderFields]string
	f[0] = string(hash)
	for i := 1; i < logHeaderFields; i++ {
		tok, err := p.token()
		if err == io.EOF {
			return fmt.Errorf("raw log: %w: commit %s header ends after %d fields", io.ErrUnexpectedEOF, f[0], i)
		}
		if err != nil {
			return err
		}
		f[i] = string(tok)
	}
	date, err := parseRawDate(f[3])
	if err != nil {
		return fmt.Errorf("raw log: commit %s: %w", f[0], err)
	}
	p.commit = Commit{Hash: f[0], Author: f[1], Email: f[2], Date: date, Subject: f[4]}
	return nil
}

// parseEntry parses ":100644 100644 <src> <dst> M" and reads its path token(s).
func (p *rawLogParser) parseEntry(tok []byte) error {
	bad := func(why string) error {
		return fmt.Errorf("raw log: commit %s: bad diff entry %.200q: %s", p.commit.Hash, tok, why)
	}
	var f [5][]byte
	rest := tok[1:]
	for i := 0; i < 4; i++ {
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 {
			return bad("want 5 fields")
		}
		f[i], rest = rest[:sp], rest[sp+1:]
	}
	f[4] = rest
	var err error
	e := &p.entry
	if e.srcMode, err = parseMode(f[0]); err != nil {
		return bad(err.Error())
	}
	if e.dstMode, err = parseMode(f[1]); err != nil {
		return bad(err.Error())
	}
	if !isHexOID(f[2]) || len(f[3]) != len(f[2]) || !isHexOID(f[3]) {
		return bad("bad object id")
	}
	e.srcOID = append(p.oidBuf[0][:0], f[2]...)
	e.dstOID = append(p.oidBuf[1][:0], f[3]...)
	st := f[4]
	if len(st) == 0 || bytes.IndexByte([]byte("ACDMRTUX"), st[0]) < 0 {
		return bad("unknown status")
	}
	for _, c := range st[1:] {
		if c < '0' || c > '9' {
			return bad("bad similarity score")
		}
	}
	e.status = st[0]
	paths := 1
	if e.status == 'R' || e.status == 'C' {
		paths = 2 // source, then destination
	}
	for i := 0; i < paths; i++ {
		path, err := p.token()
		if err == io.EOF {
			err = fmt.Errorf("raw log: %w: diff entry without path", io.ErrUnexpectedEOF)
		}
		if err != nil {
			return err
		}
		p.pathBuf = append(p.pathBuf[:0], path...)
	}
	e.path = p.pathBuf
	return nil
}

func parseMode(b []byte) (uint32, error) {
	if len(b) != 6 {
		return 0, errors.New("mode is not 6 octal digits")
	}
	var m uint32
	for _, c := range b {
		if c < '0' || c > '7' {
			return 0, errors.New("mode is not octal")
		}
		m = m<<3 | uint32(c-'0')
	}
	return m, nil
}

// parseRawDate parses --date=raw ("1700000000 +0100") keeping the author's zone.
func parseRawDate(s string) (time.Time, error) {
	ts, zone, ok := bytes.Cut([]byte(s), []byte{' '})
	sec, err := strconv.ParseInt(string(ts), 10, 64)
	if !ok || err != nil || len(zone) != 5 || (zone[0] != '+' && zone[0] != '-') {
		return time.Time{}, fmt.Errorf("bad date %q", s)
	}
	hhmm, err := strconv.Atoi(string(zone[1:]))
	if err != nil || hhmm%100 >= 60 {
		return time.Time{}, fmt.Errorf("bad date %q", s)
	}
	off := (hhmm/100*60 + hhmm%100) * 60
	if zone[0] == '-' {
		off = -off
	}
	return time.Unix(sec, 0).In(time.FixedZone(string(zone), off)), nil
}

func isHexOID(b []byte) bool {
	if len(b) != 40 && len(b) != 64 {
		return false
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Object types in tree entry modes.
const (
	modeTypeMask = 0o170000
	modeFile     = 0o100000 // regular file, any permission bits (old repos have 100664)
	modeSymlink  = 0o120000 // content is the link target
	modeGitlink  = 0o160000 // a submodule commit, not a blob
)

// isBlobMode reports whether a tree entry with this mode points at a blob.
func isBlobMode(m uint32) bool {
	t := m & modeTypeMask
	return t == modeFile || t == modeSymlink
}

// introducesBlob reports whether the entry puts a blob at its path.
func (e *rawEntry) introducesBlob() bool {
	switch e.status {
	case 'A', 'M', 'T', 'C', 'R':
	default:
		return false
	}
	return isBlobMode(e.dstMode) && !allZero(e.dstOID)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != '0' {
			return false
		}
	}
	return true
}

// oidKey is the dedup key for an object id: the first 20 bytes of the binary id
// (all of a SHA-1, a 160-bit prefix of a SHA-256), which keeps the seen-set small.
type oidKey [20]byte

func makeOIDKey(hexOID []byte) (k oidKey) {
	for i := range k {
		k[i] = unhex(hexOID[2*i])<<4 | unhex(hexOID[2*i+1])
	}
	return k
}

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}
