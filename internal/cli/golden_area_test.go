package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// goldenScan scans one fixture tree under testdata/ (run from the repository root, so
// target names stay repo-relative) and compares the text report with
// internal/cli/testdata/golden/<name>.txt; -update rewrites it. Areas with their own
// fixture (nginx, compose, Terraform…) call it from their own test, with --only to keep
// the golden about that area.
func goldenScan(t *testing.T, name string, args ...string) {
	t.Helper()
	root := repoRoot(t)
	t.Chdir(root)
	out, stderr, code := runCLI(t, append([]string{"scan", "--no-color"}, args...)...)
	if code != ExitOK && code != ExitFailing {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	golden := filepath.Join(root, "internal", "cli", "testdata", "golden", name+".txt")
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
