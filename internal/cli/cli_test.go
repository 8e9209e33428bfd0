package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/testutil"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	return testutil.WriteTree(t, files)
}

// compliant is a small repository that passes every check this version has.
var compliant = map[string]string{
	"SECURITY.md":            "Report vulnerabilities to security@example.com\n",
	".github/CODEOWNERS":     "* @acme/team\n",
	".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n",
	"package.json":           `{"dependencies": {"a": "1"}}`,
	"package-lock.json":      "{}",
	".gitlab-ci.yml":         "audit:\n  script:\n    - npm audit --audit-level=high\n",
}

func TestExitCodes(t *testing.T) {
	clean := writeFiles(t, compliant)
	noContact := writeFiles(t, map[string]string{"README.md": "hi"}) // VM-5 (medium) and CH-1 (medium) fail
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"compliant repository", []string{"scan", clean}, ExitOK},
		{"medium findings below the default threshold", []string{"scan", noContact}, ExitOK},
		{"medium findings with --fail-on medium", []string{"scan", "--fail-on", "medium", noContact}, ExitFailing},
		{"skip the failing controls", []string{"scan", "--fail-on", "low", "--skip", "VM-5,CH-1", noContact}, ExitOK},
		{"unknown format", []string{"scan", "--format", "pdf", clean}, ExitError},
		{"unknown severity", []string{"scan", "--fail-on", "urgent", clean}, ExitError},
		{"unknown control in --only", []string{"scan", "--only", "XX-9", clean}, ExitError},
		{"missing target", []string{"scan", filepath.Join(clean, "nope")}, ExitError},
		{"file as target", []string{"scan", filepath.Join(clean, "SECURITY.md")}, ExitError},
		{"unknown flag", []string{"scan", "--bogus"}, ExitError},
		{"missing policy file", []string{"scan", "--policy", "/nonexistent.yaml", clean}, ExitError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, c.args...)
			if code != c.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.want, stderr)
			}
		})
	}
}

func TestConfigFileSetsDefaultsAndScope(t *testing.T) {
	files := map[string]string{
		".posture.yaml":              "fail_on: medium\nformat: markdown\nscope:\n  exclude:\n    - path: fixtures/**\n      reason: deliberately broken examples\n",
		"fixtures/bad/package.json":  `{"dependencies": {"a": "1"}}`,
		"fixtures/bad/wp-config.php": "<?php define('WP_DEBUG', true);",
	}
	for k, v := range compliant {
		files[k] = v
	}
	dir := writeFiles(t, files)
	out, stderr, code := runCLI(t, "scan", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	if !strings.Contains(out, "## posture") || !strings.Contains(out, "deliberately broken examples") {
		t.Fatalf("markdown report from config does not state the exclusion:\n%s", out)
	}
	// A flag beats the config.
	out, _, _ = runCLI(t, "scan", "--format", "text", dir)
	if !strings.Contains(out, "out of scope: fixtures/** (1 path): deliberately broken examples") {
		t.Fatalf("text report does not state the exclusion:\n%s", out)
	}
}

func TestBadConfigIsAUsageError(t *testing.T) {
	dir := writeFiles(t, map[string]string{".posture.yaml": "scope:\n  exclude:\n    - path: vendor/**\n"})
	_, stderr, code := runCLI(t, "scan", dir)
	if code != ExitError || !strings.Contains(stderr, "has no reason") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestOutputFile(t *testing.T) {
	dir := writeFiles(t, compliant)
	out := filepath.Join(t.TempDir(), "report.json")
	stdout, stderr, code := runCLI(t, "scan", "-f", "json", "-o", out, dir)
	if code != ExitOK || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(data, []byte("{")) {
		t.Fatalf("report file: %v %q", err, data)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".posture-report-*"))
	if len(leftovers) > 0 {
		t.Fatalf("temporary files left behind: %v", leftovers)
	}
}

func TestColourOnlyOnTerminalAndNeverWithNoColor(t *testing.T) {
	dir := writeFiles(t, compliant)
	scan := func(tty bool, noColor string) string {
		var out bytes.Buffer
		e := fixedEnv(&out, io.Discard)
		e.isTerminal = func(io.Writer) bool { return tty }
		e.getenv = func(k string) string {
			if k == "NO_COLOR" {
				return noColor
			}
			return ""
		}
		run(context.Background(), e, []string{"scan", dir})
		return out.String()
	}
	if !strings.Contains(scan(true, ""), "\x1b[") {
		t.Error("no colour on a terminal")
	}
	if strings.Contains(scan(false, ""), "\x1b[") {
		t.Error("colour when not a terminal")
	}
	if strings.Contains(scan(true, "1"), "\x1b[") {
		t.Error("colour despite NO_COLOR")
	}
}

func TestPolicyCommands(t *testing.T) {
	out, _, code := runCLI(t, "policy", "show")
	if code != 0 || !strings.Contains(out, "CR-4") || !strings.Contains(out, "Cryptography is hard") {
		t.Fatalf("policy show: %d\n%s", code, out)
	}
	out, stderr, code := runCLI(t, "policy", "lint")
	if code != 0 || !strings.Contains(out, "valid") || !strings.Contains(stderr, "expired on 2026-01-23") {
		t.Fatalf("policy lint: %d\n%s\n%s", code, out, stderr)
	}
	exported, _, code := runCLI(t, "policy", "export")
	if code != 0 || !strings.Contains(exported, "kind: PolicyPack") {
		t.Fatalf("policy export: %d", code)
	}
	// An exported pack is a valid pack of its own.
	path := filepath.Join(t.TempDir(), "pack.yaml")
	if err := os.WriteFile(path, []byte(exported), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, code := runCLI(t, "policy", "lint", path); code != 0 {
		t.Fatalf("exported pack does not lint clean")
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: posture.dev/v1\nkind: PolicyPack\nextends: default\ncontrols:\n  - id: CR-4\n    section: CR\n    title: dup\n    severity: low\n    verification: [auto]\n    targets: [repo]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code = runCLI(t, "policy", "lint", bad)
	if code != ExitFailing || !strings.Contains(out, `bad.yaml:5: duplicate control ID "CR-4"`) {
		t.Fatalf("lint of a bad pack: %d\n%s", code, out)
	}
}

func TestExtendedPackAppliesToScan(t *testing.T) {
	dir := writeFiles(t, map[string]string{"README.md": ""})
	pack := filepath.Join(t.TempDir(), "pack.yaml")
	if err := os.WriteFile(pack, []byte("apiVersion: posture.dev/v1\nkind: PolicyPack\nextends: default\nmetadata:\n  last_reviewed: 2026-11-01\n  expires: 2027-11-01\noverrides:\n  - id: VM-5\n    severity: critical\n  - id: CH-1\n    not_applicable: reviews are enforced by the monorepo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runCLI(t, "scan", "--policy", pack, "-f", "json", dir)
	if code != ExitFailing {
		t.Fatalf("exit %d (VM-5 raised to critical should fail): %s", code, stderr)
	}
	if strings.Contains(stderr, "expired") {
		t.Errorf("a reviewed pack still warns: %s", stderr)
	}
	if !strings.Contains(out, `"reason": "marked not applicable in the policy pack: reviews are enforced by the monorepo"`) {
		t.Errorf("CH-1 not marked not applicable:\n%s", out)
	}
}

func TestVersionAndHelp(t *testing.T) {
	out, _, code := runCLI(t, "version")
	if code != 0 || !strings.Contains(out, "posture 0.1.0-test") || !strings.Contains(out, "policy  secure-engineering-policy 2025.01.28") {
		t.Fatalf("version: %s", out)
	}
	out, _, _ = runCLI(t, "help", "scan")
	for _, want := range []string{"SYNOPSIS", "EXIT STATUS", "NO_COLOR", "--fail-on"} {
		if !strings.Contains(out, want) {
			t.Errorf("scan help lacks %q", want)
		}
	}
	out, _, code = runCLI(t, "completion", "bash")
	if code != 0 || !strings.Contains(out, "bash completion") {
		t.Errorf("completion bash: %d", code)
	}
}

// Rules and allow-lists from .posture.yaml: an extra rule finds what the embedded ones do
// not, and an allowed value is not reported.
func TestCustomSecretRulesAndAllowList(t *testing.T) {
	files := map[string]string{
		".posture.yaml":    "secrets:\n  history: false\n  rules: extra-rules.yaml\n  allow_values: ['^Kq7Zp2Lm9Xv4Rt8W$']\n",
		"extra-rules.yaml": "rules:\n  - id: acme-internal-token\n    description: An ACME internal service token.\n    severity: high\n    keywords: [\"acmetok_\"]\n    pattern: '\\b(acmetok_[a-z0-9]{20})\\b'\n",
		"app.txt":          "token acmetok_q7z2lm9xv4rt8wk3np6d\n",
		"config.yaml":      "password: Kq7Zp2Lm9Xv4Rt8W\n",
	}
	dir := writeFiles(t, files)
	out, stderr, code := runCLI(t, "scan", "--only", "CR-4", "-f", "json", dir)
	if code != ExitFailing {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, `"rule": "secrets/acme-internal-token"`) {
		t.Errorf("extra rule did not report:\n%s", out)
	}
	if strings.Contains(out, `"path": "config.yaml"`) {
		t.Errorf("allowed value was reported:\n%s", out)
	}
}
