package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	cases := []struct {
		name, body, wantErr string
	}{
		{"valid", "fail_on: medium\nscope:\n  exclude:\n    - path: testdata/**\n      reason: fixtures with deliberate problems\n", ""},
		{"exclusion without reason", "scope:\n  exclude:\n    - path: testdata/**\n", "has no reason"},
		{"unknown field", "fail-on: medium\n", `unknown field "fail-on"`},
		{"bad size", "max_file_size: lots\n", "max_file_size"},
		{"change control", "change_control:\n  window_days: 30\n  max_direct_share: 0.05\n  ignore_authors: ['dependabot[bot]']\n  forge: gitea\n  api_url: https://git.example.com\n  pull_requests: 10\n", ""},
		{"change control typo", "change_control:\n  window: 30\n", `unknown field "window"`},
		{"personal data", "personal_data:\n  min_matches: 5\n  allow_paths: ['^seeds/']\n", ""},
		{"negative min_matches", "personal_data:\n  min_matches: -1\n", "min_matches"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(p, []byte(c.body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p, true)
			if (err == nil) != (c.wantErr == "") || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
		})
	}
}

func TestMissingOptionalConfig(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), FileName), false)
	if err != nil || c.Path != "" {
		t.Fatalf("c=%+v err=%v", c, err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"10MiB": 10 << 20, "512 KiB": 512 << 10, "2GB": 2e9, "100": 100} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "ten", "0"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte("fail_on: high\nscope:\n  exclude:\n    - {path: a, reason: b}\n"))
	f.Add([]byte("only: [CR]\nmax_file_size: 1KiB\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), FileName)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, _ = Load(p, true)
	})
}
