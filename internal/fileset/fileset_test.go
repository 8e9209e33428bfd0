package fileset

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func paths(s *Set) string {
	var out []string
	for _, f := range s.Files() {
		out = append(out, f.Path)
	}
	return strings.Join(out, ",")
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestGitRepositoryListsTrackedAndUntrackedButNotIgnored(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	write(t, dir, ".gitignore", "node_modules/\n*.log\n")
	write(t, dir, "tracked.go", "package x")
	write(t, dir, "untracked.md", "new")
	write(t, dir, "debug.log", "ignored")
	write(t, dir, "node_modules/x/package.json", "{}")
	write(t, dir, "deleted.txt", "gone soon")
	git(t, dir, "add", ".gitignore", "tracked.go", "deleted.txt")
	git(t, dir, "commit", "-qm", "init")
	if err := os.Remove(filepath.Join(dir, "deleted.txt")); err != nil {
		t.Fatal(err)
	}
	s, err := Build(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Source != "git" {
		t.Fatalf("source %q", s.Source)
	}
	if got := paths(s); got != ".gitignore,tracked.go,untracked.md" {
		t.Fatalf("files = %s", got)
	}
}

func TestWalkAndExclusions(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.txt", "a")
	write(t, dir, "testdata/fixture/wp-config.php", "<?php")
	write(t, dir, "pkg/testdata/golden.txt", "g")
	write(t, dir, "pkg/code.go", "package pkg")
	write(t, dir, ".git/config", "not a real repo, but never listed")
	s, err := Build(context.Background(), dir, Options{Exclude: []Exclusion{
		{Pattern: "testdata/**", Reason: "fixtures"},
		{Pattern: "**/testdata", Reason: "package fixtures"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := paths(s); got != "a.txt,pkg/code.go" {
		t.Fatalf("files = %s", got)
	}
	if s.Exclusions[0].Matched == 0 || s.Exclusions[1].Matched == 0 {
		t.Errorf("exclusions not counted: %+v", s.Exclusions)
	}
	if fs := s.Named("CODE.GO"); len(fs) != 1 {
		t.Errorf("Named is not case-insensitive: %v", fs)
	}
}

func TestInvalidExclusionPattern(t *testing.T) {
	if _, err := Build(context.Background(), t.TempDir(), Options{Exclude: []Exclusion{{Pattern: "a[", Reason: "r"}}}); err == nil {
		t.Fatal("invalid glob accepted")
	}
}

func TestReadEnforcesLimitOnGrowth(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "grows.txt", "small")
	s, err := Build(context.Background(), dir, Options{MaxFileSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "grows.txt", strings.Repeat("x", 100))
	f, _ := s.Lookup("grows.txt")
	if _, err := s.Read(f); err == nil {
		t.Fatal("read past the size limit")
	}
	if sk := s.Skipped(); len(sk) != 1 || !strings.Contains(sk[0].Reason, "size limit") {
		t.Fatalf("skipped = %+v", sk)
	}
}

func TestCancelledBuild(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, t.TempDir(), Options{}); err == nil {
		t.Fatal("cancelled build returned no error")
	}
}
