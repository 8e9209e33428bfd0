// Package systemdconf reads systemd configuration files of the journald.conf kind: INI
// sections, Key=Value assignments where the last one wins, drop-in directories in
// systemd's precedence order, and systemd's time span syntax ("1month", "2w 3d").
package systemdconf

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Entry is one assignment.
type Entry struct {
	Section string
	Key     string
	Value   string
	File    string
	Line    int
}

// SyntaxError is a line systemd ignores with a warning.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// MaxLine bounds one logical line; systemd's own limit is LONG_LINE_MAX (1 MiB).
const MaxLine = 1 << 20

// Parse reads one file. Lines systemd would ignore are reported as errors and skipped.
func Parse(file string, src []byte) ([]Entry, []error) {
	var (
		out     []Entry
		errs    []error
		section string
	)
	lines := strings.Split(string(src), "\n")
	for i := 0; i < len(lines); i++ {
		n := i + 1
		line := strings.TrimSpace(strings.TrimRight(lines[i], "\r"))
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		// A trailing backslash continues the line; systemd joins the parts with a space.
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			next := strings.TrimSpace(strings.TrimRight(lines[i], "\r"))
			if next != "" && (next[0] == '#' || next[0] == ';') {
				continue
			}
			line = strings.TrimSuffix(line, "\\") + " " + next
			if len(line) > MaxLine {
				break
			}
		}
		line = strings.TrimSpace(strings.TrimSuffix(line, "\\"))
		if line == "" {
			continue
		}
		if len(line) > MaxLine {
			errs = append(errs, &SyntaxError{file, n, "line too long"})
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") || len(line) < 3 {
				errs = append(errs, &SyntaxError{file, n, "invalid section header"})
				continue
			}
			section = line[1 : len(line)-1]
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			errs = append(errs, &SyntaxError{file, n, "missing '='"})
			continue
		}
		k = strings.TrimSpace(k)
		if k == "" {
			errs = append(errs, &SyntaxError{file, n, "missing key"})
			continue
		}
		if section == "" {
			errs = append(errs, &SyntaxError{file, n, "assignment outside of a section"})
			continue
		}
		out = append(out, Entry{Section: section, Key: k, Value: strings.TrimSpace(v), File: file, Line: n})
	}
	return out, errs
}

// FS is what the loader may read. Names are absolute slash paths.
type FS interface {
	ReadFile(name string) ([]byte, error)
	ReadDir(name string) ([]fs.DirEntry, error)
}

// Dirs are the configuration directories in systemd's precedence order, highest first.
var Dirs = []string{"/etc/systemd", "/run/systemd", "/usr/local/lib/systemd", "/usr/lib/systemd"}

// Config is a main file with its drop-ins applied.
type Config struct {
	// Files are the files read, in the order they apply.
	Files   []string
	Entries []Entry
	Errors  []error
}

// Get returns the assignment of key in section that wins: the last one.
func (c *Config) Get(section, key string) (Entry, bool) {
	for i := len(c.Entries) - 1; i >= 0; i-- {
		if e := c.Entries[i]; e.Section == section && e.Key == key {
			return e, true
		}
	}
	return Entry{}, false
}

// Load reads name (e.g. "journald.conf") the way systemd does: the main file from the
// first directory of Dirs that has it, then every NAME.d/*.conf drop-in, sorted by file
// name, where a drop-in in a higher-precedence directory masks one of the same name in a
// lower one. Nothing found gives an empty Config: the program's defaults apply.
func Load(fsys FS, name string) *Config {
	c := &Config{}
	read := func(p string) {
		src, err := fsys.ReadFile(p)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				c.Errors = append(c.Errors, fmt.Errorf("%s: %w", p, err))
			}
			return
		}
		c.Files = append(c.Files, p)
		es, errs := Parse(p, src)
		c.Entries = append(c.Entries, es...)
		c.Errors = append(c.Errors, errs...)
	}
	for _, d := range Dirs {
		p := path.Join(d, name)
		if _, err := fsys.ReadFile(p); err == nil || !errors.Is(err, fs.ErrNotExist) {
			read(p)
			break
		}
	}
	dropins := map[string]string{}
	for i := len(Dirs) - 1; i >= 0; i-- {
		dir := path.Join(Dirs[i], name+".d")
		ents, err := fsys.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				c.Errors = append(c.Errors, fmt.Errorf("%s: %w", dir, err))
			}
			continue
		}
		for _, e := range ents {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".conf") {
				dropins[e.Name()] = path.Join(dir, e.Name())
			}
		}
	}
	names := make([]string, 0, len(dropins))
	for n := range dropins {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		read(dropins[n])
	}
	return c
}

// ParseTimespan reads a systemd time span: a sequence of numbers with units ("1h 30min",
// "2weeks", "1.5d"); a bare number is seconds. "infinity" gives ok == false with no error.
func ParseTimespan(s string) (d time.Duration, finite bool, err error) {
	s = strings.TrimSpace(s)
	if s == "infinity" {
		return 0, false, nil
	}
	if s == "" {
		return 0, false, errors.New("empty time span")
	}
	var total float64
	for s != "" {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			break
		}
		j := 0
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
			j++
		}
		if j == 0 {
			return 0, false, fmt.Errorf("time span %q: expected a number", s)
		}
		num, perr := strconv.ParseFloat(s[:j], 64)
		if perr != nil {
			return 0, false, fmt.Errorf("time span: %w", perr)
		}
		s = strings.TrimLeft(s[j:], " \t")
		k := 0
		for k < len(s) && (s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || s[k] == 0xc2 || s[k] == 0xb5) {
			k++
		}
		unit := s[:k]
		s = s[k:]
		mult, ok := spanUnits[unit]
		if !ok {
			return 0, false, fmt.Errorf("time span: unknown unit %q", unit)
		}
		total += num * mult
		if total > float64(math.MaxInt64) {
			return 0, false, errors.New("time span too large")
		}
	}
	return time.Duration(total), true, nil
}

var spanUnits = func() map[string]float64 {
	m := map[string]float64{}
	add := func(v float64, names ...string) {
		for _, n := range names {
			m[n] = v
		}
	}
	sec := float64(time.Second)
	add(sec, "", "s", "sec", "second", "seconds")
	add(float64(time.Microsecond), "us", "usec", "µs", "μs")
	add(float64(time.Millisecond), "ms", "msec")
	add(60*sec, "m", "min", "minute", "minutes")
	add(3600*sec, "h", "hr", "hour", "hours")
	add(86400*sec, "d", "day", "days")
	add(7*86400*sec, "w", "week", "weeks")
	add(2629800*sec, "M", "month", "months")
	add(31557600*sec, "y", "year", "years")
	return m
}()
