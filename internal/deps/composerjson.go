package deps

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

// ParseComposerJSON reads the declared dependencies of composer.json, for projects that
// do not commit composer.lock. Everything it names is Direct; "require-dev" is Dev. The
// constraint is kept as written, and Version is set only when it admits exactly one
// version. Platform requirements (php, ext-*, lib-*, composer-plugin-api, …) are not
// packages: they are recognised by having no vendor/ prefix, which every Packagist
// package has.
//
// A "package" repository defines a named package inline, with where to fetch it; its
// source is recorded. vcs, git and path repositories are not: which package they provide
// is only known from the repository's own composer.json.
func ParseComposerJSON(lockPath string, data []byte) ([]Package, error) {
	var out []Package
	var probs problems
	type seenAt struct {
		constraint string
		line       int
	}
	seen := map[string]seenAt{}
	inline := map[string]composerRef{} // from "package" repositories
	dec := json.NewDecoder(bytes.NewReader(data))
	err := streamObject(data, dec, func(key string, line int) error {
		if (key != "require" && key != "require-dev") || nextJSONByte(data, dec) != '{' {
			var raw json.RawMessage
			if err := decodeAt(data, dec, &raw); err != nil {
				return err
			}
			switch key {
			case "require", "require-dev":
				probs.add(errAt(lockPath, line, "%s is not an object", key))
			case "repositories":
				for name, ref := range composerInlinePackages(raw) {
					inline[name] = ref
				}
			}
			return nil
		}
		return streamObject(data, dec, func(name string, l int) error {
			var raw json.RawMessage
			if err := decodeAt(data, dec, &raw); err != nil {
				return err
			}
			var constraint string
			if err := json.Unmarshal(raw, &constraint); err != nil {
				probs.add(errAt(lockPath, l, "%s: %s: the constraint is not a string", key, name))
				return nil
			}
			name = strings.ToLower(strings.TrimSpace(name))
			if !strings.Contains(name, "/") {
				return nil
			}
			if first, dup := seen[name]; dup {
				// Composer itself rejects a package in both require and require-dev.
				if first.constraint != constraint {
					probs.add(errAt(lockPath, l, "%s: %s is required again as %q (first at line %d as %q); keeping the first",
						key, name, constraint, first.line, first.constraint))
				}
				return nil
			}
			seen[name] = seenAt{constraint, l}
			p := Package{Ecosystem: "Packagist", Name: name, Path: lockPath, Line: l, Direct: true,
				Dev: key == "require-dev", Constraint: constraint}
			if v, ok := composerExact(constraint); ok {
				p.Version = v
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		probs.add(jsonPosError(lockPath, data, err))
	}
	for i := range out {
		if ref, ok := inline[out[i].Name]; ok {
			out[i].Source, out[i].Commit = ref.source, ref.commit
		}
	}
	return out, probs.first
}

// composerExactRE is a single version: 1.2.3, v1.2, =1.2.3.0, 2.0.0-RC1, 1.0.0-beta.2,
// optionally with a stability flag (@dev). Wildcards, ranges, operators and branches
// ("dev-main") do not match.
var composerExactRE = regexp.MustCompile(`(?i)^=?=?\s*v?(\d+(?:\.\d+){0,3}(?:[-.]?(?:alpha|beta|rc|a|b|p|pl|patch)[.-]?\d*)?)(?:@[a-z]+)?$`)

// composerExact returns the version a constraint pins, if it pins exactly one.
func composerExact(constraint string) (string, bool) {
	m := composerExactRE.FindStringSubmatch(strings.TrimSpace(constraint))
	if m == nil {
		return "", false
	}
	return m[1], true
}

// composerRef is where a package from an inline "package" repository comes from.
type composerRef struct{ source, commit string }

// composerInlinePackages reads the "package" repositories of composer.json. The
// repositories value is a list or a map of repository objects; "package" holds one
// package definition or a list of them (one per version).
func composerInlinePackages(raw json.RawMessage) map[string]composerRef {
	type def struct {
		Name   string     `json:"name"`
		Source *lockPlace `json:"source"`
		Dist   *lockPlace `json:"dist"`
	}
	var repos []json.RawMessage
	if json.Unmarshal(raw, &repos) != nil {
		var byName map[string]json.RawMessage
		if json.Unmarshal(raw, &byName) != nil {
			return nil
		}
		for _, r := range byName {
			repos = append(repos, r)
		}
	}
	out := map[string]composerRef{}
	for _, r := range repos {
		var repo struct {
			Type    string          `json:"type"`
			Package json.RawMessage `json:"package"`
		}
		if json.Unmarshal(r, &repo) != nil || repo.Type != "package" {
			continue
		}
		var defs []def
		if json.Unmarshal(repo.Package, &defs) != nil {
			var d def
			if json.Unmarshal(repo.Package, &d) != nil {
				continue
			}
			defs = []def{d}
		}
		for _, d := range defs {
			name := strings.ToLower(d.Name)
			if _, done := out[name]; done || name == "" {
				continue
			}
			var ref composerRef
			ref.source, ref.commit = composerSource(d.Source, d.Dist, true)
			if ref.source != "" {
				out[name] = ref
			}
		}
	}
	return out
}

// lockPlace is the "source" or "dist" of a Composer package.
type lockPlace struct {
	Type      string `json:"type"`
	URL       string `json:"url"`
	Reference string `json:"reference"`
}

// composerSource says where a package is fetched from, for Package.Source, when that is
// not Packagist's usual HTTPS archive: a git checkout (when there is no archive), a
// plain-HTTP archive, or a local path. inline is for packages defined in composer.json,
// whose HTTPS archive URLs are not Packagist's and so are worth recording too.
func composerSource(src, dist *lockPlace, inline bool) (source, commit string) {
	switch {
	case dist != nil && dist.Type == "path":
		return "path:" + dist.URL, ""
	case dist != nil && strings.HasPrefix(dist.URL, "http://"):
		return dist.URL, ""
	case dist != nil && dist.URL != "" && inline:
		return dist.URL, ""
	case (dist == nil || dist.URL == "") && src != nil && src.Type == "git" && src.URL != "":
		if isCommit(src.Reference) {
			commit = src.Reference
		}
		return gitSource(src.URL, src.Reference), commit
	}
	return "", ""
}
