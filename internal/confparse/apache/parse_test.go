package apache

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"
)

func dump(ds []*Directive) string {
	var b strings.Builder
	var walk func([]*Directive, string)
	walk = func(ds []*Directive, indent string) {
		for _, d := range ds {
			fmt.Fprintf(&b, "%s%d:%d %s %q", indent, d.Pos.Line, d.Pos.Col, d.Name, d.Args)
			if d.IsSection {
				b.WriteString(" <>\n")
				walk(d.Block, indent+"  ")
			} else {
				b.WriteString("\n")
			}
		}
	}
	walk(ds, "")
	return b.String()
}

func TestParse(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"directives and comments", "# comment\nServerName example.com\n  Listen 80 # not a comment\n",
			"2:1 ServerName [\"example.com\"]\n3:3 Listen [\"80\" \"#\" \"not\" \"a\" \"comment\"]\n"},
		{"sections nest", "<VirtualHost *:443>\n  <Location \"/server status\">\n    Require valid-user\n  </Location>\n</virtualhost>\n",
			"1:1 VirtualHost [\"*:443\"] <>\n  2:3 Location [\"/server status\"] <>\n    3:5 Require [\"valid-user\"]\n"},
		{"continuation lines", "Header set X \\\n  \"a b\"\nFoo 1\n",
			"1:1 Header [\"set\" \"X\" \"a b\"]\n3:1 Foo [\"1\"]\n"},
		{"continued comment", "# a \\\nServerName hidden\nB 1\n", "3:1 B [\"1\"]\n"},
		{"quotes", `Header always set Content-Security-Policy "default-src 'self'" 'x\'y' "unterminated`,
			"1:1 Header [\"always\" \"set\" \"Content-Security-Policy\" \"default-src 'self'\" \"x'y\" \"unterminated\"]\n"},
		{"crlf", "A 1\r\nB 2\r\n", "1:1 A [\"1\"]\n2:1 B [\"2\"]\n"},
		{"empty section", "<IfModule mod_ssl.c>\n</IfModule>", "1:1 IfModule [\"mod_ssl.c\"] <>\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds, err := Parse("a.conf", []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := dump(ds); got != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"<Directory /x\nRequire all denied\n</Directory>", "a.conf:1:1: <Directory> directive missing closing '>'"},
		{"A 1\n  </Location>", "a.conf:2:3: </Location> without matching <Location> section"},
		{"<Location />\n</Directory>", "a.conf:2:1: expected </Location> but saw </Directory> (<Location> opened at line 1)"},
		{"<VirtualHost *:80>\n<Directory />\n</Directory>\n", "a.conf:1:1: <VirtualHost> was not closed"},
		{"</Files", "a.conf:1:1: </Files directive missing closing '>'"},
		{"<>", "a.conf:1:1: section with no name"},
		{strings.Repeat("<A>\n", MaxSectionDepth+1), fmt.Sprintf("a.conf:%d:1: sections nested more than %d deep", MaxSectionDepth+1, MaxSectionDepth)},
	} {
		_, err := Parse("a.conf", []byte(c.src))
		var se *SyntaxError
		if !errors.As(err, &se) || err.Error() != c.want {
			t.Errorf("Parse(%q) = %v, want %s", c.src, err, c.want)
		}
	}
}

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

func TestLoadDebianLayout(t *testing.T) {
	fsys := mapFS{
		"apache2/apache2.conf":               "Include ports.conf\nIncludeOptional conf-enabled/*.conf\nIncludeOptional sites-enabled/*.conf\nInclude /etc/apache2/extra\nIncludeOptional absent.conf\n",
		"apache2/ports.conf":                 "Listen 80\n",
		"apache2/conf-enabled/security.conf": "ServerTokens Prod\n",
		"apache2/extra/b.conf":               "B 1\n",
		"apache2/extra/a.conf":               "<IfModule x>\nInclude ports.conf\n</IfModule>\n",
		"apache2/sites-available/site.conf":  "not included\n",
	}
	c, err := Load(fsys, "apache2/apache2.conf")
	if err != nil {
		t.Fatal(err)
	}
	want := "apache2/apache2.conf:Include apache2/ports.conf:Listen apache2/apache2.conf:IncludeOptional apache2/conf-enabled/security.conf:ServerTokens " +
		"apache2/apache2.conf:IncludeOptional apache2/apache2.conf:Include apache2/extra/a.conf:IfModule apache2/extra/a.conf:Include apache2/ports.conf:Listen apache2/extra/b.conf:B " +
		"apache2/apache2.conf:IncludeOptional"
	if got := names(c.Directives); got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	if len(c.Errors) != 0 || c.ServerRoot != "apache2" {
		t.Errorf("errors %s, server root %q", errs(c), c.ServerRoot)
	}
	if last := c.Directives[len(c.Directives)-1]; last.Include == nil || last.Include.Unresolved != "" {
		t.Errorf("an absent IncludeOptional file is not a gap: %+v", last.Include)
	}
}

func TestLoadServerRoot(t *testing.T) {
	fsys := mapFS{
		"deploy/httpd/conf/httpd.conf":       "ServerRoot \"/etc/httpd\"\nInclude conf.modules.d/*.conf\nIncludeOptional /etc/httpd/conf.d/*.conf\n",
		"deploy/httpd/conf.modules.d/a.conf": "A 1\n",
		"deploy/httpd/conf.d/b.conf":         "B 1\n",
	}
	c, err := Load(fsys, "deploy/httpd/conf/httpd.conf")
	if err != nil {
		t.Fatal(err)
	}
	if c.ServerRoot != "deploy/httpd" || !strings.Contains(names(c.Directives), "deploy/httpd/conf.modules.d/a.conf:A") || !strings.Contains(names(c.Directives), "conf.d/b.conf:B") {
		t.Errorf("root %q tree %s", c.ServerRoot, names(c.Directives))
	}
}

func TestLoadRefuses(t *testing.T) {
	fsys := mapFS{
		"a/httpd.conf": "Include loop.conf\nInclude ../../x.conf\nInclude /srv/x.conf\nInclude missing.conf\nInclude a b\n",
		"a/loop.conf":  "Include httpd.conf\n",
	}
	c, err := Load(fsys, "a/httpd.conf")
	if err != nil {
		t.Fatal(err)
	}
	want := "a/loop.conf:1:1: Include httpd.conf not followed: include loop: a/httpd.conf → a/loop.conf → a/httpd.conf\n" +
		"a/httpd.conf:2:1: Include ../../x.conf not followed: it leaves the repository\n" +
		"a/httpd.conf:5:1: Include a b not followed: Include takes exactly one file, directory or pattern, not 2"
	if got := errs(c); got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
	unresolved := map[string]string{}
	for _, d := range c.Directives {
		if d.Include != nil {
			unresolved[d.Args[0]] = d.Include.Unresolved
		}
	}
	if u := unresolved["/srv/x.conf"]; u != "an absolute path outside ServerRoot, not in the repository" {
		t.Errorf("absolute: %q", u)
	}
	if u := unresolved["missing.conf"]; u != "a/missing.conf: not in the repository" {
		t.Errorf("missing: %q", u)
	}
}
