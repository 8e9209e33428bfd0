package secrets

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=Dana Dev", "-c", "user.email=dana@example.org", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-03-01T10:00:00Z", "GIT_COMMITTER_DATE=2026-03-01T10:00:00Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func writeFile(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A secret deleted from the tree is still found in history, attributed to the commit
// that added it; a secret still in the tree is reported once, where it is now.
func TestHistoryAndTreeMerge(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q", "-b", "main")
	writeFile(t, dir, "deploy/.env", "DB_PASSWORD=Qm7#vR2kLp9xTz4\n")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-qm", "add env")
	gitRun(t, dir, "rm", "-q", "deploy/.env")
	gitRun(t, dir, "commit", "-qm", "remove env")
	writeFile(t, dir, "app/config.php", "<?php\n$api_secret = \"Zr8tWq2mNv5xKp7LsY3d\";\n")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-qm", "add config")
	// A secret only on another branch, never merged.
	gitRun(t, dir, "checkout", "-qb", "experiment")
	writeFile(t, dir, "tmp/notes.yaml", "token: \"Hx4Lm9Qw2Zp7Rt5Vb8Nc\"\n")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-qm", "experiment")
	gitRun(t, dir, "checkout", "-q", "main")

	r := scanRepo(t, dir, Options{})
	if len(r.Unknown) > 0 {
		t.Fatalf("unknown: %v", r.Unknown)
	}
	got := map[string]string{}
	for _, f := range r.Findings {
		got[f.Location.Path] = f.Location.Commit + " | " + f.Message
	}
	if len(r.Findings) != 3 {
		t.Fatalf("%d findings, want 3: %v", len(r.Findings), got)
	}
	if m := got["deploy/.env"]; !strings.Contains(m, "no longer at HEAD") || !strings.Contains(m, "Dana Dev <dana@example.org> on 2026-03-01") || strings.HasPrefix(m, " ") {
		t.Errorf("deleted secret: %q", m)
	}
	if m := got["app/config.php"]; !strings.HasPrefix(m, " | ") || !strings.Contains(m, "introduced in commit") {
		t.Errorf("secret in tree: %q", m)
	}
	if m := got["tmp/notes.yaml"]; !strings.Contains(m, "Found in git history") {
		t.Errorf("secret on an unmerged branch: %q", m)
	}
	for _, f := range r.Findings {
		for _, s := range []string{"Qm7#vR2kLp9xTz4", "Zr8tWq2mNv5xKp7LsY3d", "Hx4Lm9Qw2Zp7Rt5Vb8Nc"} {
			if strings.Contains(f.Evidence.Text, s) || strings.Contains(f.Message, s) {
				t.Errorf("secret leaked into a finding: %+v", f)
			}
		}
	}

	// --no-history: the deleted and unmerged secrets are out of reach.
	if r := scanRepo(t, dir, Options{History: HistoryOptions{Disabled: true}}); len(r.Findings) != 1 {
		t.Fatalf("tree only: %d findings", len(r.Findings))
	}
}

func TestStagedMode(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q", "-b", "main")
	writeFile(t, dir, "README.md", "hello\n")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-qm", "init")
	writeFile(t, dir, "config.yaml", "password: \"Vb7#Lq2mZx9Kt4\"\n")
	writeFile(t, dir, "unstaged.yaml", "password: \"Wc8#Mr3nAy0Lu5\"\n")
	gitRun(t, dir, "add", "config.yaml")
	r := scanRepo(t, dir, Options{History: HistoryOptions{Staged: true}})
	if len(r.Findings) != 1 || r.Findings[0].Location.Path != "config.yaml" {
		t.Fatalf("staged findings: %+v", r.Findings)
	}
}

// Without a git binary the tree is still scanned, CR-4 is unknown rather than pass, and
// the result says the scan was incomplete.
func TestHistoryWithoutGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q", "-b", "main")
	writeFile(t, dir, "config.yaml", "password: \"Vb7#Lq2mZx9Kt4\"\n")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-qm", "init")
	set, err := fileset.Build(context.Background(), dir, fileset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	r, err := New(Options{}).Run(context.Background(), &target.Target{Kind: policy.KindRepo, Name: dir, Root: dir, Files: set})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 1 || r.Unknown["CR-4"] == "" || len(r.Incomplete) == 0 {
		t.Fatalf("findings %d, unknown %q, incomplete %v", len(r.Findings), r.Unknown["CR-4"], r.Incomplete)
	}
}

// scanRepo runs the secrets probe on a repository directory, as the engine would.
func scanRepo(t *testing.T, dir string, opt Options) *probe.Result {
	t.Helper()
	set, err := fileset.Build(context.Background(), dir, fileset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(opt).Run(context.Background(), &target.Target{Kind: policy.KindRepo, Name: dir, Root: dir, Files: set})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
