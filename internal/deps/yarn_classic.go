package deps

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Yarn classic's lockfile looks like YAML but is not: values follow keys after a space,
// several keys can share a block ("a@^1, a@^1.2:"), strings are JSON-quoted when they
// need to be. It is read line by line into a tree of blocks and key-value pairs.

type yarnNode struct {
	keys     []string // a block's keys, or a pair's single key
	value    string
	block    bool
	line     int
	indent   int
	children []*yarnNode
}

// parseYarnClassicTree reads the lockfile into its top-level blocks. At the first
// syntax error it stops and returns the blocks before the one the error is in.
func parseYarnClassicTree(lockPath string, data []byte) ([]*yarnNode, error) {
	root := &yarnNode{block: true, indent: -1}
	stack := []*yarnNode{root}
	lines := strings.Split(string(data), "\n")
	for i, raw := range lines {
		n := i + 1
		raw = strings.TrimSuffix(raw, "\r")
		text := strings.TrimLeft(raw, " ")
		indent := len(raw) - len(text)
		if strings.TrimSpace(text) == "" {
			continue
		}
		if strings.HasPrefix(text, "#") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(text), "# yarn lockfile v"); ok {
				if v, _, _ = strings.Cut(v, " "); v != "1" {
					return nil, fmt.Errorf("%s:%d: yarn lockfile v%s is not supported (posture reads v1 and Yarn 2+ lockfiles)", lockPath, n, v)
				}
			}
			continue
		}
		fail := func(format string, args ...any) ([]*yarnNode, error) {
			err := fmt.Errorf("%s:%d: %s", lockPath, n, fmt.Sprintf(format, args...))
			top := root.children
			if (indent > 0 || strings.HasPrefix(text, "\t")) && len(top) > 0 {
				top = top[:len(top)-1] // the entry the error is in is incomplete
			}
			return top, err
		}
		if strings.HasPrefix(text, "\t") {
			return fail("tab in indentation")
		}
		node, err := yarnClassicLine(text)
		if err != nil {
			return fail("%v", err)
		}
		node.line, node.indent = n, indent
		for stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		parent := stack[len(stack)-1]
		if !parent.block {
			return fail("unexpected indentation")
		}
		if len(parent.children) > 0 && parent.children[0].indent != indent {
			return fail("inconsistent indentation")
		}
		if parent == root && !node.block {
			return fail("expected an entry (specifiers followed by a colon), got %q", strings.TrimSpace(text))
		}
		parent.children = append(parent.children, node)
		stack = append(stack, node)
	}
	return root.children, nil
}

// yarnClassicLine tokenizes one line: `key, key:` opens a block, `key value` is a pair.
func yarnClassicLine(s string) (*yarnNode, error) {
	var words []string
	var shape []byte // 'w' word, ',' and ':' punctuation, in order
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case ' ', '\t':
			i++
		case ',', ':':
			shape = append(shape, c)
			i++
		case '"':
			end := i + 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(s) {
				return nil, fmt.Errorf("unterminated string")
			}
			var w string
			if err := json.Unmarshal([]byte(s[i:end+1]), &w); err != nil {
				return nil, fmt.Errorf("bad string %s", s[i:end+1])
			}
			words, shape = append(words, w), append(shape, 'w')
			i = end + 1
		default:
			end := i
			for end < len(s) && s[end] != ' ' && s[end] != '\t' && s[end] != ',' && s[end] != '"' {
				end++
			}
			// A colon ends a bare key only at the end of the word: inside one it is
			// part of it ("foo@npm:bar@1").
			if s[end-1] == ':' {
				end--
			}
			if end == i {
				end++
			}
			words, shape = append(words, s[i:end]), append(shape, 'w')
			i = end
		}
	}
	switch sh := string(shape); {
	case sh == "ww":
		return &yarnNode{keys: words[:1], value: words[1]}, nil
	case len(words) > 0 && strings.Repeat("w,", len(words)-1)+"w:" == sh:
		return &yarnNode{keys: words, block: true}, nil
	case sh == "w":
		return nil, fmt.Errorf("%q has no value", words[0])
	}
	return nil, fmt.Errorf("cannot read %q", strings.TrimSpace(s))
}

// parseYarnClassic reads the tree's entries. Problems inside an entry are reported (the
// first one) and the entry skipped; the rest is still read.
func parseYarnClassic(lockPath string, data []byte) ([]yarnEntry, error) {
	top, firstErr := parseYarnClassicTree(lockPath, data)
	fail := func(line int, format string, args ...any) {
		if firstErr == nil {
			firstErr = fmt.Errorf("%s:%d: %s", lockPath, line, fmt.Sprintf(format, args...))
		}
	}
	var out []yarnEntry
	for _, b := range top {
		e := yarnEntry{line: b.line}
		bad := false
		for _, s := range b.keys {
			if name, _ := splitSpec(s); name == "" {
				fail(b.line, "bad specifier %q", s)
				bad = true
			}
			e.specs = append(e.specs, s)
		}
		seen := map[string]int{}
		var resolved string
		for _, c := range b.children {
			k := c.keys[0]
			if first, ok := seen[k]; ok {
				fail(c.line, "%q is repeated (first at line %d); the first is kept", k, first)
				continue
			}
			seen[k] = c.line
			switch {
			case k == "version" && !c.block:
				e.version = c.value
			case k == "resolved" && !c.block:
				resolved = c.value
			case (k == "dependencies" || k == "optionalDependencies") && c.block:
				for _, d := range c.children {
					if d.block {
						fail(d.line, "a dependency has no range")
						continue
					}
					e.deps = append(e.deps, yarnDep{d.keys[0], d.value})
				}
			}
		}
		if bad {
			continue
		}
		if e.version == "" {
			fail(b.line, "entry %q has no version", strings.Join(b.keys, ", "))
			continue
		}
		e.name = yarnRealName(e.specs)
		e.source, e.commit = yarnClassicSource(resolved, e.specs)
		out = append(out, e)
	}
	return out, firstErr
}

// yarnRealName is the name the package is published under: an alias
// ("string-width-cjs@npm:string-width@^4") installs another package.
func yarnRealName(specs []string) string {
	name, rng := splitSpec(specs[0])
	if target, ok := strings.CutPrefix(rng, "npm:"); ok {
		if n, _ := splitSpec(target); n != "" && strings.Contains(target[1:], "@") {
			return n
		}
	}
	return name
}

// yarnClassicSource classifies where an entry was fetched from: a local path (by its
// specifier, as classic writes no URL for those), a git repository, a tarball URL other
// than the npm registry's.
func yarnClassicSource(resolved string, specs []string) (source, commit string) {
	for _, s := range specs {
		_, rng := splitSpec(s)
		for _, proto := range []string{"file:", "link:", "portal:"} {
			if p, ok := strings.CutPrefix(rng, proto); ok {
				return "path:" + p, ""
			}
		}
	}
	if resolved == "" {
		return "", ""
	}
	if p, ok := strings.CutPrefix(resolved, "file:"); ok {
		p, _, _ = strings.Cut(p, "#")
		return "path:" + p, ""
	}
	base, frag, _ := strings.Cut(resolved, "#")
	if isGitURL(base) {
		if isCommitHash(frag) {
			commit = frag
		}
		return resolved, commit
	}
	if defaultRegistry(base) {
		return "", ""
	}
	// Classic appends the tarball's sha1 as a fragment; it is not part of the location.
	return tarballSource(base)
}

func isGitURL(u string) bool {
	if strings.HasPrefix(u, "git+") || strings.HasPrefix(u, "git://") || strings.HasPrefix(u, "git@") ||
		strings.HasPrefix(u, "ssh://") || strings.HasPrefix(u, "github:") {
		return true
	}
	if pu, err := url.Parse(u); err == nil {
		return strings.HasSuffix(pu.Path, ".git")
	}
	return strings.HasSuffix(u, ".git")
}
