package code

import (
	"path"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/fileset"
)

// tree answers the questions include resolution asks of the inventory: does this file
// exist, what files does this directory hold. Includes are resolved inside the
// repository only; posture never reads the scanning machine's /etc.
type tree struct {
	files *fileset.Set
	dirs  map[string][]string // directory → files directly in it, sorted
}

func newTree(fs *fileset.Set) *tree {
	t := &tree{files: fs, dirs: map[string][]string{}}
	for _, f := range fs.Files() {
		d := dirOf(f.Path)
		t.dirs[d] = append(t.dirs[d], f.Path)
	}
	for _, v := range t.dirs {
		sort.Strings(v)
	}
	return t
}

// candidates lists where, inside the repository, a path named in an include may be:
// relative paths against the including file's directory, then the repository root (the
// server resolves them against its working directory); absolute ones as a root-relative
// path (a committed rootfs overlay: etc/mysql/conf.d/) and then, shortest prefix dropped
// first, next to the including file (an image build that copies docker/mysql/conf.d/ to
// /etc/mysql/conf.d/).
func candidates(from, target string) []string {
	dir := dirOf(from)
	target = strings.TrimSuffix(target, "/")
	if !strings.HasPrefix(target, "/") {
		return []string{path.Join(dir, target), path.Clean(target)}
	}
	parts := strings.Split(strings.TrimPrefix(path.Clean(target), "/"), "/")
	out := []string{strings.Join(parts, "/")}
	for i := range parts {
		out = append(out, path.Join(dir, strings.Join(parts[i:], "/")))
	}
	return out
}

// resolveFile finds the repository file an include names; a glob in the last element
// (Redis allows one) expands to every match, in name order.
func (t *tree) resolveFile(from, target string) ([]string, bool) {
	for _, c := range candidates(from, target) {
		if strings.ContainsAny(path.Base(c), "*?[") {
			var out []string
			for _, f := range t.dirs[dirOf(c)] {
				if ok, _ := path.Match(path.Base(c), path.Base(f)); ok {
					out = append(out, f)
				}
			}
			if len(out) > 0 {
				return out, true
			}
			continue
		}
		if _, ok := t.files.Lookup(c); ok {
			return []string{c}, true
		}
	}
	return nil, false
}

// resolveDir finds the repository directory an include names and returns its files with
// extension ext, in name order.
func (t *tree) resolveDir(from, target, ext string) ([]string, bool) {
	for _, c := range candidates(from, target) {
		files, ok := t.dirs[c]
		if !ok {
			continue
		}
		var out []string
		for _, f := range files {
			if strings.EqualFold(path.Ext(f), ext) {
				out = append(out, f)
			}
		}
		return out, true
	}
	return nil, false
}
