// Package logrotate reads logrotate configurations (/etc/logrotate.conf and what it
// includes) and works out, for every stanza, the options logrotate would apply to it:
// global options set before a stanza are its defaults, options inside it override them,
// and included files share the global state. The retention-related options (rotate,
// maxage, the rotation period or size criterion) are kept with the file and line that set
// them, so a report can point at the line to change.
package logrotate

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// FS is what include may reach. Names are absolute slash paths on the host being read.
type FS interface {
	ReadFile(name string) ([]byte, error)
	// ReadDir lists a directory's entries; it fails for a file that is not a directory.
	ReadDir(name string) ([]fs.DirEntry, error)
}

// Limits that bound the work on a crafted configuration.
const (
	MaxDepth = 8
	MaxFiles = 1000
	MaxBytes = 64 << 20
)

// Setting is where an option got its value; a zero File means logrotate's default.
type Setting struct {
	Value string
	File  string
	Line  int
}

// Set reports whether the configuration set the option (rather than the default).
func (s Setting) Set() bool { return s.File != "" }

// Criterion says what triggers a rotation.
type Criterion string

// Rotation criteria. A size criterion replaces the time period ("size" and the period
// keywords are mutually exclusive, the last one wins). Without either, logrotate rotates
// only on its default size threshold; that is Unset here, so callers can say so.
const (
	Unset   Criterion = ""
	Hourly  Criterion = "hourly"
	Daily   Criterion = "daily"
	Weekly  Criterion = "weekly"
	Monthly Criterion = "monthly"
	Yearly  Criterion = "yearly"
	Size    Criterion = "size"
)

// Days is the length of a period in days, 0 for a size criterion or unset.
func (c Criterion) Days() float64 {
	switch c {
	case Hourly:
		return 1.0 / 24
	case Daily:
		return 1
	case Weekly:
		return 7
	case Monthly:
		return 31
	case Yearly:
		return 366
	}
	return 0
}

// Options are the retention-related options in effect.
type Options struct {
	// Rotate is the count of rotated files kept ("rotate N"); logrotate's default is 0
	// (rotated files are removed), and -1 keeps them all.
	Rotate Setting
	// MaxAge removes rotated files older than N days ("maxage N").
	MaxAge Setting
	// Criterion is the rotation trigger, Period where it was set.
	Criterion Criterion
	Period    Setting
}

// RotateCount is the effective rotate count.
func (o Options) RotateCount() int {
	if !o.Rotate.Set() {
		return 0
	}
	n, err := strconv.Atoi(o.Rotate.Value)
	if err != nil {
		return 0
	}
	return n
}

// MaxAgeDays is the effective maxage, 0 when unset.
func (o Options) MaxAgeDays() int {
	if !o.MaxAge.Set() {
		return 0
	}
	n, _ := strconv.Atoi(o.MaxAge.Value)
	return n
}

// Stanza is one block of patterns with the options logrotate applies to it.
type Stanza struct {
	Patterns []string
	File     string
	Line     int
	Options  Options
}

// Config is a top-level file with its includes resolved.
type Config struct {
	File    string
	Stanzas []Stanza
	// Global is the global state at the end of the configuration.
	Global Options
	Files  []string
	// Errors are lines logrotate would reject and includes that could not be read.
	// logrotate skips a stanza with an error and goes on, and so does this reader.
	Errors []error
}

// SyntaxError is a line logrotate rejects.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// tabooExts are the file-name endings logrotate skips when it includes a directory
// (its built-in tabooext list), so package-manager leftovers are not configuration.
var tabooExts = []string{",v", ".cfsaved", ".disabled", ".dpkg-bak", ".dpkg-del", ".dpkg-dist",
	".dpkg-new", ".dpkg-old", ".dpkg-tmp", ".rhn-cfg-tmp-*", ".rpmnew", ".rpmorig", ".rpmsave",
	".swp", ".ucf-dist", ".ucf-new", ".ucf-old", "~"}

// Taboo reports whether logrotate skips name when including its directory.
func Taboo(name string) bool {
	for _, e := range tabooExts {
		if strings.Contains(e, "*") {
			if ok, _ := path.Match("*"+e, name); ok {
				return true
			}
			continue
		}
		if strings.HasSuffix(name, e) {
			return true
		}
	}
	return false
}

// Load reads file and everything it includes.
func Load(fsys FS, file string) (*Config, error) {
	src, err := fsys.ReadFile(file)
	if err != nil {
		return nil, err
	}
	l := &loader{fsys: fsys, cfg: &Config{File: file}, seen: map[string]bool{file: true}}
	l.cfg.Files = []string{file}
	l.bytes = len(src)
	l.file(file, src, 0)
	l.cfg.Global = l.global
	return l.cfg, nil
}

// Parse reads one buffer without following includes.
func Parse(file string, src []byte) *Config {
	l := &loader{cfg: &Config{File: file, Files: []string{file}}, seen: map[string]bool{}}
	l.file(file, src, 0)
	l.cfg.Global = l.global
	return l.cfg
}

type loader struct {
	fsys   FS
	cfg    *Config
	global Options
	seen   map[string]bool
	reads  int
	bytes  int
}

func (l *loader) errorf(file string, line int, format string, args ...any) {
	l.cfg.Errors = append(l.cfg.Errors, &SyntaxError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (l *loader) file(name string, src []byte, depth int) {
	lines := strings.Split(string(src), "\n")
	var (
		in       *Stanza // the stanza being read, nil outside one
		bad      bool    // the stanza being read had an error: logrotate drops it
		pending  []string
		pendLine int
		script   bool
	)
	for i, raw := range lines {
		n := i + 1
		line := strings.TrimSpace(strings.TrimRight(raw, "\r"))
		if script {
			if first, _, _ := strings.Cut(line, " "); first == "endscript" {
				script = false
			}
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		switch {
		case line[0] == '}':
			if in == nil {
				l.errorf(name, n, "unexpected }")
				continue
			}
			if !bad {
				l.cfg.Stanzas = append(l.cfg.Stanzas, *in)
			}
			in, bad = nil, false
			if rest := strings.TrimSpace(line[1:]); rest != "" && rest[0] != '#' {
				l.errorf(name, n, "text after }")
			}
		case isLetter(line[0]) && pending == nil:
			words, err := splitWords(line)
			if err != nil {
				l.errorf(name, n, "%v", err)
				bad = bad || in != nil
				continue
			}
			kw := strings.ToLower(words[0])
			if kw == "include" {
				if in != nil {
					l.errorf(name, n, "include is not allowed inside a stanza")
					bad = true
					continue
				}
				if len(words) != 2 {
					l.errorf(name, n, "include needs one path")
					continue
				}
				l.include(name, n, words[1], depth)
				continue
			}
			if isScript(kw) {
				script = true
				continue
			}
			opts := &l.global
			if in != nil {
				opts = &in.Options
			}
			if err := apply(opts, kw, words[1:], name, n); err != nil {
				l.errorf(name, n, "%v", err)
				bad = bad || in != nil
			}
		default:
			if in != nil {
				l.errorf(name, n, "a file pattern inside a stanza")
				bad = true
				continue
			}
			// File patterns, up to an opening brace that may be on a later line.
			text, open := strings.CutSuffix(line, "{")
			if !open {
				if j := strings.Index(line, "{"); j >= 0 {
					text, open = line[:j], true
					if rest := strings.TrimSpace(line[j+1:]); rest != "" && rest[0] != '#' {
						l.errorf(name, n, "text after {")
					}
				}
			}
			words, err := splitWords(text)
			if err != nil {
				l.errorf(name, n, "%v", err)
				pending = nil
				continue
			}
			if pending == nil {
				pendLine = n
			}
			pending = append(pending, words...)
			if open {
				if len(pending) == 0 {
					l.errorf(name, n, "a stanza without file patterns")
				}
				in = &Stanza{Patterns: pending, File: name, Line: pendLine, Options: l.global}
				bad = len(pending) == 0
				pending = nil
			}
		}
	}
	if in != nil {
		l.errorf(name, len(lines), "missing } at the end of the file")
	}
	if pending != nil {
		l.errorf(name, pendLine, "file patterns without a {")
	}
	if script {
		l.errorf(name, len(lines), "missing endscript")
	}
}

func (l *loader) include(from string, line int, p string, depth int) {
	if l.fsys == nil {
		return
	}
	if !path.IsAbs(p) {
		l.cfg.Errors = append(l.cfg.Errors, fmt.Errorf("%s:%d: include %s not followed: a relative path depends on the directory logrotate is started in", from, line, p))
		return
	}
	if depth+1 > MaxDepth {
		l.cfg.Errors = append(l.cfg.Errors, fmt.Errorf("%s:%d: include %s not followed: nested too deep", from, line, p))
		return
	}
	p = path.Clean(p)
	names := []string{p}
	if ents, err := l.fsys.ReadDir(p); err == nil {
		names = names[:0]
		for _, e := range ents {
			if e.IsDir() || Taboo(e.Name()) || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			names = append(names, path.Join(p, e.Name()))
		}
		sort.Strings(names)
	}
	for _, name := range names {
		if l.seen[name] {
			l.cfg.Errors = append(l.cfg.Errors, fmt.Errorf("%s:%d: include %s not followed: already included", from, line, name))
			continue
		}
		if l.reads >= MaxFiles {
			l.cfg.Errors = append(l.cfg.Errors, fmt.Errorf("%s:%d: include %s not followed: more than %d files", from, line, name, MaxFiles))
			return
		}
		src, err := l.fsys.ReadFile(name)
		if err != nil {
			l.cfg.Errors = append(l.cfg.Errors, fmt.Errorf("%s:%d: include %s: %w", from, line, name, err))
			continue
		}
		l.seen[name] = true
		l.reads++
		l.bytes += len(src)
		if l.bytes > MaxBytes {
			l.cfg.Errors = append(l.cfg.Errors, fmt.Errorf("%s:%d: include %s not followed: more than %d bytes read", from, line, name, MaxBytes))
			return
		}
		l.cfg.Files = append(l.cfg.Files, name)
		l.file(name, src, depth+1)
	}
}

func apply(o *Options, kw string, args []string, file string, line int) error {
	at := func(v string) Setting { return Setting{Value: v, File: file, Line: line} }
	switch kw {
	case "rotate":
		if len(args) != 1 {
			return errors.New("rotate needs one count")
		}
		n, err := strconv.Atoi(args[0])
		if err != nil || n < -1 {
			return fmt.Errorf("rotate count %q is not a number of at least -1", args[0])
		}
		o.Rotate = at(strconv.Itoa(n))
	case "maxage":
		if len(args) != 1 {
			return errors.New("maxage needs one count of days")
		}
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 0 {
			return fmt.Errorf("maxage %q is not a number of days", args[0])
		}
		o.MaxAge = at(strconv.Itoa(n))
	case "hourly", "daily", "weekly", "monthly", "yearly":
		o.Criterion, o.Period = Criterion(kw), at(kw)
	case "size":
		if len(args) != 1 {
			return errors.New("size needs one value")
		}
		o.Criterion, o.Period = Size, at("size "+args[0])
	}
	// Other keywords do not bear on retention; logrotate's own validation of them is not
	// repeated here.
	return nil
}

func isScript(kw string) bool {
	switch kw {
	case "postrotate", "prerotate", "firstaction", "lastaction", "preremove":
		return true
	}
	return false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// splitWords splits on blanks, with double or single quotes grouping a word.
func splitWords(s string) ([]string, error) {
	var out []string
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			return out, nil
		}
		if s[i] == '"' || s[i] == '\'' {
			q := s[i]
			j := strings.IndexByte(s[i+1:], q)
			if j < 0 {
				return nil, errors.New("unterminated quoted string")
			}
			out = append(out, s[i+1:i+1+j])
			i += j + 2
			continue
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
}
