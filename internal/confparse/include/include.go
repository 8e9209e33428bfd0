// Package include holds what the nginx and Apache loaders share when they follow include
// directives: the file system an include may reach, the limits that stop a crafted
// configuration from making posture read without end, and how a refused include is named.
package include

import (
	"errors"
	"io/fs"
	"strings"
)

// FS is the set of files an include may reach: in posture, the repository's inventory,
// so that size limits and scope exclusions hold for included files too and nothing
// outside the repository is ever opened. Names are slash paths relative to the root.
type FS interface {
	ReadFile(name string) ([]byte, error)
	// Glob returns the names matching pattern (path.Match syntax), sorted.
	Glob(pattern string) ([]string, error)
}

// Limits on include resolution. Neither server guards well on its own: nginx has no loop
// detection and recurses until it runs out of file descriptors, and httpd stops include
// loops only at a nesting depth of 128.
const (
	MaxDepth = 16
	MaxFiles = 1000
	MaxBytes = 64 << 20
)

// IsGlob reports whether an include argument is a pattern rather than one file.
func IsGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// Describe says why an included file could not be read, in the words a report uses.
func Describe(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "not in the repository"
	}
	return err.Error()
}
