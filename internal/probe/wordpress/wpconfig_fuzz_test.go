package wordpress

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/testutil"
)

func FuzzParseConstants(f *testing.F) {
	for _, c := range parseCases {
		f.Add([]byte(c.src))
	}
	f.Add([]byte("<?php \"{$a[\"{$b[\"{$c}\"]}\"]}\" define('A', 1);"))
	f.Add([]byte("<?php <<<\"X\"\r\n$y\r\n  X; define('B', <<<'Y'\nY);"))
	f.Fuzz(func(t *testing.T, src []byte) {
		consts, err := ParseConstants(src)
		maxLine := bytes.Count(src, []byte("\n")) + 1
		for _, c := range consts {
			if c.Line < 1 || c.Line > maxLine+1 {
				t.Fatalf("constant %q at line %d; the input has %d lines", c.Name, c.Line, maxLine)
			}
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if se.Line < 1 || se.Line > maxLine+1 {
				t.Fatalf("error at line %d; the input has %d lines", se.Line, maxLine)
			}
		}
	})
}

// Crafted input must not make extraction quadratic or exhaust the stack.
func TestPathologicalInputIsFast(t *testing.T) {
	const n = 100_000
	for name, src := range map[string]string{
		"nested defines":       "<?php " + strings.Repeat("define('A', ", n),
		"nested parens":        "<?php define('A', " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + ");",
		"nested braces":        "<?php " + strings.Repeat("{ define('A', 1); ", n),
		"nested interpolation": "<?php " + strings.Repeat(`"{$a[`, n),
		"many headers":         "<?php " + strings.Repeat("if ($a) ", n) + "define('A', 1);",
		"long expression":      "<?php $x = " + strings.Repeat("$a || ", n) + "define('A', 1);",
		"many heredoc openers": "<?php " + strings.Repeat("<<<A\n", n),
		"unicode escapes":      "<?php \"" + strings.Repeat(`\u{`, n),
		"stray closers":        "<?php " + strings.Repeat("(", n) + strings.Repeat("] endif; }", n),
		"unclosed alternative": "<?php " + strings.Repeat("if ($a): ", n) + strings.Repeat(") ]", n),
	} {
		start := time.Now()
		_, _ = ParseConstants([]byte(src))
		if d := time.Since(start); d > testutil.WorkBound(10*time.Second) {
			t.Errorf("%s: %v", name, d)
		}
	}
}
