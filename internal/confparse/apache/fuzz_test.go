package apache

import (
	"bytes"
	"errors"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/testutil"
)

var fuzzSeeds = []string{
	"ServerRoot /etc/httpd\n<VirtualHost *:443>\n  SSLEngine on\n  <Location /admin>\n    <RequireAll>\n      Require valid-user\n      Require ip 10.0.0.0/8\n    </RequireAll>\n  </Location>\n</VirtualHost>\n",
	"Order deny,allow\nDeny from all\nAllow from 203.0.113.0/24\nHeader set X \"a \\\" b\" \\\n  'c'\n",
	"Include conf.d/*.conf\nIncludeOptional ../../x\nInclude /etc/apache2/y\n<IfModule\n</Files>\n",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		ds, err := Parse("a.conf", src)
		lines := bytes.Count(src, []byte("\n")) + 1
		inside := func(p Pos) bool {
			return p.File == "a.conf" && p.Line >= 1 && p.Line <= lines && p.Col >= 1 && p.Col <= len(src)+1
		}
		var walk func([]*Directive)
		walk = func(ds []*Directive) {
			for _, d := range ds {
				if !inside(d.Pos) || d.Name == "" {
					t.Fatalf("directive %q at %v is outside the input", d.Name, d.Pos)
				}
				walk(d.Block)
			}
		}
		walk(ds)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || !inside(se.Pos) {
				t.Fatalf("error %v is not positioned inside the input", err)
			}
		}
	})
}

type recordingFS struct {
	mapFS
	asked []string
}

func (r *recordingFS) ReadFile(name string) ([]byte, error) {
	r.asked = append(r.asked, name)
	return r.mapFS.ReadFile(name)
}

func (r *recordingFS) Glob(pattern string) ([]string, error) {
	r.asked = append(r.asked, pattern)
	return r.mapFS.Glob(pattern)
}

// FuzzLoad checks that include resolution never asks for a path outside the repository
// and stays bounded, whatever the configuration says.
func FuzzLoad(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "Include a.conf\nInclude ../b.conf\n")
	}
	f.Fuzz(func(t *testing.T, top, other string) {
		fsys := &recordingFS{mapFS: mapFS{
			"srv/httpd/conf/httpd.conf": top,
			"srv/httpd/a.conf":          other,
			"srv/httpd/conf.d/x.conf":   other,
			"srv/b.conf":                top,
		}}
		start := time.Now()
		c, err := Load(fsys, "srv/httpd/conf/httpd.conf")
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > testutil.WorkBound(5*time.Second) {
			t.Fatalf("Load took %v", d)
		}
		for _, name := range fsys.asked {
			if strings.HasPrefix(name, "/") || name == ".." || strings.HasPrefix(name, "../") || path.Clean(strings.TrimSuffix(name, "/*")) != strings.TrimSuffix(name, "/*") {
				t.Fatalf("Load asked for %q, outside the repository or not clean", name)
			}
		}
		for _, e := range c.Errors {
			var se *SyntaxError
			if !errors.As(e, &se) || se.Pos.Line < 1 || se.Pos.Col < 1 {
				t.Fatalf("error %v has no position", e)
			}
		}
	})
}
