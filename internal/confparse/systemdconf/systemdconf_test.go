package systemdconf

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

type rootFS struct{ m fstest.MapFS }

func (r rootFS) ReadFile(name string) ([]byte, error) {
	return fs.ReadFile(r.m, strings.TrimPrefix(name, "/"))
}
func (r rootFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(r.m, strings.TrimPrefix(name, "/"))
}

func f(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func TestLoadPrecedence(t *testing.T) {
	fsys := rootFS{fstest.MapFS{
		"etc/systemd/journald.conf":               f("[Journal]\n#Storage=auto\nStorage=volatile\nSystemMaxUse = 1G\n"),
		"usr/lib/systemd/journald.conf":           f("[Journal]\nStorage=none\n"),
		"usr/lib/systemd/journald.conf.d/10.conf": f("[Journal]\nStorage=auto\nMaxRetentionSec=1y\n"),
		"etc/systemd/journald.conf.d/10.conf":     f("[Journal]\nStorage=persistent\n"),
		"run/systemd/journald.conf.d/20.conf":     f("[Journal]\nMaxRetentionSec=\\\n 2 weeks\n"),
		"etc/systemd/journald.conf.d/x.txt":       f("[Journal]\nStorage=none\n"),
	}}
	c := Load(fsys, "journald.conf")
	if len(c.Errors) != 0 {
		t.Fatal(c.Errors)
	}
	if e, _ := c.Get("Journal", "Storage"); e.Value != "persistent" || e.File != "/etc/systemd/journald.conf.d/10.conf" {
		t.Errorf("Storage: %+v", e)
	}
	if e, _ := c.Get("Journal", "MaxRetentionSec"); e.Value != "2 weeks" || e.Line != 2 {
		t.Errorf("MaxRetentionSec: %+v", e)
	}
	if e, _ := c.Get("Journal", "SystemMaxUse"); e.Value != "1G" {
		t.Errorf("SystemMaxUse: %+v", e)
	}
	want := []string{"/etc/systemd/journald.conf", "/etc/systemd/journald.conf.d/10.conf", "/run/systemd/journald.conf.d/20.conf"}
	if strings.Join(c.Files, ",") != strings.Join(want, ",") {
		t.Errorf("files %v", c.Files)
	}
}

func TestParseErrors(t *testing.T) {
	_, errs := Parse("/x", []byte("A=b\n[J\n[J]\nnoequals\n=v\n"))
	if len(errs) != 4 {
		t.Fatalf("errors: %v", errs)
	}
}

func TestParseTimespan(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		in     string
		want   time.Duration
		finite bool
		err    bool
	}{
		{"0", 0, true, false},
		{"30", 30 * time.Second, true, false},
		{"1month", 2629800 * time.Second, true, false},
		{"2w 3d", 17 * day, true, false},
		{"1h30min", 90 * time.Minute, true, false},
		{"1.5d", 36 * time.Hour, true, false},
		{"1y", 31557600 * time.Second, true, false},
		{"infinity", 0, false, false},
		{"5 parsecs", 0, false, true},
		{"", 0, false, true},
		{"d", 0, false, true},
		{"99999999999999999y", 0, false, true},
	}
	for _, tt := range tests {
		d, finite, err := ParseTimespan(tt.in)
		if (err != nil) != tt.err || (!tt.err && (d != tt.want || finite != tt.finite)) {
			t.Errorf("%q: %v %v %v", tt.in, d, finite, err)
		}
	}
}
