package deps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/posture-dev/posture/internal/textpos"
)

// pipfileSpec is the newest Pipfile.lock format ("_meta.pipfile-spec") this parser knows.
const pipfileSpec = 6

// ParsePipfileLock reads Pipfile.lock without its Pipfile: which packages are direct is
// then unknown.
func ParsePipfileLock(lockPath string, data []byte) ([]Package, error) {
	return parsePipfileLock(lockPath, data, nil)
}

// ParsePipfileLockWithPipfile reads Pipfile.lock together with the Pipfile beside it,
// whose [packages], [dev-packages] and custom category tables name the direct
// dependencies.
func ParsePipfileLockWithPipfile(lockPath string, data, pipfile []byte) ([]Package, error) {
	decl, err := readPipfile(sibling(lockPath, "Pipfile"), pipfile)
	pkgs, lerr := parsePipfileLock(lockPath, data, decl)
	return pkgs, errors.Join(lerr, err)
}

// pipfileEntry is one package of a Pipfile.lock section.
type pipfileEntry struct {
	Version string `json:"version"`
	Git     string `json:"git"`
	Ref     string `json:"ref"`
	Path    string `json:"path"`
	File    string `json:"file"`
	Index   string `json:"index"`
}

// parsePipfileLock reads the sections of Pipfile.lock: "default" is what the project
// runs with, "develop" what it is developed with (Dev). Pipenv 2023+ writes a section per
// custom Pipfile category as well; nothing says whether those ship, so they are not Dev.
// A package that appears in both default and develop at the same version is reported
// once, as not Dev. The file is read as a stream so that the packages before a syntax
// error are kept.
func parsePipfileLock(lockPath string, data []byte, decl map[string]pyDeclared) ([]Package, error) {
	var out []Package
	type fromIndex struct {
		pkg   int    // in out
		index string // the source it names; resolved once _meta is read
	}
	var registry []fromIndex
	var probs problems
	indexes := map[string]string{} // source name → URL; the first source is the default
	defaultIndex := ""
	type seenAt struct {
		version string
		line    int
	}
	seen := map[string]map[string]seenAt{} // section → name → first entry
	inDefault := map[string]string{}       // name → version
	entry := func(section, key string, line int, raw json.RawMessage) {
		var e pipfileEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			probs.add(errAt(lockPath, line, "%s: %s: %v", section, key, err))
			return
		}
		name := pyName(key)
		if name == "" {
			probs.add(errAt(lockPath, line, "%s: package without a name", section))
			return
		}
		if seen[section] == nil {
			seen[section] = map[string]seenAt{}
		}
		if first, dup := seen[section][name]; dup {
			if first.version != e.Version {
				probs.add(errAt(lockPath, line, "%s: %s is locked again as %q (first at line %d as %q); keeping the first",
					section, name, e.Version, first.line, first.version))
			}
			return
		}
		seen[section][name] = seenAt{e.Version, line}
		dev := section == "develop"
		if v, ok := inDefault[name]; dev && ok && v == e.Version {
			return
		}
		if section == "default" {
			inDefault[name] = e.Version
		}
		if e.Path == "." && e.Git == "" && e.File == "" {
			return // the project itself, installed editable
		}
		p := Package{Ecosystem: "PyPI", Name: name, Path: lockPath, Line: line, Dev: dev}
		if v, pinned := pyPinned(strings.ReplaceAll(e.Version, " ", "")); pinned {
			p.Version = v
		} else if e.Version != "*" {
			p.Constraint = e.Version
		}
		switch {
		case e.Git != "":
			p.Source = gitSource(e.Git, e.Ref)
			if isCommit(e.Ref) {
				p.Commit = e.Ref
			}
		case e.File != "":
			p.Source, _ = pyURLSource(e.File)
		case e.Path != "":
			p.Source = "path:" + e.Path
		default:
			registry = append(registry, fromIndex{len(out), e.Index})
		}
		if d, ok := decl[name]; ok {
			p.Direct = true
			p.Dev = p.Dev || d.devOnly()
		}
		out = append(out, p)
	}
	meta := func(line int, raw json.RawMessage) {
		var m struct {
			Spec    json.Number `json:"pipfile-spec"`
			Sources []struct {
				Name string `json:"name"`
				URL  string `json:"url"`
			} `json:"sources"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			probs.add(errAt(lockPath, line, "_meta: %v", err))
		}
		if n, err := m.Spec.Int64(); m.Spec != "" && (err != nil || n < 1 || n > pipfileSpec) {
			probs.add(errAt(lockPath, line, "unsupported pipfile-spec %s (posture reads up to %d)", m.Spec, pipfileSpec))
		}
		for i, s := range m.Sources {
			indexes[s.Name] = s.URL
			if i == 0 {
				defaultIndex = s.URL
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	err := streamObject(data, dec, func(key string, line int) error {
		if key == "_meta" || nextJSONByte(data, dec) != '{' {
			var raw json.RawMessage
			if err := decodeAt(data, dec, &raw); err != nil {
				return err
			}
			if key == "_meta" {
				meta(line, raw)
			} else {
				probs.add(errAt(lockPath, line, "%s is not an object", key))
			}
			return nil
		}
		return streamObject(data, dec, func(name string, l int) error {
			var raw json.RawMessage
			if err := decodeAt(data, dec, &raw); err != nil {
				return err
			}
			entry(key, name, l, raw)
			return nil
		})
	})
	if err != nil {
		probs.add(jsonPosError(lockPath, data, err))
	}
	for _, r := range registry {
		u, ok := indexes[r.index]
		if !ok {
			u = defaultIndex
		}
		if !isDefaultPyPI(u) {
			out[r.pkg].Source = u
		}
	}
	return out, probs.first
}

// readPipfile collects the packages a Pipfile declares. [packages] are runtime
// dependencies, [dev-packages] development ones; every other table except [source],
// [requires], [scripts] and [pipenv] is a custom package category.
func readPipfile(path string, data []byte) (map[string]pyDeclared, error) {
	doc, err := decodeTOML(path, data)
	if err != nil {
		return nil, err
	}
	decl := map[string]pyDeclared{}
	for table, v := range doc {
		switch table {
		case "source", "requires", "scripts", "pipenv":
			continue
		}
		pkgs, ok := v.(map[string]any)
		if !ok {
			continue
		}
		for name := range pkgs {
			n := pyName(name)
			d := decl[n]
			if table == "dev-packages" {
				d.dev = true
			} else {
				d.main = true
			}
			decl[n] = d
		}
	}
	return decl, nil
}

// streamObject reads the JSON object at the decoder's position one member at a time: fn
// gets each key with its line and must consume the value from dec. Unlike objectKeys,
// members before a syntax error have been handed over when it is found.
func streamObject(data []byte, dec *json.Decoder, fn func(key string, line int) error) error {
	if c := nextJSONByte(data, dec); c != '{' {
		line, col := textpos.LineCol(data, int(skipJSONSpace(data, dec.InputOffset())))
		return &posError{line: line, col: col, msg: "expected an object"}
	}
	if _, err := dec.Token(); err != nil {
		return tokenError(data, err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return tokenError(data, err)
		}
		key, _ := tok.(string)
		if err := fn(key, lineAt(data, dec.InputOffset())); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return tokenError(data, err)
}

// decodeAt decodes the value at the decoder's position. json.Decoder counts the offset of
// a syntax error only over the bytes its Decode calls scanned, which once Token has been
// used is no position in data; the value is scanned again on its own to locate the error.
func decodeAt(data []byte, dec *json.Decoder, v any) error {
	start := skipJSONSpace(data, dec.InputOffset())
	err := dec.Decode(v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		var raw json.RawMessage
		if again := json.NewDecoder(bytes.NewReader(data[start:])).Decode(&raw); errors.As(again, &se) {
			line, col := textpos.LineCol(data, int(start+se.Offset-1))
			return &posError{line: line, col: col, msg: se.Error(), err: err}
		}
	}
	return err
}

// tokenError locates a syntax error from json.Decoder.Token, whose offset is that of the
// offending byte (textpos.JSONPos expects the offset after it, as Unmarshal and Decode
// report).
func tokenError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset < int64(len(data)) {
		line, col := textpos.LineCol(data, int(se.Offset))
		return &posError{line: line, col: col, msg: se.Error(), err: err}
	}
	return err
}

// nextJSONByte is the first byte of the next value: after the decoder's position come
// only whitespace and the ':' or ',' before it.
func nextJSONByte(data []byte, dec *json.Decoder) byte {
	if off := skipJSONSpace(data, dec.InputOffset()); off < int64(len(data)) {
		return data[off]
	}
	return 0
}

func skipJSONSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n:,", data[off]) >= 0 {
		off++
	}
	return off
}

// jsonPosError names the file and the line:column of a JSON error.
func jsonPosError(path string, data []byte, err error) error {
	var pe *posError
	switch {
	case errors.As(err, &pe):
		if pe.path == "" {
			pe.path = path
		}
		return err
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		line, col := textpos.LineCol(data, len(data))
		return &posError{path: path, line: line, col: col, msg: "truncated JSON", err: err}
	}
	if line, col, ok := textpos.JSONPos(data, err); ok {
		return &posError{path: path, line: line, col: col, msg: err.Error(), err: err}
	}
	return fmt.Errorf("%s: %w", path, err)
}
