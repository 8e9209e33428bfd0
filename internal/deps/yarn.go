package deps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ParseYarnLock reads yarn.lock, both Yarn classic's own format (v1) and Yarn Berry's
// YAML (Yarn 2 to 4). The lockfile does not record which packages the project declares
// itself, except that Berry lists its workspaces' dependencies, so Direct is set only for
// those and Dev is never set; ParseYarnLockWithManifest reads package.json for both.
func ParseYarnLock(lockPath string, data []byte) ([]Package, error) {
	return parseYarn(lockPath, data, nil)
}

// ParseYarnLockWithManifest is ParseYarnLock completed by the package.json next to the
// lockfile: a package is Direct when package.json declares the very specifier
// (name@range) that locked it, and Dev when it is reachable through the lockfile's graph
// from devDependencies only. A package.json that cannot be read is reported and the
// lockfile is still read without it.
func ParseYarnLockWithManifest(lockPath string, data, packageJSON []byte) ([]Package, error) {
	m, merr := readNPMManifest(sibling(lockPath, "package.json"), packageJSON)
	pkgs, err := parseYarn(lockPath, data, m)
	return pkgs, errors.Join(err, merr)
}

// npmManifest is what package.json declares, specifier by specifier.
type npmManifest struct {
	Dependencies         map[string]any `json:"dependencies"`
	DevDependencies      map[string]any `json:"devDependencies"`
	OptionalDependencies map[string]any `json:"optionalDependencies"`
	PeerDependencies     map[string]any `json:"peerDependencies"`
}

func readNPMManifest(manifestPath string, data []byte) (*npmManifest, error) {
	var m npmManifest
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &m); err != nil {
		return nil, syntaxError(manifestPath, data, err)
	}
	return &m, nil
}

// yarnEntry is one lockfile entry in either format: the specifiers it resolves, where it
// starts and what it resolved to.
type yarnEntry struct {
	specs     []string
	line      int
	name      string
	version   string
	source    string
	commit    string
	deps      []yarnDep
	workspace bool // a Berry workspace: the project's own package
	root      bool // the workspace at the repository root
}

type yarnDep struct{ name, rng string }

func parseYarn(lockPath string, data []byte, m *npmManifest) ([]Package, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var entries []yarnEntry
	var err error
	berry := false
	if isYarnBerry(data) {
		berry = true
		entries, err = parseYarnBerry(lockPath, data)
	} else {
		entries, err = parseYarnClassic(lockPath, data)
	}
	pkgs, gerr := yarnPackages(lockPath, entries, m, berry)
	if err == nil {
		err = gerr
	}
	return pkgs, err
}

// isYarnBerry looks for the __metadata entry every Berry lockfile has and a classic one
// cannot (classic keys are specifiers, which contain an @).
func isYarnBerry(data []byte) bool {
	for _, line := range bytes.Split(data, []byte{'\n'}) {
		if bytes.HasPrefix(line, []byte("__metadata:")) || bytes.HasPrefix(line, []byte(`"__metadata":`)) {
			return true
		}
	}
	return false
}

// yarnPackages turns entries into packages: workspaces dropped, the same name@version
// from the same source merged at its first line, Direct and Dev derived from the
// manifest and the graph.
func yarnPackages(lockPath string, entries []yarnEntry, m *npmManifest, berry bool) ([]Package, error) {
	var firstErr error
	bySpec := map[string]int{} // specifier → entry
	dropped := make([]bool, len(entries))
	for i, e := range entries {
		own := false
		for _, s := range e.specs {
			if j, ok := bySpec[s]; ok {
				if firstErr == nil {
					firstErr = fmt.Errorf("%s:%d: %q is already locked at line %d; the first is kept", lockPath, e.line, s, entries[j].line)
				}
				continue
			}
			bySpec[s] = i
			own = true
		}
		// An entry all of whose specifiers are locked earlier is a conflicting copy.
		dropped[i] = !own
	}
	if berry {
		// Berry binds some descriptors to the workspace that declared them
		// ("link:../lib::locator=app%40workspace%3A."); package.json and dependency
		// lists use them unbound.
		for i, e := range entries {
			for _, s := range e.specs {
				if bare, _, ok := strings.Cut(s, "::"); ok {
					if _, taken := bySpec[bare]; !taken {
						bySpec[bare] = i
					}
				}
			}
		}
	}
	find := func(name, rng string) (int, bool) {
		if i, ok := bySpec[name+"@"+rng]; ok {
			return i, true
		}
		if berry && !strings.Contains(rng, ":") {
			// Berry writes npm ranges bare in dependency lists and package.json, but
			// with their protocol in entry keys.
			i, ok := bySpec[name+"@npm:"+rng]
			return i, ok
		}
		return 0, false
	}

	var out []Package
	entryPkg := make([]int, len(entries))
	ids := map[string]int{}
	for i, e := range entries {
		entryPkg[i] = -1
		if e.workspace || dropped[i] {
			continue
		}
		id := e.name + "@" + e.version + " " + e.source
		j, seen := ids[id]
		if !seen {
			j = len(out)
			ids[id] = j
			out = append(out, Package{Ecosystem: "npm", Name: e.name, Version: e.version, Path: lockPath,
				Line: e.line, Source: e.source, Commit: e.commit})
		}
		entryPkg[i] = j
	}

	var prodRoots, devRoots []int
	direct := func(i int) {
		if j := entryPkg[i]; j >= 0 {
			out[j].Direct = true
		}
	}
	for _, e := range entries {
		if !e.workspace {
			continue
		}
		for _, d := range e.deps {
			if i, ok := find(d.name, d.rng); ok {
				direct(i)
				// The root's dependencies mix dev and production; package.json tells
				// them apart. Other workspaces' are taken as production, which may
				// miss dev-only packages but never hides a shipped one.
				if !e.root {
					prodRoots = append(prodRoots, i)
				}
			}
		}
	}
	if m != nil {
		for _, sec := range []struct {
			deps map[string]any
			dev  bool
			root bool
		}{{m.Dependencies, false, true}, {m.OptionalDependencies, false, true}, {m.DevDependencies, true, true}, {m.PeerDependencies, false, false}} {
			for name, r := range sec.deps {
				rng, ok := r.(string)
				if !ok {
					continue
				}
				i, ok := find(name, rng)
				if !ok {
					continue
				}
				direct(i)
				switch {
				case !sec.root:
					// A peer is provided by whoever installs the project; a copy in
					// the lockfile is there because something else pulls it in.
				case sec.dev:
					devRoots = append(devRoots, i)
				default:
					prodRoots = append(prodRoots, i)
				}
			}
		}
		prod := yarnReach(entries, prodRoots, find)
		dev := yarnReach(entries, devRoots, find)
		pkgProd := make([]bool, len(out))
		pkgDev := make([]bool, len(out))
		for i, j := range entryPkg {
			if j >= 0 {
				pkgProd[j] = pkgProd[j] || prod[i]
				pkgDev[j] = pkgDev[j] || dev[i]
			}
		}
		for j := range out {
			out[j].Dev = pkgDev[j] && !pkgProd[j]
		}
	}
	return out, firstErr
}

func yarnReach(entries []yarnEntry, roots []int, find func(name, rng string) (int, bool)) []bool {
	seen := make([]bool, len(entries))
	stack := append([]int(nil), roots...)
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[i] {
			continue
		}
		seen[i] = true
		for _, d := range entries[i].deps {
			if j, ok := find(d.name, d.rng); ok && !seen[j] {
				stack = append(stack, j)
			}
		}
	}
	return seen
}
