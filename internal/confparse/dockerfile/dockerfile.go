// Package dockerfile parses Dockerfiles the way BuildKit reads them: parser directives,
// line continuations with the file's escape character, comments, heredocs, exec (JSON)
// versus shell form, builder flags, and build stages with ARG substitution in FROM. Every
// instruction keeps the line it starts on, so checks can point at it.
//
// It is written here rather than imported from github.com/moby/buildkit because that
// module's parser package links the protobuf runtime (for its error stacks) and brings
// BuildKit's whole module graph into go.sum, for a grammar of a few hundred lines.
package dockerfile

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Instruction is one Dockerfile instruction with its continuation lines joined.
type Instruction struct {
	// Cmd is the instruction keyword in upper case (FROM, RUN, ...); Keyword is as written.
	Cmd, Keyword string
	// Line and Col locate the keyword; EndLine is the last line, heredoc bodies included.
	Line, Col, EndLine int
	// Flags are the leading --name[=value] words, quotes removed.
	Flags []string
	// Args is the text after the flags, continuation lines joined, trimmed.
	Args string
	// JSON is set for the exec form (a JSON array of strings), whose elements are Words.
	JSON  bool
	Words []string
	// Heredocs are the here-documents the instruction reads, in order.
	Heredocs []Heredoc
	// Sub is the instruction an ONBUILD wraps.
	Sub *Instruction
}

// Flag returns the value of a builder flag (--from=x gives "x") and whether it is present.
func (in *Instruction) Flag(name string) (string, bool) {
	for _, f := range in.Flags {
		k, v, _ := strings.Cut(f, "=")
		if strings.EqualFold(strings.TrimPrefix(k, "--"), name) {
			return v, true
		}
	}
	return "", false
}

// Heredoc is a here-document (<<EOF ... EOF) attached to RUN, COPY or ADD.
type Heredoc struct {
	Name string
	// Line is the first line of the body.
	Line    int
	Content string
	// Chomp is <<-, which strips leading tabs; Expand is false when the word was quoted,
	// which turns variable expansion in the body off.
	Chomp, Expand bool
}

// Directive is a parser directive (# syntax=, # escape=, # check=) at the top of the file.
type Directive struct {
	Name, Value string
	Line        int
}

// Stage is one build stage: a FROM and the instructions up to the next FROM.
type Stage struct {
	Index int
	// Name is the AS name, lower-cased as BuildKit compares it; "" when unnamed.
	Name string
	From *Instruction
	// BaseRaw is the image as written; Base is it after substituting the ARGs declared
	// before the first FROM. Unresolved lists variables Base used that have no value in
	// the file (their value is chosen at build time, or is empty).
	BaseRaw, Base string
	Unresolved    []string
	Platform      string
	// Parent is the earlier stage that Base names, or nil for an image.
	Parent       *Stage
	Instructions []*Instruction
}

// IsScratch reports whether the stage starts from the empty image.
func (s *Stage) IsScratch() bool { return s.Parent == nil && strings.EqualFold(s.Base, "scratch") }

// Label names the stage for messages: its AS name, or its position.
func (s *Stage) Label() string {
	if s.Name != "" {
		return s.Name
	}
	return fmt.Sprintf("#%d", s.Index+1)
}

// File is a parsed Dockerfile.
type File struct {
	Escape     rune
	Directives []Directive
	// Instructions holds every instruction in order; MetaArgs the ARGs before the first
	// FROM, whose defaults FROM lines may use.
	Instructions []*Instruction
	MetaArgs     []*Instruction
	Stages       []*Stage
	// Args maps each meta ARG that has a value to it, after expansion.
	Args map[string]string
	// Declared holds every meta ARG name, with or without a default.
	Declared map[string]bool
}

// Final is the stage a plain `docker build` produces: the last one.
func (f *File) Final() *Stage {
	if len(f.Stages) == 0 {
		return nil
	}
	return f.Stages[len(f.Stages)-1]
}

// SyntaxError is an error that stops the file from building, with its position.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

func errAt(line, col int, format string, a ...any) *SyntaxError {
	return &SyntaxError{Line: line, Col: max(col, 1), Msg: fmt.Sprintf(format, a...)}
}

var known = map[string]bool{
	"ADD": true, "ARG": true, "CMD": true, "COPY": true, "ENTRYPOINT": true, "ENV": true,
	"EXPOSE": true, "FROM": true, "HEALTHCHECK": true, "LABEL": true, "MAINTAINER": true,
	"ONBUILD": true, "RUN": true, "SHELL": true, "STOPSIGNAL": true, "USER": true,
	"VOLUME": true, "WORKDIR": true,
}

// jsonCapable are the instructions whose arguments may be a JSON array.
var jsonCapable = map[string]bool{"ADD": true, "CMD": true, "COPY": true, "ENTRYPOINT": true, "RUN": true, "SHELL": true, "VOLUME": true}

var heredocCapable = map[string]bool{"ADD": true, "COPY": true, "RUN": true}

var directiveRE = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)

var stageNameRE = regexp.MustCompile(`^[a-z][a-z0-9\-_.]*$`)

// Parse reads a Dockerfile. A *SyntaxError is returned for what would stop `docker build`
// before it runs anything: a bad directive, an unknown instruction, an unterminated
// heredoc, a malformed FROM, a non-string JSON array.
func Parse(src []byte) (*File, error) {
	p := &parser{lines: splitLines(src), f: &File{Escape: '\\'}}
	if err := p.directives(); err != nil {
		return nil, err
	}
	if err := p.instructions(); err != nil {
		return nil, err
	}
	if err := p.stages(); err != nil {
		return nil, err
	}
	return p.f, nil
}

type parser struct {
	lines []string
	i     int // index of the next line to read
	f     *File
}

func splitLines(src []byte) []string {
	s := strings.TrimPrefix(string(src), "\uFEFF")
	lines := strings.Split(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

func trimLeft(s string) string { return strings.TrimLeft(s, " \t\v\f\r") }

func isComment(s string) bool { return strings.HasPrefix(trimLeft(s), "#") }

// directives reads the parser directives, which BuildKit only honours on the first lines:
// the first line that is not a known directive (a blank line, any other comment) ends them.
func (p *parser) directives() error {
	seen := map[string]bool{}
	for ; p.i < len(p.lines); p.i++ {
		l := trimLeft(p.lines[p.i])
		if !strings.HasPrefix(l, "#") {
			return nil
		}
		m := directiveRE.FindStringSubmatch(trimLeft(l[1:]))
		if m == nil {
			return nil
		}
		k := strings.ToLower(m[1])
		if k != "syntax" && k != "escape" && k != "check" {
			return nil
		}
		if seen[k] {
			return errAt(p.i+1, 1, "only one %s parser directive can be used", k)
		}
		seen[k] = true
		if k == "escape" {
			if m[2] != "\\" && m[2] != "`" {
				return errAt(p.i+1, 1, "invalid escape token %q: it must be \\ or `", m[2])
			}
			p.f.Escape = rune(m[2][0])
		}
		p.f.Directives = append(p.f.Directives, Directive{Name: k, Value: m[2], Line: p.i + 1})
	}
	return nil
}

// continued strips a trailing escape character (and the blanks after it) that joins the
// line to the next one. An escaped escape character at the end does not continue.
func (p *parser) continued(s string) (string, bool) {
	t := strings.TrimRight(s, " \t")
	esc := byte(p.f.Escape)
	if len(t) == 0 || t[len(t)-1] != esc {
		return s, false
	}
	if len(t) >= 2 && t[len(t)-2] == esc {
		return s, false
	}
	return t[:len(t)-1], true
}

func (p *parser) instructions() error {
	for p.i < len(p.lines) {
		raw := p.lines[p.i]
		p.i++
		t := trimLeft(raw)
		if t == "" || t[0] == '#' {
			continue
		}
		start, col := p.i, len(raw)-len(t)+1
		seg, more := p.continued(t)
		if !more && strings.TrimSpace(seg) == "" {
			continue
		}
		var b strings.Builder
		b.WriteString(seg)
		for more && p.i < len(p.lines) {
			next := p.lines[p.i]
			p.i++
			// Comment lines and blank lines inside a continued instruction are dropped,
			// as BuildKit does (the latter with a warning).
			if isComment(next) || trimLeft(next) == "" {
				continue
			}
			seg, more = p.continued(next)
			b.WriteString(seg)
		}
		in, err := p.instruction(b.String(), start, col)
		if err != nil {
			return err
		}
		in.EndLine = p.i
		if err := p.heredocs(in, start); err != nil {
			return err
		}
		p.f.Instructions = append(p.f.Instructions, in)
	}
	if len(p.f.Instructions) == 0 {
		return errAt(max(len(p.lines), 1), 1, "the file has no instructions")
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' }

// instruction splits a logical line into keyword, flags and arguments.
func (p *parser) instruction(line string, ln, col int) (*Instruction, error) {
	line = strings.TrimSpace(line)
	kw := line
	rest := ""
	for i := 0; i < len(line); i++ {
		if isSpace(line[i]) {
			kw, rest = line[:i], trimLeft(line[i:])
			break
		}
	}
	cmd := strings.ToUpper(kw)
	if !known[cmd] {
		return nil, errAt(ln, col, "unknown instruction: %s", kw)
	}
	in := &Instruction{Cmd: cmd, Keyword: kw, Line: ln, Col: col}
	in.Flags, rest = p.flags(rest)
	in.Args = strings.TrimSpace(rest)
	if cmd == "ONBUILD" {
		if in.Args == "" {
			return nil, errAt(ln, col, "ONBUILD requires an instruction to run")
		}
		// Checked before recursing, so that ONBUILD ONBUILD ... cannot nest deeply.
		first := strings.ToUpper(strings.Fields(in.Args)[0])
		switch first {
		case "ONBUILD", "FROM", "MAINTAINER":
			return nil, errAt(ln, col, "%s is not allowed as an ONBUILD trigger", first)
		}
		sub, err := p.instruction(in.Args, ln, col+len(line)-len(in.Args))
		if err != nil {
			return nil, err
		}
		in.Sub = sub
		return in, nil
	}
	if jsonCapable[cmd] && strings.HasPrefix(in.Args, "[") {
		var arr []any
		if json.Unmarshal([]byte(in.Args), &arr) == nil {
			words := make([]string, 0, len(arr))
			for _, a := range arr {
				s, ok := a.(string)
				if !ok {
					return nil, errAt(ln, col, "%s: the elements of a JSON array must be strings", cmd)
				}
				words = append(words, s)
			}
			in.JSON, in.Words = true, words
		}
		// Anything that starts with [ but is not valid JSON is the shell form, as in BuildKit.
	}
	return in, nil
}

// flags takes the leading --name[=value] words off an argument string.
func (p *parser) flags(s string) ([]string, string) {
	var out []string
	esc := byte(p.f.Escape)
	for {
		s = trimLeft(s)
		if !strings.HasPrefix(s, "--") {
			return out, s
		}
		var w strings.Builder
		var quote byte
		i := 0
		for ; i < len(s); i++ {
			c := s[i]
			switch {
			case quote != 0 && c == quote:
				quote = 0
			case quote == 0 && (c == '"' || c == '\''):
				quote = c
			case quote == 0 && isSpace(c):
				goto done
			case c == esc && i+1 < len(s):
				i++
				w.WriteByte(s[i])
			case c == esc:
			default:
				w.WriteByte(c)
			}
		}
	done:
		s = s[i:]
		if w.String() == "--" {
			return out, s
		}
		out = append(out, w.String())
	}
}

var heredocRE = regexp.MustCompile(`^(\d*)<<(-?)\s*([^<]*)$`)

// heredocs reads the bodies of the here-documents the instruction opens; they follow the
// instruction line in the order the markers appear.
func (p *parser) heredocs(in *Instruction, start int) error {
	target := in
	if in.Sub != nil {
		target = in.Sub
	}
	if !heredocCapable[target.Cmd] || target.JSON || !strings.Contains(target.Args, "<<") {
		return nil
	}
	for _, w := range rawWords(target.Args) {
		m := heredocRE.FindStringSubmatch(w)
		if m == nil || m[3] == "" {
			continue
		}
		name, quoted := unquoteWord(m[3])
		if name == "" {
			continue
		}
		h := Heredoc{Name: name, Chomp: m[2] == "-", Expand: !quoted, Line: p.i + 1}
		var body strings.Builder
		done := false
		for p.i < len(p.lines) {
			l := p.lines[p.i]
			p.i++
			end := l
			if h.Chomp {
				end = strings.TrimLeft(end, "\t")
			}
			if end == name {
				done = true
				break
			}
			body.WriteString(l)
			body.WriteByte('\n')
		}
		if !done {
			ln, col := p.locate(start, in.EndLine, "<<")
			return errAt(ln, col, "unterminated heredoc: no line %q ends it", name)
		}
		h.Content = body.String()
		target.Heredocs = append(target.Heredocs, h)
		in.EndLine = p.i
	}
	return nil
}

// locate finds the first occurrence of s on lines first..last (1-based), for positions
// inside a continued instruction; it falls back to the first line.
func (p *parser) locate(first, last int, s string) (int, int) {
	for ln := first; ln <= last && ln <= len(p.lines); ln++ {
		if i := strings.Index(p.lines[ln-1], s); i >= 0 {
			return ln, i + 1
		}
	}
	return first, 1
}

// rawWords splits shell text on unquoted blanks, keeping quotes and escapes as written.
func rawWords(s string) []string {
	var out []string
	var w strings.Builder
	var quote byte
	flush := func() {
		if w.Len() > 0 {
			out = append(out, w.String())
			w.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\\' && quote == '"' && i+1 < len(s) {
				w.WriteByte(c)
				i++
				c = s[i]
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '\\' && i+1 < len(s):
			w.WriteByte(c)
			i++
			c = s[i]
		case isSpace(c) || c == '\n':
			flush()
			continue
		}
		w.WriteByte(c)
	}
	flush()
	return out
}

// unquoteWord removes quotes and backslash escapes from a word and says whether any part
// of it was quoted.
func unquoteWord(s string) (string, bool) {
	var b strings.Builder
	quoted := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote, quoted = c, true
		case c == '\\' && quote != '\'' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
			quoted = true
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), quoted
}

// stages groups the instructions into build stages and resolves each FROM.
func (p *parser) stages() error {
	f := p.f
	f.Args, f.Declared = map[string]string{}, map[string]bool{}
	byName := map[string]*Stage{}
	var cur *Stage
	for _, in := range f.Instructions {
		switch {
		case in.Cmd == "FROM":
			st, err := p.from(in, len(f.Stages), byName)
			if err != nil {
				return err
			}
			f.Stages = append(f.Stages, st)
			cur = st
		case cur == nil && in.Cmd == "ARG":
			f.MetaArgs = append(f.MetaArgs, in)
			for _, a := range ParseArgs(in.Args) {
				f.Declared[a.Name] = true
				if a.HasDefault {
					v, _ := Expand(a.Default, f.lookupMeta, f.Escape)
					f.Args[a.Name] = v
				}
			}
		case cur == nil:
			return errAt(in.Line, in.Col, "%s comes before the first FROM; only ARG may", in.Cmd)
		default:
			cur.Instructions = append(cur.Instructions, in)
		}
	}
	if len(f.Stages) == 0 {
		last := f.Instructions[len(f.Instructions)-1]
		return errAt(last.Line, last.Col, "no FROM instruction, so there is no build stage")
	}
	return nil
}

func (f *File) lookupMeta(name string) (string, bool) {
	v, ok := f.Args[name]
	return v, ok
}

func (p *parser) from(in *Instruction, index int, byName map[string]*Stage) (*Stage, error) {
	f := p.f
	words := strings.Fields(in.Args)
	st := &Stage{Index: index, From: in}
	switch {
	case len(words) == 1:
	case len(words) == 3 && strings.EqualFold(words[1], "AS"):
		st.Name = strings.ToLower(words[2])
		if !stageNameRE.MatchString(st.Name) {
			return nil, errAt(in.Line, in.Col, "invalid stage name %q", words[2])
		}
		if _, dup := byName[st.Name]; dup {
			return nil, errAt(in.Line, in.Col, "duplicate stage name %q", words[2])
		}
	default:
		return nil, errAt(in.Line, in.Col, "FROM takes an image and optionally AS name, got %q", in.Args)
	}
	st.BaseRaw = words[0]
	var unresolved []string
	st.Base, unresolved = Expand(st.BaseRaw, f.lookupMeta, f.Escape)
	for _, u := range unresolved {
		if !contains(st.Unresolved, u) {
			st.Unresolved = append(st.Unresolved, u)
		}
	}
	if v, ok := in.Flag("platform"); ok {
		st.Platform, _ = Expand(v, f.lookupMeta, f.Escape)
	}
	if parent, ok := byName[strings.ToLower(st.Base)]; ok {
		st.Parent = parent
	}
	if st.Name != "" {
		byName[st.Name] = st
	}
	return st, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Arg is one name[=default] of an ARG instruction.
type Arg struct {
	Name, Default string
	HasDefault    bool
}

// ParseArgs reads the declarations of an ARG instruction (ARG A=1 B). Defaults are as
// written, quotes included: Expand removes them.
func ParseArgs(s string) []Arg {
	var out []Arg
	for _, w := range rawWords(s) {
		name, def, ok := strings.Cut(w, "=")
		if name == "" {
			continue
		}
		out = append(out, Arg{Name: name, Default: def, HasDefault: ok})
	}
	return out
}

// ParseEnv reads an ENV instruction, in both its KEY=VALUE ... and legacy KEY VALUE forms.
// Values are as written, quotes included: Expand removes them.
func ParseEnv(s string) [][2]string {
	words := rawWords(s)
	if len(words) == 0 {
		return nil
	}
	if !strings.Contains(words[0], "=") {
		rest := strings.TrimSpace(strings.TrimPrefix(trimLeft(s), words[0]))
		return [][2]string{{words[0], rest}}
	}
	var out [][2]string
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			continue
		}
		out = append(out, [2]string{k, v})
	}
	return out
}
