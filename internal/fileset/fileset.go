// Package fileset is the inventory of a repository target: which files belong to it, which
// were left out of scope and why, and which could not be looked at. The engine builds it
// once; probes only ask questions of it and read files through it, so traversal, size
// limits and I/O errors are handled in one place.
package fileset

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// DefaultMaxFileSize is the largest file probes read unless configured otherwise.
const DefaultMaxFileSize = 10 << 20

// File is one regular file in scope.
type File struct {
	Path string // slash-separated, relative to the root
	Size int64
}

// Name is the file's base name.
func (f File) Name() string { return path.Base(f.Path) }

// Dir is the file's directory ("." for the root).
func (f File) Dir() string { return path.Dir(f.Path) }

// Skip records a path that was not examined, or not fully, and why.
type Skip struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Exclusion takes paths out of scope, with the reason that every report repeats.
type Exclusion struct {
	Pattern string `json:"pattern" yaml:"path"`
	Reason  string `json:"reason" yaml:"reason"`
	// Matched counts the files and directories the pattern removed.
	Matched int `json:"matched" yaml:"-"`
}

// Options shape how the inventory is built.
type Options struct {
	MaxFileSize int64
	Exclude     []Exclusion
}

// Set is the inventory of one repository target.
type Set struct {
	Root        string
	MaxFileSize int64
	// Source says how the file list was made ("git" or "walk") and why, if it fell back.
	Source     string
	Exclusions []Exclusion

	files  []File
	byPath map[string]int
	byName map[string][]int

	mu      sync.Mutex
	skipped []Skip
	notes   []Skip
}

// Files returns every file in scope, sorted by path.
func (s *Set) Files() []File { return s.files }

// Len is the number of files in scope.
func (s *Set) Len() int { return len(s.files) }

// Lookup returns the file at a relative slash path.
func (s *Set) Lookup(p string) (File, bool) {
	i, ok := s.byPath[p]
	if !ok {
		return File{}, false
	}
	return s.files[i], true
}

// Named returns the files whose base name equals one of names, case-insensitively.
func (s *Set) Named(names ...string) []File {
	var out []File
	for _, n := range names {
		for _, i := range s.byName[strings.ToLower(n)] {
			out = append(out, s.files[i])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Skipped lists what was not examined, sorted by path.
func (s *Set) Skipped() []Skip {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]Skip(nil), s.skipped...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return dedupe(out)
}

// Notes lists things worth knowing that did not stop a file being examined.
func (s *Set) Notes() []Skip {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]Skip(nil), s.notes...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func dedupe(in []Skip) []Skip {
	out := in[:0]
	for i, s := range in {
		if i > 0 && s == in[i-1] {
			continue
		}
		out = append(out, s)
	}
	return out
}

func (s *Set) skip(p, reason string) {
	s.mu.Lock()
	s.skipped = append(s.skipped, Skip{Path: Display(p), Reason: reason})
	s.mu.Unlock()
}

// Skip records a path a probe could not examine (for example a blob in git history over
// the size limit), so reports list it with everything else not examined.
func (s *Set) Skip(p, reason string) { s.skip(p, reason) }

// InScope reports whether a path (which need not exist in the work tree, e.g. a file
// seen only in history) is inside the scope: not under any exclusion.
func (s *Set) InScope(p string) bool {
	for _, e := range s.Exclusions {
		if matchesExclusion(e.Pattern, p) {
			return false
		}
	}
	return true
}

// ErrTooLarge is returned for files above the size limit.
var ErrTooLarge = errors.New("file larger than the size limit")

// Read returns a file's content. Files that grew past the limit, vanished or cannot be
// read return an error and are recorded as skipped, so the report says what was missed.
func (s *Set) Read(f File) ([]byte, error) {
	full := filepath.Join(s.Root, filepath.FromSlash(f.Path))
	fh, err := os.Open(full)
	if err != nil {
		return nil, s.readFailed(f.Path, err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, s.MaxFileSize+1))
	if err != nil {
		return nil, s.readFailed(f.Path, err)
	}
	if int64(len(data)) > s.MaxFileSize {
		s.skip(f.Path, fmt.Sprintf("larger than the %s size limit", HumanSize(s.MaxFileSize)))
		return nil, fmt.Errorf("%s: %w", Display(f.Path), ErrTooLarge)
	}
	return data, nil
}

// readFailed records a file that could not be read and returns an error that names the
// file relative to the root (never the absolute path of the machine that scanned it).
func (s *Set) readFailed(p string, err error) error {
	reason := "cannot be read: " + describe(err)
	s.skip(p, reason)
	return &ReadError{Path: Display(p), Reason: reason, Err: err}
}

// ReadError says which file could not be read and why.
type ReadError struct {
	Path, Reason string
	Err          error
}

func (e *ReadError) Error() string { return e.Path + ": " + e.Reason }
func (e *ReadError) Unwrap() error { return e.Err }

// Display makes a path printable: invalid UTF-8 bytes become U+FFFD.
func Display(p string) string { return strings.ToValidUTF8(p, "\uFFFD") }

// describe shortens an OS error to its cause, without repeating the path.
func describe(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// HumanSize formats a byte count for messages.
func HumanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
