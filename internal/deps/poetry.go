package deps

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// poetryLockMajor is the newest poetry.lock format ("lock-version") this parser knows.
const poetryLockMajor = 2

// ParsePoetryLock reads poetry.lock without its pyproject.toml: which packages are direct
// is then unknown.
func ParsePoetryLock(lockPath string, data []byte) ([]Package, error) {
	return parsePoetryLock(lockPath, data, nil)
}

// ParsePoetryLockWithPyproject reads poetry.lock together with the pyproject.toml beside
// it, which declares the direct dependencies.
func ParsePoetryLockWithPyproject(lockPath string, data, pyproject []byte) ([]Package, error) {
	decl, err := readPyproject(sibling(lockPath, "pyproject.toml"), pyproject)
	pkgs, lerr := parsePoetryLock(lockPath, data, decl)
	return pkgs, errors.Join(lerr, err)
}

// parsePoetryLock reads the [[package]] tables of poetry.lock. Which packages are only
// for development is recorded differently by each Poetry generation: 1.x writes
// category = "main" | "dev", 1.5 to 1.8 (lock-version 2.0) write nothing, and 2.x writes
// groups = ["main", "dev", …]. Without either, the pyproject.toml declarations are used for
// the direct dependencies and transitive ones are not marked.
//
// A name can appear more than once with different versions: Poetry locks one version per
// environment when constraints differ by marker (numpy for old and new Pythons). Both are
// kept, since either may be the one installed.
func parsePoetryLock(lockPath string, data []byte, decl map[string]pyDeclared) ([]Package, error) {
	doc, lines, err := decodeTOMLLock(lockPath, data, "package")
	var probs problems
	probs.add(err)
	if doc == nil {
		return nil, probs.first
	}
	if meta, ok := doc["metadata"].(map[string]any); ok {
		if v, ok := meta["lock-version"].(string); ok {
			major, _, _ := strings.Cut(v, ".")
			if n, err := strconv.Atoi(major); err != nil || n < 1 || n > poetryLockMajor {
				probs.add(errAt(lockPath, 0, "unsupported poetry.lock lock-version %q (posture reads 1.x and 2.x)", v))
			}
		}
	}
	tables, ok := tomlTables(doc["package"])
	if !ok {
		probs.add(errAt(lockPath, 0, "package is %s, expected an array of tables", tomlKind(doc["package"])))
	}
	var out []Package
	for i, t := range tables {
		line := lineOf(lines, i)
		p, err := poetryPackage(t, decl)
		if err != nil {
			probs.add(errAt(lockPath, line, "%v", err))
			continue
		}
		p.Path, p.Line = lockPath, line
		out = append(out, p)
	}
	return out, probs.first
}

func poetryPackage(t map[string]any, decl map[string]pyDeclared) (Package, error) {
	name, err1 := tomlField[string](t, "name")
	version, err2 := tomlField[string](t, "version")
	category, err3 := tomlField[string](t, "category")
	groups, err4 := tomlStrings(t, "groups")
	source, err5 := tomlField[map[string]any](t, "source")
	if err := firstErr(err1, err2, err3, err4, err5); err != nil {
		return Package{}, err
	}
	p := Package{Ecosystem: "PyPI", Name: pyName(name), Version: version}
	if p.Name == "" {
		return Package{}, fmt.Errorf("package without a name")
	}
	d, declared := decl[p.Name]
	p.Direct = declared
	switch {
	case category != "":
		p.Dev = category == "dev"
	case t["groups"] != nil:
		p.Dev = !slices.Contains(groups, "main")
	default:
		p.Dev = d.devOnly()
	}
	if source != nil {
		typ, err1 := tomlField[string](source, "type")
		u, err2 := tomlField[string](source, "url")
		ref, err3 := tomlField[string](source, "reference")
		resolved, err4 := tomlField[string](source, "resolved_reference")
		if err := firstErr(err1, err2, err3, err4); err != nil {
			return Package{}, fmt.Errorf("%s: source: %w", name, err)
		}
		switch typ {
		case "git":
			if resolved == "" {
				resolved = ref
			}
			p.Source = gitSource(u, resolved)
			if isCommit(resolved) {
				p.Commit = resolved
			}
		case "file", "directory":
			p.Source = "path:" + u
		default: // "url", and "legacy" for a package from a secondary index
			if !isDefaultPyPI(u) {
				p.Source = u
			}
		}
	}
	return p, nil
}

// readPyproject collects the dependencies pyproject.toml declares: Poetry's own tables
// ([tool.poetry.dependencies], [tool.poetry.group.<g>.dependencies], the pre-1.2
// [tool.poetry.dev-dependencies]), PEP 621 [project] dependencies and optional
// dependencies (extras ship with the package), and PEP 735 [dependency-groups], which
// are for development. Keys are PEP 503 names.
func readPyproject(path string, data []byte) (map[string]pyDeclared, error) {
	doc, err := decodeTOML(path, data)
	if err != nil {
		return nil, err
	}
	decl := map[string]pyDeclared{}
	add := func(name string, dev bool) {
		n := pyName(name)
		if n == "" || n == "python" {
			return
		}
		d := decl[n]
		if dev {
			d.dev = true
		} else {
			d.main = true
		}
		decl[n] = d
	}
	var probs problems
	addPEP508 := func(where string, v any, dev bool) {
		arr, ok := v.([]any)
		if !ok && v != nil {
			probs.add(errAt(path, 0, "%s is %s, expected an array", where, tomlKind(v)))
		}
		for _, e := range arr {
			s, ok := e.(string)
			if !ok {
				continue // a PEP 735 {include-group = "…"}
			}
			if r, err := parsePyRequirement(s); err != nil {
				probs.add(errAt(path, 0, "%s: malformed requirement %q: %v", where, s, err))
			} else {
				add(r.name, dev)
			}
		}
	}
	project, _ := doc["project"].(map[string]any)
	addPEP508("project.dependencies", project["dependencies"], false)
	if extras, ok := project["optional-dependencies"].(map[string]any); ok {
		for extra, v := range extras {
			addPEP508("project.optional-dependencies."+extra, v, false)
		}
	}
	if groups, ok := doc["dependency-groups"].(map[string]any); ok {
		for g, v := range groups {
			addPEP508("dependency-groups."+g, v, true)
		}
	}
	tool, _ := doc["tool"].(map[string]any)
	poetry, _ := tool["poetry"].(map[string]any)
	addKeys := func(v any, dev bool) {
		t, _ := v.(map[string]any)
		for name := range t {
			add(name, dev)
		}
	}
	addKeys(poetry["dependencies"], false)
	addKeys(poetry["dev-dependencies"], true)
	if groups, ok := poetry["group"].(map[string]any); ok {
		for g, v := range groups {
			gt, _ := v.(map[string]any)
			addKeys(gt["dependencies"], g != "main")
		}
	}
	return decl, probs.first
}
