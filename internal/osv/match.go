package osv

import (
	"fmt"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/versions"
)

// Query is one installed package version to check.
type Query struct {
	Ecosystem string
	Name      string
	Version   string
	// Commit and Repo identify a package pinned to a git revision; they let GIT ranges
	// match when the pinned commit is one the record names.
	Commit string
	Repo   string
}

// Match says whether an affected entry covers the queried version and, if so, the
// earliest version that fixes it ("" when the record names none above the query).
type Match struct {
	Affected bool
	Fixed    string
}

// Check evaluates one affected entry against a query. Ranges are evaluated as the OSV
// schema describes: events sorted by version, "introduced" opens, "fixed" closes at that
// version, "last_affected" closes after it, and "limit" bounds the range from above. An
// event version the ecosystem's ordering cannot read is an error, not a silent miss.
func Check(a Affected, q Query) (Match, error) {
	eco := BaseEcosystem(a.Package.Ecosystem)
	var v versions.Version
	if q.Version != "" {
		var err error
		if v, err = versions.Parse(eco, q.Version); err != nil {
			return Match{}, fmt.Errorf("%s %s: %w", q.Name, q.Version, err)
		}
	}
	var m Match
	if v != nil {
		for _, listed := range a.Versions {
			if listed == q.Version || equalVersion(eco, v, listed) {
				m.Affected = true
				break
			}
		}
	}
	var firstErr error
	for _, r := range a.Ranges {
		switch r.Type {
		case "SEMVER", "ECOSYSTEM":
			if v == nil {
				continue
			}
			order := eco
			if r.Type == "SEMVER" {
				order = "SEMVER"
			}
			hit, fixed, err := inRange(order, v, r.Events)
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("%s range: %w", r.Type, err)
				}
				continue
			}
			if hit {
				m.Affected = true
				m.Fixed = earliest(order, m.Fixed, fixed)
			}
		case "GIT":
			if q.Commit != "" && gitHit(r, q) {
				m.Affected = true
			}
		}
	}
	if !m.Affected && firstErr != nil {
		return m, firstErr
	}
	return m, nil
}

func equalVersion(eco string, v versions.Version, s string) bool {
	w, err := versions.Parse(eco, s)
	return err == nil && v.Compare(w) == 0
}

type event struct {
	kind byte // 'i' introduced, 'f' fixed, 'l' last_affected, 'x' limit
	zero bool // introduced "0": before every version
	v    versions.Version
	raw  string
}

// inRange reports whether v lies in the range and the fixed version that closes the
// interval v is in, if any.
func inRange(order string, v versions.Version, evs []Event) (bool, string, error) {
	parsed := make([]event, 0, len(evs))
	var limits []versions.Version
	for _, e := range evs {
		var ev event
		switch {
		case e.Introduced != "":
			ev = event{kind: 'i', raw: e.Introduced, zero: e.Introduced == "0"}
		case e.Fixed != "":
			ev = event{kind: 'f', raw: e.Fixed}
		case e.LastAffected != "":
			ev = event{kind: 'l', raw: e.LastAffected}
		case e.Limit != "":
			if e.Limit == "*" {
				continue
			}
			ev = event{kind: 'x', raw: e.Limit}
		default:
			continue
		}
		if !ev.zero {
			pv, err := versions.Parse(order, ev.raw)
			if err != nil {
				return false, "", err
			}
			ev.v = pv
		}
		if ev.kind == 'x' {
			limits = append(limits, ev.v)
			continue
		}
		parsed = append(parsed, ev)
	}
	sort.SliceStable(parsed, func(i, j int) bool {
		a, b := parsed[i], parsed[j]
		if a.zero || b.zero {
			return a.zero && !b.zero
		}
		return a.v.Compare(b.v) < 0
	})
	affected, fixed := false, ""
	for i, e := range parsed {
		switch e.kind {
		case 'i':
			if e.zero || v.Compare(e.v) >= 0 {
				affected = true
				fixed = nextFixed(parsed[i+1:])
			}
		case 'f':
			if v.Compare(e.v) >= 0 {
				affected, fixed = false, ""
			}
		case 'l':
			if v.Compare(e.v) > 0 {
				affected, fixed = false, ""
			}
		}
	}
	if affected && len(limits) > 0 {
		below := false
		for _, l := range limits {
			if v.Compare(l) < 0 {
				below = true
			}
		}
		affected = below
	}
	if !affected {
		fixed = ""
	}
	return affected, fixed, nil
}

// nextFixed is the fix that closes an interval opened just before rest, if the interval
// is closed by a fix rather than by last_affected.
func nextFixed(rest []event) string {
	for _, e := range rest {
		switch e.kind {
		case 'f':
			return e.raw
		case 'l':
			return ""
		}
	}
	return ""
}

func earliest(order, a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	if c, err := versions.Compare(order, a, b); err == nil && c > 0 {
		return b
	}
	return a
}

// gitHit matches a package pinned to a commit against a GIT range only when the commit
// is one the range names as introduced or last affected in the same repository. Deciding
// the commits in between needs the repository's history, which an offline scan does not
// have; the limitation is documented in docs/vulnerabilities.md.
func gitHit(r Range, q Query) bool {
	if q.Repo != "" && r.Repo != "" && normalizeRepo(q.Repo) != normalizeRepo(r.Repo) {
		return false
	}
	for _, e := range r.Events {
		for _, c := range []string{e.Introduced, e.LastAffected} {
			if c != "" && c != "0" && strings.EqualFold(c, q.Commit) {
				return true
			}
		}
	}
	return false
}

func normalizeRepo(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	u = strings.TrimPrefix(u, "git+")
	for _, p := range []string{"https://", "http://", "ssh://", "git://", "git@"} {
		u = strings.TrimPrefix(u, p)
	}
	u = strings.Replace(u, ":", "/", 1)
	return strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
}
