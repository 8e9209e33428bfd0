// Package deviation reads a repository's documented deviations from the policy
// (.posture/deviations.yaml) and decides which of them may silence findings (control ST-2).
// Only a deviation with a reason, approved by someone other than its requester, and not
// expired silences anything; there is deliberately no inline-comment escape hatch.
package deviation

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/yamlfile"
)

// File is where a repository keeps its deviations, relative to its root.
const File = ".posture/deviations.yaml"

// Match selects the findings a deviation covers: by fingerprint, by path glob, or both.
type Match struct {
	Fingerprint string `yaml:"fingerprint" json:"fingerprint,omitempty"`
	Path        string `yaml:"path" json:"path,omitempty"`
	// Server deviations (approved on a posture server, pulled by `posture scan
	// --server`) may also cover every finding of the control (All), optionally only on
	// one repository target (Target). The repository file cannot say either: a file in
	// the repository must name what it silences.
	All    bool   `yaml:"-" json:"all,omitempty"`
	Target string `yaml:"-" json:"target,omitempty"`
}

// Deviation is one documented, time-limited exception.
type Deviation struct {
	ID          string      `yaml:"id" json:"id"`
	Control     string      `yaml:"control" json:"control"`
	Match       Match       `yaml:"match" json:"match"`
	Reason      string      `yaml:"reason" json:"reason"`
	RequestedBy string      `yaml:"requested_by" json:"requested_by"`
	ApprovedBy  string      `yaml:"approved_by" json:"approved_by"`
	ApprovedOn  policy.Date `yaml:"approved_on" json:"approved_on"`
	Expires     policy.Date `yaml:"expires" json:"expires"`
	// Line is where the deviation starts in its file.
	Line int `yaml:"-" json:"line,omitempty"`
	// Source is where a deviation that is not from the repository file came from (the
	// server's page for it); empty for the file's.
	Source string `yaml:"-" json:"source,omitempty"`
}

type document struct {
	Deviations []Deviation `yaml:"deviations"`
}

// Load reads the deviations file of the repository at root. A missing file is not an
// error: it means nothing is silenced.
func Load(root string) ([]Deviation, error) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(File)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", File, err)
	}
	return Parse(File, data)
}

// Parse decodes a deviations document.
func Parse(name string, data []byte) ([]Deviation, error) {
	var doc document
	if err := yamlfile.Decode(name, data, &doc); err != nil {
		return nil, err
	}
	lines := yamlfile.ItemLines(data, "deviations")
	for i := range doc.Deviations {
		if i < len(lines) {
			doc.Deviations[i].Line = lines[i]
		}
	}
	return doc.Deviations, nil
}

// Problems lists every reason the deviation may not silence findings at time now.
// An empty list means it is in force.
func (d *Deviation) Problems(now time.Time, pack *policy.Pack) []string {
	var p []string
	if strings.TrimSpace(d.ID) == "" {
		p = append(p, "has no id")
	}
	switch {
	case d.Control == "":
		p = append(p, "names no control")
	case d.Control == "ST-2":
		p = append(p, "tries to silence ST-2, which reports on deviations themselves")
	case pack != nil && pack.Control(d.Control) == nil:
		p = append(p, fmt.Sprintf("names control %s, which the policy pack does not define", d.Control))
	}
	if d.Match.Fingerprint == "" && d.Match.Path == "" && !d.Match.All {
		p = append(p, "matches nothing (set match.fingerprint or match.path)")
	}
	if d.Match.Path != "" && !doublestar.ValidatePattern(d.Match.Path) {
		p = append(p, fmt.Sprintf("match.path %q is not a valid glob", d.Match.Path))
	}
	if strings.TrimSpace(d.Reason) == "" {
		p = append(p, "gives no reason")
	}
	if strings.TrimSpace(d.RequestedBy) == "" {
		p = append(p, "names no requester")
	}
	switch {
	case strings.TrimSpace(d.ApprovedBy) == "":
		p = append(p, "is not approved")
	case samePerson(d.ApprovedBy, d.RequestedBy):
		p = append(p, fmt.Sprintf("is approved by its own requester (%s); a second person must approve", strings.TrimSpace(d.ApprovedBy)))
	}
	switch {
	case d.ApprovedOn.IsZero():
		p = append(p, "has no approval date")
	case d.ApprovedOn.After(now):
		p = append(p, fmt.Sprintf("has an approval date in the future (%s)", d.ApprovedOn))
	}
	switch {
	case d.Expires.IsZero():
		p = append(p, "has no expiry date; every deviation must expire")
	case d.Expires.EndsBefore(now):
		p = append(p, fmt.Sprintf("expired on %s", d.Expires))
	}
	return p
}

// samePerson compares identities loosely: case, surrounding space and a leading @ do not
// make a different person.
func samePerson(a, b string) bool { return normalise(a) == normalise(b) }

func normalise(s string) string {
	return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "@")
}

// Matches reports whether the deviation covers a finding.
func (d *Deviation) Matches(f *finding.Finding) bool {
	if f.Control != d.Control {
		return false
	}
	if d.Match.Target != "" && !SameRepository(d.Match.Target, f.Target) {
		return false
	}
	if d.Match.All {
		return true
	}
	if d.Match.Fingerprint != "" && !strings.EqualFold(d.Match.Fingerprint, f.Fingerprint) {
		return false
	}
	if d.Match.Path != "" {
		if f.Location.Path == "" {
			return false
		}
		ok, _ := doublestar.Match(d.Match.Path, f.Location.Path)
		if !ok {
			return false
		}
	}
	return d.Match.Fingerprint != "" || d.Match.Path != ""
}

// SameRepository compares a repository as a server records it (a clone URL, a path)
// with a scan target's name (the argument given to posture scan): equal, or the same
// last path element without a ".git" suffix, since the two are rarely written alike.
func SameRepository(a, b string) bool {
	if a == b {
		return true
	}
	base := func(s string) string {
		s = strings.TrimRight(strings.TrimSpace(s), "/")
		if i := strings.LastIndexAny(s, "/:\\"); i >= 0 {
			s = s[i+1:]
		}
		return strings.ToLower(strings.TrimSuffix(s, ".git"))
	}
	ba := base(a)
	return ba != "" && ba != "." && ba == base(b)
}
