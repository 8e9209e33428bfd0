package fileset

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
)

// Build makes the inventory of the directory root. In a git work tree the file list is
// what git considers part of the repository (tracked, plus untracked files that are not
// ignored); elsewhere, or when git cannot answer, the directory is walked. Symbolic links
// are never followed, so link loops cannot trap the scan.
func Build(ctx context.Context, root string, opt Options) (*Set, error) {
	if opt.MaxFileSize <= 0 {
		opt.MaxFileSize = DefaultMaxFileSize
	}
	s := &Set{Root: root, MaxFileSize: opt.MaxFileSize, Exclusions: append([]Exclusion(nil), opt.Exclude...)}
	for _, e := range s.Exclusions {
		if !doublestar.ValidatePattern(e.Pattern) {
			return nil, fmt.Errorf("scope exclusion %q is not a valid glob pattern", e.Pattern)
		}
	}
	var candidates []string
	paths, gitErr := gitFiles(ctx, root)
	switch {
	case gitErr == nil:
		s.Source = "git"
		candidates = paths
	case errors.Is(gitErr, errNotGit):
		s.Source = "walk"
		candidates = s.walk(ctx)
	default:
		s.Source = "walk"
		s.notes = append(s.notes, Skip{Path: ".", Reason: "git could not list the repository's files (" + gitErr.Error() + "); walked the directory instead, so ignored files are included"})
		candidates = s.walk(ctx)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.byPath = make(map[string]int, len(candidates))
	s.byName = make(map[string][]int)
	for _, p := range candidates {
		if s.excluded(p) {
			continue
		}
		s.add(p)
	}
	sort.Slice(s.files, func(i, j int) bool { return s.files[i].Path < s.files[j].Path })
	for i, f := range s.files {
		s.byPath[f.Path] = i
		n := strings.ToLower(f.Name())
		s.byName[n] = append(s.byName[n], i)
	}
	return s, nil
}

var errNotGit = errors.New("not a git work tree")

// gitFiles lists tracked and untracked-but-not-ignored files, NUL-separated so that any
// byte sequence in a name survives.
func gitFiles(ctx context.Context, root string) ([]string, error) {
	if _, err := os.Lstat(filepath.Join(root, ".git")); err != nil {
		return nil, errNotGit
	}
	if _, err := exec.LookPath("git"); err != nil {
		return nil, errors.New("git is not installed")
	}
	cmd := exec.CommandContext(ctx, "git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		if i := strings.IndexByte(msg, '\n'); i > 0 {
			msg = msg[:i]
		}
		return nil, errors.New(msg)
	}
	var paths []string
	for p := range bytes.SplitSeq(out, []byte{0}) {
		if len(p) > 0 {
			paths = append(paths, string(p))
		}
	}
	return paths, nil
}

// walk lists every path under the root except .git, pruning excluded directories early.
func (s *Set) walk(ctx context.Context) []string {
	var out []string
	_ = filepath.WalkDir(s.Root, func(full string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, rerr := filepath.Rel(s.Root, full)
		if rerr != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			if rel != "." {
				s.skipped = append(s.skipped, Skip{Path: Display(rel), Reason: "cannot be read: " + describe(err)})
			}
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			if d.Name() == ".git" || s.excluded(rel) {
				return fs.SkipDir
			}
			return nil
		}
		out = append(out, rel)
		return nil
	})
	return out
}

// excluded reports whether p, or a directory above it, matches a scope exclusion, and
// counts the match so reports can say how much each exclusion removed.
func (s *Set) excluded(p string) bool {
	for i := range s.Exclusions {
		e := &s.Exclusions[i]
		if matchesExclusion(e.Pattern, p) {
			e.Matched++
			return true
		}
	}
	return false
}

func matchesExclusion(pattern, p string) bool {
	pat := strings.TrimSuffix(pattern, "/")
	for q := p; q != "." && q != ""; q = parent(q) {
		if ok, _ := doublestar.Match(pat, q); ok {
			return true
		}
	}
	return false
}

func parent(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

// add examines one candidate path and keeps it if it is a regular file within the limits.
func (s *Set) add(p string) {
	full := filepath.Join(s.Root, filepath.FromSlash(p))
	fi, err := os.Lstat(full)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return // tracked but deleted in the work tree: nothing to examine
		}
		s.skipped = append(s.skipped, Skip{Path: Display(p), Reason: "cannot be read: " + describe(err)})
		return
	}
	if !utf8.ValidString(p) {
		s.notes = append(s.notes, Skip{Path: Display(p), Reason: "file name is not valid UTF-8; shown with replacement characters"})
	}
	mode := fi.Mode()
	switch {
	case mode&fs.ModeSymlink != 0:
		s.symlink(p, full)
		return
	case mode.IsDir():
		s.skipped = append(s.skipped, Skip{Path: Display(p), Reason: "git submodule or nested repository (scan it as its own target)"})
		return
	case !mode.IsRegular():
		s.skipped = append(s.skipped, Skip{Path: Display(p), Reason: "not a regular file (" + kindOf(mode) + ")"})
		return
	case fi.Size() > s.MaxFileSize:
		s.skipped = append(s.skipped, Skip{Path: Display(p), Reason: fmt.Sprintf("larger than the %s size limit (%s)", HumanSize(s.MaxFileSize), HumanSize(fi.Size()))})
		return
	}
	if err := readable(full); err != nil {
		s.skipped = append(s.skipped, Skip{Path: Display(p), Reason: "cannot be read: " + describe(err)})
		return
	}
	s.files = append(s.files, File{Path: p, Size: fi.Size()})
}

// symlink records links that cannot be examined. Links to files inside the tree are
// dropped silently because their target is examined under its own name.
func (s *Set) symlink(p, full string) {
	resolved, err := filepath.EvalSymlinks(full)
	if err != nil {
		reason := "broken symbolic link"
		if strings.Contains(err.Error(), "too many links") {
			reason = "symbolic link loop"
		}
		s.skipped = append(s.skipped, Skip{Path: Display(p), Reason: reason + " (not followed)"})
		return
	}
	root, err := filepath.EvalSymlinks(s.Root)
	if err != nil {
		root = s.Root
	}
	if rel, err := filepath.Rel(root, resolved); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		s.skipped = append(s.skipped, Skip{Path: Display(p), Reason: "symbolic link to a path outside the scanned tree (not followed)"})
	}
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return m.Type().String()
}
