package yamlfile

import "fmt"

// Node is a YAML value with its position, as ParseTree builds it: anchors, aliases and
// merge keys are already resolved, so readers only ever see plain values.
type Node struct {
	Kind      Kind
	Line, Col int
	// Value is a scalar's text; Null is set for ~, null and an empty value.
	Value string
	Null  bool
	// Quoted is set for a quoted or block scalar, which is always a string.
	Quoted bool
	// Block marks a literal or folded block scalar; its Line is where the text starts,
	// the line after the | or > indicator.
	Block bool
	// Tag is the node's explicit tag ("!reference"), or empty.
	Tag  string
	Keys []string
	Vals []*Node
	// KeyLines holds the line of each of Keys (for a merged key, where it was written).
	KeyLines []int
	Items    []*Node
	index    map[string]int
	// size counts the nodes a reader walking this value would visit, with every alias
	// expanded; it is what the node budget is charged.
	size int
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

// Add appends key to a mapping (a &Node{Kind: Map} literal is an empty one). It does not
// check for duplicates: a reader building a mapping of its own knows its keys.
func (n *Node) Add(key string, line int, v *Node) {
	if n.index == nil {
		n.index = map[string]int{}
	}
	n.index[key] = len(n.Keys)
	n.Keys = append(n.Keys, key)
	n.KeyLines = append(n.KeyLines, line)
	n.Vals = append(n.Vals, v)
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
