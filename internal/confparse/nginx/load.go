package nginx

import (
	"fmt"
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
	// Files lists every file read, the top-level one first, each once.
	Files []string
	// Errors are the syntax errors of every file read and the includes that were
	// refused (loops, paths leaving the repository, nesting too deep), in the order met.
	Errors []error
}

// serverPrefixes are absolute directories that configurations commonly name for their
// own configuration directory. A repository that keeps /etc/nginx as a directory holds
// the files those paths mean next to its top-level nginx.conf.
var serverPrefixes = []string{"/etc/nginx/", "/usr/local/nginx/conf/", "/usr/local/etc/nginx/", "/opt/nginx/conf/"}

// Load reads file and everything it includes. Relative include paths are resolved
// against the directory of file, which is what nginx does when it is started with
// -c file (its conf prefix is then that directory). The returned error is only for a
// top-level file that cannot be read; syntax errors and refused includes are in
// Config.Errors, with whatever could be read still in the tree.
func Load(fsys FS, file string) (*Config, error) {
	src, err := fsys.ReadFile(file)
	if err != nil {
		return nil, err
	}
	l := &loader{fsys: fsys, dir: path.Dir(file), seen: map[string]bool{}, cfg: &Config{File: file}}
	l.cfg.Directives = l.file(file, src, nil)
	return l.cfg, nil
}

type loader struct {
	fsys  FS
	dir   string
	seen  map[string]bool
	reads int
	bytes int
	cfg   *Config
}

func (l *loader) note(name string) {
	if !l.seen[name] {
		l.seen[name] = true
		l.cfg.Files = append(l.cfg.Files, name)
	}
}

func (l *loader) file(name string, src []byte, stack []string) []*Directive {
	l.note(name)
	ds, err := Parse(name, src)
	if err != nil {
		l.cfg.Errors = append(l.cfg.Errors, err)
	}
	return l.expand(ds, append(stack, name))
}

// expand resolves the include directives of a block and its nested blocks, splicing each
// included file's directives after the include directive that brought them in.
func (l *loader) expand(ds []*Directive, stack []string) []*Directive {
	var out []*Directive
	for _, d := range ds {
		out = append(out, d)
		if d.IsBlock {
			d.Block = l.expand(d.Block, stack)
			continue
		}
		if d.Name == "include" {
			out = append(out, l.include(d, stack)...)
		}
	}
	return out
}

// Resolve maps an include argument to a path relative to the repository root, given the
// directory of the top-level file. ok is false with a reason for paths that lead out of
// the repository.
func Resolve(dir, arg string) (rel string, reason string, ok bool) {
	if strings.HasPrefix(arg, "/") {
		for _, p := range serverPrefixes {
			if strings.HasPrefix(arg, p) {
				return Resolve(dir, strings.TrimPrefix(arg, p))
			}
		}
		return "", "an absolute path outside the configuration directory, not in the repository", false
	}
	rel = path.Join(dir, arg)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", "it leaves the repository", false
	}
	return rel, "", true
}

func (l *loader) refuse(d *Directive, inc *Include, format string, args ...any) {
	inc.Refused = true
	inc.Unresolved = fmt.Sprintf(format, args...)
	l.cfg.Errors = append(l.cfg.Errors, &SyntaxError{Pos: d.Pos, Msg: "include " + strings.Join(d.Args, " ") + " not followed: " + inc.Unresolved})
}

func (l *loader) include(d *Directive, stack []string) []*Directive {
	inc := &Include{}
	d.Include = inc
	if len(d.Args) != 1 {
		l.refuse(d, inc, "include takes exactly one file or pattern, not %d", len(d.Args))
		return nil
	}
	arg := d.Args[0]
	rel, reason, ok := Resolve(l.dir, arg)
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
	names := []string{rel}
	if include.IsGlob(rel) {
		matches, err := l.fsys.Glob(rel)
		if err != nil {
			l.refuse(d, inc, "%v", err)
			return nil
		}
		names = names[:0]
		hidden := strings.HasPrefix(path.Base(rel), ".")
		for _, m := range matches {
			// glob(3), which nginx uses, skips dot files unless the pattern names them.
			if hidden || !strings.HasPrefix(path.Base(m), ".") {
				names = append(names, m)
			}
		}
		sort.Strings(names)
	}
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
			missing = append(missing, name+": "+include.Describe(err))
			continue
		}
		l.bytes += len(src)
		inc.Files = append(inc.Files, name)
		out = append(out, l.file(name, src, stack)...)
	}
	if len(missing) > 0 && inc.Unresolved == "" {
		inc.Unresolved = strings.Join(missing, "; ")
	}
	return out
}
