package dockerfile

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

func TestInstructionsLinesAndForms(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\n" + // 1
		"\n" + // 2
		"ARG BASE=alpine\n" + // 3
		"from --platform=$BUILDPLATFORM ${BASE}:3.20 AS Build\n" + // 4
		"RUN apk add --no-cache \\\n" + // 5
		"    # a comment inside the continuation\n" + // 6
		"\n" + // 7
		"      curl \\\n" + // 8
		"      git\n" + // 9
		"CMD [\"sh\", \"-c\", \"echo hi\"]\n" + // 10
		"ENTRYPOINT [not json\n" + // 11
		"RUN <<EOF\n" + // 12
		"set -e\n" + // 13
		"echo one\n" + // 14
		"EOF\n" + // 15
		"  user   10001\n" // 16
	f := mustParse(t, src)
	type row struct {
		cmd        string
		line, end  int
		args       string
		json       bool
		words      []string
		flags      []string
		heredocCnt int
	}
	var got []row
	for _, in := range f.Instructions {
		got = append(got, row{in.Cmd, in.Line, in.EndLine, in.Args, in.JSON, in.Words, in.Flags, len(in.Heredocs)})
	}
	want := []row{
		{"ARG", 3, 3, "BASE=alpine", false, nil, nil, 0},
		{"FROM", 4, 4, "${BASE}:3.20 AS Build", false, nil, []string{"--platform=$BUILDPLATFORM"}, 0},
		{"RUN", 5, 9, "apk add --no-cache       curl       git", false, nil, nil, 0},
		{"CMD", 10, 10, `["sh", "-c", "echo hi"]`, true, []string{"sh", "-c", "echo hi"}, nil, 0},
		{"ENTRYPOINT", 11, 11, "[not json", false, nil, nil, 0},
		{"RUN", 12, 15, "<<EOF", false, nil, nil, 1},
		{"USER", 16, 16, "10001", false, nil, nil, 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("instructions:\n got %+v\nwant %+v", got, want)
	}
	h := f.Instructions[5].Heredocs[0]
	if h.Name != "EOF" || h.Content != "set -e\necho one\n" || h.Line != 13 || !h.Expand {
		t.Errorf("heredoc = %+v", h)
	}
	if f.Instructions[6].Col != 3 {
		t.Errorf("USER column = %d, want 3", f.Instructions[6].Col)
	}
	st := f.Stages[0]
	if st.Name != "build" || st.Base != "alpine:3.20" || st.BaseRaw != "${BASE}:3.20" || len(st.Unresolved) != 0 {
		t.Errorf("stage = %+v", st)
	}
	if st.Platform != "" {
		t.Errorf("platform %q: BUILDPLATFORM has no value in the file", st.Platform)
	}
	if len(f.Directives) != 1 || f.Directives[0].Name != "syntax" {
		t.Errorf("directives = %+v", f.Directives)
	}
}

func TestEscapeDirective(t *testing.T) {
	src := "# escape=`\n\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir c:\\ `\n    && echo done\nUSER ContainerUser\n"
	f := mustParse(t, src)
	if f.Escape != '`' {
		t.Fatalf("escape = %q", f.Escape)
	}
	run := f.Instructions[1]
	if run.Args != `dir c:\     && echo done` || run.Line != 4 || run.EndLine != 5 {
		t.Errorf("RUN = %q lines %d-%d", run.Args, run.Line, run.EndLine)
	}
	// A directive after a blank line is only a comment.
	f = mustParse(t, "\n# escape=`\nFROM a\nRUN x `\nUSER b\n")
	if f.Escape != '\\' || len(f.Instructions) != 3 {
		t.Errorf("late directive honoured: escape %q, %d instructions", f.Escape, len(f.Instructions))
	}
}

func TestHeredocForms(t *testing.T) {
	src := "FROM debian:12\n" +
		"COPY <<-'CONF' <<EOF2 /etc/\n" +
		"\tkey=$VALUE\n" +
		"\tCONF\n" +
		"second\n" +
		"EOF2\n" +
		"RUN [\"echo\", \"<<NOTADOC\"]\n" +
		"RUN python3 <<PY > out.txt\n" +
		"print(1)\n" +
		"PY\n"
	f := mustParse(t, src)
	cp := f.Instructions[1]
	if len(cp.Heredocs) != 2 || cp.EndLine != 6 {
		t.Fatalf("COPY heredocs = %+v end %d", cp.Heredocs, cp.EndLine)
	}
	if h := cp.Heredocs[0]; h.Name != "CONF" || !h.Chomp || h.Expand || h.Content != "\tkey=$VALUE\n" {
		t.Errorf("first heredoc = %+v", h)
	}
	if h := cp.Heredocs[1]; h.Name != "EOF2" || h.Content != "second\n" || h.Line != 5 {
		t.Errorf("second heredoc = %+v", h)
	}
	if len(f.Instructions[2].Heredocs) != 0 {
		t.Error("a heredoc marker in the exec form was read as a heredoc")
	}
	if in := f.Instructions[3]; len(in.Heredocs) != 1 || in.Line != 8 || in.EndLine != 10 {
		t.Errorf("RUN heredoc = %+v", in)
	}
}

func TestStagesAndArgs(t *testing.T) {
	src := "ARG REGISTRY=docker.io\n" +
		"ARG TAG=1.22\n" +
		"ARG IMAGE=${REGISTRY}/library/golang:${TAG}\n" +
		"ARG VARIANT\n" +
		"FROM ${IMAGE} AS build\n" +
		"FROM build AS test\n" +
		"FROM gcr.io/distroless/static:${VARIANT:-nonroot}\n" +
		"FROM node:${NODE_VERSION}-alpine\n" +
		"COPY --from=build /out /app\n"
	f := mustParse(t, src)
	if len(f.Stages) != 4 {
		t.Fatalf("%d stages", len(f.Stages))
	}
	if b := f.Stages[0].Base; b != "docker.io/library/golang:1.22" {
		t.Errorf("stage 0 base = %q", b)
	}
	if f.Stages[1].Parent != f.Stages[0] {
		t.Error("FROM build does not refer to the build stage")
	}
	if b := f.Stages[2].Base; b != "gcr.io/distroless/static:nonroot" {
		t.Errorf("stage 2 base = %q", b)
	}
	if st := f.Stages[3]; st.Base != "node:-alpine" || !reflect.DeepEqual(st.Unresolved, []string{"NODE_VERSION"}) {
		t.Errorf("stage 3 = %q unresolved %v", st.Base, st.Unresolved)
	}
	if f.Final() != f.Stages[3] || len(f.Final().Instructions) != 1 {
		t.Error("final stage wrong")
	}
	if v, ok := f.Stages[3].Instructions[0].Flag("from"); !ok || v != "build" {
		t.Errorf("--from = %q, %v", v, ok)
	}
	if !f.Declared["VARIANT"] || f.Args["VARIANT"] != "" {
		t.Error("VARIANT should be declared without a value")
	}
}

func TestExpand(t *testing.T) {
	vars := map[string]string{"A": "a", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	cases := []struct {
		in, out    string
		unresolved []string
	}{
		{"$A-${A}", "a-a", nil},
		{"${EMPTY:-d}|${EMPTY-d}|${NONE-d}", "d||d", nil},
		{"${A:+x}${NONE:+x}${EMPTY+y}", "xy", nil},
		{"'$A' \"$A\" \\$A $", "$A a $A $", nil},
		{"${NONE}x${A#a}", "x", []string{"NONE", "A"}},
		{"${A:-${NONE}}${NONE:-${A}}", "aa", nil},
		{"${unclosed", "${unclosed", nil},
	}
	for _, c := range cases {
		got, un := Expand(c.in, lookup, '\\')
		if got != c.out || !reflect.DeepEqual(un, c.unresolved) {
			t.Errorf("Expand(%q) = %q %v, want %q %v", c.in, got, un, c.out, c.unresolved)
		}
	}
}

func TestEnvAndArgForms(t *testing.T) {
	if got := ParseEnv(`A=1 B="two words" C`); !reflect.DeepEqual(got, [][2]string{{"A", "1"}, {"B", `"two words"`}}) {
		t.Errorf("ParseEnv = %q", got)
	}
	if got := ParseEnv(`LEGACY some value`); !reflect.DeepEqual(got, [][2]string{{"LEGACY", "some value"}}) {
		t.Errorf("legacy ParseEnv = %q", got)
	}
	if got := ParseArgs(`A=1 B`); !reflect.DeepEqual(got, []Arg{{"A", "1", true}, {"B", "", false}}) {
		t.Errorf("ParseArgs = %+v", got)
	}
}

func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		src, msg  string
		line, col int
	}{
		{"FROM alpine\nFORM alpine\n", "unknown instruction: FORM", 2, 1},
		{"# escape=x\nFROM a\n", "invalid escape token", 1, 1},
		{"# escape=`\n# escape=\\\nFROM a\n", "only one escape", 2, 1},
		{"FROM a\nRUN cat <<EOF\nno end\n", "unterminated heredoc", 2, 9},
		{"RUN echo\nFROM a\n", "before the first FROM", 1, 1},
		{"FROM a b\n", "FROM takes", 1, 1},
		{"FROM a AS x\nFROM b AS X\n", "duplicate stage name", 2, 1},
		{"FROM a AS 1x\n", "invalid stage name", 1, 1},
		{"FROM a\n  CMD [1, 2]\n", "must be strings", 2, 3},
		{"# just a comment\n\n", "no instructions", 2, 1},
		{"ARG A=1\n", "no FROM", 1, 1},
		{"FROM a\nONBUILD ONBUILD RUN x\n", "not allowed as an ONBUILD", 2, 1},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.src))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v, want a *SyntaxError", c.src, err)
			continue
		}
		if !strings.Contains(se.Msg, c.msg) || se.Line != c.line || se.Col != c.col {
			t.Errorf("%q: got %d:%d %q, want %d:%d %q", c.src, se.Line, se.Col, se.Msg, c.line, c.col, c.msg)
		}
	}
}

func TestOnbuildHeredoc(t *testing.T) {
	f := mustParse(t, "FROM a\nONBUILD RUN <<EOF\necho\nEOF\nUSER x\n")
	ob := f.Instructions[1]
	if ob.Sub == nil || ob.Sub.Cmd != "RUN" || len(ob.Sub.Heredocs) != 1 || ob.EndLine != 4 {
		t.Fatalf("ONBUILD = %+v sub %+v", ob, ob.Sub)
	}
	if f.Instructions[2].Line != 5 {
		t.Error("line after the ONBUILD heredoc")
	}
}
