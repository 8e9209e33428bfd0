package policy

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/posture-dev/posture/internal/yamlfile"
)

//go:embed default.yaml
var defaultPackYAML []byte

// DefaultYAML is the embedded default pack as shipped, for `posture policy export`.
func DefaultYAML() []byte { return slices.Clone(defaultPackYAML) }

const (
	apiVersion = "posture.dev/v1"
	packKind   = "PolicyPack"
)

// document is a pack file as written: a full pack, or an extension of the default one.
type document struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Extends    string     `yaml:"extends"`
	Metadata   *Metadata  `yaml:"metadata"`
	Sections   []Section  `yaml:"sections"`
	Controls   []Control  `yaml:"controls"`
	Overrides  []Override `yaml:"overrides"`
}

// Override changes a control of the pack being extended.
type Override struct {
	ID            string   `yaml:"id"`
	Severity      Severity `yaml:"severity"`
	NotApplicable string   `yaml:"not_applicable"`
}

// Default returns the embedded default pack.
func Default() (*Pack, error) {
	p, problems, err := parse("embedded default pack", defaultPackYAML)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("embedded default pack is invalid: %s", problems[0])
	}
	return p, nil
}

// LoadFile reads a pack file. A file with `extends: default` is applied on top of the
// embedded default pack. Problems that make the pack unusable are returned as the error;
// the full list is available through Lint.
func LoadFile(path string) (*Pack, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading policy pack: %w", err)
	}
	p, problems, err := parse(path, data)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("policy pack %s is invalid (%d problems; run `posture policy lint %s`): %s",
			path, len(problems), path, problems[0])
	}
	return p, nil
}

// parse decodes and resolves a pack file and returns the problems found in it.
// A non-nil error means the file could not be read as a pack at all.
func parse(name string, data []byte) (*Pack, []Problem, error) {
	var doc document
	if err := yamlfile.Decode(name, data, &doc); err != nil {
		return nil, nil, err
	}
	lines := yamlfile.ItemLines(data, "controls")
	var problems []Problem
	at := func(line int, format string, args ...any) {
		problems = append(problems, Problem{File: name, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	if doc.APIVersion != apiVersion {
		at(0, "apiVersion is %q, want %q", doc.APIVersion, apiVersion)
	}
	if doc.Kind != packKind {
		at(0, "kind is %q, want %q", doc.Kind, packKind)
	}

	var pack *Pack
	switch doc.Extends {
	case "":
		pack = &Pack{APIVersion: doc.APIVersion, Kind: doc.Kind}
		if doc.Metadata == nil {
			at(0, "metadata is missing")
		} else {
			pack.Metadata = *doc.Metadata
		}
	case "default":
		base, err := Default()
		if err != nil {
			return nil, nil, err
		}
		pack = base
		if doc.Metadata != nil {
			mergeMetadata(&pack.Metadata, doc.Metadata)
		}
	default:
		return nil, nil, fmt.Errorf("%s: extends %q: only \"default\" (the embedded pack) can be extended", name, doc.Extends)
	}
	pack.Origin = name
	pack.Sections = append(pack.Sections, doc.Sections...)
	pack.Controls = append(pack.Controls, doc.Controls...)

	for _, o := range doc.Overrides {
		c := pack.Control(o.ID)
		if c == nil {
			at(0, "override for unknown control %q", o.ID)
			continue
		}
		if o.Severity != "" {
			c.Severity = o.Severity
			c.SeverityOverridden = true
		}
		if o.NotApplicable != "" {
			c.NotApplicable = strings.TrimSpace(o.NotApplicable)
		}
		if o.Severity == "" && o.NotApplicable == "" {
			at(0, "override for %s changes nothing (set severity or not_applicable)", o.ID)
		}
	}

	// Line numbers are known only for controls written in this file.
	offset := len(pack.Controls) - len(doc.Controls)
	lineOf := func(i int) int {
		j := i - offset
		if j >= 0 && j < len(lines) {
			return lines[j]
		}
		return 0
	}
	problems = append(problems, validate(pack, name, lineOf)...)
	return pack, problems, nil
}

func mergeMetadata(dst, src *Metadata) {
	if src.Name != "" {
		dst.Name = src.Name
	}
	if src.Title != "" {
		dst.Title = src.Title
	}
	if src.Version != "" {
		dst.Version = src.Version
	}
	if src.Source != "" {
		dst.Source = src.Source
	}
	if !src.LastReviewed.IsZero() {
		dst.LastReviewed = src.LastReviewed
	}
	if !src.Expires.IsZero() {
		dst.Expires = src.Expires
	}
}
