package cli

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/testutil"
)

// TestGoldenChangeControl scans a repository built inside the test with fixed authors,
// dates and contents, so its commit ids and the report are the same on every run: the
// CH section of the report for a known mix of reviewed and direct changes.
func TestGoldenChangeControl(t *testing.T) {
	golden := filepath.Join(repoRoot(t), "internal", "cli", "testdata", "golden", "change-control.txt")
	parent := t.TempDir()
	g := testutil.NewGitRepo(t, filepath.Join(parent, "repo"))
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 9, 30, 0, 0, time.UTC) }
	mia := testutil.Person{Name: "Mia Maintainer", Email: "mia@example.com"}
	g.Write(".github/CODEOWNERS", "/src/ @acme/dev\n/.github/ @acme/dev\n")
	g.Commit(mia, at(time.July, 1), "Initial commit")
	g.Commit(testutil.Person{Name: "Olga Old", Email: "olga@example.com"}, at(time.August, 1), "old direct push, before the window")
	g.MergeBranch(mia, at(time.September, 5), "feature-1", "Merge pull request #11 from acme/feature-1")
	g.Commit(mia, at(time.September, 10), "Add export (#12)")
	g.Commit(testutil.Person{Name: "Dana Direct", Email: "dana@example.com"}, at(time.September, 20), "hotfix: bump timeout")
	g.Commit(mia, at(time.October, 1), "Tune the cache\n\nReviewed-by: Rui Reviewer <rui@example.com>")
	g.Commit(testutil.Person{Name: "Erik Eager", Email: "erik@example.com"}, at(time.October, 15), "quick fix for login")
	g.MergeBranch(mia, at(time.November, 1), "feature-2", "Merge pull request #13 from acme/feature-2")
	g.Write("src/main.go", "package main\n")
	g.Commit(mia, at(time.November, 20), "Add main (#14)")
	g.Git(mia, at(time.November, 20), "remote", "add", "origin", "git@github.com:acme/widget.git")

	t.Chdir(parent)
	out, stderr, code := runCLI(t, "scan", "--no-color", "--only", "CH", "repo")
	if code != ExitOK {
		t.Fatalf("exit code %d (CH-1 is medium, below the default --fail-on high); stderr:\n%s", code, stderr)
	}
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run %s -update)", err, t.Name())
	}
	if out != string(want) {
		t.Errorf("output differs from %s; rerun with -update and review the diff.\n%s", golden, firstDiff(string(want), out))
	}
}
