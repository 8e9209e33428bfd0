package deps

import (
	"bytes"
	"encoding/json"
	"strings"
)

// ParseNPMLock reads package-lock.json or npm-shrinkwrap.json, lockfile versions 1 to 3.
// Version 2 and 3 list every installed package under "packages" keyed by its
// node_modules path; version 1 nests "dependencies". Both say which packages are dev-only.
func ParseNPMLock(lockPath string, data []byte) ([]Package, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []Package
	var v1 json.RawMessage
	v1Line := 0
	direct := map[string]bool{}
	err := objectKeys(data, dec, func(key string, line int, raw json.RawMessage) error {
		switch key {
		case "packages":
			sub := json.NewDecoder(bytes.NewReader(raw))
			return objectKeys(raw, sub, func(p string, l int, entry json.RawMessage) error {
				var e struct {
					Version      string            `json:"version"`
					Dev          bool              `json:"dev"`
					Link         bool              `json:"link"`
					Dependencies map[string]string `json:"dependencies"`
					DevDeps      map[string]string `json:"devDependencies"`
					Name         string            `json:"name"`
				}
				if err := json.Unmarshal(entry, &e); err != nil {
					return err
				}
				if p == "" { // the root project: its own declarations say what is direct
					for n := range e.Dependencies {
						direct[n] = true
					}
					for n := range e.DevDeps {
						direct[n] = true
					}
					return nil
				}
				i := strings.LastIndex(p, "node_modules/")
				if i < 0 || e.Link || e.Version == "" {
					return nil // a workspace member or a link, not an installed package
				}
				name := e.Name
				if name == "" {
					name = p[i+len("node_modules/"):]
				}
				if name == "" {
					return nil
				}
				out = append(out, Package{Ecosystem: "npm", Name: name, Version: e.Version, Path: lockPath,
					Line: line + l - 1, Dev: e.Dev, Direct: i == 0 && !strings.Contains(p[len("node_modules/"):], "/node_modules/")})
				return nil
			})
		case "dependencies":
			v1, v1Line = raw, line
		}
		return nil
	})
	if err != nil {
		return nil, syntaxError(lockPath, data, err)
	}
	if out == nil && v1 != nil {
		if err := parseNPMv1(lockPath, v1, v1Line, true, &out); err != nil {
			return nil, syntaxError(lockPath, data, err)
		}
	}
	for i := range out {
		if len(direct) > 0 {
			out[i].Direct = out[i].Direct && direct[out[i].Name]
		}
	}
	return out, nil
}

// parseNPMv1 walks version 1's nested dependencies; only the top level is direct.
func parseNPMv1(lockPath string, raw json.RawMessage, base int, top bool, out *[]Package) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	return objectKeys(raw, dec, func(name string, l int, entry json.RawMessage) error {
		var e struct {
			Version      string          `json:"version"`
			Dev          bool            `json:"dev"`
			Dependencies json.RawMessage `json:"dependencies"`
		}
		if err := json.Unmarshal(entry, &e); err != nil {
			return err
		}
		line := base + l - 1
		if name != "" && e.Version != "" && !strings.HasPrefix(e.Version, "file:") {
			*out = append(*out, Package{Ecosystem: "npm", Name: name, Version: e.Version, Path: lockPath, Line: line, Dev: e.Dev, Direct: top})
		}
		if len(e.Dependencies) > 0 {
			off := bytes.Index(entry, []byte(`"dependencies"`))
			return parseNPMv1(lockPath, e.Dependencies, line+bytes.Count(entry[:max(off, 0)], []byte{'\n'}), false, out)
		}
		return nil
	})
}
