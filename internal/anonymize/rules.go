package anonymize

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/yamlfile"
)

// Rules is a rule set: what to do with which tables and columns. It is built from one or
// more rule files (presets and the user's), later files overriding earlier ones.
type Rules struct {
	tables []*TableRule
	// sources are the rule files' names and contents, for the rule-set hash.
	sources []ruleSource
}

type ruleSource struct {
	name string
	data []byte
}

// TableRule is the rules for one table.
type TableRule struct {
	// Name is the table as written in the rule file; Base is Name without the file's
	// prefix, or "" when Name does not start with it (then only Name itself matches).
	Name, Base string
	Truncate   bool
	Columns    []*ColumnRule
	Rows       []*RowRule
	// Strict rules (from the user's files) must name existing columns; presets cover
	// several WordPress and WooCommerce versions and skip a column a version lacks.
	Strict bool
	pos    string
}

// RowRule applies its column rules to rows matching every condition.
type RowRule struct {
	When    []Cond
	Columns []*ColumnRule
	pos     string
}

// Cond matches a column's value against patterns ("billing_*" globs allowed).
type Cond struct {
	Column   string
	Patterns []string
	pos      string
}

// ColumnRule is what to do with one column.
type ColumnRule struct {
	Column string
	Action Action
	pos    string
}

// Op is a rule's operation on a value.
type Op uint8

const (
	OpKeep Op = iota
	OpNull
	OpFixed
	OpHash
	OpFake
	OpScrub
)

// Action is an operation with its argument.
type Action struct {
	Op Op
	// Kind is the fake's kind (OpFake); Value is OpFixed's value.
	Kind, Value string
	// Unique asks for a keyed suffix on kinds that are not unique by themselves (names).
	Unique bool
}

var opNames = map[string]Op{"keep": OpKeep, "null": OpNull, "fixed": OpFixed, "hash": OpHash, "fake": OpFake, "scrub": OpScrub}

// Hash is a short hash of the rule files' contents, written into the marker so that a
// dump says which rules made it.
func (r *Rules) Hash() string {
	h := sha256.New()
	for _, s := range r.sources {
		fmt.Fprintf(h, "%s\x00%d\x00", s.name, len(s.data))
		h.Write(s.data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Tables lists the table rules in the order they were loaded.
func (r *Rules) Tables() []*TableRule { return r.tables }

// Merge appends another rule set; its rules take precedence.
func (r *Rules) Merge(o *Rules) {
	r.tables = append(r.tables, o.tables...)
	r.sources = append(r.sources, o.sources...)
}

// ParseRules reads a rule file. name is used in error messages (file:line:col); strict
// says whether rules must name columns that exist (true for users' files).
func ParseRules(name string, data []byte, strict bool) (*Rules, error) {
	docs, err := yamlfile.ParseTree(data)
	if err != nil {
		var ye *yamlfile.Error
		if errors.As(err, &ye) {
			return nil, fmt.Errorf("%s:%d:%d: %s", name, ye.Line, max(ye.Col, 1), ye.Msg)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	l := &loader{name: name, data: data, strict: strict}
	rs := &Rules{sources: []ruleSource{{name, data}}}
	if len(docs) == 0 {
		return nil, fmt.Errorf("%s:1:1: empty rule file (expected tables:)", name)
	}
	if len(docs) > 1 {
		return nil, fmt.Errorf("%s:%d:1: more than one YAML document", name, docs[1].Line)
	}
	root := docs[0].Root
	if root.Kind != yamlfile.Map {
		return nil, l.errorf(root, "a rule file is a mapping with tables: (and optionally prefix:)")
	}
	if err := l.keys(root, "prefix", "tables"); err != nil {
		return nil, err
	}
	prefix := ""
	if n := root.Get("prefix"); n != nil {
		s, ok := n.Str()
		if !ok || !validPrefix(s) {
			return nil, l.errorf(n, "prefix must be letters, digits and underscores, ending in _ (like wp_)")
		}
		prefix = s
	}
	tables := root.Get("tables")
	if tables == nil || tables.Kind != yamlfile.Map {
		return nil, l.errorf(orNode(tables, root), "tables: must be a mapping of table names to their rules")
	}
	for i, tname := range tables.Keys {
		tn := tables.Vals[i]
		tr := &TableRule{Name: tname, Strict: strict, pos: l.keyPos(tables.KeyLines[i], tname)}
		if prefix != "" && strings.HasPrefix(tname, prefix) && len(tname) > len(prefix) {
			tr.Base = tname[len(prefix):]
		}
		if tn.Kind != yamlfile.Map {
			return nil, l.errorf(tn, "table %s: expected a mapping with columns:, rows: or truncate:", tname)
		}
		if err := l.keys(tn, "columns", "rows", "truncate"); err != nil {
			return nil, err
		}
		if n := tn.Get("truncate"); n != nil {
			b, err := l.boolean(n)
			if err != nil {
				return nil, err
			}
			tr.Truncate = b
			if b && (tn.Get("columns") != nil || tn.Get("rows") != nil) {
				return nil, l.errorf(n, "table %s: truncate drops every row, so columns: and rows: would never apply", tname)
			}
		}
		if n := tn.Get("columns"); n != nil {
			if tr.Columns, err = l.columns(n); err != nil {
				return nil, err
			}
		}
		if n := tn.Get("rows"); n != nil {
			if n.Kind != yamlfile.Seq {
				return nil, l.errorf(n, "rows: must be a list of {when:, columns:}")
			}
			for _, it := range n.Items {
				rr, err := l.row(it)
				if err != nil {
					return nil, err
				}
				tr.Rows = append(tr.Rows, rr)
			}
		}
		rs.tables = append(rs.tables, tr)
	}
	return rs, nil
}

func orNode(n, def *yamlfile.Node) *yamlfile.Node {
	if n != nil {
		return n
	}
	return def
}

func validPrefix(s string) bool {
	if s == "" || !strings.HasSuffix(s, "_") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

type loader struct {
	name   string
	data   []byte
	strict bool
}

func (l *loader) errorf(n *yamlfile.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", l.name, max(n.Line, 1), max(n.Col, 1), fmt.Sprintf(format, args...))
}

// keyPos finds the column of a key on its line, which the tree does not keep.
func (l *loader) keyPos(line int, key string) string {
	col := 1
	lines := bytes.Split(l.data, []byte("\n"))
	if line >= 1 && line <= len(lines) {
		if i := bytes.Index(lines[line-1], []byte(key)); i >= 0 {
			col = i + 1
		}
	}
	return fmt.Sprintf("%s:%d:%d", l.name, line, col)
}

// keys rejects keys other than allowed, suggesting the nearest allowed one.
func (l *loader) keys(n *yamlfile.Node, allowed ...string) error {
	for i, k := range n.Keys {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
			}
		}
		if !ok {
			hint := ""
			if s := nearest(k, allowed); s != "" {
				hint = fmt.Sprintf(" (did you mean %s?)", s)
			}
			return fmt.Errorf("%s: unknown key %q%s; expected one of %s", l.keyPos(n.KeyLines[i], k), k, hint, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func (l *loader) boolean(n *yamlfile.Node) (bool, error) {
	s, ok := n.Str()
	if ok && !n.Quoted {
		switch s {
		case "true", "yes":
			return true, nil
		case "false", "no":
			return false, nil
		}
	}
	return false, l.errorf(n, "expected true or false")
}

func (l *loader) columns(n *yamlfile.Node) ([]*ColumnRule, error) {
	if n.Kind != yamlfile.Map {
		return nil, l.errorf(n, "columns: must be a mapping of column names to rules")
	}
	var out []*ColumnRule
	for i, col := range n.Keys {
		a, err := l.action(n.Vals[i], col)
		if err != nil {
			return nil, err
		}
		out = append(out, &ColumnRule{Column: col, Action: a, pos: l.keyPos(n.KeyLines[i], col)})
	}
	return out, nil
}

// action reads a column rule: a bare word (keep, null, hash, scrub) or a mapping with one
// of fake:, fixed:, hash:, keep:, null:, scrub: and optionally unique:.
func (l *loader) action(n *yamlfile.Node, col string) (Action, error) {
	if n.Kind == yamlfile.Scalar {
		s, _ := n.Str()
		if n.Null && !n.Quoted {
			// "column: null" reads as YAML's null, which is what it asks for.
			return Action{Op: OpNull}, nil
		}
		switch s {
		case "keep", "null", "hash", "scrub":
			return Action{Op: opNames[s]}, nil
		}
		if kind, ok := strings.CutPrefix(s, "fake "); ok {
			return l.fake(n, strings.TrimSpace(kind))
		}
		return Action{}, l.errorf(n, "column %s: expected keep, null, hash, scrub or a mapping like {fake: email}", col)
	}
	if n.Kind != yamlfile.Map {
		return Action{}, l.errorf(n, "column %s: expected a rule like {fake: email}", col)
	}
	for i, k := range n.Keys {
		if k == "" {
			// YAML reads the key null as a null key.
			n.Keys[i] = "null"
		}
	}
	if err := l.keys(n, "fake", "fixed", "hash", "keep", "null", "scrub", "unique"); err != nil {
		return Action{}, err
	}
	var a Action
	set := 0
	for i, k := range n.Keys {
		v := n.Vals[i]
		switch k {
		case "unique":
			b, err := l.boolean(v)
			if err != nil {
				return a, err
			}
			a.Unique = b
			continue
		case "fake":
			s, ok := v.Str()
			if !ok {
				return a, l.errorf(v, "fake: expects a kind (%s)", strings.Join(FakeKinds(), ", "))
			}
			f, err := l.fake(v, s)
			if err != nil {
				return a, err
			}
			a.Op, a.Kind = f.Op, f.Kind
		case "fixed":
			s, ok := v.Str()
			if !ok {
				return a, l.errorf(v, "fixed: expects a value")
			}
			a.Op, a.Value = OpFixed, s
		default:
			b, err := l.boolean(v)
			if err != nil {
				return a, err
			}
			if !b {
				return a, l.errorf(v, "%s: false is not a rule; leave the column out instead", k)
			}
			a.Op = opNames[k]
		}
		set++
	}
	if set != 1 {
		return a, l.errorf(n, "column %s: exactly one of fake, fixed, hash, keep, null or scrub", col)
	}
	if a.Unique && a.Op != OpFake {
		return a, l.errorf(n, "column %s: unique: applies to fake: only", col)
	}
	return a, nil
}

func (l *loader) fake(n *yamlfile.Node, kind string) (Action, error) {
	if !validKind(kind) {
		hint := ""
		if s := nearest(kind, FakeKinds()); s != "" {
			hint = fmt.Sprintf(" (did you mean %s?)", s)
		}
		return Action{}, l.errorf(n, "unknown fake kind %q%s; kinds: %s", kind, hint, strings.Join(FakeKinds(), ", "))
	}
	return Action{Op: OpFake, Kind: kind}, nil
}

func (l *loader) row(n *yamlfile.Node) (*RowRule, error) {
	if n.Kind != yamlfile.Map {
		return nil, l.errorf(n, "a row rule is a mapping with when: and columns:")
	}
	if err := l.keys(n, "when", "columns"); err != nil {
		return nil, err
	}
	rr := &RowRule{pos: fmt.Sprintf("%s:%d:%d", l.name, n.Line, n.Col)}
	w := n.Get("when")
	if w == nil || w.Kind != yamlfile.Map || len(w.Keys) == 0 {
		return nil, l.errorf(orNode(w, n), "when: must map a column to the values that select the row, like {meta_key: [billing_email]}")
	}
	for i, col := range w.Keys {
		v := w.Vals[i]
		c := Cond{Column: col, pos: l.keyPos(w.KeyLines[i], col)}
		switch v.Kind {
		case yamlfile.Scalar:
			c.Patterns = []string{v.Value}
		case yamlfile.Seq:
			for _, it := range v.Items {
				s, ok := it.Str()
				if !ok {
					return nil, l.errorf(it, "when: values must be strings")
				}
				c.Patterns = append(c.Patterns, s)
			}
		default:
			return nil, l.errorf(v, "when: values must be a string or a list of strings")
		}
		for _, p := range c.Patterns {
			if _, err := path.Match(p, ""); err != nil {
				return nil, l.errorf(v, "bad pattern %q: %v", p, err)
			}
		}
		rr.When = append(rr.When, c)
	}
	cn := n.Get("columns")
	if cn == nil {
		return nil, l.errorf(n, "a row rule needs columns:")
	}
	cols, err := l.columns(cn)
	if err != nil {
		return nil, err
	}
	rr.Columns = cols
	return rr, nil
}

// nearest suggests the allowed word within edit distance 2 of w.
func nearest(w string, allowed []string) string {
	best, bestD := "", 3
	for _, a := range allowed {
		if d := editDistance(strings.ToLower(w), a); d < bestD {
			best, bestD = a, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// matches reports whether a dump table is the one a rule names: the same name, or for a
// rule written with the file's prefix, the same base name under any prefix the dump uses
// (wp_users, wp7_users, shop_users; wp_2_comments for a multisite's second site).
func (t *TableRule) matches(table string) bool {
	if strings.EqualFold(table, t.Name) {
		return true
	}
	if t.Base == "" || len(table) <= len(t.Base) || !strings.EqualFold(table[len(table)-len(t.Base):], t.Base) {
		return false
	}
	return validPrefix(table[:len(table)-len(t.Base)])
}

// tablesFor returns the rules that apply to a table, in load order.
func (r *Rules) tablesFor(table string) []*TableRule {
	if r == nil {
		return nil
	}
	var out []*TableRule
	for _, t := range r.tables {
		if t.matches(table) {
			out = append(out, t)
		}
	}
	return out
}

// Describe lists the rules, one table a line, for --explain style output and tests.
func (r *Rules) Describe() []string {
	var out []string
	for _, t := range r.tables {
		var cols []string
		for _, c := range t.Columns {
			cols = append(cols, c.Column+"="+c.Action.String())
		}
		sort.Strings(cols)
		s := t.Name + ": " + strings.Join(cols, " ")
		if t.Truncate {
			s = t.Name + ": truncate"
		}
		if len(t.Rows) > 0 {
			s += fmt.Sprintf(" (+%d row rules)", len(t.Rows))
		}
		out = append(out, s)
	}
	return out
}

func (a Action) String() string {
	switch a.Op {
	case OpKeep:
		return "keep"
	case OpNull:
		return "null"
	case OpFixed:
		return "fixed"
	case OpHash:
		return "hash"
	case OpScrub:
		return "scrub"
	}
	if a.Unique {
		return "fake:" + a.Kind + "(unique)"
	}
	return "fake:" + a.Kind
}
