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
				Name    string `json:"name"`
				Version string `json:"version"`
			}
			if err := json.Unmarshal(entry, &e); err != nil {
				return err
			}
			if e.Name == "" || e.Version == "" {
				return nil
			}
			out = append(out, Package{Ecosystem: "Packagist", Name: e.Name, Version: strings.TrimPrefix(e.Version, "v"),
				Path: lockPath, Line: line + l - 1, Dev: key == "packages-dev"})
			return nil
		})
	})
	if err != nil {
		return nil, syntaxError(lockPath, data, err)
	}
	return out, nil
}
