package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultPackCoversEverySection(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"ZT": 3, "CR": 5, "CH": 4, "CD": 3, "ST": 2, "SC": 8, "VM": 5, "LG": 3, "PR": 1}
	got := map[string]int{}
	for _, c := range p.Controls {
		got[c.Section]++
	}
	for s, n := range want {
		if got[s] != n {
			t.Errorf("section %s: %d controls, want %d", s, got[s], n)
		}
	}
	if len(p.Controls) != 34 {
		t.Errorf("%d controls, want 34", len(p.Controls))
	}
}

func TestExpiryWarningWithFixedClock(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		now  string
		warn bool
	}{
		{"2025-06-01T00:00:00Z", false},
		{"2026-01-23T23:59:59Z", false}, // the expiry day itself is still covered
		{"2026-01-24T00:00:00Z", true},
		{"2026-11-29T12:00:00Z", true},
	}
	for _, c := range cases {
		now, _ := time.Parse(time.RFC3339, c.now)
		w := p.ExpiryWarning(now)
		if (w != "") != c.warn {
			t.Errorf("at %s: warning %q, want warning=%v", c.now, w, c.warn)
		}
		if c.warn && !strings.Contains(w, "2026-01-23") {
			t.Errorf("warning does not name the expiry date: %q", w)
		}
	}
}

func writePack(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pack.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExtendDefault(t *testing.T) {
	path := writePack(t, `apiVersion: posture.dev/v1
kind: PolicyPack
extends: default
metadata:
  version: "2026.1"
  last_reviewed: 2026-11-01
  expires: 2027-11-01
controls:
  - id: XX-1
    section: ST
    title: An extra control of our own
    severity: low
    verification: [auto]
    targets: [repo]
overrides:
  - id: CR-2
    severity: critical
  - id: SC-1
    not_applicable: we run only managed serverless functions
`)
	p, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Control("CR-2"); c.Severity != Critical || !c.SeverityOverridden {
		t.Errorf("CR-2 severity = %s, overridden=%v", c.Severity, c.SeverityOverridden)
	}
	if c := p.Control("SC-1"); c.NotApplicable == "" {
		t.Error("SC-1 not marked not applicable")
	}
	if p.Control("XX-1") == nil || len(p.Controls) != 35 {
		t.Errorf("extra control missing; %d controls", len(p.Controls))
	}
	if p.Metadata.Name != "secure-engineering-policy" || p.Metadata.Version != "2026.1" {
		t.Errorf("metadata not merged: %+v", p.Metadata)
	}
	if p.Expired(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) {
		t.Error("extended pack with new expiry reported expired")
	}
}

func TestLintFindsProblems(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"unknown field", "apiVersion: posture.dev/v1\nkind: PolicyPack\nextends: default\ncolour: red\n", `pack.yaml:4:1: unknown field "colour"`},
		{"unknown field in control", "apiVersion: posture.dev/v1\nkind: PolicyPack\nextends: default\ncontrols:\n  - id: XX-1\n    sevrity: low\n", `unknown field "sevrity"`},
		{"duplicate id", "apiVersion: posture.dev/v1\nkind: PolicyPack\nextends: default\ncontrols:\n  - id: CR-4\n    section: CR\n    title: again\n    severity: low\n    verification: [auto]\n    targets: [repo]\n", `pack.yaml:5: duplicate control ID "CR-4"`},
		{"bad severity", "apiVersion: posture.dev/v1\nkind: PolicyPack\nextends: default\ncontrols:\n  - id: XX-1\n    section: CR\n    title: t\n    severity: urgent\n    verification: [auto]\n    targets: [repo]\n", `unknown severity "urgent"`},
		{"bad kind", "apiVersion: posture.dev/v1\nkind: PolicyPack\nextends: default\ncontrols:\n  - id: XX-1\n    section: CR\n    title: t\n    severity: low\n    verification: [auto]\n    targets: [cloud]\n", `unknown target kind "cloud"`},
		{"unknown override", "apiVersion: posture.dev/v1\nkind: PolicyPack\nextends: default\noverrides:\n  - id: ZZ-9\n    severity: low\n", `override for unknown control "ZZ-9"`},
		{"probe without control", "apiVersion: posture.dev/v1\nkind: PolicyPack\nextends: default\n", `probe repo/thing reports under control QQ-1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writePack(t, c.body)
			problems, err := Lint(path, map[string][]string{"repo/thing": {"QQ-1"}, "repo/ok": {"CR-4"}})
			var all []string
			if err != nil {
				all = append(all, err.Error())
			}
			for _, p := range problems {
				all = append(all, p.String())
			}
			joined := strings.Join(all, "\n")
			if !strings.Contains(joined, c.want) {
				t.Errorf("lint output lacks %q:\n%s", c.want, joined)
			}
		})
	}
}

func TestDefaultPackLintsClean(t *testing.T) {
	problems, err := Lint("", nil)
	if err != nil || len(problems) > 0 {
		t.Fatalf("default pack: err=%v problems=%v", err, problems)
	}
}
