package wordpress

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// describe renders a constant compactly: NAME@line=value, then "cond" or "guarded".
func describe(c Constant) string {
	var v string
	switch c.Value.Kind {
	case KindBool:
		v = strconv.FormatBool(c.Value.Bool)
	case KindInt:
		v = strconv.FormatInt(c.Value.Int, 10)
	case KindFloat:
		v = "f:" + strconv.FormatFloat(c.Value.Float, 'g', -1, 64)
	case KindString:
		v = strconv.Quote(c.Value.Str)
	case KindNull:
		v = "null"
	default:
		v = "dyn(" + c.Raw + ")"
	}
	s := fmt.Sprintf("%s@%d=%s", c.Name, c.Line, v)
	if c.Conditional {
		s += " cond"
	}
	if c.Guarded {
		s += " guarded"
	}
	return s
}

type parseCase struct {
	name    string
	src     string
	want    []string
	errLine int // 0: no error expected
}

var parseCases = []parseCase{
	{"plain defines", "<?php\ndefine('A', true);\ndefine(\"B\", 'x', true);\n",
		[]string{`A@2=true`, `B@3="x"`}, 0},
	{"case-insensitive define and literals", "<?php DEFINE('A', TRUE); Define( 'B' , False ); \\define('C', \\true); define('D', NULL);",
		[]string{`A@1=true`, `B@1=false`, `C@1=true`, `D@1=null`}, 0},
	{"comments hide defines", "<?php\n// define('A', true);\n# define('B', true);\n/* define('C', true);\n*/ define('D', 1);\n/** define('E', 1); */",
		[]string{`D@5=1`}, 0},
	{"closing tag ends a line comment", "<?php // note ?> define('A', true); <?php define('B', true);",
		[]string{`B@1=true`}, 0},
	{"strings containing define", "<?php\n$s = \"define('A', true)\";\n$t = 'define(\"B\", true)';\necho \"x {$a[\"define('C', 1)\"]} y\";\ndefine('D', true);",
		[]string{`D@5=true`}, 0},
	{"escapes in strings", `<?php define('A', 'it\'s \\ \n'); define("B", "say \"hi\"\t\x41\101\u{e9}\$x"); define('C', "{$x}");`,
		[]string{`A@1="it's \\ \\n"`, `B@1="say \"hi\"\tAAé$x"`, `C@1=dyn("{$x}")`}, 0},
	{"multi-line define", "<?php\ndefine(\n  'A'\n  ,\n  true\n)\n;\n",
		[]string{`A@2=true`}, 0},
	{"blocks are conditional", "<?php\nif ($x) { define('A', true); }\nfunction f() { define('B', 1); }\n$f = function () { define('C', 1); };\ndefine('D', 1);",
		[]string{`A@2=true cond`, `B@3=1 cond`, `C@4=1 cond`, `D@5=1`}, 0},
	{"brace-less bodies", "<?php\nif ($x) define('A', true);\ndefine('B', true);\nif ($y) define('C', 1); else define('D', 1);\ndefine('E', 1);\nwhile ($z) define('F', 1);\nif ($a) if ($b) define('G', 1); else define('H', 1);\ndefine('I', 1);",
		[]string{`A@2=true cond`, `B@3=true`, `C@4=1 cond`, `D@4=1 cond`, `E@5=1`, `F@6=1 cond`, `G@7=1 cond`, `H@7=1 cond`, `I@8=1`}, 0},
	{"blocks that always run", "<?php\ntry { define('A', 1); } catch (Exception $e) { define('B', 1); } finally { define('C', 1); }\n{ define('D', 1); }\ndo { define('E', 1); } while (0);\ndo define('F', 1); while (0);\ndefine('G', 1);",
		[]string{`A@2=1`, `B@2=1 cond`, `C@2=1`, `D@3=1`, `E@4=1`, `F@5=1`, `G@6=1`}, 0},
	{"class bodies and match arms are not top level", "<?php\nclass K { const A = 1; function f() { define('B', 1); } }\n$v = match ($x) { 1 => define('C', 1), default => 0 };\nconst D = 1;",
		[]string{`B@2=1 cond`, `C@3=1 cond`, `D@4=1`}, 0},
	{"else if with braces", "<?php if ($a) { } else if ($b) { define('A', 1); }\ndefine('B', 1);",
		[]string{`A@1=1 cond`, `B@2=1`}, 0},
	{"alternative syntax", "<?php\nif ($x):\n  define('A', 1);\nelseif ($y):\n  define('B', 1);\nelse:\n  define('C', 1);\nendif;\ndefine('D', 1);\nforeach ($l as $v): define('E', 1); endforeach; define('F', 1);",
		[]string{`A@3=1 cond`, `B@5=1 cond`, `C@7=1 cond`, `D@9=1`, `E@10=1 cond`, `F@10=1`}, 0},
	{"template alternative syntax across tags", "<?php if ($x): ?><p>define('A', 1)</p><?php define('B', 1); endif; ?>\n<?php define('C', 1);",
		[]string{`B@1=1 cond`, `C@2=1`}, 0},
	{"ternary and short-circuit", "<?php\n$x ? define('A', 1) : define('B', 2);\n$y && define('C', 1);\ndefined('D') || define('D', true);\n! defined( 'E' ) && define( 'E', true );\ndefined('F') or define('F', 1);\ndefined('G') || define('H', 1);\n$v = $w ?? define('I', 1);\n@define('J', 1);",
		[]string{`A@2=1 cond`, `B@2=2 cond`, `C@3=1 cond`, `D@4=true guarded`, `E@5=true guarded`, `F@6=1 guarded`, `H@7=1 cond`, `I@8=1 cond`, `J@9=1`}, 0},
	{"if-not-defined guard", "<?php\nif ( ! defined( 'A' ) ) {\n\tdefine( 'A', 1 );\n\tdefine( 'B', 1 );\n}\nif (!defined('C')) define('C', 2);\nif (!defined('D')): define('D', 3); else: define('D', 4); endif;\nif (!defined('E')) { if ($x) { define('E', 5); } }",
		[]string{`A@3=1 guarded`, `B@4=1 cond`, `C@6=2 guarded`, `D@7=3 guarded`, `D@7=4 cond`, `E@8=5 cond`}, 0},
	{"const syntax", "<?php\nconst A = true;\nconst B = 'x', C = 5;\nclass K { const D = 1; public function f() {} }\nuse const Other\\E;\nnamespace Foo;\nconst F = 1;",
		[]string{`A@2=true`, `B@3="x"`, `C@3=5`, `Foo\F@7=1`}, 0},
	{"literal and dynamic values", "<?php define('A', getenv('A')); define('B', $b); define('C', \"x$y\"); define('D', 1 + 1); define('E', -5);\ndefine('F', (true)); define('G', 0x1F); define('H', 1_000); define('I', 1.5); define('J', 'a' . 'b'); define('K', 017); define('L', 0b11);",
		[]string{`A@1=dyn(getenv('A'))`, `B@1=dyn($b)`, `C@1=dyn("x$y")`, `D@1=dyn(1 + 1)`, `E@1=-5`,
			`F@2=true`, `G@2=31`, `H@2=1000`, `I@2=f:1.5`, `J@2=dyn('a' . 'b')`, `K@2=15`, `L@2=3`}, 0},
	{"heredoc and nowdoc", "<?php\ndefine('A', <<<EOT\nhello\nEOT);\ndefine('B', <<<'EOT'\n    raw $x\n    EOT);\ndefine('C', <<<\"EOT\"\n$x\nEOT\n);\ndefine('D', <<<E\nE);",
		[]string{`A@2="hello"`, `B@5="raw $x"`, `C@8=dyn(<<<"EOT"` + "\n$x\nEOT)", `D@12=""`}, 0},
	{"text outside php tags", "<html> define('A', true) <?php define('B', true); ?> define('C', true) <?= 'x' ?>\n<?PHP define('D', 1); ?><? define('E', 1);",
		[]string{`B@1=true`, `D@2=1`, `E@2=1`}, 0},
	{"not the global define", "<?php $o->define('A', 1); Foo::define('B', 1); $o?->define('C', 1); function define($a, $b) {} Ns\\define('D', 1); define(NAME, 1); define('E');",
		nil, 0},
	{"named arguments", "<?php define(constant_name: 'A', value: true); define(value: 2, constant_name: 'B');",
		[]string{`A@1=true`, `B@1=2`}, 0},
	{"halt compiler stops reading", "<?php define('A', 1); __halt_compiler(); define('B', 1); ' \" /*",
		[]string{`A@1=1`}, 0},
	{"attribute is not a comment", "<?php #[Attr] function f() {}\ndefine('A', 1);",
		[]string{`A@2=1`}, 0},
	{"unterminated comment", "<?php\ndefine('A', true);\n/* oops\ndefine('B', true);\n",
		[]string{`A@2=true`}, 3},
	{"unterminated string", "<?php\ndefine('A', 1);\ndefine('B', 'oops);\n",
		[]string{`A@2=1`}, 3},
	// A quote left open swallows the next line; the error is where the last one opens.
	{"unbalanced quotes", "<?php\ndefine('A', 1);\ndefine('B', 'oops);\ndefine('C', 1);\n",
		[]string{`A@2=1`}, 4},
	{"unterminated double-quoted interpolation", "<?php\ndefine('A', 1);\n$x = \"a {$b['c'] \";\n",
		[]string{`A@2=1`}, 3},
	{"unterminated heredoc", "<?php\ndefine('A', 1);\n$x = <<<EOT\nnever closed\n",
		[]string{`A@2=1`}, 3},
	{"no php at all", "just text define('A', 1);", nil, 0},
	{"empty", "", nil, 0},
}

func TestParseConstants(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseConstants([]byte(c.src))
			var lines []string
			for _, k := range got {
				lines = append(lines, describe(k))
			}
			if strings.Join(lines, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("constants:\n  %s\nwant:\n  %s", strings.Join(lines, "\n  "), strings.Join(c.want, "\n  "))
			}
			var se *SyntaxError
			switch {
			case c.errLine == 0 && err != nil:
				t.Errorf("unexpected error %v", err)
			case c.errLine != 0 && !errors.As(err, &se):
				t.Errorf("error %v, want a *SyntaxError at line %d", err, c.errLine)
			case c.errLine != 0 && se.Line != c.errLine:
				t.Errorf("error at line %d (%v), want line %d", se.Line, err, c.errLine)
			}
		})
	}
}

func TestSnippetCoversOnlyTheDefinition(t *testing.T) {
	src := "<?php define('DB_PASSWORD', 'hunter2'); define( 'WP_DEBUG',\n\t true ); // on\n"
	got, err := ParseConstants([]byte(src))
	if err != nil || len(got) != 2 {
		t.Fatalf("got %v, %v", got, err)
	}
	if want := "define( 'WP_DEBUG', true );"; got[1].Snippet != want {
		t.Errorf("snippet %q, want %q", got[1].Snippet, want)
	}
	if strings.Contains(got[1].Snippet, "hunter2") {
		t.Error("snippet leaks the neighbouring secret")
	}
}

func TestTruthy(t *testing.T) {
	for _, c := range []struct {
		v           Value
		truth, know bool
	}{
		{Value{Kind: KindBool, Bool: true}, true, true},
		{Value{Kind: KindInt}, false, true},
		{Value{Kind: KindInt, Int: -1}, true, true},
		{Value{Kind: KindString, Str: "false"}, true, true}, // PHP: a non-empty string is true
		{Value{Kind: KindString, Str: "0"}, false, true},
		{Value{Kind: KindString}, false, true},
		{Value{Kind: KindFloat, Float: 0.1}, true, true},
		{Value{Kind: KindNull}, false, true},
		{Value{}, false, false},
	} {
		truth, know := c.v.Truthy()
		if truth != c.truth || know != c.know {
			t.Errorf("%+v: Truthy() = %v, %v; want %v, %v", c.v, truth, know, c.truth, c.know)
		}
	}
}
