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
	// Constraint is the declared range when the file does not resolve one exact version
	// (a manifest, an unpinned requirements line); Version is then empty unless the
	// constraint pins exactly one version.
	Constraint string
	// Source is where the package is fetched from when the file says so and it is not
	// the ecosystem's default registry: a git URL, a plain-HTTP tarball, a local path.
	// "git+https://github.com/o/r.git#<commit>", "http://example.com/x.tgz", "path:../lib".
	Source string
	// Commit is the pinned revision of a git-sourced package, when known.
	Commit string
}
