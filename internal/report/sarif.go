package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
)

// SARIF 2.1.0, in the subset GitHub code scanning reads. Rules are policy controls, so
// alerts group under the clause they break; the probe's own rule ID goes in properties.

const sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                `json:"tool"`
	AutomationDetails  *sarifAutomation         `json:"automationDetails,omitempty"`
	OriginalURIBaseIDs map[string]sarifArtifact `json:"originalUriBaseIds,omitempty"`
	Invocations        []sarifInvocation        `json:"invocations"`
	Results            []sarifResult            `json:"results"`
	Properties         map[string]any           `json:"properties,omitempty"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	SemanticVer    string      `json:"semanticVersion,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifRuleConf  `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	StartTimeUTC               string              `json:"startTimeUtc"`
	EndTimeUTC                 string              `json:"endTimeUtc"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations,omitempty"`
	Descriptor *sarifRef       `json:"descriptor,omitempty"`
}

type sarifRef struct {
	ID string `json:"id"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

func sarifLevel(s policy.Severity) string {
	switch s {
	case policy.Critical, policy.High:
		return "error"
	case policy.Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity places each severity inside the score band GitHub uses to label alerts.
func securitySeverity(s policy.Severity) string {
	return map[policy.Severity]string{policy.Critical: "9.5", policy.High: "8.0", policy.Medium: "5.5", policy.Low: "3.0", policy.Info: "0.0"}[s]
}

func writeSARIF(w io.Writer, d *Document) error {
	run := sarifRun{
		Tool:              sarifTool{Driver: sarifDriver{Name: "posture", Version: d.Tool.Version, InformationURI: "https://github.com/posture-dev/posture"}},
		AutomationDetails: &sarifAutomation{ID: "posture/" + d.Policy.Name + "/"},
		Results:           []sarifResult{},
		Properties:        map[string]any{"policy": d.Policy.Name, "policyVersion": d.Policy.Version, "policyExpired": d.Policy.Expired},
	}
	if v := strings.TrimPrefix(d.Tool.Version, "v"); isSemver(v) {
		run.Tool.Driver.SemanticVer = v
	}
	inv := sarifInvocation{ExecutionSuccessful: !d.Interrupted,
		StartTimeUTC: d.StartedAt.Format("2006-01-02T15:04:05Z"), EndTimeUTC: d.FinishedAt.Format("2006-01-02T15:04:05Z")}
	for _, warn := range d.Warnings {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{Level: "warning", Message: sarifText{Text: warn}})
	}

	ruleIndex := map[string]int{}
	firstRepo := true
	for _, t := range d.Targets {
		base := ""
		if t.Kind == policy.KindRepo {
			// The first repository is the checkout GitHub resolves %SRCROOT% against.
			if firstRepo {
				base = "%SRCROOT%"
				firstRepo = false
			}
		}
		prefix := ""
		if t.Kind == policy.KindRepo && base == "" {
			prefix = strings.TrimSuffix(t.Name, "/") + "/"
		}
		for _, c := range t.Controls {
			if _, ok := ruleIndex[c.ID]; !ok {
				ruleIndex[c.ID] = len(run.Tool.Driver.Rules)
				run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(c))
			}
			if c.Status == finding.Unknown {
				inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
					Level: "warning", Message: sarifText{Text: fmt.Sprintf("%s on %s could not be checked: %s", c.ID, t.Name, c.Reason)},
					Descriptor: &sarifRef{ID: c.ID}})
			}
			for _, f := range c.Findings {
				run.Results = append(run.Results, sarifResultFor(f, ruleIndex[c.ID], base, prefix))
			}
		}
		if t.Inventory != nil {
			for _, e := range t.Inventory.Exclusions {
				inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
					Level: "note", Message: sarifText{Text: fmt.Sprintf("out of scope on %s: %s (%s): %s", t.Name, e.Pattern, countPaths(e.Matched), e.Reason)}})
			}
			for _, s := range t.Inventory.Skipped {
				inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
					Level: "note", Message: sarifText{Text: "not examined: " + s.Reason},
					Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uriPath(prefix + s.Path), URIBaseID: base}}}}})
			}
		}
	}
	run.Invocations = []sarifInvocation{inv}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

func sarifRuleFor(c Control) sarifRule {
	help := fmt.Sprintf("Policy section %s (%s), control %s: %s", c.Section, c.SectionTitle, c.ID, c.Title)
	return sarifRule{
		ID:                   c.ID,
		Name:                 ruleName(c.Title),
		ShortDescription:     sarifText{Text: c.ID + " " + c.Title},
		FullDescription:      sarifText{Text: c.Title},
		Help:                 sarifText{Text: help, Markdown: fmt.Sprintf("**%s** — %s\n\nPolicy section: *%s*", c.ID, c.Title, c.SectionTitle)},
		DefaultConfiguration: sarifRuleConf{Level: sarifLevel(c.Severity)},
		Properties: map[string]any{
			"tags":              []string{"security", "policy", "policy/" + c.Section},
			"security-severity": securitySeverity(c.Severity),
			"precision":         "high",
		},
	}
}

func sarifResultFor(f finding.Finding, idx int, base, prefix string) sarifResult {
	loc := sarifLocation{}
	switch {
	case f.Location.URL != "":
		loc.PhysicalLocation.ArtifactLocation = sarifArtifact{URI: f.Location.URL}
	case f.Location.Path != "":
		loc.PhysicalLocation.ArtifactLocation = sarifArtifact{URI: uriPath(prefix + f.Location.Path), URIBaseID: base}
		if f.Location.Line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Location.Line, StartColumn: f.Location.Column}
		}
	default:
		// A finding about the repository as a whole (a missing file): code scanning
		// needs a location, so it points at the repository root.
		root := "."
		if prefix != "" {
			root = strings.TrimSuffix(prefix, "/")
		}
		loc.PhysicalLocation.ArtifactLocation = sarifArtifact{URI: uriPath(root), URIBaseID: base}
	}
	msg := f.Message
	if f.Fix != "" {
		msg += " Fix: " + f.Fix
	}
	props := map[string]any{"severity": string(f.Severity), "rule": f.Rule, "target": f.Target}
	if f.Evidence.Text != "" {
		props["evidence"] = f.Evidence.Text
	}
	if f.Location.Commit != "" {
		props["commit"] = f.Location.Commit
	}
	r := sarifResult{
		RuleID: f.Control, RuleIndex: idx, Level: sarifLevel(f.Severity),
		Message:             sarifText{Text: msg},
		Locations:           []sarifLocation{loc},
		PartialFingerprints: map[string]string{"postureFingerprint/v1": f.Fingerprint},
		Properties:          props,
	}
	if s := f.Suppressed; s != nil {
		r.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted",
			Justification: fmt.Sprintf("deviation %s approved by %s until %s: %s", s.Deviation, s.ApprovedBy, s.Expires, s.Reason)}}
	}
	return r
}

// uriPath percent-encodes what a URI reference cannot hold literally.
func uriPath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		ch := p[i]
		if ch < 0x21 || ch > 0x7e || strings.IndexByte(`%"<>\^`+"`{|}#?[]", ch) >= 0 {
			fmt.Fprintf(&b, "%%%02X", ch)
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// ruleName makes a control title into the PascalCase name SARIF viewers show.
func ruleName(title string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(title, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

func isSemver(v string) bool {
	parts := strings.SplitN(strings.SplitN(v, "-", 2)[0], ".", 3)
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}
