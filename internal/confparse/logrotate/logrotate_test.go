package logrotate

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// rootFS serves absolute names from an fstest.MapFS.
type rootFS struct{ m fstest.MapFS }

func (r rootFS) ReadFile(name string) ([]byte, error) {
	return fs.ReadFile(r.m, strings.TrimPrefix(name, "/"))
}

func (r rootFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(r.m, strings.TrimPrefix(name, "/"))
}

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func TestLoad(t *testing.T) {
	fsys := rootFS{fstest.MapFS{
		"etc/logrotate.conf": file("# global\nweekly\nrotate 4\ncreate\ninclude /etc/logrotate.d\n" +
			"/var/log/wtmp {\n    missingok\n    monthly\n    rotate 1\n}\n"),
		"etc/logrotate.d/apt": file("/var/log/apt/term.log {\n  rotate 12\n  monthly\n  compress\n}\n\n" +
			"/var/log/apt/history.log\n{\n  rotate 12\n  monthly\n}\n"),
		"etc/logrotate.d/forever":    file("\"/var/log/app/*.log\" /var/log/app2.log {\n  rotate -1\n  daily\n  postrotate\n    rotate 99 }\n  endscript\n}\n"),
		"etc/logrotate.d/aged":       file("/var/log/aged.log {\n rotate -1\n maxage 30\n size 10M\n}\n"),
		"etc/logrotate.d/broken":     file("/var/log/broken.log {\n rotate many\n}\n/var/log/after.log {\n daily\n}\n"),
		"etc/logrotate.d/x.dpkg-old": file("/var/log/old { rotate -1 }\n"),
		"etc/logrotate.d/sub/y":      file("/var/log/sub { rotate -1 }\n"),
	}}
	c, err := Load(fsys, "/etc/logrotate.conf")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Options{}
	for _, s := range c.Stanzas {
		got[strings.Join(s.Patterns, " ")] = s.Options
	}
	if len(got) != 6 {
		t.Fatalf("stanzas: %v", got)
	}
	check := func(pat string, rotate int, maxage int, crit Criterion, rotFile string, rotLine int) {
		t.Helper()
		o, ok := got[pat]
		if !ok {
			t.Fatalf("no stanza %q", pat)
		}
		if o.RotateCount() != rotate || o.MaxAgeDays() != maxage || o.Criterion != crit || o.Rotate.File != rotFile || o.Rotate.Line != rotLine {
			t.Errorf("%s: %+v", pat, o)
		}
	}
	check("/var/log/wtmp", 1, 0, Monthly, "/etc/logrotate.conf", 9)
	check("/var/log/apt/term.log", 12, 0, Monthly, "/etc/logrotate.d/apt", 2)
	check("/var/log/apt/history.log", 12, 0, Monthly, "/etc/logrotate.d/apt", 9)
	check("/var/log/app/*.log /var/log/app2.log", -1, 0, Daily, "/etc/logrotate.d/forever", 2)
	check("/var/log/aged.log", -1, 30, Size, "/etc/logrotate.d/aged", 2)
	// Global defaults apply to a stanza that does not set them.
	check("/var/log/after.log", 4, 0, Daily, "/etc/logrotate.conf", 3)
	if _, ok := got["/var/log/broken.log"]; ok {
		t.Error("logrotate drops a stanza with an error")
	}
	if len(c.Errors) != 0 {
		for _, e := range c.Errors {
			if !strings.Contains(e.Error(), "rotate count") {
				t.Errorf("unexpected error %v", e)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	c := Parse("/x", []byte("/a {\n include /b\n}\n/c\n/d {\n rotate\n /z\n}\n}\n/e {\n postrotate\n"))
	var all []string
	for _, e := range c.Errors {
		all = append(all, e.Error())
	}
	s := strings.Join(all, "\n")
	for _, want := range []string{"include is not allowed", "a file pattern inside", "rotate needs one count", "unexpected }", "missing endscript", "missing }"} {
		if !strings.Contains(s, want) {
			t.Errorf("errors lack %q:\n%s", want, s)
		}
	}
	if len(c.Stanzas) != 0 {
		t.Errorf("stanzas with errors should be dropped: %+v", c.Stanzas)
	}
}

func TestTaboo(t *testing.T) {
	for name, want := range map[string]bool{"apt": false, "apt.dpkg-old": true, "x~": true, "a.rhn-cfg-tmp-12": true, "a.conf": false} {
		if Taboo(name) != want {
			t.Errorf("Taboo(%q) = %v", name, !want)
		}
	}
}
