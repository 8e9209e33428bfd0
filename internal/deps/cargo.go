package deps

import "strings"

// cargoLockVersions is the newest Cargo.lock format this parser knows; files without a
// version key are format 1.
const cargoLockVersions = 4

// ParseCargoLock reads Cargo.lock: a sequence of [[package]] tables with name, version and
// source. Packages without a source are the workspace's own crates, not dependencies.
// Cargo.lock records neither which crates are direct nor which are dev-only.
func ParseCargoLock(lockPath string, data []byte) ([]Package, error) {
	doc, lines, err := decodeTOMLLock(lockPath, data, "package")
	var probs problems
	probs.add(err)
	if doc == nil {
		return nil, probs.first
	}
	if v, ok := doc["version"].(int64); ok && (v < 1 || v > cargoLockVersions) {
		// Still read: name and version have kept their place in every format so far, and
		// a scanner that reports nothing for a newer Cargo is worse than one that warns.
		probs.add(errAt(lockPath, 1, "unsupported Cargo.lock version %d (posture reads 1 to %d)", v, cargoLockVersions))
	}
	tables, ok := tomlTables(doc["package"])
	if !ok {
		probs.add(errAt(lockPath, 0, "package is %s, expected an array of tables", tomlKind(doc["package"])))
	}
	var out []Package
	for i, t := range tables {
		line := lineOf(lines, i)
		name, err1 := tomlField[string](t, "name")
		version, err2 := tomlField[string](t, "version")
		source, err3 := tomlField[string](t, "source")
		if err := firstErr(err1, err2, err3); err != nil {
			probs.add(errAt(lockPath, line, "%v", err))
			continue
		}
		if source == "" {
			continue
		}
		if name == "" || version == "" {
			probs.add(errAt(lockPath, line, "package without a name or version"))
			continue
		}
		p := Package{Ecosystem: "crates.io", Name: name, Version: version, Path: lockPath, Line: line}
		p.Source, p.Commit = cargoSource(source)
		out = append(out, p)
	}
	return out, probs.first
}

// cargoSource turns a Cargo.lock source into Package.Source and Commit: empty for
// crates.io, the git URL and pinned commit for git dependencies, the index URL for any
// other registry.
func cargoSource(s string) (source, commit string) {
	switch {
	case s == "registry+https://github.com/rust-lang/crates.io-index", s == "sparse+https://index.crates.io/":
		return "", ""
	case strings.HasPrefix(s, "git+"):
		repo, frag, _ := strings.Cut(s, "#")
		repo, _, _ = strings.Cut(repo, "?") // ?branch=… / ?rev=…: the fragment is what was locked
		if isCommit(frag) {
			commit = frag
		}
		return gitSource(repo, frag), commit
	}
	return s, ""
}

// gitSource formats a git dependency's origin as Package.Source documents it:
// git+<repository>#<ref>, where ref is the locked commit when known.
func gitSource(repo, ref string) string {
	if !strings.HasPrefix(repo, "git+") {
		repo = "git+" + repo
	}
	if ref != "" {
		repo += "#" + ref
	}
	return repo
}

// isCommit reports whether ref is a full git commit id rather than a branch or tag, which
// can move.
func isCommit(ref string) bool {
	if len(ref) != 40 {
		return false
	}
	for _, c := range []byte(ref) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
