// Package yamlfile reads YAML. Decode reads posture's own files (policy packs,
// deviations, config) strictly: unknown fields and duplicate keys are errors that name the
// file and line. ParseTree reads files posture examines (compose files, Kubernetes
// manifests, CI definitions) into positioned trees with anchors, aliases and merge keys
// resolved, within a node budget.
package yamlfile

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Decode reads data into v, rejecting unknown fields. Errors carry name:line:column.
// go-yaml can panic on some malformed input (found by fuzzing: "only: !00\n00"); a bad
// file must be an error, never a crash.
func Decode(name string, data []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: malformed YAML (the parser failed: %v)", name, r)
		}
	}()
	if err := yaml.UnmarshalWithOptions(data, v, yaml.Strict()); err != nil {
		return wrap(name, err)
	}
	return nil
}

// wrap turns a go-yaml error into "name:line:col: message" without the source excerpt,
// so that messages stay on one line in reports.
func wrap(name string, err error) error {
	if e := parseError(err); e.Line > 0 {
		return fmt.Errorf("%s:%d:%d: %s", name, e.Line, e.Col, e.Msg)
	}
	return fmt.Errorf("%s: %s", name, oneLine(err.Error()))
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

// ItemLines returns the line of each item in the top-level sequence under key, in order.
// It returns nil when the document does not parse or has no such sequence.
func ItemLines(data []byte, key string) (lines []int) {
	defer func() {
		if recover() != nil {
			lines = nil
		}
	}()
	f, err := parser.ParseBytes(data, 0)
	if err != nil || len(f.Docs) == 0 {
		return nil
	}
	m, ok := f.Docs[0].Body.(*ast.MappingNode)
	if !ok {
		return nil
	}
	for _, kv := range m.Values {
		if kv.Key.String() != key {
			continue
		}
		seq, ok := kv.Value.(*ast.SequenceNode)
		if !ok {
			return nil
		}
		lines = make([]int, len(seq.Values))
		for i, item := range seq.Values {
			if tk := item.GetToken(); tk != nil && tk.Position != nil {
				lines[i] = tk.Position.Line
			}
		}
		return lines
	}
	return nil
}

// DecodeLenient reads a file posture does not own (a Dependabot config): unknown fields
// are ignored, but a parser panic is still turned into an error. The error is go-yaml's
// own, so callers can take its position.
func DecodeLenient(data []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed YAML (the parser failed: %v)", r)
		}
	}()
	return yaml.Unmarshal(data, v)
}
