package hygiene

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
	"github.com/posture-dev/posture/internal/textpos"
)

// Lockfiles checks that every manifest declaring dependencies has a lockfile committed
// beside it (VM-1): without one, each install may resolve different, unreviewed versions.
type Lockfiles struct{}

func (Lockfiles) Name() string               { return "repo/lockfiles" }
func (Lockfiles) Controls() []string         { return []string{"VM-1"} }
func (Lockfiles) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (Lockfiles) Description() string {
	return "every manifest that declares dependencies has a lockfile in the repository"
}

// lockRule says which lockfiles satisfy a manifest and whether a workspace root above the
// manifest may hold it.
type lockRule struct {
	manifest  string
	lockfiles []string
	ancestors bool
	// needsLock reads the manifest and says whether it declares any dependency; a parse
	// error is returned with its line so the control can be "unknown" for that file.
	needsLock func(data []byte) (bool, error)
}

var lockRules = []lockRule{
	{"package.json", []string{"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "bun.lockb"}, true, npmNeedsLock},
	{"composer.json", []string{"composer.lock"}, false, composerNeedsLock},
	{"go.mod", []string{"go.sum"}, false, goModNeedsLock},
	{"Gemfile", []string{"Gemfile.lock"}, false, always},
	{"gems.rb", []string{"gems.locked"}, false, always},
	{"Cargo.toml", []string{"Cargo.lock"}, true, tomlHasSection("dependencies", "dev-dependencies", "build-dependencies", "workspace.dependencies")},
	{"Pipfile", []string{"Pipfile.lock"}, false, tomlHasSection("packages", "dev-packages")},
	{"pyproject.toml", []string{"poetry.lock", "uv.lock", "pdm.lock", "pylock.toml", "Pipfile.lock"}, true, pyprojectNeedsLock},
}

func (p Lockfiles) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	manifests := 0
	for _, rule := range lockRules {
		for _, f := range t.Files.Named(rule.manifest) {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if installed(f.Path) || path.Base(f.Path) != rule.manifest {
				continue
			}
			manifests++
			data, err := t.Files.Read(f)
			if err != nil {
				r.MarkUnknown("VM-1", err.Error())
				continue
			}
			need, err := rule.needsLock(data)
			if err != nil {
				r.MarkUnknown("VM-1", fmt.Sprintf("%s: %v", f.Path, err))
				continue
			}
			if !need || hasLock(t.Files, f.Dir(), rule) {
				continue
			}
			r.Add(finding.Finding{
				Control: "VM-1", Rule: "repo/lockfiles/missing",
				Location: finding.Location{Path: f.Path, Line: 1},
				Message:  fmt.Sprintf("%s declares dependencies but no lockfile (%s) is committed, so installs are not reproducible.", f.Path, strings.Join(rule.lockfiles, ", ")),
				Fix:      "Generate the lockfile with the package manager and commit it.",
				Key:      f.Path,
			})
		}
	}
	if manifests == 0 {
		r.MarkNotApplicable("VM-1", "no dependency manifests found")
	}
	return r, nil
}

func hasLock(fs *fileset.Set, dir string, rule lockRule) bool {
	for d := dir; ; d = path.Dir(d) {
		for _, l := range rule.lockfiles {
			if _, ok := fs.Lookup(path.Join(d, l)); ok {
				return true
			}
		}
		if !rule.ancestors || d == "." || d == "/" {
			return false
		}
	}
}

func always([]byte) (bool, error) { return true, nil }

func npmNeedsLock(data []byte) (bool, error) {
	var m struct {
		Dependencies         map[string]any `json:"dependencies"`
		DevDependencies      map[string]any `json:"devDependencies"`
		OptionalDependencies map[string]any `json:"optionalDependencies"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return false, jsonErr(data, err)
	}
	return len(m.Dependencies)+len(m.DevDependencies)+len(m.OptionalDependencies) > 0, nil
}

func composerNeedsLock(data []byte) (bool, error) {
	var m struct {
		Require    map[string]any `json:"require"`
		RequireDev map[string]any `json:"require-dev"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return false, jsonErr(data, err)
	}
	for _, deps := range []map[string]any{m.Require, m.RequireDev} {
		for name := range deps {
			// PHP itself and its extensions are platform requirements, not packages.
			if name != "php" && !strings.HasPrefix(name, "ext-") && !strings.HasPrefix(name, "lib-") {
				return true, nil
			}
		}
	}
	return false, nil
}

// goModNeedsLock is true when go.mod has a require directive.
func goModNeedsLock(data []byte) (bool, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "require" || strings.HasPrefix(line, "require ") || strings.HasPrefix(line, "require(") || strings.HasPrefix(line, "require\t") {
			return true, nil
		}
	}
	return false, sc.Err()
}

// tomlHasSection reports whether a TOML document has a non-empty table with one of the
// given names. Only table headers and key lines are read; values are not interpreted.
func tomlHasSection(names ...string) func([]byte) (bool, error) {
	return func(data []byte) (bool, error) {
		for table, keys := range tomlTables(data) {
			for _, n := range names {
				if (table == n || strings.HasSuffix(table, "."+n)) && keys > 0 {
					return true, nil
				}
			}
		}
		return false, nil
	}
}

// tomlTables counts the key lines under each table header.
func tomlTables(data []byte) map[string]int {
	out := map[string]int{}
	table := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			table = strings.Trim(strings.TrimSpace(strings.SplitN(line, "#", 2)[0]), "[] ")
			out[table] += 0
		case strings.Contains(line, "="):
			out[table]++
			key := strings.TrimSpace(line[:strings.Index(line, "=")])
			// Inline "dependencies = [...]" under [project] counts as a table of its own.
			if val := strings.TrimSpace(line[strings.Index(line, "=")+1:]); val != "[]" && val != "{}" {
				out[table+"."+key]++
			}
		}
	}
	return out
}

func pyprojectNeedsLock(data []byte) (bool, error) {
	return tomlHasSection("project.dependencies", "project.optional-dependencies",
		"tool.poetry.dependencies", "tool.poetry.group.dev.dependencies", "dependency-groups")(data)
}

// jsonErr locates a JSON error in the manifest.
func jsonErr(data []byte, err error) error {
	if line, col, ok := textpos.JSONPos(data, err); ok {
		return fmt.Errorf("line %d, column %d: does not parse as JSON: %w", line, col, err)
	}
	return fmt.Errorf("does not parse as JSON: %w", err)
}
