package policy

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
)

// Problem is one thing wrong with a pack, located where possible.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

var controlID = regexp.MustCompile(`^[A-Z]{2,6}-[0-9]{1,3}$`)

// validate checks a resolved pack; lineOf gives the source line of control i, or 0.
func validate(p *Pack, file string, lineOf func(int) int) []Problem {
	var out []Problem
	add := func(line int, format string, args ...any) {
		out = append(out, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	m := p.Metadata
	if m.Name == "" {
		add(0, "metadata.name is empty")
	}
	if m.Version == "" {
		add(0, "metadata.version is empty")
	}
	if m.LastReviewed.IsZero() {
		add(0, "metadata.last_reviewed is missing: PR-1 needs the date of the last review")
	}
	if m.Expires.IsZero() {
		add(0, "metadata.expires is missing: PR-1 needs the date the review lapses")
	}
	if !m.LastReviewed.IsZero() && !m.Expires.IsZero() && !m.Expires.After(m.LastReviewed.Time) {
		add(0, "metadata.expires (%s) is not after last_reviewed (%s)", m.Expires, m.LastReviewed)
	}

	sections := map[string]bool{}
	for _, s := range p.Sections {
		if sections[s.ID] {
			add(0, "duplicate section ID %q", s.ID)
		}
		sections[s.ID] = true
		if s.Title == "" {
			add(0, "section %s has no title", s.ID)
		}
	}
	seen := map[string]int{}
	for i, c := range p.Controls {
		line := lineOf(i)
		if !controlID.MatchString(c.ID) {
			add(line, "control ID %q is not of the form AB-1", c.ID)
		}
		if first, dup := seen[c.ID]; dup {
			add(line, "duplicate control ID %q (first defined as control #%d)", c.ID, first+1)
		} else {
			seen[c.ID] = i
		}
		if c.Title == "" {
			add(line, "control %s has no title", c.ID)
		}
		if !sections[c.Section] {
			add(line, "control %s names unknown section %q", c.ID, c.Section)
		}
		if _, err := ParseSeverity(string(c.Severity)); err != nil || string(c.Severity) != string(c.Severity.normal()) {
			add(line, "control %s: unknown severity %q (want info, low, medium, high or critical)", c.ID, c.Severity)
		}
		if len(c.Verification) == 0 {
			add(line, "control %s has no verification (auto, record or both)", c.ID)
		}
		for _, v := range c.Verification {
			if v != Auto && v != Record {
				add(line, "control %s: unknown verification %q (want auto or record)", c.ID, v)
			}
		}
		if len(c.Targets) == 0 {
			add(line, "control %s has no target kinds", c.ID)
		}
		for _, k := range c.Targets {
			if !slices.Contains(knownKinds, k) {
				add(line, "control %s: unknown target kind %q (want repo, endpoint, host or org)", c.ID, k)
			}
		}
	}
	return out
}

func (s Severity) normal() Severity { v, _ := ParseSeverity(string(s)); return v }

// Lint reads a pack file (or the default pack when path is "") and reports every problem,
// including probes that speak for controls the pack does not define. probeControls maps a
// probe name to the control IDs it reports under.
func Lint(path string, probeControls map[string][]string) ([]Problem, error) {
	var (
		pack     *Pack
		problems []Problem
		err      error
	)
	if path == "" {
		pack, problems, err = parse("embedded default pack", defaultPackYAML)
		path = "embedded default pack"
	} else {
		var data []byte
		data, err = os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading policy pack: %w", err)
		}
		pack, problems, err = parse(path, data)
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(probeControls))
	for n := range probeControls {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, id := range probeControls[n] {
			if pack.Control(id) == nil {
				problems = append(problems, Problem{File: path,
					Message: fmt.Sprintf("probe %s reports under control %s, which this pack does not define", n, id)})
			}
		}
	}
	return problems, nil
}
