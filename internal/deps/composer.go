package deps

import (
	"bytes"
	"encoding/json"
	"strings"
)

// ParseComposerLock reads composer.lock: "packages" are shipped, "packages-dev" are not.
// Whether a package is direct is declared in composer.json, not in the lock, so Direct
// is left false here.
func ParseComposerLock(lockPath string, data []byte) ([]Package, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []Package
	err := objectKeys(data, dec, func(key string, line int, raw json.RawMessage) error {
		if key != "packages" && key != "packages-dev" {
			return nil
		}
		sub := json.NewDecoder(bytes.NewReader(raw))
		return arrayItems(raw, sub, func(l int, entry json.RawMessage) error {
			var e struct {
				Name    string          `json:"name"`
				Version string          `json:"version"`
				Source  json.RawMessage `json:"source"`
				Dist    json.RawMessage `json:"dist"`
			}
			if err := json.Unmarshal(entry, &e); err != nil {
				return err
			}
			if e.Name == "" || e.Version == "" {
				return nil
			}
			p := Package{Ecosystem: "Packagist", Name: e.Name, Version: strings.TrimPrefix(e.Version, "v"),
				Path: lockPath, Line: line + l - 1, Dev: key == "packages-dev"}
			// Where the package comes from only adds to the entry: a malformed source or
			// dist is ignored rather than failing the whole lockfile.
			var src, dist *lockPlace
			_ = json.Unmarshal(e.Source, &src)
			_ = json.Unmarshal(e.Dist, &dist)
			p.Source, p.Commit = composerSource(src, dist, false)
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, syntaxError(lockPath, data, err)
	}
	return out, nil
}
