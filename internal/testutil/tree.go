// Package testutil holds helpers shared by tests across packages: building a repository
// tree on disk and the target a probe receives for it.
package testutil

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/target"
)

// WriteTree writes files (slash path → content) into a new temporary directory.
func WriteTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// RepoTarget writes files and returns the repository target with its inventory built,
// exactly as the engine hands it to probes.
func RepoTarget(t testing.TB, files map[string]string, opt fileset.Options) *target.Target {
	t.Helper()
	dir := WriteTree(t, files)
	set, err := fileset.Build(context.Background(), dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	return &target.Target{Kind: policy.KindRepo, Name: dir, Root: dir, Files: set}
}
