package deps

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// yamlNode is the part of a YAML lockfile the readers look at: mappings in source order
// with the line of each key, scalars as their text. pnpm-lock.yaml and Yarn Berry's
// yarn.lock both go through it, so both report lines and duplicate keys the same way.
type yamlNode struct {
	line    int
	text    string // a scalar's value; "" for null, mappings and sequences
	isMap   bool
	members []yamlMember
}

type yamlMember struct {
	key  string
	line int
	val  *yamlNode
}

// get returns the value under key, or nil. It is safe on nil and non-mapping nodes so
// that lookups down a path need no checks in between.
func (n *yamlNode) get(key string) *yamlNode {
	if n == nil {
		return nil
	}
	for _, m := range n.members {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// str is the scalar under key, "" when absent or not a scalar.
func (n *yamlNode) str(key string) string {
	if v := n.get(key); v != nil && !v.isMap {
		return v.text
	}
	return ""
}

func (n *yamlNode) entries() []yamlMember {
	if n == nil {
		return nil
	}
	return n.members
}

// parseYAMLTree parses a whole document. A duplicate key is reported (the first one
// found) with the tree still returned, the first occurrence kept, because lockfile
// readers should keep going past it; a syntax error returns no tree and the error's line.
func parseYAMLTree(lockPath string, data []byte) (root *yamlNode, errLine int, err error) {
	defer func() {
		// go-yaml panics on some malformed input; a bad lockfile must be an error.
		if r := recover(); r != nil {
			root, errLine, err = nil, 0, fmt.Errorf("%s: malformed YAML (the YAML parser failed: %v)", lockPath, r)
		}
	}()
	f, perr := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if perr != nil {
		var ye yaml.Error
		if errors.As(perr, &ye) {
			if tk := ye.GetToken(); tk != nil && tk.Position != nil && tk.Position.Line > 0 {
				return nil, tk.Position.Line, fmt.Errorf("%s:%d: %s", lockPath, tk.Position.Line, firstLine(ye.GetMessage()))
			}
		}
		return nil, 0, fmt.Errorf("%s: %s", lockPath, firstLine(perr.Error()))
	}
	if f == nil || len(f.Docs) == 0 || f.Docs[0] == nil || f.Docs[0].Body == nil {
		return nil, 0, nil
	}
	c := yamlConverter{path: lockPath}
	return c.convert(f.Docs[0].Body, 1), 0, c.dup
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

type yamlConverter struct {
	path string
	dup  error
}

func (c *yamlConverter) convert(n ast.Node, parentLine int) *yamlNode {
	line := parentLine
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil && tk.Position.Line > 0 {
			line = tk.Position.Line
		}
	}
	switch v := n.(type) {
	case nil:
		return &yamlNode{line: line}
	case *ast.MappingNode:
		out := &yamlNode{line: line, isMap: true}
		for _, mv := range v.Values {
			c.member(out, mv)
		}
		return out
	case *ast.MappingValueNode:
		out := &yamlNode{line: line, isMap: true}
		c.member(out, v)
		return out
	case *ast.AnchorNode:
		return c.convert(v.Value, line)
	case *ast.TagNode:
		return c.convert(v.Value, line)
	case *ast.LiteralNode:
		if v.Value != nil {
			return &yamlNode{line: line, text: v.Value.Value}
		}
		return &yamlNode{line: line}
	case *ast.NullNode, *ast.SequenceNode, *ast.AliasNode:
		// Lockfiles use no sequences or aliases where the readers look.
		return &yamlNode{line: line}
	case ast.ScalarNode:
		if tk := v.GetToken(); tk != nil {
			return &yamlNode{line: line, text: tk.Value}
		}
	}
	return &yamlNode{line: line}
}

func (c *yamlConverter) member(out *yamlNode, mv *ast.MappingValueNode) {
	if mv == nil || mv.Key == nil {
		return
	}
	key := c.convert(mv.Key, out.line)
	for _, m := range out.members {
		if m.key == key.text {
			if c.dup == nil {
				c.dup = fmt.Errorf("%s:%d: key %q is repeated (first at line %d); the first is kept", c.path, key.line, key.text, m.line)
			}
			return
		}
	}
	out.members = append(out.members, yamlMember{key: key.text, line: key.line, val: c.convert(mv.Value, key.line)})
}

// parseYAMLLockfile parses a YAML lockfile and, when it has a syntax error, the longest
// prefix that ends before the entry the error is in, so the entries read so far are kept.
// Entries are keys indented by at most entryIndent spaces. The error returned names the
// file and line of the first problem; the tree may be non-nil alongside it.
func parseYAMLLockfile(lockPath string, data []byte, entryIndent int) (*yamlNode, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	root, line, err := parseYAMLTree(lockPath, data)
	if root != nil || err == nil {
		return root, err
	}
	starts := lineStarts(data)
	// Each retry is a full parse, so only a few: enough for the error being reported a
	// little after the entry that caused it.
	for try := 0; try < 4 && line > 1; try++ {
		cut := 0
		for l := min(line, len(starts)); l > 1; l-- {
			if entryStart(data, starts[l-1], entryIndent) {
				cut = l
				break
			}
		}
		if cut <= 1 {
			break
		}
		prefix, l2, _ := parseYAMLTree(lockPath, data[:starts[cut-1]])
		if prefix != nil {
			return prefix, err
		}
		line = cut - 1
		if l2 > 0 && l2 < line {
			line = l2
		}
	}
	return nil, err
}

// lineStarts returns the offset each line starts at; line n starts at starts[n-1].
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// entryStart reports whether the line at off is a mapping key indented at most maxIndent.
func entryStart(data []byte, off, maxIndent int) bool {
	i := off
	for i < len(data) && data[i] == ' ' {
		i++
	}
	if i-off > maxIndent || i >= len(data) {
		return false
	}
	switch data[i] {
	case '\n', '\r', '#', '-', ' ', '\t':
		return false
	}
	return true
}
