package logrotate

import (
	"strings"
	"testing"
	"testing/fstest"
)

func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"weekly\nrotate 4\ninclude /etc/logrotate.d\n/var/log/a { rotate -1\n}\n",
		"\"/a b\" '/c'\n{\nmaxage 3\nsize 1M\npostrotate\nx\nendscript\n}\n",
		"/x {\n}\n}\n{",
		"include /etc/logrotate.conf\ninclude rel\n",
	} {
		f.Add(s, "/var/log/b { daily\n rotate 2 }\n")
	}
	f.Fuzz(func(t *testing.T, top, other string) {
		fsys := rootFS{fstest.MapFS{"etc/logrotate.conf": file(top), "etc/logrotate.d/a": file(other), "etc/logrotate.d/b": file(top)}}
		c, err := Load(fsys, "/etc/logrotate.conf")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range c.Stanzas {
			if len(s.Patterns) == 0 || s.Line < 1 {
				t.Fatalf("bad stanza %+v", s)
			}
			if s.Options.Rotate.Set() && s.Options.RotateCount() < -1 {
				t.Fatalf("rotate %v", s.Options.Rotate)
			}
			if !strings.HasPrefix(s.File, "/etc/") {
				t.Fatalf("file %q", s.File)
			}
		}
	})
}
