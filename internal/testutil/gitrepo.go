package testutil

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Person is a commit author (and committer).
type Person struct{ Name, Email string }

// GitRepo builds a real repository whose every commit has a chosen author and date,
// so that history-reading tests get exact, reproducible histories.
type GitRepo struct {
	t   testing.TB
	Dir string
	n   int
}

// NewGitRepo initialises a repository with branch main in dir (a new temporary
// directory when dir is "").
func NewGitRepo(t testing.TB, dir string) *GitRepo {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	g := &GitRepo{t: t, Dir: dir}
	g.Git(Person{"t", "t@example.com"}, time.Unix(0, 0), "init", "-q", "-b", "main")
	return g
}

// OpenGitRepo works on an existing repository (a clone).
func OpenGitRepo(t testing.TB, dir string) *GitRepo {
	return &GitRepo{t: t, Dir: dir, n: 1000}
}

// Git runs git in the repository as who at when, away from the user's configuration.
func (g *GitRepo) Git(who Person, when time.Time, args ...string) string {
	g.t.Helper()
	full := append([]string{"-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "protocol.file.allow=always",
		"-c", "init.defaultBranch=main", "-c", "merge.ff=true"}, args...)
	cmd := exec.Command("git", full...)
	cmd.Dir = g.Dir
	date := fmt.Sprintf("@%d +0000", when.Unix())
	cmd.Env = append(cleanEnv(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME="+who.Name, "GIT_AUTHOR_EMAIL="+who.Email, "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME="+who.Name, "GIT_COMMITTER_EMAIL="+who.Email, "GIT_COMMITTER_DATE="+date)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		g.t.Fatalf("git %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), stderr.String())
	}
	return out.String()
}

// cleanEnv is the environment without the variables that would point the test's git
// at another repository (set when tests run from a git hook).
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_PREFIX":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Write writes a file of the work tree.
func (g *GitRepo) Write(path, content string) {
	g.t.Helper()
	p := filepath.Join(g.Dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		g.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		g.t.Fatal(err)
	}
}

// Commit commits a change (a new file, so every commit has one) with message msg and
// returns the commit id.
func (g *GitRepo) Commit(who Person, when time.Time, msg string) string {
	g.t.Helper()
	g.n++
	g.Write(fmt.Sprintf("changes/%03d.txt", g.n), msg+"\n")
	g.Git(who, when, "add", "-A")
	g.Git(who, when, "commit", "-q", "-m", msg)
	return g.Head()
}

// MergeBranch commits one change on a new branch forked from main and merges it into
// main with a merge commit (as a forge's merge button does); it returns the merge's id.
func (g *GitRepo) MergeBranch(who Person, when time.Time, branch, subject string) string {
	g.t.Helper()
	g.Git(who, when, "checkout", "-q", "-b", branch, "main")
	g.Commit(who, when.Add(-time.Hour), "work on "+branch)
	g.Git(who, when, "checkout", "-q", "main")
	g.Git(who, when, "merge", "-q", "--no-ff", "-m", subject, branch)
	return g.Head()
}

// Head returns the id of HEAD.
func (g *GitRepo) Head() string {
	g.t.Helper()
	return strings.TrimSpace(g.Git(Person{"t", "t@example.com"}, time.Unix(0, 0), "rev-parse", "HEAD"))
}
