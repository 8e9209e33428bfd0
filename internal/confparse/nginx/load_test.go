package nginx

import (
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"
)

// mapFS is an in-memory repository for tests.
type mapFS map[string]string

func (m mapFS) ReadFile(name string) ([]byte, error) {
	if s, ok := m[name]; ok {
		return []byte(s), nil
	}
	return nil, fs.ErrNotExist
}

func (m mapFS) Glob(pattern string) ([]string, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, err
	}
	var out []string
	for name := range m {
		if ok, _ := path.Match(pattern, name); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

func names(ds []*Directive) string {
	var out []string
	var walk func([]*Directive)
	walk = func(ds []*Directive) {
		for _, d := range ds {
			out = append(out, d.Pos.File+":"+d.Name)
			walk(d.Block)
		}
	}
	walk(ds)
	return strings.Join(out, " ")
}

func errs(c *Config) string {
	var out []string
	for _, e := range c.Errors {
		out = append(out, e.Error())
	}
	return strings.Join(out, "\n")
}

func TestLoadIncludes(t *testing.T) {
	fsys := mapFS{
		"etc/nginx/nginx.conf":             "http {\n  include mime.types;\n  include conf.d/*.conf;\n  include /etc/nginx/sites-enabled/*;\n}\n",
		"etc/nginx/mime.types":             "types { text/html html; }\n",
		"etc/nginx/conf.d/b.conf":          "gzip on;\n",
		"etc/nginx/conf.d/a.conf":          "server_tokens off;\n",
		"etc/nginx/conf.d/.hidden.conf":    "bad;\n",
		"etc/nginx/conf.d/notes.txt":       "not included;\n",
		"etc/nginx/sites-enabled/shop":     "server {\n  include snippets/tls.conf;\n}\n",
		"etc/nginx/snippets/tls.conf":      "ssl_protocols TLSv1.2;\n",
		"etc/nginx/sites-enabled/excluded": "",
	}
	delete(fsys, "etc/nginx/sites-enabled/excluded")
	c, err := Load(fsys, "etc/nginx/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	want := "etc/nginx/nginx.conf:http etc/nginx/nginx.conf:include etc/nginx/mime.types:types etc/nginx/mime.types:text/html " +
		"etc/nginx/nginx.conf:include etc/nginx/conf.d/a.conf:server_tokens etc/nginx/conf.d/b.conf:gzip " +
		"etc/nginx/nginx.conf:include etc/nginx/sites-enabled/shop:server etc/nginx/sites-enabled/shop:include etc/nginx/snippets/tls.conf:ssl_protocols"
	if got := names(c.Directives); got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	if len(c.Errors) != 0 {
		t.Errorf("errors: %s", errs(c))
	}
	if got := strings.Join(c.Files, " "); got != "etc/nginx/nginx.conf etc/nginx/mime.types etc/nginx/conf.d/a.conf etc/nginx/conf.d/b.conf etc/nginx/sites-enabled/shop etc/nginx/snippets/tls.conf" {
		t.Errorf("files %s", got)
	}
}

func TestLoadRefusesAndRecords(t *testing.T) {
	fsys := mapFS{
		"nginx/nginx.conf": "include loop.conf;\ninclude ../../outside.conf;\ninclude /srv/other/x.conf;\ninclude missing.conf;\ninclude none/*.conf;\ninclude a b;\ninclude [.conf;\n",
		"nginx/loop.conf":  "include nginx.conf;\n",
		"outside.conf":     "x;\n",
	}
	c, err := Load(fsys, "nginx/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"nginx/loop.conf:1:1: include nginx.conf not followed: include loop: nginx/nginx.conf → nginx/loop.conf → nginx/nginx.conf",
		"nginx/nginx.conf:2:1: include ../../outside.conf not followed: it leaves the repository",
		"nginx/nginx.conf:6:1: include a b not followed: include takes exactly one file or pattern, not 2",
		"nginx/nginx.conf:7:1: include [.conf not followed: syntax error in pattern",
	}, "\n")
	if got := errs(c); got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
	var unresolved []string
	for _, d := range c.Directives {
		if d.Include != nil && d.Include.Unresolved != "" && !d.Include.Refused {
			unresolved = append(unresolved, d.Include.Unresolved)
		}
	}
	if got := strings.Join(unresolved, "\n"); got != "an absolute path outside the configuration directory, not in the repository\nnginx/missing.conf: not in the repository" {
		t.Errorf("unresolved:\n%s", got)
	}
}

func TestLoadDepthAndFileLimits(t *testing.T) {
	fsys := mapFS{"n/nginx.conf": "include d0.conf;\n"}
	for i := 0; i < 40; i++ {
		fsys["n/d"+itoa(i)+".conf"] = "include d" + itoa(i+1) + ".conf;\n"
	}
	c, _ := Load(fsys, "n/nginx.conf")
	if len(c.Errors) != 1 || !strings.Contains(c.Errors[0].Error(), "nested more than 16 deep") {
		t.Errorf("errors: %s", errs(c))
	}
	// A diamond of includes doubles at every level; the file limit stops it.
	fsys = mapFS{"n/nginx.conf": "include l0.conf;\n"}
	for i := 0; i < 15; i++ {
		fsys["n/l"+itoa(i)+".conf"] = strings.Repeat("include l"+itoa(i+1)+".conf;\n", 2)
	}
	fsys["n/l15.conf"] = "x;\n"
	c, _ = Load(fsys, "n/nginx.conf")
	if len(c.Errors) == 0 || !strings.Contains(c.Errors[0].Error(), "more than 1000 files") {
		t.Errorf("errors: %s", errs(c))
	}
}

func TestLoadTopLevelMissing(t *testing.T) {
	if _, err := Load(mapFS{}, "nginx.conf"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadSyntaxErrorInInclude(t *testing.T) {
	c, err := Load(mapFS{"nginx.conf": "http { include site.conf; }", "site.conf": "server {\n listen 80\n}"}, "nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	if got := errs(c); got != `site.conf:3:1: unexpected "}"` {
		t.Errorf("errors: %s", got)
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
