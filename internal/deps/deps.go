// Package deps extracts the packages a repository depends on from its lockfiles, with the
// file and line each one is pinned at, for the dependency controls (VM-1, VM-3).
package deps

// Package is one locked dependency.
type Package struct {
	Ecosystem string // OSV ecosystem name: "npm", "Packagist", …
	Name      string
	Version   string
	Path      string // lockfile, slash-separated, relative to the repository root
	Line      int    // where the package's entry starts in the lockfile
	Direct    bool   // declared by the project itself, not pulled in by another package
	Dev       bool   // only needed to develop or test, not shipped
}
