// Package container reads the YAML that deploys containers, docker-compose files and
// Kubernetes manifests, into models that keep the line of every setting, so that checks
// can point at the service or container they judge.
package container

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Node is a YAML value with its position. Anchors, aliases and merge keys are resolved
// when the tree is built, because compose files share settings through x- extensions
// and <<: *anchor, and the readers should only ever see plain values.
type Node struct {
	Kind      Kind
	Line, Col int
	// Value is a scalar's text; Null is set for ~, null and an empty value.
	Value string
	Null  bool
	// Quoted is set for a quoted scalar, which is always a string.
	Quoted bool
	Keys   []string
	Vals   []*Node
	// KeyLines holds the line of each of Keys (for a merged key, where it was written).
	KeyLines []int
	Items    []*Node
	index    map[string]int
}

// Kind is the shape of a node.
type Kind uint8

const (
	Scalar Kind = iota
	Map
	Seq
)

// Get returns the value under key in a mapping, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Map {
		return nil
	}
	if i, ok := n.index[key]; ok {
		return n.Vals[i]
	}
	return nil
}

// Path follows keys through nested mappings.
func (n *Node) Path(keys ...string) *Node {
	for _, k := range keys {
		n = n.Get(k)
	}
	return n
}

// Str returns a scalar's text; ok is false for a mapping, a sequence or a missing node.
func (n *Node) Str() (string, bool) {
	if n == nil || n.Kind != Scalar {
		return "", false
	}
	return n.Value, true
}

// Text is Str without the ok, for optional fields.
func (n *Node) Text() string {
	s, _ := n.Str()
	return s
}

// IsSet reports whether the node exists and is not null.
func (n *Node) IsSet() bool { return n != nil && !(n.Kind == Scalar && n.Null) }

// LineOr returns the node's line, or def when the node is missing.
func (n *Node) LineOr(def int) int {
	if n == nil || n.Line == 0 {
		return def
	}
	return n.Line
}

// Error is a document that cannot be read, with the position of the problem.
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// maxDepth bounds nesting so that a hostile file cannot exhaust the stack.
const maxDepth = 200

// Document is one YAML document of a file and the line it starts on.
type Document struct {
	Root *Node
	Line int
}

// ParseYAML reads every document in data. go-yaml can panic on malformed input (see
// internal/yamlfile); that becomes an *Error like any other problem.
func ParseYAML(data []byte) (docs []Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			docs, err = nil, &Error{Line: 1, Msg: fmt.Sprintf("malformed YAML (the parser failed: %v)", r)}
		}
	}()
	// YAML breaks lines at \n, \r\n and a lone \r.
	lines := 1 + bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) - bytes.Count(data, []byte("\r\n"))
	f, perr := parser.ParseBytes(data, 0)
	if perr != nil {
		err := yamlError(perr)
		// go-yaml places some errors at the end of input, one line past the last.
		if e, ok := err.(*Error); ok && e.Line > lines {
			last := data[bytes.LastIndexAny(data, "\r\n")+1:]
			e.Line, e.Col = lines, len(last)+1
		}
		return nil, err
	}
	c := &conv{anchors: map[string]*Node{}, lines: lines}
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		n, err := c.node(d.Body, 0)
		if err != nil {
			return nil, err
		}
		docs = append(docs, Document{Root: n, Line: n.Line})
	}
	return docs, nil
}

// yamlError turns a go-yaml error into an *Error without the source excerpt, so that
// messages stay on one line in reports.
func yamlError(err error) error {
	var se yaml.Error
	if errors.As(err, &se) {
		if tk := se.GetToken(); tk != nil && tk.Position != nil {
			return &Error{Line: tk.Position.Line, Col: tk.Position.Column, Msg: oneLine(se.GetMessage())}
		}
	}
	return &Error{Line: 1, Msg: oneLine(err.Error())}
}

// oneLine keeps the first line of a message and spells out control characters (go-yaml
// quotes a stray tab as a real tab), so that messages print cleanly in reports.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, strings.ReplaceAll(s, "\t", `\t`))
}

type conv struct {
	anchors map[string]*Node
	lines   int
	// merged counts keys copied in by merge keys: aliases let a small file merge the
	// same large mapping many times over.
	merged int
}

// maxMerged bounds the keys merge keys may copy in one file.
const maxMerged = 1_000_000

func pos(n ast.Node) (int, int) {
	if n == nil {
		return 0, 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

func (c *conv) node(n ast.Node, depth int) (*Node, error) {
	line, col := pos(n)
	if depth > maxDepth {
		return nil, &Error{Line: line, Col: col, Msg: fmt.Sprintf("nested more than %d levels deep", maxDepth)}
	}
	switch v := n.(type) {
	case nil:
		return &Node{Null: true}, nil
	case *ast.DocumentNode:
		return c.node(v.Body, depth+1)
	case *ast.AnchorNode:
		out, err := c.node(v.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if v.Name != nil {
			// Registered after the value is built, so an anchor can never contain itself.
			c.anchors[v.Name.String()] = out
		}
		return out, nil
	case *ast.AliasNode:
		if v.Value != nil {
			if a, ok := c.anchors[v.Value.String()]; ok {
				return a, nil
			}
		}
		return nil, &Error{Line: line, Col: col, Msg: "alias to an undefined anchor"}
	case *ast.TagNode:
		// Compose's !reset and !override and YAML's own tags do not change what the
		// checks read.
		return c.node(v.Value, depth+1)
	case *ast.MappingValueNode:
		return c.mapping(line, col, []*ast.MappingValueNode{v}, depth)
	case *ast.MappingNode:
		return c.mapping(line, col, v.Values, depth)
	case *ast.SequenceNode:
		out := &Node{Kind: Seq, Line: line, Col: col}
		for _, item := range v.Values {
			x, err := c.node(item, depth+1)
			if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, x)
		}
		return out, nil
	case *ast.LiteralNode:
		s := ""
		if v.Value != nil {
			s = v.Value.Value
		}
		// The text of a block scalar starts on the line after its | or > indicator.
		return &Node{Line: min(line+1, c.lines), Col: col, Value: s, Quoted: true}, nil
	case *ast.StringNode:
		q := v.Token != nil && (v.Token.Type == token.SingleQuoteType || v.Token.Type == token.DoubleQuoteType)
		return &Node{Line: line, Col: col, Value: v.Value, Quoted: q}, nil
	case *ast.NullNode:
		return &Node{Line: line, Col: col, Null: true}, nil
	case *ast.CommentGroupNode, *ast.CommentNode:
		return &Node{Line: line, Col: col, Null: true}, nil
	default:
		if tk := n.GetToken(); tk != nil {
			return &Node{Line: line, Col: col, Value: tk.Value}, nil
		}
		return &Node{Line: line, Col: col, Null: true}, nil
	}
}

// mapping builds a map. Keys written out beat keys brought in by a merge key ("<<"),
// wherever the merge key stands, as the YAML merge-key type defines.
func (c *conv) mapping(line, col int, pairs []*ast.MappingValueNode, depth int) (*Node, error) {
	out := &Node{Kind: Map, Line: line, Col: col, index: map[string]int{}}
	var merged []*Node
	for _, kv := range pairs {
		if kv == nil || kv.Key == nil {
			continue
		}
		val, err := c.node(kv.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if val.Line == 0 {
			// An empty value ("key:") has no token of its own; it is where its key is.
			val.Line, val.Col = pos(kv.Key)
		}
		if len(out.Keys) == 0 && len(merged) == 0 {
			out.Line, out.Col = pos(kv.Key)
		}
		if kv.Key.IsMergeKey() {
			switch val.Kind {
			case Map:
				merged = append(merged, val)
			case Seq:
				for _, it := range val.Items {
					if it.Kind == Map {
						merged = append(merged, it)
					}
				}
			}
			continue
		}
		key, err := c.node(kv.Key, depth+1)
		if err != nil {
			return nil, err
		}
		if key.Kind != Scalar {
			continue
		}
		if _, dup := out.index[key.Value]; dup {
			continue
		}
		out.add(key.Value, key.Line, val)
	}
	for _, m := range merged {
		c.merged += len(m.Keys)
		if c.merged > maxMerged {
			return nil, &Error{Line: line, Col: col, Msg: "merge keys copy in more than a million keys"}
		}
		for i, k := range m.Keys {
			if _, ok := out.index[k]; !ok {
				out.add(k, m.KeyLines[i], m.Vals[i])
			}
		}
	}
	return out, nil
}

func (n *Node) add(k string, line int, v *Node) {
	n.index[k] = len(n.Keys)
	n.Keys = append(n.Keys, k)
	n.KeyLines = append(n.KeyLines, line)
	n.Vals = append(n.Vals, v)
}
