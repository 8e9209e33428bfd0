package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReadTargetsFile(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		wantErr  string
	}{
		{"comments and blanks", "# estate\nhttps://a.example\n\n  https://b.example:8443  # staging\nhost:local\n", []string{"https://a.example", "https://b.example:8443", "host:local"}, ""},
		{"two on a line", "https://a.example https://b.example\n", nil, ":1: one target per line"},
		{"empty", "\n# nothing\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readTargetsFile("-", strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := readTargetsFile(filepath.Join(t.TempDir(), "missing"), nil); err == nil {
		t.Fatal("a missing targets file must be an error")
	}
}

func TestParseTargetsDropsRepeats(t *testing.T) {
	dir := t.TempDir()
	got, err := parseTargets([]string{"https://a.example", dir, "https://a.example", dir + "/", "host:local", "host:local"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d targets, want 3 (each once)", len(got))
	}
	if _, err := parseTargets([]string{"https://"}); err == nil {
		t.Fatal("a URL without a host must be refused")
	}
}

func TestNewNetValidates(t *testing.T) {
	good := networkFlags{timeout: time.Second, perHost: 2, tlsProfile: "modern"}
	if _, err := newNet(&good, time.Now); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]networkFlags{
		"zero timeout":    {perHost: 2, tlsProfile: "modern"},
		"zero per-host":   {timeout: time.Second, tlsProfile: "modern"},
		"unknown profile": {timeout: time.Second, perHost: 2, tlsProfile: "old"},
		"bad ca file":     {timeout: time.Second, perHost: 2, tlsProfile: "modern", caFile: ca},
	} {
		if _, err := newNet(&f, time.Now); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestScanProgressDrawsOneLineAndClearsIt(t *testing.T) {
	var b strings.Builder
	p := &scanProgress{w: &b}
	p.update(1, 4)
	p.update(2, 4) // within 100 ms of the last draw: skipped
	p.update(4, 4) // the last step is always drawn
	p.finish()
	out := b.String()
	if strings.Count(out, "\r") != 3 || !strings.Contains(out, "1/4 probes") || !strings.Contains(out, "4/4 probes") || strings.Contains(out, "2/4") {
		t.Errorf("progress output %q: want the first and last steps drawn in place, then cleared", out)
	}
	if !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("progress output %q does not end by clearing its line", out)
	}
	var quiet strings.Builder
	(&scanProgress{w: &quiet}).finish()
	if quiet.Len() != 0 {
		t.Errorf("finish without any drawing wrote %q", quiet.String())
	}
}
