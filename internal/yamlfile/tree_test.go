package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// billionLaughs nests levels sequences of ten aliases to the level before.
func billionLaughs(levels int) string {
	var b strings.Builder
	b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// mergeFan has maps mappings that each merge one mapping of keys keys times times:
// nothing is added after the first, but every merge looks at every key.
func mergeFan(keys, times, maps int) string {
	var b strings.Builder
	b.WriteString("a: &a {")
	for i := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "k%d: v", i)
	}
	b.WriteString("}\nb:\n")
	for range maps {
		b.WriteString("  - {<<: [*a")
		b.WriteString(strings.Repeat(", *a", times-1))
		b.WriteString("]}\n")
	}
	return b.String()
}

// mergeChain is a mapping per level that merges the level before twice: as a graph it
// doubles, but merging keeps one copy of each key, so the tree grows by one key a level.
func mergeChain(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 {k: v}\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d {<<: [*a%d, *a%d], k%d: v}\n", i, i, i-1, i-1, i)
	}
	return b.String()
}

// The two ways the converters of the compose and CI readers used to differ: an alias to
// an undefined anchor (one read it as null), and how far aliases and merge keys may
// expand a file (one had no bound, the other capped merged keys only).
func TestParseTreeAliasesAndBudget(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int    // of the error; 0 when the file must read
		msg       string // a part of the error message
	}{
		{name: "alias to a defined anchor", src: "a: &x 1\nb: *x\n"},
		{name: "alias in a later document", src: "a: &x 1\n---\nb: *x\n"},
		{name: "undefined anchor", src: "a: 1\nb: *x\n", line: 2, col: 4, msg: "alias *x refers to an undefined anchor"},
		{name: "undefined anchor in a sequence", src: "- a\n- *nope\n", line: 2, col: 3, msg: "*nope"},
		{name: "undefined anchor in a flow sequence", src: "list: [a, *u]\n", line: 1, col: 11, msg: "*u"},
		{name: "long anchor name", src: "a: *" + strings.Repeat("n", 5000) + "\n", line: 1, col: 4, msg: "*" + strings.Repeat("n", 40) + "... refers"},
		{name: "anchor defined after the alias", src: "a: *x\nb: &x 1\n", line: 1, col: 4, msg: "undefined anchor"},
		{name: "undefined anchor in a merge key", src: "s:\n  <<: *missing\n", line: 2, col: 7, msg: "*missing"},
		{name: "anchor merged into itself", src: "a: &a {<<: *a}\n", line: 1, col: 12, msg: "*a refers to an undefined anchor"},
		{name: "undefined anchor as a key", src: "*k : v\n", line: 1, col: 1, msg: "*k"},
		{name: "merge keys over a doubling graph", src: mergeChain(40)},
		{name: "small billion laughs", src: billionLaughs(4)},
		// Level k holds (10^(k+2)-1)/9 nodes; l5, on line 6, is the first past 2^20.
		{name: "billion laughs", src: billionLaughs(9), line: 6, col: 9, msg: "expand the file to more than"},
		{name: "merging many times", src: mergeFan(100, 100, 10)},
		// Each merge is within budget; the third brings the work merging does past it.
		{name: "merging too many times", src: mergeFan(500, 1000, 10), line: 5, col: 6, msg: "expand the file to more than"},
		{name: "nested too deep", src: strings.Repeat("[", 300) + strings.Repeat("]", 300), line: 1, msg: "nested more than 200 levels deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTree([]byte(tt.src))
			if tt.line == 0 {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v, want an *Error", err)
			}
			if e.Line != tt.line || (tt.col > 0 && e.Col != tt.col) || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("error %v, want line %d, column %d: ...%s...", err, tt.line, tt.col, tt.msg)
			}
		})
	}
}

func TestParseTreeValues(t *testing.T) {
	src := "base: &b\n  image: a\n  user: root\nsvc:\n  user: app\n  <<: [*b, {extra: 1}]\nrun: |\n  npm audit\nref: !reference [a, b]\nq: 'x'\nn: ~\nempty:\n"
	docs, err := ParseTree([]byte(src))
	if err != nil || len(docs) != 1 {
		t.Fatalf("docs %+v, error %v", docs, err)
	}
	root := docs[0].Root
	svc := root.Get("svc")
	// Keys written out beat merged ones wherever the merge key stands.
	if got := strings.Join(svc.Keys, ","); got != "user,image,extra" {
		t.Errorf("svc keys = %s", got)
	}
	if svc.Get("user").Text() != "app" || svc.Get("image").Text() != "a" {
		t.Errorf("svc = %+v", svc)
	}
	// A merged key keeps the line it was written on.
	if svc.KeyLines[1] != 2 || svc.Line != 5 || root.Path("svc", "extra").Text() != "1" {
		t.Errorf("svc lines: key lines %v, line %d", svc.KeyLines, svc.Line)
	}
	if run := root.Get("run"); !run.Block || !run.Quoted || run.Line != 8 || run.Text() != "npm audit\n" {
		t.Errorf("block scalar = %+v", run)
	}
	if ref := root.Get("ref"); ref.Tag != "!reference" || ref.Kind != Seq || len(ref.Items) != 2 {
		t.Errorf("tagged = %+v", ref)
	}
	if q := root.Get("q"); !q.Quoted || q.Text() != "x" {
		t.Errorf("quoted = %+v", q)
	}
	if n := root.Get("n"); n.IsSet() || n.Line != 11 {
		t.Errorf("null = %+v", n)
	}
	// An empty value is where its key is.
	if e := root.Get("empty"); e.IsSet() || e.Line != 12 || e.LineOr(99) != 12 {
		t.Errorf("empty = %+v", e)
	}
	if root.Get("missing").LineOr(7) != 7 || root.Path("svc", "user", "x") != nil {
		t.Error("missing keys must read as nil")
	}
}

func TestParseTreeSyntaxErrors(t *testing.T) {
	tests := []struct {
		src       string
		line, col int
	}{
		{"a: 1\n\tb: 2\n", 2, 0},
		{"a: [1, 2\n", 1, 0},
		{"a: 1\na: 2\n", 2, 0},
	}
	for _, tt := range tests {
		_, err := ParseTree([]byte(tt.src))
		var e *Error
		if !errors.As(err, &e) || e.Line != tt.line || (tt.col > 0 && e.Col != tt.col) {
			t.Errorf("%q: error %v, want one at line %d", tt.src, err, tt.line)
			continue
		}
		if strings.ContainsAny(e.Msg, "\t\n") {
			t.Errorf("%q: message is not one clean line: %q", tt.src, e.Msg)
		}
	}
}

func TestAddBuildsAMapping(t *testing.T) {
	m := &Node{Kind: Map}
	m.Add("a", 3, &Node{Value: "x"})
	if m.Get("a").Text() != "x" || m.KeyLines[0] != 3 || m.Get("b") != nil {
		t.Errorf("map = %+v", m)
	}
	if (&Node{Kind: Map}).Get("a") != nil {
		t.Error("an empty map has no keys")
	}
}

// Files are read from whoever can push to the repository: nothing may crash the reader,
// every error is positioned inside the file, and a file without aliases, which cannot
// expand, never runs out of budget whatever its size.
func FuzzParseTree(f *testing.F) {
	f.Add([]byte("a: &a {k: v}\nb:\n  <<: [*a, *a]\n  k: w\nc: !reference [*a]\nd: |\n  x\n"))
	f.Add([]byte(billionLaughs(4)))
	f.Add([]byte(mergeChain(5)))
	f.Add([]byte("a: &a {<<: *a}\n---\n- *a\n"))
	f.Add([]byte("only: !00\n00"))
	f.Add([]byte("a:\r b: |\r  c\r"))
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := 1 + bytes.Count(src, []byte("\n")) + bytes.Count(src, []byte("\r")) - bytes.Count(src, []byte("\r\n"))
		docs, err := parseTree(src, 0)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("error at line %d; the input has %d lines", e.Line, lines)
			}
			if !bytes.ContainsRune(src, '*') && strings.Contains(e.Msg, "expand the file") {
				t.Fatalf("a file without aliases ran out of budget: %v", err)
			}
			return
		}
		seen := map[*Node]bool{}
		var walk func(n *Node)
		walk = func(n *Node) {
			if n == nil || seen[n] {
				return
			}
			seen[n] = true
			if n.Line < 0 || n.Line > lines {
				t.Fatalf("node %+v at line %d; the input has %d lines", n, n.Line, lines)
			}
			if len(n.Keys) != len(n.Vals) || len(n.Keys) != len(n.KeyLines) {
				t.Fatalf("mapping with %d keys, %d values, %d key lines", len(n.Keys), len(n.Vals), len(n.KeyLines))
			}
			for _, v := range n.Vals {
				walk(v)
			}
			for _, v := range n.Items {
				walk(v)
			}
		}
		for _, d := range docs {
			walk(d.Root)
		}
	})
}
