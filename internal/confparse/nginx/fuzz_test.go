package nginx

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
	"user nginx;\nhttp { include conf.d/*.conf; server { listen 443 ssl; location /admin { auth_basic \"x\"; } } }",
	`add_header X "a \"b\"" always; if ($a = "b") { return 403; }`,
	"content_by_lua_block { local t = {\"}\"} --[==[ } ]==] }",
	"set $x ${a}{b}; location ~* \\.(php|x)$ { deny all; }",
	"a 'b\\'c' \"d\\\\\";\r\n# comment\n}",
	"include ../../x.conf; include /etc/nginx/a/*.conf; include loop.conf;",
}

// checkPositions asserts that every directive and error points inside the input.
func checkPositions(t *testing.T, src []byte, ds []*Directive, err error, file string) {
	t.Helper()
	lines := bytes.Count(src, []byte("\n")) + 1
	inside := func(p Pos) bool {
		if p.File != file || p.Line < 1 || p.Line > lines || p.Col < 1 {
			return false
		}
		start := 0
		for i := 1; i < p.Line; i++ {
			start += bytes.IndexByte(src[start:], '\n') + 1
		}
		end := len(src)
		if j := bytes.IndexByte(src[start:], '\n'); j >= 0 {
			end = start + j
		}
		return p.Col <= end-start+1
	}
	var walk func([]*Directive)
	walk = func(ds []*Directive) {
		for _, d := range ds {
			if !inside(d.Pos) {
				t.Fatalf("directive %q at %v is outside the input", d.Name, d.Pos)
			}
			walk(d.Block)
		}
	}
	walk(ds)
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("error %v is not a *SyntaxError", err)
		}
		if !inside(se.Pos) {
			t.Fatalf("error at %v is outside the input (%d lines)", se.Pos, lines)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		ds, err := Parse("f.conf", src)
		checkPositions(t, src, ds, err, "f.conf")
	})
}

// recordingFS remembers every name Load asks for.
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
		f.Add(s, "include a.conf;\ninclude ../b.conf;")
	}
	f.Fuzz(func(t *testing.T, top, other string) {
		fsys := &recordingFS{mapFS: mapFS{
			"conf/nginx.conf":    top,
			"conf/a.conf":        other,
			"conf/sub/b.conf":    other,
			"conf/loop.conf":     "include loop.conf;",
			"conf/conf.d/x.conf": top,
			"b.conf":             other,
		}}
		start := time.Now()
		c, err := Load(fsys, "conf/nginx.conf")
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > testutil.WorkBound(5*time.Second) {
			t.Fatalf("Load took %v", d)
		}
		for _, name := range fsys.asked {
			if strings.HasPrefix(name, "/") || name == ".." || strings.HasPrefix(name, "../") || path.Clean(name) != name {
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
