package deps

import (
	"fmt"
	"strings"
)

// ParsePnpmLock reads pnpm-lock.yaml, lockfile versions 5.x (keys "/name/1.0.0_peers"),
// 6.x ("/name@1.0.0(peers)") and 9.x ("name@1.0.0", with the dependency graph moved to
// "snapshots"). Direct packages are those an importer (the root project or a workspace
// member) lists. Versions 5 and 6 flag dev-only packages; version 9 does not, so there
// the flag is derived from the graph: dev-only means reachable from some importer's
// devDependencies and from none of its dependencies or optionalDependencies. The same
// name@version locked with different peers is one package, at its first line.
func ParsePnpmLock(lockPath string, data []byte) ([]Package, error) {
	root, err := parseYAMLLockfile(lockPath, data, 2)
	if root == nil {
		if err == nil {
			err = fmt.Errorf("%s: no lockfileVersion; not a pnpm lockfile", lockPath)
		}
		return nil, err
	}
	verNode := root.get("lockfileVersion")
	if verNode == nil || verNode.isMap || verNode.text == "" {
		if err == nil {
			err = fmt.Errorf("%s: no lockfileVersion; not a pnpm lockfile", lockPath)
		}
		return nil, err
	}
	ver := verNode.text
	major, _, _ := strings.Cut(strings.SplitN(ver, "-", 2)[0], ".")
	l := pnpmLock{path: lockPath, root: root}
	switch major {
	case "5":
		l.version = 5
	case "6":
		l.version = 6
	case "9":
		l.version = 9
	default:
		return nil, fmt.Errorf("%s: lockfileVersion %s is not supported (posture reads versions 5.x, 6.x and 9.x)", lockPath, ver)
	}
	out, perr := l.packages()
	if err == nil {
		err = perr
	}
	return out, err
}

type pnpmLock struct {
	path    string
	root    *yamlNode
	version int
}

// pnpmDep is one edge of the lockfile's graph: a dependency name and the reference
// pnpm resolved it to ("1.0.0_react@18.2.0", "/alias/1.0.0", "link:../lib", …).
type pnpmDep struct{ name, ref string }

func (l *pnpmLock) packages() ([]Package, error) {
	var firstErr error
	fail := func(line int, format string, args ...any) {
		if firstErr == nil {
			firstErr = fmt.Errorf("%s:%d: %s", l.path, line, fmt.Sprintf(format, args...))
		}
	}

	// Graph nodes are the keys that carry dependencies: package keys in versions 5 and 6,
	// snapshot keys (package key plus peer suffix) in version 9. Every node has an entry
	// in edges; nodePkg maps those that are packages posture reports.
	var out []Package
	ids := map[string]int{}     // package identity → index in out
	nodePkg := map[string]int{} // graph node → index in out
	edges := map[string][]pnpmDep{}
	flag := map[int][]string{} // index in out → the "dev" flags of its keys, versions 5 and 6
	keyPkg := map[string]int{} // package key → index in out, version 9
	for _, m := range l.root.get("packages").entries() {
		if !m.val.isMap && m.val.text != "" {
			fail(m.line, "package %q is not a mapping", m.key)
			continue
		}
		if l.version != 9 {
			edges[m.key] = pnpmEdges(m.val)
		}
		name, version, ok := l.nameVersion(m.key, m.val)
		if !ok {
			continue // a local directory without a version, nothing to match
		}
		p := Package{Ecosystem: "npm", Name: name, Version: version, Path: l.path, Line: m.line}
		p.Source, p.Commit = pnpmSource(m.val.get("resolution"))
		id := name + "@" + version + " " + p.Source
		i, seen := ids[id]
		if !seen {
			i = len(out)
			ids[id] = i
			out = append(out, p)
		}
		if l.version == 9 {
			keyPkg[m.key] = i
			continue
		}
		nodePkg[m.key] = i
		f := "-"
		if d := m.val.get("dev"); d != nil && !d.isMap {
			f = d.text
		}
		flag[i] = append(flag[i], f)
	}
	if l.version == 9 {
		for _, m := range l.root.get("snapshots").entries() {
			edges[m.key] = pnpmEdges(m.val)
			if i, ok := keyPkg[pnpmStripPeers(m.key)]; ok {
				nodePkg[m.key] = i
			}
		}
		// A package no snapshot mentions is still a node, without dependencies.
		for k, i := range keyPkg {
			if _, ok := edges[k]; !ok {
				edges[k] = nil
				nodePkg[k] = i
			}
		}
	}

	var prodRoots, devRoots []string
	importers := []*yamlNode{l.root}
	for _, m := range l.root.get("importers").entries() {
		importers = append(importers, m.val)
	}
	for _, imp := range importers {
		for _, section := range []string{"dependencies", "optionalDependencies", "devDependencies"} {
			for _, m := range imp.get(section).entries() {
				ref := m.val.text
				if m.val.isMap {
					ref = m.val.str("version")
				}
				node := l.resolve(pnpmDep{m.key, ref}, edges)
				if node == "" {
					continue // a workspace link or a reference the lockfile does not lock
				}
				if i, ok := nodePkg[node]; ok {
					out[i].Direct = true
				}
				if section == "devDependencies" {
					devRoots = append(devRoots, node)
				} else {
					prodRoots = append(prodRoots, node)
				}
			}
		}
	}
	prod := l.reach(prodRoots, edges)
	dev := l.reach(devRoots, edges)
	pkgProd := make([]bool, len(out))
	pkgDev := make([]bool, len(out))
	for node, i := range nodePkg {
		pkgProd[i] = pkgProd[i] || prod[node]
		pkgDev[i] = pkgDev[i] || dev[node]
	}
	for i := range out {
		derived := pkgDev[i] && !pkgProd[i]
		out[i].Dev = derived
		// pnpm's own flag wins where it wrote one: "true" dev-only, "false" never dev,
		// absent used by both, which the graph already says. A package locked under
		// several keys (peer variants) is dev-only if every key is.
		if fs := flag[i]; len(fs) > 0 {
			dev := true
			for _, f := range fs {
				switch f {
				case "true":
				case "false":
					dev = false
				default:
					dev = dev && derived
				}
			}
			out[i].Dev = dev
		}
	}
	return out, firstErr
}

// nameVersion reads a package's name and version: from its own name and version fields
// when pnpm wrote them (packages not from the registry), else from the key.
func (l *pnpmLock) nameVersion(key string, val *yamlNode) (name, version string, ok bool) {
	name, version = val.str("name"), val.str("version")
	if name == "" || version == "" {
		kn, kv, kok := l.splitKey(key)
		if !kok {
			return "", "", false
		}
		if name == "" {
			name = kn
		}
		if version == "" {
			version = kv
		}
	}
	version = pnpmStripPeers(version)
	if l.version == 5 {
		version, _, _ = strings.Cut(version, "_")
	}
	if name == "" || version == "" || strings.ContainsAny(version, ":/ ") {
		return "", "", false
	}
	return name, version, true
}

// splitKey takes a registry key apart. Keys of other packages (tarballs, git, local
// directories) do not spell a version, and pnpm writes name and version fields for them.
func (l *pnpmLock) splitKey(key string) (name, version string, ok bool) {
	if l.version == 5 {
		if !strings.HasPrefix(key, "/") {
			return "", "", false
		}
		rest := key[1:]
		i := strings.IndexByte(rest, '/')
		if strings.HasPrefix(rest, "@") && i >= 0 {
			j := strings.IndexByte(rest[i+1:], '/')
			if j < 0 {
				return "", "", false
			}
			i += 1 + j
		}
		if i <= 0 {
			return "", "", false
		}
		return rest[:i], rest[i+1:], true
	}
	rest := key
	if l.version == 6 {
		if !strings.HasPrefix(key, "/") {
			return "", "", false
		}
		rest = key[1:]
	}
	rest = pnpmStripPeers(rest)
	name, version = splitSpec(rest)
	return name, version, name != "" && version != ""
}

// splitSpec splits "name@rest" at the @ that follows the name; a scope's leading @ is
// part of the name.
func splitSpec(s string) (name, rest string) {
	start := 0
	if strings.HasPrefix(s, "@") {
		start = 1
	}
	i := strings.IndexByte(s[start:], '@')
	if i < 0 {
		return s, ""
	}
	i += start
	return s[:i], s[i+1:]
}

// pnpmStripPeers drops the "(peer@1.0.0)(…)" suffix versions 6 and 9 append.
func pnpmStripPeers(s string) string {
	if i := strings.IndexByte(s, '('); i > 0 {
		return s[:i]
	}
	return s
}

func pnpmEdges(val *yamlNode) []pnpmDep {
	var deps []pnpmDep
	for _, section := range []string{"dependencies", "optionalDependencies"} {
		for _, m := range val.get(section).entries() {
			if !m.val.isMap {
				deps = append(deps, pnpmDep{m.key, m.val.text})
			}
		}
	}
	return deps
}

// resolve finds the graph node a reference points to. A plain version is relative to
// the dependency's name; an alias or a non-registry package is referenced by its key.
func (l *pnpmLock) resolve(d pnpmDep, nodes map[string][]pnpmDep) string {
	if d.ref == "" || strings.HasPrefix(d.ref, "link:") {
		return ""
	}
	var candidates []string
	switch l.version {
	case 5:
		candidates = []string{"/" + d.name + "/" + d.ref, d.ref}
	case 6:
		candidates = []string{"/" + d.name + "@" + d.ref, d.ref}
	default:
		candidates = []string{d.name + "@" + d.ref, d.ref}
	}
	for _, c := range candidates {
		if _, ok := nodes[c]; ok {
			return c
		}
	}
	return ""
}

// reach walks the graph from roots and returns every node visited.
func (l *pnpmLock) reach(roots []string, edges map[string][]pnpmDep) map[string]bool {
	seen := map[string]bool{}
	stack := append([]string(nil), roots...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		for _, d := range edges[n] {
			if next := l.resolve(d, edges); next != "" && !seen[next] {
				stack = append(stack, next)
			}
		}
	}
	return seen
}

// pnpmSource says where a package comes from when that is not the registry: a git
// repository at a commit, a tarball URL, or a local directory or tarball.
func pnpmSource(res *yamlNode) (source, commit string) {
	if repo := res.str("repo"); repo != "" {
		commit = res.str("commit")
		if commit != "" {
			return repo + "#" + commit, commit
		}
		return repo, ""
	}
	if dir := res.str("directory"); dir != "" {
		return "path:" + dir, ""
	}
	if tb := res.str("tarball"); tb != "" {
		return tarballSource(tb)
	}
	return "", ""
}

// tarballSource classifies a tarball URL. The npm registry's own tarballs are the
// default source; a GitHub codeload tarball is a git commit in disguise.
func tarballSource(u string) (source, commit string) {
	if p, ok := strings.CutPrefix(u, "file:"); ok {
		return "path:" + p, ""
	}
	if defaultRegistry(u) {
		return "", ""
	}
	if rest, ok := strings.CutPrefix(u, "https://codeload.github.com/"); ok {
		parts := strings.Split(rest, "/")
		if len(parts) == 4 && isCommitHash(parts[3]) {
			commit = parts[3]
		}
	}
	return u, commit
}

func defaultRegistry(u string) bool {
	return strings.HasPrefix(u, "https://registry.npmjs.org/") || strings.HasPrefix(u, "https://registry.yarnpkg.com/")
}

// isCommitHash accepts full and abbreviated hex object names.
func isCommitHash(s string) bool {
	if len(s) < 7 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
