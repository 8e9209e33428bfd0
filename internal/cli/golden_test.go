package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/vulndb"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixedEnv runs commands with a fixed clock and version so output is reproducible.
func fixedEnv(stdout, stderr io.Writer) *env {
	return &env{
		stdout: stdout, stderr: stderr,
		now:        func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) },
		getenv:     func(string) string { return "" },
		isTerminal: func(io.Writer) bool { return false },
		version:    func() (string, string) { return "0.1.0-test", "0000000000000000000000000000000000000000" },
	}
}

// repoRoot is where golden tests run from, so that target names are repo-relative.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "..", "..")
}

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), fixedEnv(&out, &errb), args)
	return out.String(), errb.String(), code
}

// The fixture holds one problem per probe, a deviation in force, one approved by its own
// requester and one expired. The golden files pin the exact controls and findings.
func TestGoldenKnownProblems(t *testing.T) {
	root := repoRoot(t)
	t.Chdir(root)
	db := knownProblemsDB(t)
	ext := map[string]string{"text": "txt", "json": "json", "sarif": "sarif", "html": "html", "markdown": "md", "junit": "xml"}
	for format, e := range ext {
		t.Run(format, func(t *testing.T) {
			out, stderr, code := runCLI(t, "scan", "--format", format, "--db", db, "testdata/known-problems")
			if code != ExitFailing {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, ExitFailing, stderr)
			}
			// On stderr beside a machine-readable report; a text report says it itself,
			// and once is enough.
			const warning = "PR-1: policy pack"
			if format == "text" && (strings.Count(out, warning) != 1 || strings.Contains(stderr, warning)) ||
				format != "text" && !strings.Contains(stderr, warning) {
				t.Errorf("policy expiry warning misplaced for %s:\nstdout:\n%s\nstderr:\n%s", format, out, stderr)
			}
			golden := filepath.Join(root, "internal", "cli", "testdata", "golden", "known-problems."+e)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/cli -run TestGolden -update)", err)
			}
			if out != string(want) {
				t.Errorf("%s output differs from %s; rerun with -update and review the diff.\n%s", format, golden, firstDiff(string(want), out))
			}
		})
	}
}

// knownProblemsDB imports the OSV records written for the suite (internal/cli/testdata/osv)
// into a fresh database, as `posture db import` would.
func knownProblemsDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "osv")
	src := filepath.Join("internal", "cli", "testdata", "osv") // callers run from the repository root
	if _, err := vulndb.Import(db, src, fixedEnv(io.Discard, io.Discard).now(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	return db
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return ""
}

// The fixture's expected outcome, spelled out so a reader need not decode the golden files.
func TestKnownProblemsControls(t *testing.T) {
	t.Chdir(repoRoot(t))
	out, _, _ := runCLI(t, "scan", "--format", "json", "--db", knownProblemsDB(t), "testdata/known-problems")
	var doc struct {
		Targets []struct {
			Controls []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"controls"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, c := range doc.Targets[0].Controls {
		got[c.Status] = append(got[c.Status], c.ID)
	}
	want := map[string]string{
		"fail":      "CR-1 CR-4 CH-1 ST-2 SC-2 VM-1 VM-2 VM-3 VM-5",
		"deviation": "SC-8",
		"pass":      "ZT-2 CR-3 ST-1", // wp-config.php read by the code rules, with nothing to report
	}
	for status, ids := range want {
		if g := strings.Join(got[status], " "); g != ids {
			t.Errorf("%s: %q, want %q", status, g, ids)
		}
	}
}
