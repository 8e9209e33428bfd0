package deps

import (
	"path"
	"strings"
)

// installedDirs hold other people's packages, installed rather than authored here; their
// manifests and lockfiles are not the repository's.
var installedDirs = []string{"node_modules", "vendor", "bower_components", ".venv", "venv", "site-packages", "third_party"}

// Installed reports whether a repository path lies inside an installed third-party tree.
func Installed(p string) bool {
	for _, seg := range strings.Split(path.Dir(p), "/") {
		for _, d := range installedDirs {
			if seg == d {
				return true
			}
		}
	}
	return false
}
