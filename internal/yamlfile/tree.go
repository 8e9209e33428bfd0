package yamlfile

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Document is one YAML document of a file and the line it starts on.
type Document struct {
	Root *Node
	Line int
}

// maxDepth bounds nesting so that a hostile file cannot exhaust the stack.
const maxDepth = 200

// aliasAllowance is how many nodes aliases and merge keys may add to a file beyond what
// is written out in it. Aliases make the tree a graph that readers walk as a tree, so ten
// lines of nested aliases ("billion laughs") would otherwise cost them 10^9 visits.
const aliasAllowance = 1 << 20

// ParseTree reads every document in a file posture does not own (compose files,
// Kubernetes manifests, CI definitions) into plain trees with positions. Every problem,
// including a parser panic (see Decode), is an *Error with the position of the problem:
// an alias to an undefined anchor, nesting deeper than 200 levels, and aliases or merge
// keys that expand the file past its node budget among them.
func ParseTree(data []byte) ([]Document, error) { return parseTree(data, aliasAllowance) }

func parseTree(data []byte, allowance int) (docs []Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			docs, err = nil, &Error{Line: 1, Msg: fmt.Sprintf("malformed YAML (the parser failed: %v)", r)}
		}
	}()
	// YAML breaks lines at \n, \r\n and a lone \r.
	lines := 1 + bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) - bytes.Count(data, []byte("\r\n"))
	f, perr := parser.ParseBytes(data, 0)
	if perr != nil {
		e := parseError(perr)
		e.Line = max(e.Line, 1)
		// go-yaml places some errors at the end of input, one line past the last.
		if e.Line > lines {
			last := data[bytes.LastIndexAny(data, "\r\n")+1:]
			e.Line, e.Col = lines, len(last)+1
		}
		return nil, e
	}
	// Everything written out costs at most one node and one merge step per byte, so a
	// file without aliases never reaches the budget, however large.
	c := &conv{anchors: map[string]*Node{}, lines: lines, budget: allowance + 2*len(data)}
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		n, err := c.node(d.Body, 0)
		if err != nil {
			return nil, err
		}
		if err := c.charge(n.size, n.Line, n.Col); err != nil {
			return nil, err
		}
		docs = append(docs, Document{Root: n, Line: n.Line})
	}
	return docs, nil
}

// parseError turns a go-yaml error into an *Error without the source excerpt, so that
// messages stay on one line in reports. Line is 0 when go-yaml gives no position.
func parseError(err error) *Error {
	var se yaml.Error
	if errors.As(err, &se) {
		if tk := se.GetToken(); tk != nil && tk.Position != nil {
			return &Error{Line: tk.Position.Line, Col: tk.Position.Column, Msg: oneLine(se.GetMessage())}
		}
	}
	return &Error{Msg: oneLine(err.Error())}
}

type conv struct {
	anchors map[string]*Node
	lines   int
	// spent counts the nodes of the documents read so far and the keys merge keys have
	// looked at: merging the same large mapping many times adds no nodes but costs time.
	spent, budget int
}

func (c *conv) charge(n, line, col int) error {
	c.spent += n
	return c.within(c.spent, line, col)
}

func (c *conv) within(n, line, col int) error {
	if n > c.budget {
		return &Error{Line: line, Col: col, Msg: fmt.Sprintf("anchors, aliases and merge keys expand the file to more than %d nodes", c.budget)}
	}
	return nil
}

// pos is where n starts. The parser can count a line break twice when a lone \r comes
// before a \r\n, placing nodes past the file's last line; such lines are clamped to it,
// as parse errors are, so that no report points outside the file.
func (c *conv) pos(n ast.Node) (int, int) {
	if n == nil {
		return 0, 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return min(tk.Position.Line, c.lines), tk.Position.Column
	}
	return 0, 0
}

func (c *conv) node(n ast.Node, depth int) (*Node, error) {
	line, col := c.pos(n)
	if depth > maxDepth {
		return nil, &Error{Line: line, Col: col, Msg: fmt.Sprintf("nested more than %d levels deep", maxDepth)}
	}
	switch v := n.(type) {
	case nil:
		return &Node{Null: true, size: 1}, nil
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
		name := ""
		if v.Value != nil {
			name = v.Value.String()
			if a, ok := c.anchors[name]; ok {
				return a, nil
			}
		}
		// A YAML processor must reject this; reading it as null would let a check pass
		// on a value the CI system or container runtime never accepts.
		if r := []rune(name); len(r) > 40 {
			name = string(r[:40]) + "..."
		}
		return nil, &Error{Line: line, Col: col, Msg: fmt.Sprintf("alias *%s refers to an undefined anchor", oneLine(name))}
	case *ast.TagNode:
		out, err := c.node(v.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if v.Start != nil {
			// A copy, because the value may be an anchored node that aliases share.
			cp := *out
			cp.Tag = v.Start.Value
			out = &cp
		}
		return out, nil
	case *ast.MappingValueNode:
		return c.mapping(line, col, []*ast.MappingValueNode{v}, depth)
	case *ast.MappingNode:
		return c.mapping(line, col, v.Values, depth)
	case *ast.SequenceNode:
		out := &Node{Kind: Seq, Line: line, Col: col, size: 1}
		for _, item := range v.Values {
			x, err := c.node(item, depth+1)
			if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, x)
			out.size += x.size
			if err := c.within(out.size, line, col); err != nil {
				return nil, err
			}
		}
		return out, nil
	case *ast.LiteralNode:
		s := ""
		if v.Value != nil {
			s = v.Value.Value
		}
		return &Node{Line: min(line+1, c.lines), Col: col, Value: s, Quoted: true, Block: true, size: 1}, nil
	case *ast.StringNode:
		q := v.Token != nil && (v.Token.Type == token.SingleQuoteType || v.Token.Type == token.DoubleQuoteType)
		return &Node{Line: line, Col: col, Value: v.Value, Quoted: q, size: 1}, nil
	case *ast.NullNode, *ast.CommentGroupNode, *ast.CommentNode:
		return &Node{Line: line, Col: col, Null: true, size: 1}, nil
	default:
		if tk := n.GetToken(); tk != nil {
			return &Node{Line: line, Col: col, Value: tk.Value, size: 1}, nil
		}
		return &Node{Line: line, Col: col, Null: true, size: 1}, nil
	}
}

// mapping builds a map. Keys written out beat keys brought in by a merge key ("<<"),
// wherever the merge key stands, as the YAML merge-key type defines; of keys written out
// twice the first wins, as most CI systems' parsers do.
func (c *conv) mapping(line, col int, pairs []*ast.MappingValueNode, depth int) (*Node, error) {
	out := &Node{Kind: Map, Line: line, Col: col, index: map[string]int{}, size: 1}
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
			val.Line, val.Col = c.pos(kv.Key)
		}
		if len(out.Keys) == 0 && len(merged) == 0 {
			out.Line, out.Col = c.pos(kv.Key)
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
		out.Add(key.Value, key.Line, val)
		out.size += val.size
	}
	for _, m := range merged {
		if err := c.charge(len(m.Keys), out.Line, out.Col); err != nil {
			return nil, err
		}
		for i, k := range m.Keys {
			if _, ok := out.index[k]; !ok {
				out.Add(k, m.KeyLines[i], m.Vals[i])
				out.size += m.Vals[i].size
			}
		}
	}
	if err := c.within(out.size, out.Line, out.Col); err != nil {
		return nil, err
	}
	return out, nil
}
