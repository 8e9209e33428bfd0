// Package sbom writes the packages posture found in a repository's lockfiles as a
// software bill of materials (CycloneDX 1.6 JSON), so that the inventory behind the
// dependency controls can be handed to other tools.
package sbom

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/deps"
	"github.com/posture-dev/posture/internal/version"
)

// Document is what one SBOM describes.
type Document struct {
	// ToolVersion is posture's version; empty means the running build's.
	ToolVersion string
	// Timestamp is when the SBOM was made; zero means now. Tests fix it.
	Timestamp time.Time
	// Serial is the BOM serial number ("urn:uuid:…"); empty means a new random one.
	// Tests fix it so that output is reproducible.
	Serial  string
	Subject Subject
	// Lockfiles are what deps.Extract read.
	Lockfiles []deps.Lockfile
}

// Subject is the repository the SBOM is about.
type Subject struct {
	// Name identifies the repository to a reader, typically its directory's base name.
	// It is never an absolute path: an SBOM is shared, the scanning machine's layout is not.
	Name string
	// Commit is the checked-out revision, when known.
	Commit string
}

// Scopes, from the CycloneDX 1.6 schema's own definitions: "excluded" components
// "document component usage for test and other non-runtime purposes" and are "not
// reachable within a call graph at runtime" — what a development-only dependency is.
// "optional" means "not installed or otherwise accessible", which a dev dependency is
// not on a developer's machine or in CI.
const (
	scopeRuntime = "required"
	scopeDevOnly = "excluded"
)

// Property names. "posture" is the namespace: the CycloneDX property taxonomy reserves
// "cdx" for its own tools and asks others for a lowercase, colon-separated namespace of
// their own. Booleans follow the taxonomy's convention: present as "true", absent means
// false.
const (
	propDirect     = "posture:direct"
	propDev        = "posture:dev"
	propConstraint = "posture:constraint"
	propSource     = "posture:source"
	propCommit     = "posture:commit"
	propLockfile   = "posture:lockfile"
)

// WriteCycloneDX writes doc as a CycloneDX 1.6 JSON BOM. Components are sorted by
// bom-ref and every list inside them is sorted, so the output depends only on doc.
func WriteCycloneDX(w io.Writer, doc Document) error {
	bom, err := build(doc)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Version constraints such as ">=1.2" stay readable; nothing here is meant for HTML.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(bom); err != nil {
		return fmt.Errorf("writing CycloneDX BOM: %w", err)
	}
	return nil
}

func build(doc Document) (*cdxBOM, error) {
	serial := doc.Serial
	if serial == "" {
		var err error
		if serial, err = NewSerial(); err != nil {
			return nil, err
		}
	}
	ts := doc.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	toolVersion := doc.ToolVersion
	if toolVersion == "" {
		toolVersion, _ = version.Info()
	}
	name := doc.Subject.Name
	if name == "" {
		name = "repository"
	}
	root := cdxComponent{Type: "application", BOMRef: "repository:" + name, Name: name, Version: doc.Subject.Commit}
	for _, lf := range doc.Lockfiles {
		root.Properties = append(root.Properties, cdxProperty{Name: propLockfile, Value: lf.Path})
	}
	sortProperties(root.Properties)

	comps := components(doc.Lockfiles)
	bom := &cdxBOM{
		BOMFormat:    "CycloneDX",
		SpecVersion:  "1.6",
		SerialNumber: serial,
		Version:      1,
		Metadata: cdxMetadata{
			Timestamp: ts.UTC().Format(time.RFC3339),
			// Lockfiles and manifests are read before anything is built: the schema's
			// "pre-build" phase.
			Lifecycles: []cdxLifecycle{{Phase: "pre-build"}},
			Tools:      cdxTools{Components: []cdxComponent{{Type: "application", Name: "posture", Version: toolVersion}}},
			Component:  root,
		},
		Components: make([]cdxComponent, 0, len(comps)),
	}
	// deps.Package records whether a package is direct but not which package required
	// it, so the only edges posture can state are root → direct package. Leaving every
	// other component out of the graph is how CycloneDX says "dependencies unknown";
	// listing them with empty dependsOn would claim they have none.
	var direct []string
	for _, c := range comps {
		bom.Components = append(bom.Components, c.component)
		if c.direct {
			direct = append(direct, c.component.BOMRef)
		}
	}
	if len(direct) > 0 {
		bom.Dependencies = []cdxDependency{{Ref: root.BOMRef, DependsOn: direct}}
	}
	return bom, nil
}

// merged is one component gathered from every lockfile entry with the same bom-ref.
type merged struct {
	component cdxComponent
	direct    bool
	runtime   bool // some entry is not development-only
	seen      map[cdxOccurrence]bool
	props     map[cdxProperty]bool
	refs      map[cdxExternalReference]bool
}

// components turns lockfile entries into components, one per bom-ref (the purl), sorted.
// A package pinned by several lockfiles is one component with an occurrence for each;
// it is development-only when every entry says so, and direct when any does.
func components(lockfiles []deps.Lockfile) []*merged {
	byRef := map[string]*merged{}
	for _, lf := range lockfiles {
		for _, p := range lf.Packages {
			if strings.TrimSpace(p.Name) == "" {
				continue // nothing to name it by; the parser has reported the entry
			}
			id, known := identify(p)
			ref := ""
			purl := ""
			if known {
				purl = id.purl(p.Version)
				ref = purl
			} else {
				// No purl type for this ecosystem: still listed, under a reference that
				// cannot collide with a purl.
				ref = "posture:" + p.Ecosystem + "/" + p.Name
				if p.Version != "" {
					ref += "@" + p.Version
				}
			}
			m := byRef[ref]
			if m == nil {
				m = &merged{
					component: cdxComponent{Type: "library", BOMRef: ref, Group: id.group, Name: id.name, Version: p.Version, Purl: purl},
					seen:      map[cdxOccurrence]bool{},
					props:     map[cdxProperty]bool{},
					refs:      map[cdxExternalReference]bool{},
				}
				byRef[ref] = m
			}
			m.direct = m.direct || p.Direct
			m.runtime = m.runtime || !p.Dev
			path := p.Path
			if path == "" {
				path = lf.Path
			}
			m.seen[cdxOccurrence{Location: path, Line: p.Line}] = true
			if p.Version == "" && p.Constraint != "" {
				m.props[cdxProperty{Name: propConstraint, Value: p.Constraint}] = true
			}
			if p.Source != "" {
				m.props[cdxProperty{Name: propSource, Value: p.Source}] = true
				if r, ok := sourceReference(p.Source); ok {
					m.refs[r] = true
				}
			}
			if p.Commit != "" {
				m.props[cdxProperty{Name: propCommit, Value: p.Commit}] = true
			}
		}
	}
	out := make([]*merged, 0, len(byRef))
	for _, m := range byRef {
		m.finish()
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].component.BOMRef < out[j].component.BOMRef })
	return out
}

func (m *merged) finish() {
	c := &m.component
	c.Scope = scopeRuntime
	if !m.runtime {
		c.Scope = scopeDevOnly
		m.props[cdxProperty{Name: propDev, Value: "true"}] = true
	}
	if m.direct {
		m.props[cdxProperty{Name: propDirect, Value: "true"}] = true
	}
	for p := range m.props {
		c.Properties = append(c.Properties, p)
	}
	sortProperties(c.Properties)
	for r := range m.refs {
		c.ExternalReferences = append(c.ExternalReferences, r)
	}
	sort.Slice(c.ExternalReferences, func(i, j int) bool {
		a, b := c.ExternalReferences[i], c.ExternalReferences[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.URL < b.URL
	})
	occ := make([]cdxOccurrence, 0, len(m.seen))
	for o := range m.seen {
		occ = append(occ, o)
	}
	sort.Slice(occ, func(i, j int) bool {
		if occ[i].Location != occ[j].Location {
			return occ[i].Location < occ[j].Location
		}
		return occ[i].Line < occ[j].Line
	})
	c.Evidence = &cdxEvidence{Occurrences: occ}
}

// sourceReference turns a non-registry origin into an external reference: "vcs" for a
// git source, "distribution" for a tarball or package server reached over HTTP(S). Local
// paths and origins that are not absolute URLs (scp-style "git@host:repo") are kept only
// as a property, since the schema wants an IRI here.
func sourceReference(src string) (cdxExternalReference, bool) {
	u, err := url.Parse(src)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return cdxExternalReference{}, false
	}
	switch s := strings.ToLower(u.Scheme); {
	case strings.HasPrefix(s, "git+") || s == "git":
		return cdxExternalReference{Type: "vcs", URL: src}, true
	case s == "http" || s == "https":
		return cdxExternalReference{Type: "distribution", URL: src}, true
	}
	return cdxExternalReference{}, false
}

func sortProperties(ps []cdxProperty) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Name != ps[j].Name {
			return ps[i].Name < ps[j].Name
		}
		return ps[i].Value < ps[j].Value
	})
}

// NewSerial returns a random (version 4) UUID as a BOM serial number.
func NewSerial() (string, error) {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return "", fmt.Errorf("generating BOM serial number: %w", err)
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]), nil
}

// The types below are the part of the CycloneDX 1.6 model posture writes; field order is
// output order.

type cdxBOM struct {
	BOMFormat    string          `json:"bomFormat"`
	SpecVersion  string          `json:"specVersion"`
	SerialNumber string          `json:"serialNumber"`
	Version      int             `json:"version"`
	Metadata     cdxMetadata     `json:"metadata"`
	Components   []cdxComponent  `json:"components"`
	Dependencies []cdxDependency `json:"dependencies,omitempty"`
}

type cdxMetadata struct {
	Timestamp  string         `json:"timestamp"`
	Lifecycles []cdxLifecycle `json:"lifecycles"`
	Tools      cdxTools       `json:"tools"`
	Component  cdxComponent   `json:"component"`
}

type cdxLifecycle struct {
	Phase string `json:"phase"`
}

type cdxTools struct {
	Components []cdxComponent `json:"components"`
}

type cdxComponent struct {
	Type               string                 `json:"type"`
	BOMRef             string                 `json:"bom-ref,omitempty"`
	Group              string                 `json:"group,omitempty"`
	Name               string                 `json:"name"`
	Version            string                 `json:"version,omitempty"`
	Scope              string                 `json:"scope,omitempty"`
	Purl               string                 `json:"purl,omitempty"`
	ExternalReferences []cdxExternalReference `json:"externalReferences,omitempty"`
	Evidence           *cdxEvidence           `json:"evidence,omitempty"`
	Properties         []cdxProperty          `json:"properties,omitempty"`
}

type cdxExternalReference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

type cdxEvidence struct {
	Occurrences []cdxOccurrence `json:"occurrences"`
}

// cdxOccurrence is one lockfile entry. The 1.6 schema gives occurrences a location and
// a separate line number, so the line is not folded into the path.
type cdxOccurrence struct {
	Location string `json:"location"`
	Line     int    `json:"line,omitempty"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn,omitempty"`
}
