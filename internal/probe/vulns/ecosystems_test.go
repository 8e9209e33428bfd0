package vulns

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/deps"
	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/osv"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/testutil"
	"github.com/posture-dev/posture/internal/vulndb"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	ecosystemsTree   = "testdata/ecosystems"
	ecosystemsOSV    = "testdata/ecosystems-osv"
	ecosystemsGolden = "testdata/golden/ecosystems.txt"
)

// TestGoldenEcosystems scans a repository with one lockfile of every format posture reads
// (testdata/ecosystems) against OSV records written for the suite in the shapes GHSA, GO,
// PYSEC and RUSTSEC publish (testdata/ecosystems-osv). The golden file lists every
// finding and, just as important, every package that has records none of which covers
// its locked version: those lines are the designed misses (the fixed version itself, just
// after last_affected, between two intervals, a post-release after the fix…).
//
// Regenerate with: go test ./internal/probe/vulns -run TestGoldenEcosystems -update
// and review the diff line by line.
func TestGoldenEcosystems(t *testing.T) {
	dbDir := t.TempDir()
	meta, err := vulndb.Import(dbDir, ecosystemsOSV, now, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(meta.Problems) > 0 {
		t.Fatalf("records that could not be read: %v", meta.Problems)
	}
	files := readFixture(t, ecosystemsTree)
	p := New(Options{DBDir: dbDir, Now: func() time.Time { return now }})
	r, err := p.Run(context.Background(), testutil.RepoTarget(t, files, fileset.Options{}))
	p.Close()
	if err != nil {
		t.Fatal(err)
	}

	db, err := vulndb.Open(dbDir, now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	misses, seen := notAffected(t, db, files, r.Findings)

	// Every record must matter to the fixture, as a hit or as a designed miss: a record
	// whose package name or ecosystem is misspelt would otherwise be silently inert.
	for _, id := range recordIDs(t, ecosystemsOSV) {
		if !seen[id] {
			t.Errorf("record %s neither matches nor is designed to miss any package of the fixture", id)
		}
	}

	got := renderGolden(meta, r, misses)
	if *update {
		if err := os.MkdirAll(filepath.Dir(ecosystemsGolden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(ecosystemsGolden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(ecosystemsGolden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/probe/vulns -run TestGoldenEcosystems -update)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s; rerun with -update and review the diff.\n%s", ecosystemsGolden, lineDiff(string(want), got))
	}
}

// Regression: the probe used to hand deps.Extract only the lockfiles, so the manifest
// beside one (package.json beside yarn.lock) was never read and every yarn, Poetry and
// Pipenv package was reported as a transitive production dependency.
func TestSiblingManifestDecidesDirectAndDev(t *testing.T) {
	p := New(Options{DBDir: writeDB(t), Now: func() time.Time { return now }})
	defer p.Close()
	found, unknown, _ := run(t, p, map[string]string{
		"web/package.json": `{"name": "web", "devDependencies": {"lodash": "^4.17.15"}}`,
		"web/yarn.lock": `# yarn lockfile v1


lodash@^4.17.15:
  version "4.17.15"
  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.15.tgz"
`,
	})
	if len(found) == 0 || len(unknown) != 0 {
		t.Fatalf("findings %v unknown %v", found, unknown)
	}
	for _, f := range found {
		if pkg := f.Vulnerability.Package; !pkg.Direct || !pkg.Dev {
			t.Errorf("%s: lodash is a direct dev dependency in package.json, got direct=%v dev=%v", f.Vulnerability.ID, pkg.Direct, pkg.Dev)
		}
	}
}

// readFixture reads a directory into the slash path → content map testutil.RepoTarget
// writes out again.
func readFixture(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// recordIDs lists the IDs of the records in dir that are not withdrawn.
func recordIDs(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var v osv.Vulnerability
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if !strings.Contains(v.Summary, "(test fixture)") {
			t.Errorf("%s: summary does not say it is a test fixture", p)
		}
		if v.Withdrawn == nil {
			ids = append(ids, v.ID)
		}
	}
	return ids
}

type miss struct {
	pkg deps.Package
	rec osv.Vulnerability
}

// notAffected lists, for every package the fixture locks, the records the database holds
// for its name that produced no finding for it. seen collects every record ID that
// either matched or was looked at and did not.
func notAffected(t *testing.T, db *vulndb.DB, files map[string]string, findings []finding.Finding) ([]miss, map[string]bool) {
	t.Helper()
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	lockfiles, errs := deps.Extract(paths, func(p string) ([]byte, error) { return []byte(files[p]), nil })
	if len(errs) > 0 {
		t.Fatalf("the fixture's lockfiles must all parse: %v", errs)
	}
	seen := map[string]bool{}
	hit := map[string]bool{} // location and package + record ID
	for _, f := range findings {
		v := f.Vulnerability
		for _, id := range append([]string{v.ID}, v.Aliases...) {
			seen[id] = true
			hit[pkgKey(f.Location.Path, f.Location.Line, v.Package.Name, v.Package.Version)+" "+id] = true
		}
	}
	var out []miss
	for _, lf := range lockfiles {
		for _, pkg := range lf.Packages {
			recs, err := db.Lookup(pkg.Ecosystem, pkg.Name)
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range recs {
				if hit[pkgKey(pkg.Path, pkg.Line, pkg.Name, pkg.Version)+" "+rec.ID] {
					continue
				}
				seen[rec.ID] = true
				out = append(out, miss{pkg, rec})
			}
		}
	}
	return out, seen
}

func pkgKey(path string, line int, name, version string) string {
	return path + ":" + strconv.Itoa(line) + " " + name + "@" + version
}

// renderGolden writes the result as text a reviewer can check line by line.
func renderGolden(meta *vulndb.Meta, r *probe.Result, misses []miss) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# VM-3 on %s against %s (%d records, %d withdrawn)\n", ecosystemsTree, ecosystemsOSV, meta.Records, meta.Withdrawn)

	found := append([]finding.Finding(nil), r.Findings...)
	sort.Slice(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if a.Location.Path != b.Location.Path {
			return a.Location.Path < b.Location.Path
		}
		if a.Location.Line != b.Location.Line {
			return a.Location.Line < b.Location.Line
		}
		return a.Vulnerability.ID < b.Vulnerability.ID
	})
	ms := append([]miss(nil), misses...)
	sort.Slice(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.pkg.Path != b.pkg.Path {
			return a.pkg.Path < b.pkg.Path
		}
		if a.pkg.Line != b.pkg.Line {
			return a.pkg.Line < b.pkg.Line
		}
		return a.rec.ID < b.rec.ID
	})

	type counts struct{ findings, misses int }
	byEco := map[string]*counts{}
	eco := func(e string) *counts {
		if byEco[e] == nil {
			byEco[e] = &counts{}
		}
		return byEco[e]
	}
	for _, f := range found {
		eco(f.Vulnerability.Package.Ecosystem).findings++
	}
	for _, m := range ms {
		eco(m.pkg.Ecosystem).misses++
	}
	var ecos []string
	for e := range byEco {
		ecos = append(ecos, e)
	}
	sort.Strings(ecos)
	b.WriteString("\n# ecosystem: findings, records that do not affect the locked version\n")
	for _, e := range ecos {
		fmt.Fprintf(&b, "%s: %d, %d\n", e, byEco[e].findings, byEco[e].misses)
	}

	b.WriteString("\n# findings: path:line ecosystem name@version kind id [aliases] fixed=… severity=rating/source\n")
	for _, f := range found {
		v := f.Vulnerability
		fmt.Fprintf(&b, "%s:%d %s %s@%s %s %s [%s] fixed=%s severity=%s/%s\n",
			f.Location.Path, f.Location.Line, v.Package.Ecosystem, v.Package.Name, v.Package.Version,
			kind(v.Package.Direct, v.Package.Dev), v.ID, strings.Join(v.Aliases, " "), v.Fixed, f.Severity, scoreSource(v.Severity))
	}

	b.WriteString("\n# not affected: path:line ecosystem name@version id: what the record covers\n")
	for _, m := range ms {
		fmt.Fprintf(&b, "%s:%d %s %s@%s %s: %s\n", m.pkg.Path, m.pkg.Line, m.pkg.Ecosystem, m.pkg.Name, m.pkg.Version, m.rec.ID, coverage(m.rec))
	}

	section := func(title string, lines []string) {
		fmt.Fprintf(&b, "\n# %s\n", title)
		sort.Strings(lines)
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
	}
	var unknown, na []string
	for c, why := range r.Unknown {
		unknown = append(unknown, c+": "+why)
	}
	for c, why := range r.NotApplicable {
		na = append(na, c+": "+why)
	}
	section("unknown", unknown)
	section("not applicable", na)
	section("incomplete", append([]string(nil), r.Incomplete...))
	section("warnings", append([]string(nil), r.Warnings...))
	return b.String()
}

func kind(direct, dev bool) string {
	k := "transitive"
	if direct {
		k = "direct"
	}
	if dev {
		k += ",dev"
	}
	return k
}

func scoreSource(s *finding.Score) string {
	switch {
	case s == nil:
		return "none"
	case s.Source == "cvss":
		version, _, _ := strings.Cut(strings.TrimPrefix(s.Vector, "CVSS:"), "/")
		return fmt.Sprintf("cvss(%s %.1f)", version, s.Base)
	}
	return s.Source + "(" + s.Rating + ")"
}

// coverage summarises what a record's affected entries cover: its ranges as intervals
// and its explicit versions list.
func coverage(v osv.Vulnerability) string {
	var parts []string
	for _, a := range v.Affected {
		for _, r := range a.Ranges {
			if r.Type == "GIT" {
				parts = append(parts, fmt.Sprintf("GIT %d events", len(r.Events)))
				continue
			}
			var iv []string
			open, isOpen := "", false
			for _, e := range r.Events {
				switch {
				case e.Introduced != "":
					open, isOpen = e.Introduced, true
				case e.Fixed != "":
					iv = append(iv, "["+open+", "+e.Fixed+")")
					isOpen = false
				case e.LastAffected != "":
					iv = append(iv, "["+open+", "+e.LastAffected+"]")
					isOpen = false
				case e.Limit != "":
					iv = append(iv, "limit "+e.Limit)
				}
			}
			if isOpen {
				iv = append(iv, "["+open+", ∞)")
			}
			parts = append(parts, r.Type+" "+strings.Join(iv, " "))
		}
		if n := len(a.Versions); n > 0 {
			parts = append(parts, fmt.Sprintf("versions %s … %s (%d)", a.Versions[0], a.Versions[n-1], n))
		}
	}
	return strings.Join(parts, "; ")
}

// lineDiff shows the first lines that differ, enough to see what changed.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 20; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}
