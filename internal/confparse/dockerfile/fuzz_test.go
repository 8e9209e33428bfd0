package dockerfile

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/testutil"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte("# syntax=docker/dockerfile:1\nARG A=1\nFROM x:${A} AS b\nRUN <<EOF\nhi\nEOF\nUSER 1\n"))
	f.Add([]byte("# escape=`\nFROM a\nRUN x `\n  y\nCOPY <<-A <<B /\n\tA\nB\n"))
	f.Add([]byte("FROM a\nONBUILD RUN <<X\nX\nCMD [\"a\", 1]\n"))
	f.Add([]byte("ARG X=${Y:-${Z:+${W}}}\nFROM $X\nENV A=\"b c\" D e\nUSER ${A}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		df, err := Parse(src)
		maxLine := bytes.Count(src, []byte("\n")) + 1
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if se.Line < 1 || se.Line > maxLine || se.Col < 1 {
				t.Fatalf("error at %d:%d; the input has %d lines", se.Line, se.Col, maxLine)
			}
			return
		}
		for _, in := range df.Instructions {
			if in.Line < 1 || in.EndLine < in.Line || in.EndLine > maxLine {
				t.Fatalf("%s at lines %d-%d; the input has %d lines", in.Cmd, in.Line, in.EndLine, maxLine)
			}
			for _, h := range in.Heredocs {
				if h.Line <= in.Line || h.Line > maxLine+1 {
					t.Fatalf("heredoc %q at line %d", h.Name, h.Line)
				}
			}
		}
		if len(df.Stages) == 0 || df.Final() == nil {
			t.Fatal("parsed without a stage")
		}
		for _, st := range df.Stages {
			if st.Parent != nil && st.Parent.Index >= st.Index {
				t.Fatalf("stage %d refers to a later stage %d", st.Index, st.Parent.Index)
			}
		}
	})
}

// Crafted input must not make parsing quadratic or exhaust the stack.
func TestPathologicalInputIsFast(t *testing.T) {
	const n = 100_000
	for name, src := range map[string]string{
		"unclosed braces":    "FROM a:" + strings.Repeat("${", n) + "\n",
		"nested defaults":    "ARG A=" + strings.Repeat("${A:-", n) + strings.Repeat("}", n) + "\nFROM $A\n",
		"continuations":      "FROM a\nRUN x" + strings.Repeat(" \\\n", n) + "\n",
		"many heredocs":      "FROM a\nRUN" + strings.Repeat(" <<A", n) + "\n",
		"nested onbuild":     "FROM a\n" + strings.Repeat("ONBUILD ", n) + "RUN x\n",
		"many stages":        strings.Repeat("FROM a AS b\nFROM b\n", n/2),
		"many flags":         "FROM a\nRUN" + strings.Repeat(" --mount=type=cache", n) + " x\n",
		"long escaped words": "FROM a\nENV " + strings.Repeat(`A="\"" `, n) + "\n",
	} {
		start := time.Now()
		_, _ = Parse([]byte(src))
		if d := time.Since(start); d > testutil.WorkBound(10*time.Second) {
			t.Errorf("%s: %v", name, d)
		}
	}
}
