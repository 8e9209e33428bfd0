// Package sshd reads OpenSSH server configurations (sshd_config) the way sshd does:
// keywords are case-insensitive, a keyword may be joined to its value by "=", arguments
// are split with sshd's quoting rules, Include directives are followed (globs expanded
// in sorted order, relative paths resolved against /etc/ssh), and Match blocks are kept
// with their criteria so that a caller can tell global settings from conditional ones.
// For most keywords sshd uses the first value it obtains; Config.Global and
// Block.Get implement that rule.
package sshd

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/include"
)

// FS is what Include may reach. Names are absolute slash paths on the host being read.
type FS interface {
	ReadFile(name string) ([]byte, error)
	// Glob returns the names matching pattern (path.Match syntax), sorted.
	Glob(pattern string) ([]string, error)
}

// ConfigDir is where sshd resolves relative Include paths.
const ConfigDir = "/etc/ssh"

// Limits that stop a crafted configuration from making the loader read without end.
// sshd itself stops at a depth of 16.
const (
	MaxDepth  = 16
	MaxFiles  = include.MaxFiles
	MaxBytes  = include.MaxBytes
	maxLineSz = 64 << 10
)

// Directive is one keyword line.
type Directive struct {
	// Keyword is lower-cased, as sshd compares keywords.
	Keyword string
	Args    []string
	File    string
	Line    int
	// Text is the source line, trimmed, for evidence.
	Text string
}

// Value is the first argument, or "" when there is none.
func (d Directive) Value() string {
	if len(d.Args) == 0 {
		return ""
	}
	return d.Args[0]
}

// Criterion is one condition of a Match line: Name lower-cased ("address", "user",
// "all"), Value as written (a comma-separated pattern list), Negated never set here
// because sshd expresses negation inside the pattern list ("!10.0.0.1").
type Criterion struct {
	Name  string
	Value string
}

// Block is the global section (Match == nil) or one Match block, with the directives
// that apply in it, in the order sshd reads them.
type Block struct {
	Match      *Directive
	Criteria   []Criterion
	Directives []Directive
}

// Get returns the first directive for keyword (lower-case) in the block.
func (b *Block) Get(keyword string) (Directive, bool) {
	for _, d := range b.Directives {
		if d.Keyword == keyword {
			return d, true
		}
	}
	return Directive{}, false
}

// Has reports whether the block's Match line has a criterion named name.
func (b *Block) Has(name string) bool {
	for _, c := range b.Criteria {
		if c.Name == name {
			return true
		}
	}
	return false
}

// Config is a top-level file with its includes resolved.
type Config struct {
	File string
	// Global holds the directives outside any Match block.
	Global *Block
	// Matches are the Match blocks in file order (across included files).
	Matches []*Block
	// Files lists every file read, the top-level one first.
	Files []string
	// Errors are syntax errors and refused or unreadable includes, in the order met. sshd
	// refuses to start on any of them, so a caller should not treat the rest as certain.
	Errors []error
}

// GlobalValue returns the first global directive for keyword (lower-case): the value sshd
// uses unless a Match block that applies sets it.
func (c *Config) GlobalValue(keyword string) (Directive, bool) { return c.Global.Get(keyword) }

// SyntaxError is a line sshd would reject.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Load reads file and everything it includes. The error is only for a top-level file
// that cannot be read.
func Load(fsys FS, file string) (*Config, error) {
	src, err := fsys.ReadFile(file)
	if err != nil {
		return nil, err
	}
	l := &loader{fsys: fsys, cfg: &Config{File: file, Global: &Block{}}}
	l.cfg.Files = append(l.cfg.Files, file)
	l.bytes = len(src)
	l.cur = l.cfg.Global
	l.file(file, src, 0)
	return l.cfg, nil
}

// Parse reads one file without following includes (Include lines are kept as
// directives), for callers and tests that have a single buffer.
func Parse(file string, src []byte) *Config {
	l := &loader{cfg: &Config{File: file, Global: &Block{}}, noInclude: true}
	l.cfg.Files = []string{file}
	l.cur = l.cfg.Global
	l.file(file, src, 0)
	return l.cfg
}

type loader struct {
	fsys      FS
	cfg       *Config
	cur       *Block
	reads     int
	bytes     int
	noInclude bool
}

func (l *loader) errorf(file string, line int, format string, args ...any) {
	l.cfg.Errors = append(l.cfg.Errors, &SyntaxError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (l *loader) file(name string, src []byte, depth int) {
	lines := strings.Split(string(src), "\n")
	for i, raw := range lines {
		n := i + 1
		if len(raw) > maxLineSz {
			l.errorf(name, n, "line too long")
			continue
		}
		line := strings.TrimRight(raw, "\r")
		kw, args, err := SplitLine(line)
		if err != nil {
			l.errorf(name, n, "%v", err)
			continue
		}
		if kw == "" {
			continue
		}
		d := Directive{Keyword: strings.ToLower(kw), Args: args, File: name, Line: n, Text: strings.TrimSpace(line)}
		switch d.Keyword {
		case "match":
			crit, err := parseMatch(args)
			if err != nil {
				l.errorf(name, n, "Match: %v", err)
				continue
			}
			m := d
			b := &Block{Match: &m, Criteria: crit}
			l.cfg.Matches = append(l.cfg.Matches, b)
			l.cur = b
		case "include":
			if l.noInclude {
				l.cur.Directives = append(l.cur.Directives, d)
				continue
			}
			if len(args) == 0 {
				l.errorf(name, n, "Include without a file")
				continue
			}
			saved := l.cur
			for _, a := range args {
				l.include(name, n, a, depth)
			}
			// A Match opened inside an included file ends with that file, the way sshd
			// restores its match state after an Include.
			l.cur = saved
		default:
			l.cur.Directives = append(l.cur.Directives, d)
		}
	}
}

func (l *loader) include(from string, line int, arg string, depth int) {
	if depth+1 > MaxDepth {
		l.cfg.Errors = append(l.cfg.Errors, fmt.Errorf("%s:%d: Include %s not followed: nested too deep", from, line, arg))
		return
	}
	p := arg
	if strings.HasPrefix(p, "~") {
		l.cfg.Errors = append(l.cfg.Errors, fmt.Errorf("%s:%d: Include %s not followed: a home-relative path is only valid in ssh_config", from, line, arg))
		return
	}
	if !path.IsAbs(p) {
		p = path.Join(ConfigDir, p)
	}
	p = path.Clean(p)
	var names []string
	if include.IsGlob(p) {
		m, err := l.fsys.Glob(p)
		if err != nil {
			l.cfg.Errors = append(l.cfg.Errors, fmt.Errorf("%s:%d: Include %s: %w", from, line, arg, err))
			return
		}
		// sshd accepts a pattern that matches nothing.
		names = m
	} else {
		names = []string{p}
	}
	for _, name := range names {
		if l.reads >= MaxFiles {
			l.cfg.Errors = append(l.cfg.Errors, fmt.Errorf("%s:%d: Include %s not followed: more than %d files", from, line, name, MaxFiles))
			return
		}
		src, err := l.fsys.ReadFile(name)
		if err != nil {
			l.cfg.Errors = append(l.cfg.Errors, fmt.Errorf("%s:%d: Include %s: %w", from, line, name, err))
			continue
		}
		l.reads++
		l.bytes += len(src)
		if l.bytes > MaxBytes {
			l.cfg.Errors = append(l.cfg.Errors, fmt.Errorf("%s:%d: Include %s not followed: more than %d bytes read", from, line, name, MaxBytes))
			return
		}
		seen := false
		for _, f := range l.cfg.Files {
			seen = seen || f == name
		}
		if !seen {
			l.cfg.Files = append(l.cfg.Files, name)
		}
		l.file(name, src, depth+1)
	}
}

// parseMatch reads the criteria of a Match line: "All" alone, or pairs of a criterion
// and its pattern list ("Address=10.0.0.0/8" is accepted too, as sshd does).
func parseMatch(args []string) ([]Criterion, error) {
	if len(args) == 0 {
		return nil, errors.New("no criteria")
	}
	var out []Criterion
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, joined := strings.Cut(a, "=")
		name = strings.ToLower(name)
		if name == "all" || name == "canonical" || name == "final" || name == "invalid-user" {
			out = append(out, Criterion{Name: name})
			continue
		}
		switch name {
		case "user", "group", "host", "address", "localaddress", "localport", "rdomain", "version":
		default:
			return nil, fmt.Errorf("unsupported criterion %q", args[i])
		}
		if !joined {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("criterion %q has no value", args[i])
			}
			i++
			val = args[i]
		}
		out = append(out, Criterion{Name: name, Value: val})
	}
	return out, nil
}

// SplitLine splits one line into its keyword and arguments. A line that is blank or a
// comment gives kw == "". The keyword ends at blank space or "="; one "=" may separate it
// from the arguments. Arguments are split on blanks; double or single quotes group
// blanks into one argument; a backslash escapes a quote, a blank or a backslash; "#" at
// the start of an argument begins a comment.
func SplitLine(line string) (kw string, args []string, err error) {
	s := strings.TrimLeft(line, " \t\f\v")
	if s == "" || s[0] == '#' {
		return "", nil, nil
	}
	end := strings.IndexAny(s, " \t\f\v=")
	if end < 0 {
		return s, nil, nil
	}
	kw = s[:end]
	rest := strings.TrimLeft(s[end:], " \t\f\v")
	if strings.HasPrefix(rest, "=") {
		rest = strings.TrimLeft(rest[1:], " \t\f\v")
	}
	args, err = splitArgs(rest)
	return kw, args, err
}

func splitArgs(s string) ([]string, error) {
	var out []string
	i := 0
	for {
		for i < len(s) && isBlank(s[i]) {
			i++
		}
		if i >= len(s) || s[i] == '#' {
			return out, nil
		}
		var b strings.Builder
		var quote byte
		for ; i < len(s); i++ {
			c := s[i]
			if quote == 0 && isBlank(c) {
				break
			}
			if c == '\\' && i+1 < len(s) {
				n := s[i+1]
				if n == '\\' || n == '"' || n == '\'' || (quote == 0 && isBlank(n)) {
					b.WriteByte(n)
					i++
					continue
				}
			}
			switch {
			case quote != 0 && c == quote:
				quote = 0
			case quote == 0 && (c == '"' || c == '\''):
				quote = c
			default:
				b.WriteByte(c)
			}
		}
		if quote != 0 {
			return nil, errors.New("unterminated quoted string")
		}
		out = append(out, b.String())
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\f' || c == '\v' }
