package apache

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/include"
)

// FS is the set of files an include may reach (see package include).
type FS = include.FS

// Limits on include resolution (see package include).
const (
	MaxIncludeDepth = include.MaxDepth
	MaxFiles        = include.MaxFiles
	MaxBytes        = include.MaxBytes
)

// Config is a top-level file with its includes resolved.
type Config struct {
	File       string
	Directives []*Directive
	// ServerRoot is the repository directory that relative include paths were resolved
	// against.
	ServerRoot string
	// Files lists every file read, the top-level one first, each once.
	Files []string
	// Errors are the syntax errors of every file read and the includes that were
	// refused, in the order met.
	Errors []error
}

// knownRoots are absolute ServerRoot directories of common layouts, which a repository
// that keeps the configuration directory mirrors.
var knownRoots = []string{"/etc/apache2", "/etc/httpd", "/usr/local/apache2", "/usr/local/etc/apache24", "/etc/apache"}

// Load reads file and everything it includes. httpd resolves relative include paths
// against ServerRoot, an absolute directory on the server; posture maps it into the
// repository: to the ancestor directory of file that has ServerRoot's base name (a
// ServerRoot of /etc/httpd and a file at deploy/httpd/conf/httpd.conf give
// deploy/httpd), otherwise, for an httpd.conf in a conf/ directory, to its parent (the
// layout of Red Hat and of httpd's own install), and otherwise to the directory of file
// (the Debian layout, where apache2.conf sits in ServerRoot). The returned error is only
// for a top-level file that cannot be read.
func Load(fsys FS, file string) (*Config, error) {
	src, err := fsys.ReadFile(file)
	if err != nil {
		return nil, err
	}
	ds, perr := Parse(file, src)
	l := &loader{fsys: fsys, seen: map[string]bool{}, cfg: &Config{File: file}}
	l.root, l.absRoot = serverRoot(file, ds)
	l.cfg.ServerRoot = l.root
	l.note(file)
	if perr != nil {
		l.cfg.Errors = append(l.cfg.Errors, perr)
	}
	l.cfg.Directives = l.expand(ds, []string{file})
	return l.cfg, nil
}

func serverRoot(file string, ds []*Directive) (root, abs string) {
	dir := path.Dir(file)
	for _, d := range ds {
		if d.Is("ServerRoot") && len(d.Args) == 1 && strings.HasPrefix(d.Args[0], "/") {
			abs = strings.TrimSuffix(path.Clean(d.Args[0]), "/")
			base := path.Base(abs)
			for a := dir; a != "." && a != "/"; a = path.Dir(a) {
				if path.Base(a) == base {
					return a, abs
				}
			}
		}
	}
	if path.Base(file) == "httpd.conf" && path.Base(dir) == "conf" {
		return path.Dir(dir), abs
	}
	return dir, abs
}

type loader struct {
	fsys    FS
	root    string
	absRoot string
	seen    map[string]bool
	reads   int
	bytes   int
	cfg     *Config
}

func (l *loader) note(name string) {
	if !l.seen[name] {
		l.seen[name] = true
		l.cfg.Files = append(l.cfg.Files, name)
	}
}

func (l *loader) expand(ds []*Directive, stack []string) []*Directive {
	var out []*Directive
	for _, d := range ds {
		out = append(out, d)
		if d.IsSection {
			d.Block = l.expand(d.Block, stack)
			continue
		}
		if d.Is("Include") || d.Is("IncludeOptional") {
			out = append(out, l.include(d, stack)...)
		}
	}
	return out
}

// Resolve maps an include argument to a path relative to the repository root, given the
// repository directory standing for ServerRoot and ServerRoot's absolute path if the
// configuration set one. ok is false with a reason for paths that lead out of the
// repository.
func Resolve(root, absRoot, arg string) (rel, reason string, ok bool) {
	if strings.HasPrefix(arg, "/") {
		roots := knownRoots
		if absRoot != "" {
			roots = append([]string{absRoot}, roots...)
		}
		for _, r := range roots {
			if arg == r {
				return Resolve(root, absRoot, ".")
			}
			if strings.HasPrefix(arg, r+"/") {
				return Resolve(root, absRoot, strings.TrimPrefix(arg, r+"/"))
			}
		}
		return "", "an absolute path outside ServerRoot, not in the repository", false
	}
	rel = path.Join(root, arg)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", "it leaves the repository", false
	}
	return rel, "", true
}

func (l *loader) refuse(d *Directive, inc *Include, format string, args ...any) {
	inc.Refused = true
	inc.Unresolved = fmt.Sprintf(format, args...)
	l.cfg.Errors = append(l.cfg.Errors, &SyntaxError{Pos: d.Pos, Msg: d.Name + " " + strings.Join(d.Args, " ") + " not followed: " + inc.Unresolved})
}

func (l *loader) include(d *Directive, stack []string) []*Directive {
	inc := &Include{}
	d.Include = inc
	if len(d.Args) != 1 {
		l.refuse(d, inc, "%s takes exactly one file, directory or pattern, not %d", d.Name, len(d.Args))
		return nil
	}
	rel, reason, ok := Resolve(l.root, l.absRoot, d.Args[0])
	if !ok {
		if reason == "it leaves the repository" {
			l.refuse(d, inc, "%s", reason)
		} else {
			inc.Unresolved = reason
		}
		return nil
	}
	if len(stack) > MaxIncludeDepth {
		l.refuse(d, inc, "includes nested more than %d deep", MaxIncludeDepth)
		return nil
	}
	var names []string
	switch {
	case include.IsGlob(rel):
		matches, err := l.fsys.Glob(rel)
		if err != nil {
			l.refuse(d, inc, "%v", err)
			return nil
		}
		names = matches
	default:
		// httpd reads every file of a directory named by Include, in sorted order.
		if _, err := l.fsys.ReadFile(rel); err != nil {
			if matches, gerr := l.fsys.Glob(escapeMeta(rel) + "/*"); gerr == nil && len(matches) > 0 {
				names = matches
				break
			}
		}
		names = []string{rel}
	}
	sort.Strings(names)
	var out []*Directive
	var missing []string
	for _, name := range names {
		if i := slices.Index(stack, name); i >= 0 {
			l.refuse(d, inc, "include loop: %s", strings.Join(append(append([]string(nil), stack[i:]...), name), " → "))
			continue
		}
		if l.reads >= MaxFiles || l.bytes >= MaxBytes {
			l.refuse(d, inc, "the configuration includes more than %d files or %d MiB in all", MaxFiles, MaxBytes>>20)
			break
		}
		l.reads++
		src, err := l.fsys.ReadFile(name)
		if err != nil {
			// IncludeOptional exists for files that may be absent; an absent one is not
			// a gap, but one the scan could not read is.
			if !d.Is("IncludeOptional") || !errors.Is(err, fs.ErrNotExist) {
				missing = append(missing, name+": "+include.Describe(err))
			}
			continue
		}
		l.bytes += len(src)
		inc.Files = append(inc.Files, name)
		l.note(name)
		ds, perr := Parse(name, src)
		if perr != nil {
			l.cfg.Errors = append(l.cfg.Errors, perr)
		}
		out = append(out, l.expand(ds, append(stack, name))...)
	}
	if len(missing) > 0 && inc.Unresolved == "" {
		inc.Unresolved = strings.Join(missing, "; ")
	}
	return out
}

func escapeMeta(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
