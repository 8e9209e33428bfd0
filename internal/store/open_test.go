package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSQLitePath(t *testing.T) {
	tests := []struct {
		dataDir, url, want, wantErr string
	}{
		{"/data", "", "/data/posture.db", ""},
		{"/data", "sqlite:", "/data/posture.db", ""},
		{"/data", "sqlite://", "/data/posture.db", ""},
		{"/data", "sqlite:///var/lib/posture/p.db", "/var/lib/posture/p.db", ""},
		{"", "sqlite:///var/lib/../lib/p.db", "/var/lib/p.db", ""},
		{"/data", "sqlite:///dir/a%3Fb.db", "/dir/a?b.db", ""},
		{"", "", "", "no data directory"},
		{"/data", "sqlite://host/p.db", "", "absolute file"},
		{"/data", "sqlite:relative.db", "", "absolute file"},
		{"/data", "sqlite:///p.db?_pragma=synchronous(OFF)", "", "no parameters"},
	}
	for _, tt := range tests {
		got, err := sqlitePath(tt.dataDir, tt.url)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("sqlitePath(%q, %q): %v, want error %q", tt.dataDir, tt.url, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("sqlitePath(%q, %q) = %q, %v; want %q", tt.dataDir, tt.url, got, err, tt.want)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	for _, tt := range []struct{ url, wantErr string }{
		{"mysql://root@localhost/db", `unsupported database URL scheme "mysql"`},
		{"postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=bogus", "bad PostgreSQL URL"},
		{"postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=1", "connect to postgres://u:xxxxx@127.0.0.1:1/db"},
	} {
		_, err := Open(context.Background(), Options{URL: tt.url})
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Open(%q): %v, want an error containing %q", tt.url, err, tt.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q): the error shows the password: %v", tt.url, err)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h/db":              "postgres://u:xxxxx@h/db",
		"postgres://u@h/db?password=secret&x=1": "postgres://u@h/db?password=xxxxx&x=1",
		"postgres://h/db?sslpassword=secret":    "postgres://h/db?sslpassword=xxxxx",
		"postgres://u@h/db":                     "postgres://u@h/db",
		"postgres://u:se%zzcret@h/db":           "(unparseable URL)",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSQLiteFileAndSettings checks what docs/store.md promises about the embedded
// database: a private directory and file, WAL, synchronous=FULL, foreign keys on.
func TestSQLiteFileAndSettings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := openTest(t, Options{DataDir: dir})
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "posture.db"): 0o600, filepath.Join(dir, "posture.db-wal"): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
	ctx := context.Background()
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000"} {
		// Several connections: each must have been set up, not only the first.
		for range 3 {
			var got string
			if err := s.QueryRow(ctx, `PRAGMA `+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
			}
		}
	}

	// A database file others could read is made private when opened.
	s.Close()
	if err := os.Chmod(filepath.Join(dir, "posture.db"), 0o644); err != nil {
		t.Fatal(err)
	}
	openTest(t, Options{DataDir: dir})
	if fi, _ := os.Stat(filepath.Join(dir, "posture.db")); fi.Mode().Perm() != 0o600 {
		t.Errorf("reopened database has mode %v, want 0600", fi.Mode().Perm())
	}
}
