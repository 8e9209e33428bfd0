package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	// A test that needs posture as a separate process it can kill -9 re-runs this binary
	// with the command line in POSTURE_CLI_CHILD (a JSON array) instead of building one.
	if args := os.Getenv("POSTURE_CLI_CHILD"); args != "" {
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			panic(err)
		}
		os.Exit(Main(context.Background(), argv, os.Stdout, os.Stderr))
	}
	// Commands fall back to the user's cache directory for the vulnerability database;
	// tests must never read or write the real one.
	cache, err := os.MkdirTemp("", "posture-cli-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", cache)
	code := m.Run()
	os.RemoveAll(cache)
	os.Exit(code)
}

const vulnerableLock = `{
  "name": "shop",
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "shop", "dependencies": {"lodash": "^4.17.15"}},
    "node_modules/lodash": {
      "version": "4.17.15"
    }
  }
}
`

func TestDBImportStatusAndScan(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	_, stderr, code := runCLI(t, "db", "status", "--db", db)
	if code != ExitError || !strings.Contains(stderr, "posture db update") {
		t.Fatalf("status without a database: %d %s", code, stderr)
	}
	out, stderr, code := runCLI(t, "db", "import", "--db", db, filepath.Join("testdata", "osv"))
	if code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	for _, want := range []string{"records:   3 (1 withdrawn skipped", "npm", "Packagist", "import-osv.zip"} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	out, _, code = runCLI(t, "db", "status", "--db", db)
	if code != 0 || !strings.Contains(out, "data as of 2026-11-25") {
		t.Fatalf("status: %d\n%s", code, out)
	}

	repo := writeFiles(t, map[string]string{"package-lock.json": vulnerableLock})
	out, stderr, code = runCLI(t, "scan", "--only", "VM-3", "--format", "json", "--db", db, repo)
	if code != ExitFailing {
		t.Fatalf("scan: exit %d\n%s", code, stderr)
	}
	var doc struct {
		Targets []struct {
			Controls []struct {
				Findings []struct {
					Rule          string `json:"rule"`
					Severity      string `json:"severity"`
					Vulnerability struct {
						ID    string `json:"id"`
						Fixed string `json:"fixed"`
					} `json:"vulnerability"`
				} `json:"findings"`
			} `json:"controls"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err, out)
	}
	fs := doc.Targets[0].Controls[0].Findings
	if len(fs) != 1 || fs[0].Vulnerability.ID != "GHSA-35jh-r3h4-6jhm" || fs[0].Vulnerability.Fixed != "4.17.21" || fs[0].Severity != "high" {
		t.Fatalf("findings: %+v", fs)
	}
}

func TestScanWithoutDatabaseSaysUnknown(t *testing.T) {
	repo := writeFiles(t, map[string]string{"package-lock.json": vulnerableLock})
	out, _, _ := runCLI(t, "scan", "--only", "VM-3", "--db", filepath.Join(t.TempDir(), "none"), repo)
	if !strings.Contains(out, "unknown") || !strings.Contains(out, "posture db update") {
		t.Fatalf("VM-3 without a database must be unknown with the way out:\n%s", out)
	}
}

func TestDBUpdateFromMirror(t *testing.T) {
	srv := newOSVMirror(t, filepath.Join("testdata", "osv"))
	db := filepath.Join(t.TempDir(), "db")
	out, stderr, code := runCLI(t, "db", "update", "--db", db, "--mirror", srv, "--ecosystem", "npm", "--ecosystem", "Packagist")
	if code != 0 {
		t.Fatalf("update: %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "npm: ") || !strings.Contains(out, "download") {
		t.Errorf("progress or sources missing:\nstdout:\n%s\nstderr:\n%s", out, stderr)
	}
	_, stderr, _ = runCLI(t, "db", "update", "--db", db, "--mirror", srv, "--ecosystem", "npm")
	if !strings.Contains(stderr, "npm: unchanged") {
		t.Errorf("second update downloaded again:\n%s", stderr)
	}
}
