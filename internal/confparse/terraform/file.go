// Package terraform reads Terraform configurations (.tf, .tf.json, .tfvars) into blocks
// and attributes with their positions, groups them into modules, and evaluates attribute
// expressions where their value is fixed by the configuration itself. A value that
// depends on anything only known when Terraform runs is unknown, with the reason: checks
// built on this package never guess.
package terraform

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// Pos is a place in a file: Path relative to the target root, 1-based line and column
// (columns count characters, as Terraform's own messages do), and the byte offset.
type Pos struct {
	Path   string
	Line   int
	Column int
	Byte   int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.Path
	}
	return fmt.Sprintf("%s:%d:%d", p.Path, p.Line, p.Column)
}

// Short is the position as path:line, what findings and messages show.
func (p Pos) Short() string {
	if p.Line == 0 {
		return p.Path
	}
	return fmt.Sprintf("%s:%d", p.Path, p.Line)
}

func posOf(p hcl.Pos, file string) Pos {
	return Pos{Path: file, Line: p.Line, Column: p.Column, Byte: p.Byte}
}

// Diagnostic is an error Terraform itself would report about a file.
type Diagnostic struct {
	Pos     Pos
	Summary string
	Detail  string
}

// Error is the diagnostic as file:line:col: summary, with the first sentence of the
// detail (the rest is advice about likely causes, too long for a report line).
func (d Diagnostic) Error() string {
	s := d.Pos.String() + ": " + d.Summary
	if detail := firstSentence(d.Detail); detail != "" {
		s += ": " + detail
	}
	return s
}

func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, ".")
}

// Attribute is one "name = expression" of a block.
type Attribute struct {
	Name string
	Expr hcl.Expression
	Pos  Pos
}

// Block is a block with its attributes and nested blocks. A dynamic "x" block is
// represented as a block of type x with Dynamic set: its content exists once per element
// of ForEach, which is rarely known statically.
type Block struct {
	Type    string
	Labels  []string
	Attrs   map[string]*Attribute
	Blocks  []*Block
	Pos     Pos
	Dynamic bool
	ForEach *Attribute
	// Iterator is the name a dynamic block's content uses for the current element.
	Iterator string
}

// Attr returns the attribute name, or nil.
func (b *Block) Attr(name string) *Attribute {
	if b == nil {
		return nil
	}
	return b.Attrs[name]
}

// Nested returns the nested blocks of type typ, in source order.
func (b *Block) Nested(typ string) []*Block {
	if b == nil {
		return nil
	}
	var out []*Block
	for _, c := range b.Blocks {
		if c.Type == typ {
			out = append(out, c)
		}
	}
	return out
}

// AttrNames lists the attribute names in source order, for messages and tests.
func (b *Block) AttrNames() []string {
	names := make([]string, 0, len(b.Attrs))
	for n := range b.Attrs {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		pi, pj := b.Attrs[names[i]].Pos, b.Attrs[names[j]].Pos
		if pi.Byte != pj.Byte {
			return pi.Byte < pj.Byte
		}
		return names[i] < names[j]
	})
	return names
}

// File is one parsed configuration file.
type File struct {
	Path   string
	Blocks []*Block
	// Attrs holds the top-level attributes, which only variable files (.tfvars) have.
	Attrs map[string]*Attribute
	src   []byte
}

// Line returns the text of line n (1-based), for evidence.
func (f *File) Line(n int) string {
	if f == nil || n < 1 {
		return ""
	}
	rest := f.src
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(rest, '\n')
		if j < 0 {
			return ""
		}
		rest = rest[j+1:]
	}
	if j := bytes.IndexByte(rest, '\n'); j >= 0 {
		rest = rest[:j]
	}
	return strings.TrimRight(string(rest), "\r")
}

// IsJSON reports whether p names a file in Terraform's JSON syntax.
func IsJSON(p string) bool { return strings.HasSuffix(p, ".json") }

// Parse reads one configuration or variables file; p is its path relative to the target
// root, which every position carries. It returns what could be read and the errors
// Terraform would report: a file with errors is not what Terraform would apply, so callers
// should not trust its partial content.
func Parse(p string, src []byte) (*File, []Diagnostic) {
	f := &File{Path: p, src: src}
	hf, diags := safeParse(p, src)
	out := convertDiags(diags, p, src)
	if hf == nil || hf.Body == nil {
		return f, out
	}
	if body, ok := hf.Body.(*hclsyntax.Body); ok {
		blk := fromSyntax(body, p)
		f.Blocks, f.Attrs = blk.Blocks, blk.Attrs
		return f, out
	}
	blocks, attrs, jd := fromJSONFile(hf.Body, p, src)
	f.Blocks, f.Attrs = blocks, attrs
	return f, append(out, jd...)
}

// safeParse turns a panic of the parser on odd input into an error of the file, so one
// file cannot stop the scan.
func safeParse(p string, src []byte) (hf *hcl.File, diags hcl.Diagnostics) {
	defer func() {
		if r := recover(); r != nil {
			hf = nil
			diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: fmt.Sprintf("the file could not be parsed (%v)", r)}}
		}
	}()
	if IsJSON(p) {
		return hcljson.Parse(src, p)
	}
	return hclsyntax.ParseConfig(src, p, hcl.InitialPos)
}

func convertDiags(diags hcl.Diagnostics, p string, src []byte) []Diagnostic {
	var out []Diagnostic
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		pos := Pos{Path: p, Line: 1, Column: 1}
		if d.Subject != nil {
			pos = clampPos(posOf(d.Subject.Start, p), src)
		}
		out = append(out, Diagnostic{Pos: pos, Summary: d.Summary, Detail: d.Detail})
	}
	return out
}

// clampPos keeps a diagnostic inside the file: at end of input the parser can point one
// past the last byte, which is fine for a message but not for a location.
func clampPos(p Pos, src []byte) Pos {
	if p.Byte > len(src) {
		p.Byte = len(src)
	}
	if p.Line < 1 {
		p.Line, p.Column = 1, 1
	}
	if p.Column < 1 {
		p.Column = 1
	}
	return p
}

func fromSyntax(body *hclsyntax.Body, p string) *Block {
	b := &Block{Attrs: map[string]*Attribute{}, Pos: posOf(body.SrcRange.Start, p)}
	for name, a := range body.Attributes {
		b.Attrs[name] = &Attribute{Name: name, Expr: a.Expr, Pos: posOf(a.NameRange.Start, p)}
	}
	for _, sb := range body.Blocks {
		if sb.Body == nil {
			continue
		}
		if sb.Type == "dynamic" && len(sb.Labels) == 1 {
			b.Blocks = append(b.Blocks, dynamicFromSyntax(sb, p))
			continue
		}
		c := fromSyntax(sb.Body, p)
		c.Type, c.Labels, c.Pos = sb.Type, sb.Labels, posOf(sb.TypeRange.Start, p)
		b.Blocks = append(b.Blocks, c)
	}
	return b
}

func dynamicFromSyntax(sb *hclsyntax.Block, p string) *Block {
	d := fromSyntax(sb.Body, p)
	return dynamicBlock(sb.Labels[0], d, posOf(sb.TypeRange.Start, p))
}

// dynamicBlock turns a dynamic "typ" block's body into the block its content makes.
func dynamicBlock(typ string, d *Block, at Pos) *Block {
	c := &Block{Type: typ, Dynamic: true, ForEach: d.Attrs["for_each"], Iterator: typ, Attrs: map[string]*Attribute{}, Pos: at}
	if it := d.Attrs["iterator"]; it != nil {
		if name := hcl.ExprAsKeyword(it.Expr); name != "" {
			c.Iterator = name
		}
	}
	for _, content := range d.Nested("content") {
		c.Attrs, c.Blocks = content.Attrs, content.Blocks
	}
	return c
}

// labelCount is how many labels each top-level block type has; the JSON syntax spells
// labels as nested object keys, so the number must be known to read it.
var labelCount = map[string]int{
	"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
	"locals": 0, "terraform": 0,
}

// fromJSONFile reads a .tf.json (or .tfvars.json) body. JSON cannot tell a nested block
// from an attribute whose value is an object, so every object-valued property becomes
// both: checks ask for blocks and attributes by name, and the name decides.
func fromJSONFile(body hcl.Body, p string, src []byte) ([]*Block, map[string]*Attribute, []Diagnostic) {
	attrs, diags := body.JustAttributes()
	out := convertDiags(diags, p, src)
	top := map[string]*Attribute{}
	var blocks []*Block
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		a := attrs[name]
		top[name] = &Attribute{Name: name, Expr: a.Expr, Pos: posOf(a.NameRange.Start, p)}
		n, ok := labelCount[name]
		if !ok {
			continue
		}
		blocks = append(blocks, jsonLabelled(name, nil, n, a.Expr, p, 0)...)
	}
	sort.SliceStable(blocks, func(i, j int) bool { return blocks[i].Pos.Byte < blocks[j].Pos.Byte })
	return blocks, top, out
}

// maxJSONDepth bounds the recursion over nested objects; Terraform blocks never nest
// anywhere near this deep.
const maxJSONDepth = 16

func jsonLabelled(typ string, labels []string, remaining int, expr hcl.Expression, p string, depth int) []*Block {
	if depth > maxJSONDepth {
		return nil
	}
	if remaining == 0 {
		return jsonBodies(typ, labels, expr, p, depth)
	}
	pairs, diags := hcl.ExprMap(expr)
	if diags.HasErrors() {
		return nil
	}
	var out []*Block
	for _, kv := range pairs {
		key, ok := jsonKey(kv.Key)
		if !ok {
			continue
		}
		ls := append(append([]string(nil), labels...), key)
		out = append(out, jsonLabelled(typ, ls, remaining-1, kv.Value, p, depth+1)...)
	}
	return out
}

// jsonBodies reads a block body: an object, or an array of objects for repeated blocks.
func jsonBodies(typ string, labels []string, expr hcl.Expression, p string, depth int) []*Block {
	if depth > maxJSONDepth {
		return nil
	}
	if pairs, diags := hcl.ExprMap(expr); !diags.HasErrors() {
		return []*Block{jsonBody(typ, labels, expr, pairs, p, depth)}
	}
	elems, diags := hcl.ExprList(expr)
	if diags.HasErrors() {
		return nil
	}
	var out []*Block
	for _, e := range elems {
		if pairs, d := hcl.ExprMap(e); !d.HasErrors() {
			out = append(out, jsonBody(typ, labels, e, pairs, p, depth))
		}
	}
	return out
}

func jsonBody(typ string, labels []string, expr hcl.Expression, pairs []hcl.KeyValuePair, p string, depth int) *Block {
	b := &Block{Type: typ, Labels: labels, Attrs: map[string]*Attribute{}, Pos: posOf(expr.StartRange().Start, p)}
	for _, kv := range pairs {
		key, ok := jsonKey(kv.Key)
		if !ok || key == "//" {
			continue
		}
		b.Attrs[key] = &Attribute{Name: key, Expr: kv.Value, Pos: posOf(kv.Key.StartRange().Start, p)}
		if key == "dynamic" {
			for _, d := range jsonLabelled("dynamic", nil, 1, kv.Value, p, depth+1) {
				b.Blocks = append(b.Blocks, dynamicBlock(d.Labels[0], d, d.Pos))
			}
			continue
		}
		b.Blocks = append(b.Blocks, jsonBodies(key, nil, kv.Value, p, depth+1)...)
	}
	sort.SliceStable(b.Blocks, func(i, j int) bool { return b.Blocks[i].Pos.Byte < b.Blocks[j].Pos.Byte })
	return b
}

func jsonKey(expr hcl.Expression) (string, bool) {
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !v.Type().Equals(ctyString) {
		return "", false
	}
	return v.AsString(), true
}
