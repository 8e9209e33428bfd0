package hygiene

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/deps"
	"github.com/posture-dev/posture/internal/policy"
)

const token = "ghp_R3alLook1ngT0kenValue0000000000000"

func TestSourceFindings(t *testing.T) {
	reqs := deps.Lockfile{Path: "requirements.txt", Format: deps.Format{Name: "requirements.txt"}}
	lock := deps.Lockfile{Path: "pnpm-lock.yaml", Format: deps.Format{Name: "pnpm-lock.yaml"}}
	cases := []struct {
		name     string
		lf       deps.Lockfile
		pkg      deps.Package
		rules    string // comma-joined
		severity policy.Severity
		message  []string
	}{
		{"registry package", lock, deps.Package{Ecosystem: "npm", Name: "left-pad", Version: "1.3.0"}, "", "", nil},
		{"git with commit", lock, deps.Package{Ecosystem: "npm", Name: "fork", Version: "1.0.0", Line: 12,
			Source: "git+https://github.com/acme/fork.git#0123456789abcdef0123456789abcdef01234567", Commit: "0123456789abcdef0123456789abcdef01234567"},
			"repo/dependency-sources/git", policy.Medium,
			[]string{"fork (npm) in pnpm-lock.yaml:12 is fetched from git (git+https://github.com/acme/fork.git#0123", "bypassing the registry's immutability and review", "pinned to commit 0123456789ab"}},
		{"github shorthand", lock, deps.Package{Ecosystem: "npm", Name: "x", Source: "github:acme/x"}, "repo/dependency-sources/git", policy.Medium, nil},
		{"codeload tarball is a commit", lock, deps.Package{Ecosystem: "npm", Name: "x", Source: "https://codeload.github.com/acme/x/tar.gz/abcdef1", Commit: "abcdef1"},
			"repo/dependency-sources/git", policy.Medium, nil},
		{"ssh user is not a secret", lock, deps.Package{Ecosystem: "npm", Name: "x", Source: "git+ssh://git@github.com/acme/x.git"},
			"repo/dependency-sources/git", policy.Medium, []string{"git+ssh://git@github.com/acme/x.git"}},
		{"plain http tarball", lock, deps.Package{Ecosystem: "npm", Name: "legacy", Source: "http://files.example.com/legacy-1.0.0.tgz"},
			"repo/dependency-sources/insecure-url", policy.High, []string{"legacy (npm)", "unencrypted HTTP (http://files.example.com/legacy-1.0.0.tgz)"}},
		{"git over http is both", lock, deps.Package{Ecosystem: "PyPI", Name: "lib", Source: "git+http://git.example.com/lib.git"},
			"repo/dependency-sources/git,repo/dependency-sources/insecure-url", "", nil},
		{"git protocol is unencrypted", lock, deps.Package{Ecosystem: "npm", Name: "x", Source: "git://github.com/acme/x.git"},
			"repo/dependency-sources/git,repo/dependency-sources/insecure-url", "", []string{"git:// protocol"}},
		{"https tarball elsewhere is not git", lock, deps.Package{Ecosystem: "npm", Name: "x", Source: "https://cdn.example.com/x-1.0.0.tgz"}, "", "", nil},
		{"local path", lock, deps.Package{Ecosystem: "npm", Name: "shared", Source: "path:../shared"}, "", "", nil},
		{"unpinned requirement", reqs, deps.Package{Ecosystem: "PyPI", Name: "requests", Constraint: ">=2.31", Path: "requirements.txt", Line: 3, Direct: true},
			"repo/dependency-sources/unpinned", policy.Medium, []string{"requests (PyPI) in requirements.txt:3 is only constrained to \">=2.31\""}},
		{"bare requirement", reqs, deps.Package{Ecosystem: "PyPI", Name: "flask", Path: "requirements/dev.txt", Line: 1, Direct: true},
			"repo/dependency-sources/unpinned", policy.Medium, []string{"not constrained at all"}},
		{"pinned requirement", reqs, deps.Package{Ecosystem: "PyPI", Name: "requests", Version: "2.32.3", Constraint: "==2.32.3", Path: "requirements.txt", Direct: true}, "", "", nil},
		{"ranges in pyproject are the lockfile's job", deps.Lockfile{Path: "pyproject.toml"},
			deps.Package{Ecosystem: "PyPI", Name: "requests", Constraint: ">=2", Path: "pyproject.toml"}, "", "", nil},
		{"npm ranges are not requirements", lock, deps.Package{Ecosystem: "npm", Name: "x", Constraint: "^1", Path: "requirements.txt"}, "", "", nil},
		{"constraints files install nothing", reqs, deps.Package{Ecosystem: "PyPI", Name: "urllib3", Constraint: "<3", Path: "constraints.txt"}, "", "", nil},
		{"dev requirements by another name", reqs, deps.Package{Ecosystem: "PyPI", Name: "pytest", Constraint: "~=8.0", Path: "dev-requirements.txt", Direct: true},
			"repo/dependency-sources/unpinned", policy.Medium, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.pkg.Path == "" {
				c.pkg.Path = c.lf.Path
			}
			fs := sourceFindings(c.lf, c.pkg)
			var rules []string
			for _, f := range fs {
				rules = append(rules, f.Rule)
				if f.Control != "VM-1" || f.Key == "" || f.Fix == "" || f.Location.Path != c.pkg.Path {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			if got := strings.Join(rules, ","); got != c.rules {
				t.Fatalf("rules %q, want %q", got, c.rules)
			}
			if c.severity != "" && fs[0].Severity != c.severity {
				t.Errorf("severity %s, want %s", fs[0].Severity, c.severity)
			}
			var msgs []string
			for _, f := range fs {
				msgs = append(msgs, f.Message)
			}
			for _, m := range c.message {
				if !strings.Contains(strings.Join(msgs, "\n"), m) {
					t.Errorf("messages %q lack %q", msgs, m)
				}
			}
		})
	}
}

// The key is what keeps a finding's fingerprint when lines move; it must not depend on
// the line and must tell packages and sources apart.
func TestSourceFindingKeys(t *testing.T) {
	lf := deps.Lockfile{Path: "pnpm-lock.yaml"}
	key := func(p deps.Package) string { return sourceFindings(lf, p)[0].Key }
	a := deps.Package{Ecosystem: "npm", Name: "x", Line: 10, Source: "github:acme/x"}
	b := a
	b.Line = 99
	if key(a) != key(b) {
		t.Error("the key changed with the line")
	}
	c := a
	c.Source = "github:other/x"
	if key(a) == key(c) {
		t.Error("two sources share a key")
	}
}

func TestCredentialsNeverReachFindings(t *testing.T) {
	lf := deps.Lockfile{Path: "package-lock.json"}
	for _, src := range []string{
		"git+https://deploy:" + token + "@github.com/acme/private.git#abc1234",
		"https://" + token + "@github.com/acme/private.git",
		"https://x-access-token:" + token + "@github.com/acme/private",
		"http://user:" + token + "@files.example.com/x.tgz",
		"git+https://oauth2:" + token + "@gitlab.com/acme/x.git",
		"http://files.example.com/x.tgz?token=" + token + "&v=1",
		"git://" + token + "@example.com/x.git",
		"ssh://user:" + token + "@example.com:2222/x.git",
	} {
		fs := sourceFindings(lf, deps.Package{Ecosystem: "npm", Name: "private", Line: 4, Source: src, Commit: ""})
		if len(fs) == 0 {
			t.Errorf("%s: no finding", src)
		}
		for _, f := range fs {
			out, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(out)+f.Key, token) || strings.Contains(f.Key, token) {
				t.Errorf("the token reached the finding: %s", out)
			}
			if !f.Evidence.Redacted || !strings.Contains(f.Message, "carries credentials") {
				t.Errorf("credentials not flagged: %s", out)
			}
		}
	}
}

// The same through the probe, with a real requirements file, including a line the parser
// rejects: its error message must not carry the token either.
func TestCredentialsNeverReachResult(t *testing.T) {
	if _, ok := deps.FormatFor("requirements.txt"); !ok {
		t.Skip("requirements.txt is not a registered format yet")
	}
	r, err := DependencySources{}.Run(context.Background(), tree(t, map[string]string{
		"requirements.txt": "git+https://deploy:" + token + "@github.com/acme/lib.git@v1.2#egg=lib\n" +
			"lib2 @ git+https://x-access-token:" + token + "@github.com/acme/lib2.git@0123456789abcdef0123456789abcdef01234567\n" +
			"broken[ @ https://u:" + token + "@example.com/x.whl\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	keys := ""
	for _, f := range r.Findings {
		keys += f.Key
	}
	if strings.Contains(string(out)+keys, token) {
		t.Errorf("the token reached the result: %s", out)
	}
	if len(r.Findings) != 2 {
		t.Errorf("findings: %s", out)
	}
}

func TestDependencySources(t *testing.T) {
	cases := []hygieneCase{
		{"nothing to read", map[string]string{"README.md": "hi"}, "", "no lockfile", ""},
		{"registry packages only", map[string]string{
			"composer.json": `{"require": {"monolog/monolog": "^3.5"}}`,
			"composer.lock": "{\n  \"packages\": [\n    {\"name\": \"monolog/monolog\", \"version\": \"3.5.0\"}\n  ],\n  \"packages-dev\": []\n}\n",
		}, "", "", ""},
		{"malformed lockfile is unknown, others still read", map[string]string{
			"package-lock.json": "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/a\": {\"version\": \"1.0.0\"\n",
			"app/composer.lock": "{\"packages\": [{\"name\": \"a/b\", \"version\": \"1.0.0\"}]}",
		}, "", "", "package-lock.json"},
		{"installed packages are not this repository's", map[string]string{
			"node_modules/x/package-lock.json": "{",
		}, "", "no lockfile", ""},
	}
	// Formats other helpers add to internal/deps are exercised once they are registered.
	if _, ok := deps.FormatFor("requirements.txt"); ok {
		cases = append(cases, hygieneCase{"requirements", map[string]string{
			"requirements.txt": "# runtime\nrequests==2.32.3\nflask>=3.0\n-e ./libs/shared\ngit+https://deploy:" + token + "@github.com/acme/lib.git@v1.2#egg=lib\n",
		}, "repo/dependency-sources/git@requirements.txt,repo/dependency-sources/unpinned@requirements.txt", "", ""})
	}
	if _, ok := deps.FormatFor("pnpm-lock.yaml"); ok {
		cases = append(cases, hygieneCase{"pnpm http tarball", map[string]string{
			"pnpm-lock.yaml": "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n" +
				"      is-positive:\n        specifier: github:kevva/is-positive#97edff6\n        version: https://codeload.github.com/kevva/is-positive/tar.gz/97edff6f525f192a3f83cea1944765f769ae2678\n" +
				"      legacy:\n        specifier: http://mirror.example.org/legacy-0.3.1.tgz\n        version: http://mirror.example.org/legacy-0.3.1.tgz\n\npackages:\n\n" +
				"  is-positive@https://codeload.github.com/kevva/is-positive/tar.gz/97edff6f525f192a3f83cea1944765f769ae2678:\n    resolution: {tarball: https://codeload.github.com/kevva/is-positive/tar.gz/97edff6f525f192a3f83cea1944765f769ae2678}\n    version: 3.1.0\n\n" +
				"  legacy@http://mirror.example.org/legacy-0.3.1.tgz:\n    resolution: {tarball: http://mirror.example.org/legacy-0.3.1.tgz}\n    version: 0.3.1\n\nsnapshots:\n\n" +
				"  is-positive@https://codeload.github.com/kevva/is-positive/tar.gz/97edff6f525f192a3f83cea1944765f769ae2678: {}\n\n  legacy@http://mirror.example.org/legacy-0.3.1.tgz: {}\n",
		}, "repo/dependency-sources/git@pnpm-lock.yaml,repo/dependency-sources/insecure-url@pnpm-lock.yaml", "", ""})
	}
	runCases(t, DependencySources{}, cases)
}

func TestUnreadableLockfileIsUnknown(t *testing.T) {
	r, err := DependencySources{}.Run(context.Background(), tree(t, map[string]string{
		"package-lock.json": "{\n  \"packages\": {\n    \"node_modules/a\": [\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Unknown["VM-1"], "package-lock.json") {
		t.Fatalf("unknown %q", r.Unknown)
	}
}
