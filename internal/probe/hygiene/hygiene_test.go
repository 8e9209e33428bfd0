package hygiene

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/testutil"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// tree writes files into a temporary directory and returns a repo target for it.
func tree(t *testing.T, files map[string]string) *target.Target {
	t.Helper()
	return testutil.RepoTarget(t, files, fileset.Options{})
}

// outcome summarises a probe result as sorted "rule@path:line" strings plus marks.
func outcome(t *testing.T, p probe.Probe, files map[string]string) (findings []string, na, unknown string) {
	t.Helper()
	r, err := p.Run(context.Background(), tree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		s := f.Rule
		if f.Location.Path != "" {
			s += "@" + f.Location.Path
		}
		findings = append(findings, s)
	}
	sort.Strings(findings)
	for _, v := range r.NotApplicable {
		na += v
	}
	for _, v := range r.Unknown {
		unknown += v
	}
	return findings, na, unknown
}

type hygieneCase struct {
	name     string
	files    map[string]string
	findings string // comma-joined sorted rules@paths
	na, unk  string // substrings expected in the marks
}

func runCases(t *testing.T, p probe.Probe, cases []hygieneCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, na, unk := outcome(t, p, c.files)
			if got := strings.Join(f, ","); got != c.findings {
				t.Errorf("findings %q, want %q", got, c.findings)
			}
			if (c.na == "") != (na == "") || !strings.Contains(na, c.na) {
				t.Errorf("not applicable %q, want %q", na, c.na)
			}
			if (c.unk == "") != (unk == "") || !strings.Contains(unk, c.unk) {
				t.Errorf("unknown %q, want %q", unk, c.unk)
			}
		})
	}
}

func TestSecurityContact(t *testing.T) {
	runCases(t, SecurityContact{}, []hygieneCase{
		{"missing", map[string]string{"README.md": "hi"}, "repo/security-contact/missing", "", ""},
		{"root with email", map[string]string{"SECURITY.md": "Mail security@example.org"}, "", "", ""},
		{"github dir with link", map[string]string{".github/security.md": "Use https://github.com/o/r/security/advisories/new"}, "", "", ""},
		{"no contact", map[string]string{"docs/SECURITY.md": "We care about security."}, "repo/security-contact/no-contact@docs/SECURITY.md", "", ""},
		{"nested elsewhere does not count", map[string]string{"src/SECURITY.md": "security@example.org"}, "repo/security-contact/missing", "", ""},
	})
}

func TestUpdateTooling(t *testing.T) {
	dependabot := "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n  - package-ecosystem: gomod\n    directory: /\n"
	runCases(t, UpdateTooling{}, []hygieneCase{
		{"no manifests", map[string]string{"README.md": ""}, "", "no dependency manifests", ""},
		{"nothing configured", map[string]string{"package.json": "{}"}, "repo/dependency-update-tooling/missing", "", ""},
		{"dependabot covers all", map[string]string{"package.json": "{}", "go.mod": "module x", ".github/dependabot.yml": dependabot}, "", "", ""},
		{"dependabot misses composer", map[string]string{"package.json": "{}", "composer.json": "{}", ".github/dependabot.yml": dependabot},
			"repo/dependency-update-tooling/uncovered-ecosystem@.github/dependabot.yml", "", ""},
		{"dependabot wrong version", map[string]string{"go.mod": "module x", ".github/dependabot.yaml": "version: 1\n"},
			"repo/dependency-update-tooling/invalid-config@.github/dependabot.yaml,repo/dependency-update-tooling/uncovered-ecosystem@.github/dependabot.yaml", "", ""},
		{"dependabot does not parse", map[string]string{"go.mod": "module x", ".github/dependabot.yml": "version: 2\nupdates: [\n"},
			"repo/dependency-update-tooling/invalid-config@.github/dependabot.yml,repo/dependency-update-tooling/uncovered-ecosystem@.github/dependabot.yml", "", ""},
		{"renovate default covers all", map[string]string{"Cargo.toml": "", "Gemfile": "", "renovate.json": `{"extends":["config:recommended"]}`}, "", "", ""},
		{"renovate disabled", map[string]string{"Gemfile": "", "renovate.json": `{"enabled": false}`}, "repo/dependency-update-tooling/uncovered-ecosystem@renovate.json", "", ""},
		{"renovate enabledManagers", map[string]string{"Gemfile": "", "package.json": "{}", "renovate.json": `{"enabledManagers": ["npm"]}`}, "repo/dependency-update-tooling/uncovered-ecosystem@renovate.json", "", ""},
		{"renovate in package.json", map[string]string{"package.json": `{"renovate": {"extends": ["config:base"]}}`}, "", "", ""},
		{"installed packages ignored", map[string]string{"node_modules/x/package.json": "{}"}, "", "no dependency manifests", ""},
		{"dependabot only watches actions", map[string]string{"package.json": "{}", ".github/workflows/ci.yml": "on: push\n",
			".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule:\n      interval: weekly\n"},
			"repo/dependency-update-tooling/uncovered-ecosystem@.github/dependabot.yml", "", ""},
		{"dependabot bun covers package.json", map[string]string{"package.json": "{}", ".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: bun\n    directory: /\n"}, "", "", ""},
		{"renovaterc.json", map[string]string{"go.mod": "module x", ".renovaterc.json": `{"extends": ["config:recommended"]}`}, "", "", ""},
		{"renovate in .github", map[string]string{"go.mod": "module x", ".github/renovate.json": `{"enabledManagers": ["gomod"]}`}, "", "", ""},
		{"renovate json5", map[string]string{"Gemfile": "", "renovate.json5": "{\n  // comments are allowed\n  extends: ['config:recommended'],\n}\n"}, "", "", ""},
	})
}

// The uncovered-ecosystem finding must say which ecosystem is missing and what shows it.
func TestUpdateToolingNamesUncoveredEcosystems(t *testing.T) {
	r, err := UpdateTooling{}.Run(context.Background(), tree(t, map[string]string{
		"web/package.json":       `{"dependencies": {"react": "^18"}}`,
		"requirements.txt":       "requests==2.32.3\n",
		".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, f := range r.Findings {
		msgs = append(msgs, f.Message)
	}
	got := strings.Join(msgs, "\n")
	for _, want := range []string{"npm ecosystem used by web/package.json", "pip ecosystem used by requirements.txt"} {
		if !strings.Contains(got, want) {
			t.Errorf("findings %q lack %q", got, want)
		}
	}
}

func TestLockfiles(t *testing.T) {
	deps := `{"dependencies": {"a": "1"}}`
	runCases(t, Lockfiles{}, []hygieneCase{
		{"no manifests", map[string]string{"README.md": ""}, "", "no dependency manifests", ""},
		{"npm without lock", map[string]string{"package.json": deps}, "repo/lockfiles/missing@package.json", "", ""},
		{"npm with yarn lock", map[string]string{"package.json": deps, "yarn.lock": ""}, "", "", ""},
		{"npm workspace lock at root", map[string]string{"package.json": `{"workspaces":["pkgs/*"]}`, "pnpm-lock.yaml": "", "pkgs/a/package.json": deps}, "", "", ""},
		{"npm without deps needs no lock", map[string]string{"package.json": `{"name": "x", "scripts": {}}`}, "", "", ""},
		{"composer platform only", map[string]string{"composer.json": `{"require": {"php": ">=8.1", "ext-json": "*"}}`}, "", "", ""},
		{"composer without lock", map[string]string{"composer.json": `{"require": {"monolog/monolog": "^3"}}`}, "repo/lockfiles/missing@composer.json", "", ""},
		{"composer lock in parent does not count", map[string]string{"composer.lock": "", "app/composer.json": `{"require-dev": {"phpunit/phpunit": "^10"}}`}, "repo/lockfiles/missing@app/composer.json", "", ""},
		{"go.mod with require", map[string]string{"go.mod": "module x\n\nrequire (\n\tgolang.org/x/text v0.1.0\n)\n"}, "repo/lockfiles/missing@go.mod", "", ""},
		{"go.mod without require", map[string]string{"go.mod": "module x\n\ngo 1.22\n"}, "", "", ""},
		{"go.mod with go.sum", map[string]string{"go.mod": "module x\nrequire golang.org/x/text v0.1.0\n", "go.sum": ""}, "", "", ""},
		{"cargo workspace", map[string]string{"Cargo.lock": "", "crates/a/Cargo.toml": "[package]\nname='a'\n[dependencies]\nserde = '1'\n"}, "", "", ""},
		{"cargo without deps", map[string]string{"Cargo.toml": "[package]\nname = 'a'\n"}, "", "", ""},
		{"pyproject with deps", map[string]string{"pyproject.toml": "[project]\nname = 'x'\ndependencies = [\n  'requests>=2',\n]\n"}, "repo/lockfiles/missing@pyproject.toml", "", ""},
		{"pyproject with uv.lock", map[string]string{"pyproject.toml": "[project]\ndependencies = ['requests']\n", "uv.lock": ""}, "", "", ""},
		{"Gemfile without lock", map[string]string{"Gemfile": "source 'https://rubygems.org'\ngem 'rails'\n"}, "repo/lockfiles/missing@Gemfile", "", ""},
		{"malformed manifest is unknown, others still checked", map[string]string{"package.json": deps, "app/composer.json": "{\n  \"require\": \n"},
			"repo/lockfiles/missing@package.json", "", "app/composer.json: line 3"},
		{"vendored manifests ignored", map[string]string{"vendor/a/b/composer.json": `{"require": {"x/y": "1"}}`}, "", "no dependency manifests", ""},
	})
}

func TestCodeOwners(t *testing.T) {
	runCases(t, CodeOwners{}, []hygieneCase{
		{"missing", map[string]string{"README.md": ""}, "repo/codeowners/missing", "", ""},
		{"valid github", map[string]string{".github/CODEOWNERS": "# owners\n* @acme/web\n/docs/ docs@example.com @alice\n\\#odd-file @bob # trailing comment\n"}, "", "", ""},
		{"invalid owner", map[string]string{"CODEOWNERS": "* @acme/web\n/app platform-team\n"}, "repo/codeowners/invalid@CODEOWNERS", "", ""},
		{"negation unsupported", map[string]string{"CODEOWNERS": "* @a\n!/docs @b\n"}, "repo/codeowners/invalid@CODEOWNERS", "", ""},
		{"only comments", map[string]string{"docs/CODEOWNERS": "# nobody\n\n"}, "repo/codeowners/invalid@docs/CODEOWNERS", "", ""},
		{"gitlab sections", map[string]string{".gitlab/CODEOWNERS": "[Docs][2] @docs-team\n/docs/\n^[Optional]\n*.md @writers\n"}, "", "", ""},
		{"gitlab section in github file", map[string]string{".github/CODEOWNERS": "[Docs]\n* @a\n"}, "repo/codeowners/invalid@.github/CODEOWNERS", "", ""},
	})
}

func TestCheckCodeOwnersLines(t *testing.T) {
	probs := CheckCodeOwners([]byte("* @ok\n\n/a bad owner\n"), false)
	if len(probs) != 2 || probs[0].Line != 3 || probs[1].Line != 3 {
		t.Fatalf("problems = %+v", probs)
	}
}

func FuzzCheckCodeOwners(f *testing.F) {
	f.Add([]byte("* @acme/web\n/docs/ docs@example.com\n"), false)
	f.Add([]byte("[Docs][2] @docs\n^[Opt]\n"), true)
	f.Add([]byte("\\ \\#\t#\n!x [a-z]"), false)
	f.Fuzz(func(t *testing.T, data []byte, gitlab bool) {
		for _, p := range CheckCodeOwners(data, gitlab) {
			if p.Line < 0 || p.Message == "" {
				t.Fatalf("bad problem %+v", p)
			}
		}
	})
}

func FuzzManifestParsers(f *testing.F) {
	f.Add([]byte(`{"dependencies": {"a": "1"}}`))
	f.Add([]byte("[project]\ndependencies = ['x']\n[tool.poetry.dependencies]\npython = '^3'\n"))
	f.Add([]byte("module x\nrequire (\n)\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, r := range lockRules {
			_, _ = r.needsLock(data)
		}
	})
}
