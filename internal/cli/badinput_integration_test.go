//go:build integration

package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/posture-dev/posture/internal/report"
)

// TestBadInputTree scans a tree built to hurt a scanner: a symlink loop, unreadable files
// and directories, a 1 GiB sparse file, a FIFO and a file name that is not UTF-8. The
// scan must complete, list every skipped path with its reason, and never panic. It runs
// the real binary as an unprivileged user, because root can read anything.
func TestBadInputTree(t *testing.T) {
	dir, err := os.MkdirTemp("", "posture-badinput-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(filepath.Join(dir, "tree", "locked-dir"), 0o755); os.RemoveAll(dir) })
	must(t, os.Chmod(dir, 0o755))
	bin := filepath.Join(dir, "posture")
	build := exec.Command("go", "build", "-o", bin, "./cmd/posture")
	build.Dir = repoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	tree := filepath.Join(dir, "tree")
	must(t, os.MkdirAll(filepath.Join(tree, "locked-dir"), 0o755))
	write := func(name, body string, mode os.FileMode) {
		must(t, os.WriteFile(filepath.Join(tree, name), []byte(body), mode))
	}
	write("SECURITY.md", "Report to security@example.com\n", 0o644)
	write("package.json", `{"dependencies": {"left-pad": "1.3.0"}}`, 0o644)
	write("composer.json", `{"require": {"monolog/monolog": "^3"`, 0o644) // truncated JSON
	write("locked-dir/CODEOWNERS", "* @acme/team\n", 0o644)
	write("unreadable.txt", "secret stuff\n", 0o000)
	write("CODEOWNERS", "* @acme/team\n", 0o000)
	must(t, os.Chmod(filepath.Join(tree, "locked-dir"), 0o000))
	must(t, os.Symlink("loop-b", filepath.Join(tree, "loop-a")))
	must(t, os.Symlink("loop-a", filepath.Join(tree, "loop-b")))
	must(t, os.Symlink("/etc/passwd", filepath.Join(tree, "outside")))
	must(t, syscall.Mkfifo(filepath.Join(tree, "pipe"), 0o644))
	sparse, err := os.Create(filepath.Join(tree, "huge.bin"))
	must(t, err)
	must(t, sparse.Truncate(1<<30))
	must(t, sparse.Close())
	write("bad-\xff\xfe-name.txt", "x", 0o644)

	cmd := exec.Command(bin, "scan", "--format", "json", tree)
	if os.Geteuid() == 0 {
		if _, err := exec.LookPath("setpriv"); err != nil {
			t.Skip("running as root without setpriv: cannot drop privileges to make files unreadable")
		}
		cmd = exec.Command("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin, "scan", "--format", "json", tree)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := cmd.ProcessState.ExitCode()
	if code != ExitOK && code != ExitFailing {
		t.Fatalf("exit code %d (%v); stderr:\n%s", code, err, stderr.String())
	}
	if strings.Contains(stderr.String(), "panic") || strings.Contains(stderr.String(), "goroutine ") {
		t.Fatalf("panic:\n%s", stderr.String())
	}
	var doc report.Document
	if err := json.Unmarshal([]byte(stdout.String()), &doc); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout.String())
	}
	inv := doc.Targets[0].Inventory
	reasons := map[string]string{}
	for _, s := range inv.Skipped {
		reasons[s.Path] = s.Reason
	}
	want := map[string]string{
		"unreadable.txt": "permission denied",
		"CODEOWNERS":     "permission denied",
		"locked-dir":     "permission denied",
		"loop-a":         "symbolic link loop",
		"loop-b":         "symbolic link loop",
		"outside":        "outside the scanned tree",
		"pipe":           "not a regular file",
		"huge.bin":       "larger than the 10.0 MiB size limit (1.0 GiB)",
	}
	for p, r := range want {
		if !strings.Contains(reasons[p], r) {
			t.Errorf("skipped[%s] = %q, want it to mention %q", p, reasons[p], r)
		}
	}
	notes := ""
	for _, n := range inv.Notes {
		notes += n.Path + ": " + n.Reason + "\n"
	}
	if !strings.Contains(notes, "bad-\ufffd-name.txt: file name is not valid UTF-8") {
		t.Errorf("invalid UTF-8 name not noted; notes:\n%s", notes)
	}
	statuses := map[string]string{}
	reasonsByControl := map[string]string{}
	for _, c := range doc.Targets[0].Controls {
		statuses[c.ID] = string(c.Status)
		reasonsByControl[c.ID] = c.Reason
	}
	// The unreadable CODEOWNERS must make CH-1 unknown, never "missing" or "pass".
	if statuses["CH-1"] != "unknown" || !strings.Contains(reasonsByControl["CH-1"], "CODEOWNERS") {
		t.Errorf("CH-1 = %s (%s), want unknown naming CODEOWNERS", statuses["CH-1"], reasonsByControl["CH-1"])
	}
	// The truncated composer.json is reported with its location, and package.json's missing
	// lockfile still fails VM-1: bad input elsewhere does not hide a real finding.
	if statuses["VM-1"] != "fail" || !strings.Contains(reasonsByControl["VM-1"], "composer.json: line 1") {
		t.Errorf("VM-1 = %s (%s)", statuses["VM-1"], reasonsByControl["VM-1"])
	}
	if statuses["VM-5"] != "pass" {
		t.Errorf("VM-5 = %s (%s)", statuses["VM-5"], reasonsByControl["VM-5"])
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
