package nginx

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// dump renders a tree as one directive a line: "line:col name [args] {" with nesting.
func dump(ds []*Directive) string {
	var b strings.Builder
	var walk func([]*Directive, string)
	walk = func(ds []*Directive, indent string) {
		for _, d := range ds {
			fmt.Fprintf(&b, "%s%d:%d %s %q", indent, d.Pos.Line, d.Pos.Col, d.Name, d.Args)
			switch {
			case d.Lua != "":
				fmt.Fprintf(&b, " lua=%q\n", d.Lua)
			case d.IsBlock:
				b.WriteString(" {\n")
				walk(d.Block, indent+"  ")
			default:
				b.WriteString("\n")
			}
		}
	}
	walk(ds, "")
	return b.String()
}

func TestParse(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"simple", "user nginx;\nworker_processes  4;\n",
			"1:1 user [\"nginx\"]\n2:1 worker_processes [\"4\"]\n"},
		{"blocks and comments", "http { # comment\n  server {\n    listen 80; # trailing\n  }\n}\n",
			"1:1 http [] {\n  2:3 server [] {\n    3:5 listen [\"80\"]\n"},
		{"quotes and escapes", `add_header X-A "a \"b\" c" always; return 200 'it\'s\n';`,
			"1:1 add_header [\"X-A\" \"a \\\"b\\\" c\" \"always\"]\n1:36 return [\"200\" \"it's\\n\"]\n"},
		{"hash inside a word is not a comment", "location /a#b { return 204; }",
			"1:1 location [\"/a#b\"] {\n  1:17 return [\"204\"]\n"},
		{"brace inside a word", "return 200 a}b;",
			"1:1 return [\"200\" \"a}b\"]\n"},
		{"variables with braces", "set $x ${host}-${uri}; if ($x) { return 404; }",
			"1:1 set [\"$x\" \"${host}-${uri}\"]\n1:24 if [\"($x)\"] {\n  1:34 return [\"404\"]\n"},
		{"closing paren after a quoted word", `if ($a = "b") { return 403; }`,
			"1:1 if [\"($a\" \"=\" \"b\" \")\"] {\n  1:17 return [\"403\"]\n"},
		{"escaped semicolon", `rewrite ^/a\;b /c;`,
			"1:1 rewrite [\"^/a\\\\;b\" \"/c\"]\n"},
		{"empty block", "events {}\n", "1:1 events [] {\n"},
		{"lua block with braces in strings and comments",
			"content_by_lua_block {\n  local t = {a = \"}\"} -- }\n  --[[ } ]] ngx.say([==[ } ]==])\n}\nfoo bar;",
			"1:1 content_by_lua_block [] lua=\"\\n  local t = {a = \\\"}\\\"} -- }\\n  --[[ } ]] ngx.say([==[ } ]==])\\n\"\n5:1 foo [\"bar\"]\n"},
		{"set_by_lua_block with a variable", "set_by_lua_block $v { return 1 }",
			"1:1 set_by_lua_block [\"$v\"] lua=\" return 1 \"\n"},
		{"crlf line ends", "a 1;\r\nb 2;\r\n", "1:1 a [\"1\"]\n2:1 b [\"2\"]\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds, err := Parse("f.conf", []byte(c.src))
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
		{"a b", `f.conf:1:4: unexpected end of file, expecting ";" or "}" (directive "a" at line 1 is not terminated)`},
		{"http {\n server {\n", `f.conf:3:1: unexpected end of file, expecting "}" (block "server" at line 2 is not closed)`},
		{"a;\n}\n", `f.conf:2:1: unexpected "}"`},
		{"a {\n b }\n", `f.conf:2:4: unexpected "}"`},
		{";", `f.conf:1:1: unexpected ";"`},
		{"x;\n  {", `f.conf:2:3: unexpected "{"`},
		{"a \"b\nc", `f.conf:1:3: quoted string is not terminated`},
		{`a "b"c;`, `f.conf:1:6: unexpected "c" after a quoted string (a space, ";" or "{" must follow it)`},
		{"content_by_lua_block {\n local s = \"x\n}", `f.conf:2:12: Lua string is not terminated`},
		{"content_by_lua_block { --[[ }", `f.conf:1:24: Lua long string or comment is not closed`},
		{"content_by_lua_block { {", `f.conf:1:22: Lua block is not closed`},
		{strings.Repeat("a {", MaxBlockDepth+1), fmt.Sprintf(`f.conf:1:%d: blocks nested more than %d deep`, 3*(MaxBlockDepth+1), MaxBlockDepth)},
	} {
		_, err := Parse("f.conf", []byte(c.src))
		var se *SyntaxError
		if !errors.As(err, &se) || err.Error() != c.want {
			t.Errorf("Parse(%q) = %v, want %s", c.src, err, c.want)
		}
	}
}

func TestParseKeepsDirectivesBeforeAnError(t *testing.T) {
	ds, err := Parse("f.conf", []byte("server {\n listen 80;\n location / {\n"))
	if err == nil || len(ds) != 1 || len(ds[0].Block) != 2 || ds[0].Block[0].Name != "listen" {
		t.Fatalf("got %s, %v", dump(ds), err)
	}
}

func TestText(t *testing.T) {
	ds, err := Parse("f.conf", []byte("server {\n  add_header   X-Frame-Options\n     \"DENY\";\n}"))
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].Text != "server {" || ds[0].Block[0].Text != `add_header X-Frame-Options "DENY";` {
		t.Errorf("texts %q %q", ds[0].Text, ds[0].Block[0].Text)
	}
}
