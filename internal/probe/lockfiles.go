package probe

import (
	"errors"
	"strings"

	"github.com/posture-dev/posture/internal/deps"
	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/target"
)

// Lockfiles is every lockfile of a repository target, parsed once per scan however many
// probes read it (VM-1 sources, VM-3 vulnerabilities). Installed third-party trees
// (node_modules, vendor…) are not the repository's own and are left out. Every other path
// is passed on, so Extract also finds the manifests beside lockfiles that say which
// packages are direct or dev-only, and the files that supersede others.
func Lockfiles(t *target.Target) ([]deps.Lockfile, []error) {
	type parsed struct {
		lockfiles []deps.Lockfile
		errs      []error
	}
	v := t.Memo("deps.lockfiles", func() any {
		var paths []string
		for _, f := range t.Files.Files() {
			if !deps.Installed(f.Path) {
				paths = append(paths, f.Path)
			}
		}
		lf, errs := deps.Extract(paths, func(p string) ([]byte, error) {
			f, ok := t.Files.Lookup(p)
			if !ok {
				return nil, errors.New("not in the inventory")
			}
			data, err := t.Files.Read(f)
			if err != nil {
				// Extract names the file itself; the inventory's error does too.
				return nil, errors.New(strings.TrimPrefix(err.Error(), fileset.Display(p)+": "))
			}
			return data, nil
		})
		return parsed{lf, errs}
	}).(parsed)
	return v.lockfiles, v.errs
}

// LockedPackages is the exact third-party package versions a repository target locks:
// what a server stores to match against vulnerability data as that data changes. Local
// path packages and unresolved ranges are left out; each version is listed once.
func LockedPackages(t *target.Target) []deps.Package {
	if t.Kind != policy.KindRepo || t.Files == nil {
		return nil
	}
	lfs, _ := Lockfiles(t)
	seen := map[[3]string]bool{}
	var out []deps.Package
	for _, lf := range lfs {
		for _, p := range lf.Packages {
			k := [3]string{p.Ecosystem, p.Name, p.Version}
			if p.Version == "" || strings.HasPrefix(p.Source, "path:") || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}
