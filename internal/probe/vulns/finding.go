package vulns

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/posture-dev/posture/internal/cvss"
	"github.com/posture-dev/posture/internal/deps"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/osv"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/versions"
)

func (m *matcher) finding(targetName string, pkg deps.Package, g []osv.Vulnerability, fixedBy map[string]string) finding.Finding {
	id, aliases := osv.IDs(g)
	fixed := ""
	for _, v := range g {
		fixed = latest(pkg.Ecosystem, fixed, fixedBy[v.ID])
	}
	score := groupScore(g)
	summary := ""
	url := ""
	for _, v := range g {
		if summary == "" {
			summary = v.Summary
		}
		if url == "" && len(v.References) > 0 {
			url = v.References[0].URL
		}
	}
	ids := id
	if len(aliases) > 0 {
		ids += " (" + strings.Join(aliases, ", ") + ")"
	}
	kind := ""
	if pkg.Dev {
		kind = " dev"
	}
	msg := fmt.Sprintf("%s %s (%s%s dependency) is affected by %s", pkg.Name, pkg.Version, pkg.Ecosystem, kind, ids)
	if summary != "" {
		msg += ": " + summary
	}
	fix := fmt.Sprintf("Upgrade %s to %s or later and update the lockfile.", pkg.Name, fixed)
	if fixed == "" {
		fix = fmt.Sprintf("No fixed version of %s is published: remove or replace it, or record an approved deviation with compensating measures (ST-2).", pkg.Name)
	}
	return finding.Finding{
		Control:  "VM-3",
		Rule:     "deps/vulnerable",
		Severity: severityOf(score),
		Target:   targetName,
		Location: finding.Location{Path: pkg.Path, Line: pkg.Line},
		Message:  msg,
		Evidence: finding.Plain(pkg.Name + "@" + pkg.Version),
		Fix:      fix,
		Key:      pkg.Ecosystem + "/" + pkg.Name + "@" + pkg.Version + "/" + id,
		Vulnerability: &finding.Vulnerability{
			ID: id, Aliases: aliases, Fixed: fixed, Summary: summary, URL: url, Severity: score,
			Package: finding.PackageRef{Ecosystem: pkg.Ecosystem, Name: pkg.Name, Version: pkg.Version, Direct: pkg.Direct, Dev: pkg.Dev},
		},
	}
}

func latest(eco, a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	if c, err := versions.Compare(eco, a, b); err == nil && c < 0 {
		return b
	}
	return a
}

// groupScore computes the highest CVSS base score among the group's vectors, preferring
// the newest CVSS version each record offers. Only when no record carries a vector is the
// advisory database's own label used, and the finding says so.
func groupScore(g []osv.Vulnerability) *finding.Score {
	var best *finding.Score
	consider := func(sevs []osv.Severity) {
		var pick *cvss.Score
		for _, s := range sevs {
			if !strings.HasPrefix(s.Type, "CVSS_") {
				continue
			}
			sc, err := cvss.Parse(s.Score)
			if err != nil {
				continue
			}
			if pick == nil || sc.Version > pick.Version {
				pick = &sc
			}
		}
		if pick != nil && (best == nil || best.Source != "cvss" || pick.Base > best.Base) {
			best = &finding.Score{Source: "cvss", Vector: pick.Vector, Base: pick.Base, Rating: pick.Severity}
		}
	}
	for _, v := range g {
		consider(v.Severity)
		for _, a := range v.Affected {
			consider(a.Severity)
		}
	}
	if best != nil {
		return best
	}
	for _, v := range g {
		var ds struct {
			Severity string `json:"severity"`
		}
		if len(v.DatabaseSpecific) > 0 && json.Unmarshal(v.DatabaseSpecific, &ds) == nil && ds.Severity != "" {
			r := strings.ToLower(ds.Severity)
			if r == "moderate" {
				r = "medium"
			}
			if best == nil || rank(r) > rank(best.Rating) {
				best = &finding.Score{Source: "advisory", Rating: r}
			}
		}
	}
	return best
}

func rank(r string) int {
	return map[string]int{"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}[r]
}

// severityOf maps a score to the finding's severity. A record with no score at all is
// treated as high: an unrated known vulnerability is not a low-priority one until
// someone has looked.
func severityOf(s *finding.Score) policy.Severity {
	if s == nil {
		return policy.High
	}
	switch s.Rating {
	case "critical":
		return policy.Critical
	case "high":
		return policy.High
	case "medium":
		return policy.Medium
	case "low", "none":
		return policy.Low
	}
	return policy.High
}
