package hygiene

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// ynode is a parsed YAML value with the line it starts on. CI systems lean on anchors,
// aliases and merge keys to share steps between jobs, so those are resolved here once and
// the CI readers only ever see plain maps, lists and scalars.
type ynode struct {
	kind  ykind
	line  int
	value string // scalar text
	// block marks a literal or folded block scalar: its text starts on the line after line.
	block bool
	tag   string
	keys  []string
	vals  []*ynode
	items []*ynode
}

type ykind uint8

const (
	yScalar ykind = iota
	yMap
	ySeq
)

// get returns the value under key in a mapping, or nil.
func (n *ynode) get(key string) *ynode {
	if n == nil || n.kind != yMap {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// str returns a scalar's text; ok is false for anything else.
func (n *ynode) str() (string, bool) {
	if n == nil || n.kind != yScalar {
		return "", false
	}
	return n.value, true
}

// text is str without the ok, for optional fields.
func (n *ynode) text() string {
	s, _ := n.str()
	return s
}

// firstLine is where a scalar's text starts.
func (n *ynode) firstLine() int {
	if n.block {
		return n.line + 1
	}
	return n.line
}

// maxYAMLDepth bounds nesting so that a hostile file cannot exhaust the stack.
const maxYAMLDepth = 200

// parseYAML reads every document in data. go-yaml can panic on malformed input (see
// internal/yamlfile); that is reported as an error like any other.
func parseYAML(data []byte) (docs []*ynode, err error) {
	defer func() {
		if r := recover(); r != nil {
			docs, err = nil, fmt.Errorf("malformed YAML (the parser failed: %v)", r)
		}
	}()
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, err
	}
	c := &yconv{anchors: map[string]*ynode{}}
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		n, err := c.node(d.Body, 0)
		if err != nil {
			return nil, err
		}
		docs = append(docs, n)
	}
	return docs, nil
}

type yconv struct {
	anchors map[string]*ynode
}

func (c *yconv) node(n ast.Node, depth int) (*ynode, error) {
	if depth > maxYAMLDepth {
		return nil, fmt.Errorf("line %d: nested more than %d levels deep", line(n), maxYAMLDepth)
	}
	switch v := n.(type) {
	case nil:
		return &ynode{}, nil
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
		return &ynode{line: line(n)}, nil
	case *ast.TagNode:
		out, err := c.node(v.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if v.Start != nil {
			cp := *out
			cp.tag = v.Start.Value
			out = &cp
		}
		return out, nil
	case *ast.MappingValueNode:
		return c.mapping(line(n), []*ast.MappingValueNode{v}, depth)
	case *ast.MappingNode:
		return c.mapping(line(n), v.Values, depth)
	case *ast.SequenceNode:
		out := &ynode{kind: ySeq, line: line(n)}
		for _, item := range v.Values {
			x, err := c.node(item, depth+1)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, x)
		}
		return out, nil
	case *ast.LiteralNode:
		s := ""
		if v.Value != nil {
			s = v.Value.Value
		}
		return &ynode{line: line(n), value: s, block: true}, nil
	case *ast.StringNode:
		return &ynode{line: line(n), value: v.Value}, nil
	case *ast.NullNode:
		return &ynode{line: line(n)}, nil
	case *ast.CommentGroupNode, *ast.CommentNode:
		return &ynode{line: line(n)}, nil
	default:
		if tk := n.GetToken(); tk != nil {
			return &ynode{line: line(n), value: tk.Value}, nil
		}
		return &ynode{line: line(n)}, nil
	}
}

// mapping builds a map. Keys written out beat keys brought in by a merge key ("<<"),
// wherever the merge key stands, as the YAML merge-key type defines.
func (c *yconv) mapping(ln int, pairs []*ast.MappingValueNode, depth int) (*ynode, error) {
	out := &ynode{kind: yMap, line: ln}
	var merged []*ynode
	for _, kv := range pairs {
		if kv == nil || kv.Key == nil {
			continue
		}
		val, err := c.node(kv.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if kv.Key.IsMergeKey() {
			switch val.kind {
			case yMap:
				merged = append(merged, val)
			case ySeq:
				for _, it := range val.items {
					if it.kind == yMap {
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
		if out.get(key.value) != nil {
			continue // the first definition wins, as most CI systems' parsers do
		}
		if out.line == 0 {
			out.line = line(kv.Key)
		}
		out.keys = append(out.keys, key.value)
		out.vals = append(out.vals, val)
	}
	for _, m := range merged {
		for i, k := range m.keys {
			if out.get(k) == nil {
				out.keys = append(out.keys, k)
				out.vals = append(out.vals, m.vals[i])
			}
		}
	}
	return out, nil
}

func line(n ast.Node) int {
	if n == nil {
		return 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

// yamlProblem describes why a CI file could not be read, with its line when known.
func yamlProblem(p string, err error) string {
	if l := yamlErrorLine(err); l > 0 {
		return fmt.Sprintf("%s:%d: %s", p, l, cleanYAMLError(err))
	}
	return fmt.Sprintf("%s: %s", p, cleanYAMLError(err))
}

// cleanYAMLError drops go-yaml's "[line:col]" prefix and source excerpt, which the
// location already says.
func cleanYAMLError(err error) string {
	s := firstLine(err.Error())
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "] "); i > 0 {
			s = s[i+2:]
		}
	}
	return s
}
