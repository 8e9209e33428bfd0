package report

import (
	"fmt"
	"time"

	"github.com/posture-dev/posture/internal/deviation"
	"github.com/posture-dev/posture/internal/engine"
	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
)

// Hostile strings the fixture plants in data, to prove every format escapes them.
const (
	fixtureScript = `<script>alert("x")</script>`
	fixturePipe   = "a|b"
	fixtureTick   = "use `md5` & friends"
)

func fixtureDate(s string) policy.Date {
	d, err := policy.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// fixtureDoc builds, by hand, a document with every status, a silenced finding, redacted
// evidence, an exclusion, a skipped path, a note, a warning, an expired policy, two
// targets, and data full of characters that need escaping.
func fixtureDoc() *Document {
	started := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	silenced := finding.Finding{
		Control: "CR-2", Rule: "weak-hash", Severity: policy.Medium, Target: "app",
		Location: finding.Location{Path: "legacy/checksum.go", Line: 7},
		Message:  "MD5 used for a checksum", Evidence: finding.Plain("md5.Sum(data)"),
		Fix:         "Use SHA-256.",
		Fingerprint: "ffff0000ffff0000ffff0000ffff0000",
		Suppressed: &finding.Suppression{Deviation: "DEV-7", Reason: "checksum only, not security",
			ApprovedBy: "sec-lead@example.com", Expires: fixtureDate("2026-12-31")},
	}
	d := &Document{
		Schema: SchemaVersion,
		Tool:   Tool{Name: "posture", Version: "1.2.3", Commit: "0123456789abcdef"},
		Policy: Policy{Name: "secure-engineering-policy", Title: "Secure Engineering Policy", Version: "2025.01.28",
			Origin: "builtin", LastReviewed: fixtureDate("2025-01-28"), Expires: fixtureDate("2026-01-23"), Expired: true},
		StartedAt:  started,
		FinishedAt: started.Add(1500 * time.Millisecond),
		Warnings:   []string{"PR-1: policy pack expired on 2026-01-23 " + fixtureScript},
		Selection:  Selection{Only: []string{}, Skip: []string{}},
		Verdict:    Verdict{FailOn: policy.High, Failing: true},
		Sections: []SectionRef{
			{ID: "ZT", Title: "No such thing as internal traffic"},
			{ID: "CR", Title: "Cryptography is hard"},
			{ID: "CH", Title: "Changes should be controlled, and reviewed"},
		},
		Targets: []Target{
			{
				Name: "app", Kind: policy.KindRepo,
				Inventory: &Inventory{
					Files: 42, Source: "git",
					Exclusions: []fileset.Exclusion{{Pattern: "vendor/**", Reason: "third-party code " + fixturePipe + " reviewed upstream", Matched: 12}},
					Skipped:    []fileset.Skip{{Path: "big/blob.bin", Reason: "file larger than the size limit"}},
					Notes:      []fileset.Skip{{Path: "docs/readme.md", Reason: "not valid UTF-8 & read anyway"}},
				},
				Controls: []Control{
					{ID: "CR-1", Title: "Secrets are not committed", Section: "CR", SectionTitle: "Cryptography is hard",
						Severity: policy.Critical, Status: finding.Fail, Reason: "1 open finding",
						Findings: []finding.Finding{{
							Control: "CR-1", Rule: "aws-key", Severity: policy.Critical, Target: "app",
							Location: finding.Location{Path: "config/prod.env", Line: 3},
							Message:  "AWS access key " + fixtureScript, Evidence: finding.Secret("AKIAABCDEFGHIJKLMNOP"),
							Fix:         "Rotate the key and load it from the secret store.",
							Fingerprint: "aaaa1111bbbb2222cccc3333dddd4444",
						}}},
					{ID: "CR-2", Title: "No weak hashes " + fixturePipe, Section: "CR", SectionTitle: "Cryptography is hard",
						Severity: policy.Medium, Status: finding.Fail, Reason: "2 open findings, 1 silenced",
						Findings: []finding.Finding{
							{Control: "CR-2", Rule: "weak-hash", Severity: policy.Medium, Target: "app",
								Location: finding.Location{Path: "pkg/a|b.go", Line: 12, Column: 4},
								Message:  fixtureTick, Evidence: finding.Plain("h := md5.New() // `x` <b>"),
								Fix: "Use SHA-256 | SHA-3.", Fingerprint: "1234567890abcdef1234567890abcdef"},
							{Control: "CR-2", Rule: "weak-hash", Severity: policy.Medium, Target: "app",
								Message: "SHA-1 in TLS configuration", Fix: "Remove SHA-1 cipher suites.",
								Fingerprint: "9999888877776666555544443333aaaa"},
							silenced,
						}},
					{ID: "CR-3", Title: "TLS everywhere", Section: "CR", SectionTitle: "Cryptography is hard",
						Severity: policy.High, Status: finding.Deviation, Reason: "all findings silenced by deviations",
						Findings: []finding.Finding{func() finding.Finding {
							f := silenced
							f.Control, f.Rule, f.Severity, f.Fingerprint = "CR-3", "plain-http", policy.High, "eeee0000eeee0000eeee0000eeee0000"
							f.Location = finding.Location{Path: "internal/health.go", Line: 20}
							f.Message = "health check over plain HTTP"
							return f
						}()}},
					{ID: "CH-1", Title: "Changes are reviewed", Section: "CH", SectionTitle: "Changes should be controlled, and reviewed",
						Severity: policy.High, Status: finding.Unknown, Reason: "branch protection could not be read: 403 <forbidden> & `gh` failed"},
					{ID: "CH-2", Title: "CODEOWNERS exists", Section: "CH", SectionTitle: "Changes should be controlled, and reviewed",
						Severity: policy.Low, Status: finding.Pass},
					{ID: "ZT-3", Title: "Admin endpoints require auth", Section: "ZT", SectionTitle: "No such thing as internal traffic",
						Severity: policy.Critical, Status: finding.NotApplicable, Reason: "no HTTP handlers in this repository"},
				},
				Deviations: []engine.DeviationState{
					{Deviation: deviation.Deviation{ID: "DEV-7", Control: "CR-2", Reason: "checksum only",
						RequestedBy: "dev@example.com", ApprovedBy: "sec-lead@example.com",
						ApprovedOn: fixtureDate("2026-01-02"), Expires: fixtureDate("2026-12-31")}, InForce: true, Silenced: 2},
					{Deviation: deviation.Deviation{ID: "DEV-8", Control: "CR-1", Reason: "self-approved " + fixtureScript,
						RequestedBy: "dev@example.com", ApprovedBy: "dev@example.com", Expires: fixtureDate("2026-12-31")},
						InForce: false, Problems: []string{"approved by its own requester"}},
				},
				Probes: []engine.ProbeRun{
					{Probe: "secrets", Duration: 300 * time.Millisecond},
					{Probe: "branch-protection", Duration: 200 * time.Millisecond, Error: "403 forbidden"},
				},
			},
			{
				Name: "https://api.example.test", Kind: policy.KindEndpoint,
				Controls: []Control{
					{ID: "ZT-1", Title: "Privileged functions require authentication", Section: "ZT", SectionTitle: "No such thing as internal traffic",
						Severity: policy.Critical, Status: finding.Pass},
					{ID: "ZT-2", Title: "Security headers are set", Section: "ZT",
						Severity: policy.Low, Status: finding.Fail, Reason: "1 open finding",
						Findings: []finding.Finding{{Control: "ZT-2", Rule: "hsts", Severity: policy.Low, Target: "https://api.example.test",
							Location: finding.Location{URL: "https://api.example.test/login"}, Message: "no Strict-Transport-Security header",
							Fix: "Send Strict-Transport-Security: max-age=31536000.", Fingerprint: "5555aaaa5555aaaa5555aaaa5555aaaa"}}},
				},
				Deviations: []engine.DeviationState{},
				Probes:     []engine.ProbeRun{{Probe: "headers", Duration: time.Second}},
			},
		},
	}
	d.Summary = fixtureSummary(d)
	return d
}

// fixtureSummary counts a hand-built document the way Build does.
func fixtureSummary(d *Document) Summary {
	s := Summary{Statuses: map[finding.Status]int{}, BySeverity: map[policy.Severity]int{}}
	for _, st := range finding.Statuses {
		s.Statuses[st] = 0
	}
	for _, t := range d.Targets {
		for _, c := range t.Controls {
			s.Statuses[c.Status]++
			for _, f := range c.Findings {
				s.Findings++
				if f.Suppressed != nil {
					s.Silenced++
				} else {
					s.Open++
					s.BySeverity[f.Severity]++
				}
			}
		}
	}
	return s
}

// fixtureManyFindings returns a single-target document whose failing controls hold n
// findings each, with long messages, to push the Markdown report past its limit.
func fixtureManyFindings(controls, n int) *Document {
	d := fixtureDoc()
	d.Targets = d.Targets[:1]
	t := &d.Targets[0]
	t.Controls = nil
	for c := range controls {
		ctl := Control{ID: fmt.Sprintf("CR-%d", c+1), Title: "Many findings", Section: "CR", SectionTitle: "Cryptography is hard",
			Severity: policy.High, Status: finding.Fail, Reason: fmt.Sprintf("%d open findings", n)}
		for i := range n {
			ctl.Findings = append(ctl.Findings, finding.Finding{Control: ctl.ID, Rule: "r", Severity: policy.High,
				Location: finding.Location{Path: fmt.Sprintf("src/file%04d.go", i), Line: i + 1},
				Message:  fmt.Sprintf("finding %d: a fairly long message that describes what was found and why it matters", i),
				Fix:      "Do the right thing.", Fingerprint: fmt.Sprintf("%032x", c*100000+i)})
		}
		t.Controls = append(t.Controls, ctl)
	}
	d.Summary = fixtureSummary(d)
	return d
}
