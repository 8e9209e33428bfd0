package deps

import (
	"fmt"
	"strings"
)

// uvLockVersion is the uv.lock format this parser reads. uv bumps it on incompatible
// changes; additive ones only raise the separate "revision".
const uvLockVersion = 1

// uvPackage is one [[package]] of uv.lock, with its edges in the dependency graph.
type uvPackage struct {
	Package
	local    bool // editable or virtual: the project itself or a workspace member
	localDir string
	deps     []uvEdge
	extras   map[string][]uvEdge // optional-dependencies by extra
	groups   map[string][]uvEdge // dev-dependencies by group
	declared []string            // names in metadata.requires-dist and requires-dev
}

// uvEdge is a dependency entry: { name = "x", version = "1.0", extra = ["socks"] }. The
// version is only written when the lock holds more than one version of x.
type uvEdge struct {
	name, version string
	extras        []string
}

// ParseUVLock reads uv.lock. The project's own package (and each workspace member) has an
// editable or virtual source and is not a dependency; the packages it depends on are
// Direct. uv.lock is the whole dependency graph, so Dev is computed rather than guessed:
// a package is Dev when it is reachable from the project only through a development
// group (dev-dependencies), never through its dependencies or extras.
func ParseUVLock(lockPath string, data []byte) ([]Package, error) {
	doc, lines, err := decodeTOMLLock(lockPath, data, "package")
	var probs problems
	probs.add(err)
	if doc == nil {
		return nil, probs.first
	}
	// A newer format is still read (names and versions are unlikely to move) but flagged:
	// Direct and Dev come from parts of the layout that may have changed.
	switch v, ok := doc["version"].(int64); {
	case !ok:
		probs.add(errAt(lockPath, 1, "no lockfile version (expected version = %d)", uvLockVersion))
	case v != uvLockVersion:
		probs.add(errAt(lockPath, 1, "unsupported uv.lock version %d (posture reads version %d)", v, uvLockVersion))
	}
	tables, ok := tomlTables(doc["package"])
	if !ok {
		probs.add(errAt(lockPath, 0, "package is %s, expected an array of tables", tomlKind(doc["package"])))
	}
	var pkgs []*uvPackage
	for i, t := range tables {
		line := lineOf(lines, i)
		p, err := readUVPackage(t)
		if err != nil {
			probs.add(errAt(lockPath, line, "%v", err))
			continue
		}
		p.Path, p.Line = lockPath, line
		pkgs = append(pkgs, p)
	}
	var members []string
	if m, ok := doc["manifest"].(map[string]any); ok {
		members, _ = tomlStrings(m, "members")
	}
	markUVGraph(pkgs, members)
	var out []Package
	for _, p := range pkgs {
		if !p.local {
			out = append(out, p.Package)
		}
	}
	return out, probs.first
}

func readUVPackage(t map[string]any) (*uvPackage, error) {
	name, err1 := tomlField[string](t, "name")
	version, err2 := tomlField[string](t, "version")
	source, err3 := tomlField[map[string]any](t, "source")
	if err := firstErr(err1, err2, err3); err != nil {
		return nil, err
	}
	p := &uvPackage{Package: Package{Ecosystem: "PyPI", Name: pyName(name), Version: version}}
	if p.Name == "" {
		return nil, fmt.Errorf("package without a name")
	}
	for k, v := range source {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: source.%s is %s, expected a string", name, k, tomlKind(v))
		}
		switch k {
		case "registry":
			if !isDefaultPyPI(s) {
				p.Source = s
			}
		case "git":
			// https://host/o/r?rev=…#<commit>: the fragment is what was locked.
			repo, commit, _ := strings.Cut(s, "#")
			repo, _, _ = strings.Cut(repo, "?")
			p.Source = gitSource(repo, commit)
			if isCommit(commit) {
				p.Commit = commit
			}
		case "url":
			p.Source = s
		case "path", "directory":
			p.Source = "path:" + s
		case "editable", "virtual":
			p.local, p.localDir = true, s
			p.Source = "path:" + s
		}
	}
	var err error
	if p.deps, err = uvEdges(t["dependencies"]); err != nil {
		return nil, fmt.Errorf("%s: dependencies: %w", name, err)
	}
	if p.extras, err = uvEdgeGroups(t["optional-dependencies"]); err != nil {
		return nil, fmt.Errorf("%s: optional-dependencies: %w", name, err)
	}
	if p.groups, err = uvEdgeGroups(t["dev-dependencies"]); err != nil {
		return nil, fmt.Errorf("%s: dev-dependencies: %w", name, err)
	}
	if meta, ok := t["metadata"].(map[string]any); ok {
		if reqs, ok := tomlTables(meta["requires-dist"]); ok {
			for _, r := range reqs {
				if n, ok := r["name"].(string); ok {
					p.declared = append(p.declared, pyName(n))
				}
			}
		}
		if groups, ok := meta["requires-dev"].(map[string]any); ok {
			for _, g := range groups {
				reqs, _ := tomlTables(g)
				for _, r := range reqs {
					if n, ok := r["name"].(string); ok {
						p.declared = append(p.declared, pyName(n))
					}
				}
			}
		}
	}
	return p, nil
}

func uvEdges(v any) ([]uvEdge, error) {
	tables, ok := tomlTables(v)
	if !ok {
		return nil, fmt.Errorf("%s, expected an array of tables", tomlKind(v))
	}
	var out []uvEdge
	for _, t := range tables {
		name, err1 := tomlField[string](t, "name")
		version, err2 := tomlField[string](t, "version")
		extras, err3 := tomlStrings(t, "extra")
		if err := firstErr(err1, err2, err3); err != nil {
			return nil, err
		}
		if name != "" {
			out = append(out, uvEdge{name: pyName(name), version: version, extras: extras})
		}
	}
	return out, nil
}

func uvEdgeGroups(v any) (map[string][]uvEdge, error) {
	if v == nil {
		return nil, nil
	}
	t, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s, expected a table", tomlKind(v))
	}
	out := make(map[string][]uvEdge, len(t))
	for g, e := range t {
		edges, err := uvEdges(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g, err)
		}
		out[g] = edges
	}
	return out, nil
}

// markUVGraph sets Direct and Dev. The roots are the workspace members named in
// [manifest], or else the package at "." (a single project); local packages that are not
// roots are path dependencies and are treated like any other dependency.
func markUVGraph(pkgs []*uvPackage, members []string) {
	byName := map[string][]int{}
	for i, p := range pkgs {
		byName[p.Name] = append(byName[p.Name], i)
	}
	isRoot := make([]bool, len(pkgs))
	for _, m := range members {
		for _, i := range byName[pyName(m)] {
			isRoot[i] = pkgs[i].local
		}
	}
	if len(members) == 0 {
		for i, p := range pkgs {
			isRoot[i] = p.local && (p.localDir == "." || p.localDir == "")
		}
	}
	// A package with editable or virtual source that is no root is still local code: a
	// dependency on another directory of the repository, not on PyPI.
	for i, p := range pkgs {
		if p.local && !isRoot[i] {
			p.local = false
		}
	}
	direct := map[string]bool{}
	var prodSeeds, devSeeds []uvEdge
	for i, p := range pkgs {
		if !isRoot[i] {
			continue
		}
		prodSeeds = append(prodSeeds, p.deps...)
		for _, edges := range p.extras {
			prodSeeds = append(prodSeeds, edges...)
		}
		for _, edges := range p.groups {
			devSeeds = append(devSeeds, edges...)
		}
		for _, n := range p.declared {
			direct[n] = true
		}
	}
	for _, e := range append(append([]uvEdge(nil), prodSeeds...), devSeeds...) {
		direct[e.name] = true
	}
	prod := reachUV(pkgs, byName, prodSeeds)
	dev := reachUV(pkgs, byName, devSeeds)
	for i, p := range pkgs {
		if isRoot[i] {
			continue
		}
		p.Direct = direct[p.Name]
		p.Dev = dev[i] && !prod[i]
	}
}

// reachUV walks the graph from seeds. A node is a package with one of its extras active
// (or none): depending on requests[socks] brings in requests' "socks" optional
// dependencies, and only those.
func reachUV(pkgs []*uvPackage, byName map[string][]int, seeds []uvEdge) []bool {
	type node struct {
		pkg   int
		extra string
	}
	reached := make([]bool, len(pkgs))
	seen := map[node]bool{}
	var queue []node
	follow := func(e uvEdge) {
		for _, i := range byName[e.name] {
			if e.version != "" && pkgs[i].Version != e.version {
				continue
			}
			reached[i] = true
			for _, x := range append([]string{""}, e.extras...) {
				if n := (node{i, x}); !seen[n] {
					seen[n] = true
					queue = append(queue, n)
				}
			}
		}
	}
	for _, e := range seeds {
		follow(e)
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		edges := pkgs[n.pkg].deps
		if n.extra != "" {
			edges = pkgs[n.pkg].extras[n.extra]
		}
		for _, e := range edges {
			follow(e)
		}
	}
	return reached
}
