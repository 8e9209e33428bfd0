package terraform

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/testutil"
)

// checkPos fails when a position points outside the input it came from.
func checkPos(t *testing.T, what string, p Pos, name string, src []byte) {
	t.Helper()
	if p.Path != name || p.Line == 0 {
		return
	}
	lines := bytes.Count(src, []byte("\n")) + 1
	if p.Line < 1 || p.Line > lines || p.Column < 1 || p.Byte < 0 || p.Byte > len(src) {
		t.Fatalf("%s at %s (byte %d); the input has %d lines and %d bytes", what, p, p.Byte, lines, len(src))
	}
}

// evaluateAll evaluates every argument of every block the way the checks do, including
// each element of dynamic blocks.
func evaluateAll(t *testing.T, in *Instance, b *Block, name string, src []byte, depth int) {
	if depth > 32 {
		return
	}
	checkPos(t, "block", b.Pos, name, src)
	in.Count(b)
	var its []Iteration
	if b.Dynamic {
		its, _, _ = in.Iterations(b)
		if len(its) > 4 {
			its = its[:4]
		}
	}
	for _, n := range b.AttrNames() {
		a := b.Attrs[n]
		checkPos(t, "attribute "+n, a.Pos, name, src)
		vals := []Value{in.Eval(a)}
		for _, it := range its {
			vals = append(vals, in.EvalIn(a, []Iteration{it}))
		}
		for _, v := range vals {
			checkPos(t, "value of "+n, v.From, name, src)
			_ = v.Display()
			v.Bool()
			v.Number()
			v.Str()
			v.Keys()
			v.Elements()
			v.Get("key")
			if !v.Known() && v.Reason() == "" {
				t.Fatalf("%s is unknown without a reason", n)
			}
		}
		ResourceRefs(a)
		ModuleRefs(a)
		if elems, ok := a.Elements(); ok {
			for _, e := range elems {
				checkPos(t, "element of "+n, e.Pos, name, src)
				in.Eval(e)
			}
		}
	}
	for _, c := range b.Blocks {
		evaluateAll(t, in, c, name, src, depth+1)
	}
}

func FuzzEvaluate(f *testing.F) {
	f.Add([]byte(evalModule), false)
	f.Add([]byte(`{"resource": {"a": {"b": {"x": "${var.y}", "dynamic": {"d": {"for_each": [1, 2], "content": {"v": "${d.value}"}}}}}}}`), true)
	f.Add([]byte("resource \"a\" \"b\" {\n  dynamic \"ingress\" {\n    for_each = [22, 3389]\n    content { from_port = ingress.value }\n  }\n}\n"), false)
	f.Add([]byte("locals { a = [for x in range(3): x] }\nresource \"a\" \"b\" { c = local.a }"), false)
	f.Add([]byte("module \"m\" {\n  source = \"./\"\n  x = 1\n}\nvariable \"x\" {}\n"), false)
	root := filepath.Join("..", "..", "..", "testdata", "p4", "terraform")
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".tf") || strings.HasSuffix(p, ".json")) {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data, strings.HasSuffix(p, ".json"))
			}
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, src []byte, json bool) {
		name := "m/main.tf"
		if json {
			name += ".json"
		}
		file, diags := Parse(name, src)
		for _, d := range diags {
			checkPos(t, "diagnostic "+d.Summary, d.Pos, name, src)
			if d.Error() == "" {
				t.Fatal("empty diagnostic")
			}
		}
		// Partial content is evaluated too: it is what the evaluation layer would meet if a
		// caller ignored the errors, and it must not crash either.
		m := NewModule("m", []*File{file}, nil)
		for _, in := range Instances([]*Module{m}) {
			for _, b := range file.Blocks {
				evaluateAll(t, in, b, name, src, 0)
			}
			for name := range m.Variables {
				in.Var(name)
			}
		}
	})
}

// Crafted input must not make parsing or evaluation quadratic or exhaust the stack.
func TestPathologicalInputIsFast(t *testing.T) {
	const n = 20_000
	for name, src := range map[string]string{
		"nested parens":    "resource \"a\" \"b\" { x = " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + " }",
		"nested blocks":    strings.Repeat("a {\n", n) + strings.Repeat("}\n", n),
		"long local chain": "locals {\n" + chain(n) + "}\nresource \"a\" \"b\" { x = local.l0 }\n",
		"nested lists":     "resource \"a\" \"b\" { x = " + strings.Repeat("[", n) + strings.Repeat("]", n) + " }",
		"wide merge":       "resource \"a\" \"b\" { x = merge(" + strings.Repeat("{a = 1},", n) + ") }",
		"json nesting":     `{"resource": {"a": {"b": ` + strings.Repeat(`{"c": `, n/20) + "1" + strings.Repeat("}", n/20) + "}}}",
		"doubling lists":   "locals {\n" + doubling(60, "[local.d%d, local.d%d]", "1") + "}\nresource \"a\" \"b\" { x = local.d0 }\n",
		"doubling strings": "locals {\n" + doubling(60, `"${local.d%d}${local.d%d}"`, `"xxxxxxxx"`) + "}\nresource \"a\" \"b\" { x = local.d0 }\n",
		"nested fors":      "locals { l = [" + strings.Repeat("1,", 999) + "1] }\nresource \"a\" \"b\" { x = [for a in local.l : [for b in local.l : [for c in local.l : 1]]] }\n",
		"long for":         "locals { l = [" + strings.Repeat("1,", n) + "1] }\nresource \"a\" \"b\" { x = [for a in local.l : [for b in local.l : 1]] }\n",
		"json templates":   `{"locals": {"l": [` + strings.Repeat("1,", 999) + `1]}, "resource": {"a": {"b": {"x": "%{for a in local.l}%{for b in local.l}%{for c in local.l}x%{endfor}%{endfor}%{endfor}"}}}}`,
	} {
		start := time.Now()
		file := strings.HasPrefix(name, "json")
		p := "m/main.tf"
		if file {
			p += ".json"
		}
		f, _ := Parse(p, []byte(src))
		m := NewModule("m", []*File{f}, nil)
		for _, in := range Instances([]*Module{m}) {
			for _, b := range f.Blocks {
				evaluateAll(t, in, b, p, []byte(src), 0)
			}
		}
		if d := time.Since(start); d > testutil.WorkBound(10*time.Second) {
			t.Errorf("%s: %v", name, d)
		}
		if x := f.Blocks[len(f.Blocks)-1].Attrs["x"]; strings.HasPrefix(name, "doubling") || strings.HasPrefix(name, "nested fors") || strings.HasPrefix(name, "json templates") {
			in := Instances([]*Module{m})[0]
			if v := in.Eval(x); v.Known() || !strings.Contains(v.Why, "too large") {
				t.Errorf("%s: x = %s (%s), want unknown as too large", name, v.Display(), v.Why)
			}
		}
	}
}

// doubling writes locals d0 … dn where each is built from the next one twice, so the
// value of d0 is 2^n times the size of its source.
func doubling(n int, format, last string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("  d" + strconv.Itoa(i) + " = " + fmt.Sprintf(format, i+1, i+1) + "\n")
	}
	b.WriteString("  d" + strconv.Itoa(n) + " = " + last + "\n")
	return b.String()
}

func chain(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("  l" + strconv.Itoa(i) + " = local.l" + strconv.Itoa(i+1) + "\n")
	}
	return b.String()
}
