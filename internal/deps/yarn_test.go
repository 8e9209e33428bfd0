package deps

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// describeJS lists packages one a line with what the summary in deps_test.go leaves out:
// where a package comes from and the commit it is pinned to.
func describeJS(ps []Package) string {
	var s []string
	for _, p := range ps {
		line := fmt.Sprintf("%s@%s:%d", p.Name, p.Version, p.Line) + flags(p)
		if p.Source != "" {
			line += " <" + p.Source + ">"
		}
		if p.Commit != "" {
			line += " #" + p.Commit[:min(7, len(p.Commit))]
		}
		s = append(s, line)
	}
	return strings.Join(s, "\n")
}

// checkJSPackages asserts what every package from a JavaScript lockfile must carry.
func checkJSPackages(t *testing.T, ps []Package, lockPath string) {
	t.Helper()
	for _, p := range ps {
		if p.Ecosystem != "npm" || p.Path != lockPath || p.Name == "" || p.Version == "" || p.Line < 1 {
			t.Errorf("bad package %+v", p)
		}
	}
}

func readJSTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseYarnLockFixtures(t *testing.T) {
	cases := []struct {
		lock, manifest string
		want           string
	}{
		{"yarn/classic.lock", "", `@babel/code-frame@7.23.5:5
@babel/core@7.23.6:13
@babel/highlight@7.23.4:21
chalk@2.4.2:27
debug@2.6.9:31
debug@4.3.4:37
express@4.18.2:43
internal-utils@1.2.0:52 <https://npm.example.com/internal-utils/-/internal-utils-1.2.0.tgz>
left-pad@1.3.0:56 <git+https://github.com/acme/left-pad.git#8d3a1c0b5e9f7a6d4c2b1e0f9a8d7c6b5a4e3f21> #8d3a1c0
legacy-shim@0.3.1:60 <http://mirror.example.org/legacy-shim-0.3.1.tgz>
local-lib@1.0.0:64 <path:../local-lib>
lodash@4.17.21:67
ms@2.0.0:71
ms@2.1.2:75
my-fork@0.9.0:83 <https://codeload.github.com/acme/my-fork/tar.gz/0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c> #0f1e2d3
nodemon@3.0.2:87
string-width@4.2.3:95`},
		{"yarn/classic.lock", "yarn/classic.package.json", `@babel/code-frame@7.23.5:5+dev
@babel/core@7.23.6:13+direct+dev
@babel/highlight@7.23.4:21+dev
chalk@2.4.2:27+dev
debug@2.6.9:31
debug@4.3.4:37+dev
express@4.18.2:43+direct
internal-utils@1.2.0:52 <https://npm.example.com/internal-utils/-/internal-utils-1.2.0.tgz>
left-pad@1.3.0:56+direct <git+https://github.com/acme/left-pad.git#8d3a1c0b5e9f7a6d4c2b1e0f9a8d7c6b5a4e3f21> #8d3a1c0
legacy-shim@0.3.1:60 <http://mirror.example.org/legacy-shim-0.3.1.tgz>
local-lib@1.0.0:64+direct <path:../local-lib>
lodash@4.17.21:67+direct
ms@2.0.0:71
ms@2.1.2:75+dev
my-fork@0.9.0:83+direct <https://codeload.github.com/acme/my-fork/tar.gz/0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c> #0f1e2d3
nodemon@3.0.2:87+direct+dev
string-width@4.2.3:95+direct`},
		{"yarn/berry.lock", "", `@babel/runtime@7.23.6:17+direct
@vitest/utils@1.1.0:24
clsx@2.0.0:50+direct
js-tokens@4.0.0:56
left-pad@1.3.0:62+direct <https://github.com/acme/left-pad.git#commit=8d3a1c0b5e9f7a6d4c2b1e0f9a8d7c6b5a4e3f21> #8d3a1c0
local-lib@0.0.0-use.local:68+direct <path:../local-lib>
lodash@4.17.21:74+direct
loose-envify@1.4.0:80
my-fork@0.9.0:90+direct <https://github.com/acme/my-fork.git#commit=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c> #0f1e2d3
react@18.2.0:96+direct
shared@0.0.0-use.local:104+direct <path:../shared>
string-width@4.2.3:110+direct
tarball-pkg@2.1.0:116+direct <https://cdn.example.com/tarball-pkg-2.1.0.tgz>
typescript@5.3.3:122+direct
vitest@1.1.0:137+direct`},
		{"yarn/berry.lock", "yarn/berry.package.json", `@babel/runtime@7.23.6:17+direct
@vitest/utils@1.1.0:24+dev
clsx@2.0.0:50+direct
js-tokens@4.0.0:56
left-pad@1.3.0:62+direct <https://github.com/acme/left-pad.git#commit=8d3a1c0b5e9f7a6d4c2b1e0f9a8d7c6b5a4e3f21> #8d3a1c0
local-lib@0.0.0-use.local:68+direct <path:../local-lib>
lodash@4.17.21:74+direct
loose-envify@1.4.0:80
my-fork@0.9.0:90+direct <https://github.com/acme/my-fork.git#commit=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c> #0f1e2d3
react@18.2.0:96+direct
shared@0.0.0-use.local:104+direct <path:../shared>
string-width@4.2.3:110+direct
tarball-pkg@2.1.0:116+direct <https://cdn.example.com/tarball-pkg-2.1.0.tgz>
typescript@5.3.3:122+direct+dev
vitest@1.1.0:137+direct+dev`},
	}
	for _, c := range cases {
		t.Run(c.lock+"+"+c.manifest, func(t *testing.T) {
			lock := readJSTestdata(t, c.lock)
			var ps []Package
			var err error
			if c.manifest == "" {
				ps, err = ParseYarnLock("web/yarn.lock", lock)
			} else {
				ps, err = ParseYarnLockWithManifest("web/yarn.lock", lock, readJSTestdata(t, c.manifest))
			}
			if err != nil {
				t.Fatal(err)
			}
			checkJSPackages(t, ps, "web/yarn.lock")
			if got := describeJS(ps); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestParseYarnLockCases(t *testing.T) {
	cases := []struct {
		name, lock, manifest, want string
	}{
		{"classic unquoted specifiers and CRLF", "# yarn lockfile v1\r\n\r\n" +
			"ansi-regex@^5.0.0, ansi-regex@^5.0.1:\r\n  version \"5.0.1\"\r\n  resolved \"https://registry.yarnpkg.com/ansi-regex/-/ansi-regex-5.0.1.tgz#082cb2c89c9fe8659a311a53bd6a4dc5301db304\"\r\n" +
			"\r\nstrip-ansi@^6.0.1:\r\n  version \"6.0.1\"\r\n  dependencies:\r\n    ansi-regex \"^5.0.1\"\r\n",
			`{"devDependencies": {"strip-ansi": "^6.0.1"}}`, "ansi-regex@5.0.1:3+dev\nstrip-ansi@6.0.1:7+direct+dev"},
		{"classic scoped alias to a scoped package", `"@acme/lodash@npm:@custom/lodash@^1.0.0":
  version "1.0.4"
  resolved "https://registry.yarnpkg.com/@custom/lodash/-/lodash-1.0.4.tgz"
`, `{"dependencies": {"@acme/lodash": "npm:@custom/lodash@^1.0.0"}}`, "@custom/lodash@1.0.4:1+direct"},
		{"classic git over ssh and link", `"tool@git+ssh://git@github.com/acme/tool.git#v2":
  version "2.0.0"
  resolved "git+ssh://git@github.com/acme/tool.git#abcdef0123456789abcdef0123456789abcdef01"

"helpers@link:./helpers":
  version "0.0.0"
`, "", "tool@2.0.0:1 <git+ssh://git@github.com/acme/tool.git#abcdef0123456789abcdef0123456789abcdef01> #abcdef0\nhelpers@0.0.0:5 <path:./helpers>"},
		{"classic reachable from both is not dev", `a@^1.0.0:
  version "1.0.0"
  dependencies:
    shared "^2.0.0"

b@^1.0.0:
  version "1.1.0"
  dependencies:
    shared "^2.0.0"

shared@^2.0.0:
  version "2.3.0"
`, `{"dependencies": {"a": "^1.0.0"}, "devDependencies": {"b": "^1.0.0"}}`, "a@1.0.0:1+direct\nb@1.1.0:6+direct+dev\nshared@2.3.0:11"},
		{"classic specifier not in the lockfile", "lodash@^4.17.20:\n  version \"4.17.21\"\n",
			`{"dependencies": {"lodash": "^4.17.21"}}`, "lodash@4.17.21:1"},
		{"berry v6 with bare ranges", `__metadata:
  version: 6
  cacheKey: 8

"chalk@npm:^4.1.0":
  version: 4.1.2
  resolution: "chalk@npm:4.1.2"
  dependencies:
    supports-color: ^7.1.0
  checksum: fe75c9d5c76a7a98d45495b91b2172fa3b7a09e0cc9370e5c8feb1c567b85c4288e2b3fded7cfdd7359ac28d6b3844feb8b82b8686842e93d23feaf5e3d7c6d1
  languageName: node
  linkType: hard

"supports-color@npm:^7.1.0":
  version: 7.2.0
  resolution: "supports-color@npm:7.2.0"
  languageName: node
  linkType: hard

"tool@workspace:.":
  version: 0.0.0-use.local
  resolution: "tool@workspace:."
  dependencies:
    chalk: ^4.1.0
  languageName: unknown
  linkType: soft
`, `{"devDependencies": {"chalk": "^4.1.0"}}`, "chalk@4.1.2:5+direct+dev\nsupports-color@7.2.0:14+dev"},
		{"berry multiple descriptors, patch with locator, archive URL", `__metadata:
  version: 4

"left-pad@npm:1.3.0, left-pad@npm:^1.3.0":
  version: 1.3.0
  resolution: "left-pad@npm:1.3.0::__archiveUrl=https%3A%2F%2Fnpm.example.com%2Fleft-pad%2F-%2Fleft-pad-1.3.0.tgz"
  languageName: node
  linkType: hard

"lodash@patch:lodash@npm%3A4.17.21#./.yarn/patches/lodash-npm-4.17.21-6382451519.patch::locator=app%40workspace%3A.":
  version: 4.17.21
  resolution: "lodash@patch:lodash@npm%3A4.17.21#./.yarn/patches/lodash-npm-4.17.21-6382451519.patch::version=4.17.21&hash=2c6e9e&locator=app%40workspace%3A."
  languageName: node
  linkType: hard

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    left-pad: ^1.3.0
    lodash: "patch:lodash@npm%3A4.17.21#./.yarn/patches/lodash-npm-4.17.21-6382451519.patch"
  languageName: unknown
  linkType: soft
`, "", "left-pad@1.3.0:4+direct <https://npm.example.com/left-pad/-/left-pad-1.3.0.tgz>\nlodash@4.17.21:10+direct"},
		{"berry patched git package", `__metadata:
  version: 8

"fork@patch:fork@https%3A//github.com/acme/fork.git%23commit=1234567890abcdef1234567890abcdef12345678#./fix.patch":
  version: 1.0.0
  resolution: "fork@patch:fork@https%3A//github.com/acme/fork.git%23commit=1234567890abcdef1234567890abcdef12345678#./fix.patch::version=1.0.0&hash=abc"
  languageName: node
  linkType: hard
`, "", "fork@1.0.0:4 <https://github.com/acme/fork.git#commit=1234567890abcdef1234567890abcdef12345678> #1234567"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ps []Package
			var err error
			if c.manifest == "" {
				ps, err = ParseYarnLock("yarn.lock", []byte(c.lock))
			} else {
				ps, err = ParseYarnLockWithManifest("yarn.lock", []byte(c.lock), []byte(c.manifest))
			}
			if err != nil {
				t.Fatal(err)
			}
			checkJSPackages(t, ps, "yarn.lock")
			if got := describeJS(ps); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestParseYarnLockErrors(t *testing.T) {
	const two = "a@^1.0.0:\n  version \"1.0.0\"\n\nb@^2.0.0:\n  version \"2.0.0\"\n"
	cases := []struct {
		name, lock, err, want string
	}{
		{"truncated in a key", two + "\n\"c@^3", `yarn.lock:7: unterminated string`, "a@1.0.0:1 b@2.0.0:4"},
		{"truncated in an entry", two + "\nc@^3.0.0:\n  vers", `yarn.lock:8: "vers" has no value`, "a@1.0.0:1 b@2.0.0:4"},
		{"tab indentation", "a@^1.0.0:\n\tversion \"1.0.0\"\n", "yarn.lock:2: tab in indentation", ""},
		{"inconsistent indentation", "a@^1.0.0:\n  version \"1.0.0\"\n resolved \"x\"\n", "yarn.lock:3: inconsistent indentation", ""},
		{"indented under a value", "a@^1.0.0:\n  version \"1.0.0\"\n    resolved \"x\"\n", "yarn.lock:3: unexpected indentation", ""},
		{"top-level pair", "version \"1.0.0\"\n", `yarn.lock:1: expected an entry`, ""},
		{"YAML in a classic file", "a@^1.0.0:\n  version: 1.0.0\n", `yarn.lock:2: cannot read "version: 1.0.0"`, ""},
		{"missing comma", "a@^1, a@^2 a@^3:\n  version \"1\"\n", `yarn.lock:1: cannot read`, ""},
		{"no version", two + "\nc@^3.0.0:\n  resolved \"x\"\n", `yarn.lock:7: entry "c@^3.0.0" has no version`, "a@1.0.0:1 b@2.0.0:4"},
		{"specifier locked twice", two + "\na@^1.0.0:\n  version \"1.0.1\"\n", `yarn.lock:7: "a@^1.0.0" is already locked at line 1; the first is kept`, "a@1.0.0:1 b@2.0.0:4"},
		{"specifiers partly locked twice", two + "\na@^1.0.0, a@^1.0.1:\n  version \"1.0.1\"\n", `yarn.lock:7: "a@^1.0.0" is already locked at line 1; the first is kept`, "a@1.0.0:1 b@2.0.0:4 a@1.0.1:7"},
		{"field repeated", "a@^1.0.0:\n  version \"1.0.0\"\n  version \"1.0.1\"\n", `yarn.lock:3: "version" is repeated (first at line 2); the first is kept`, "a@1.0.0:1"},
		{"future classic version", "# yarn lockfile v2\n\n" + two, "yarn.lock:1: yarn lockfile v2 is not supported", ""},
		{"classic version missing", "# yarn lockfile v\n\n" + two, "yarn.lock:1: yarn lockfile v is not supported", ""},
		{"tab-indented field", two + "\nc@^3.0.0:\n\tversion \"3.0.0\"\n", "yarn.lock:8: tab in indentation", "a@1.0.0:1 b@2.0.0:4"},
		{"bad string escape", "\"a@\\q\":\n  version \"1\"\n", `yarn.lock:1: bad string`, ""},
		{"berry unknown version", "__metadata:\n  version: 9\n", `yarn.lock: yarn lockfile version "9" is not supported`, ""},
		{"berry without version", "__metadata:\n  cacheKey: 8\n", `yarn.lock: yarn lockfile version "" is not supported`, ""},
		{"berry syntax error", "__metadata:\n  version: 8\n\n\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n\n\"b@npm:^2\":\n  version: 2.0.0\n  resolution: \"b@npm:2.0.0\n\n\"c@npm:^3\":\n  version: 3.0.0\n  resolution: \"c@npm:3.0.0\"\n", "yarn.lock:", "a@1.0.0:4"},
		{"berry truncated", "__metadata:\n  version: 8\n\n\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n\n\"b@npm:^2\":\n  version: 2.0.0\n  resolution: \"b@np", "yarn.lock:10:", "a@1.0.0:4"},
		{"berry duplicate key", "__metadata:\n  version: 8\n\n\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n\"a@npm:^1\":\n  version: 1.0.1\n  resolution: \"a@npm:1.0.1\"\n", `yarn.lock:7: key "a@npm:^1" is repeated (first at line 4); the first is kept`, "a@1.0.0:4"},
		{"berry entry without resolution", "__metadata:\n  version: 8\n\n\"a@npm:^1\":\n  version: 1.0.0\n", `yarn.lock:4: entry "a@npm:^1" has no resolution`, ""},
		{"berry scalar entry", "__metadata:\n  version: 8\n\"a@npm:^1\": 1.0.0\n", `yarn.lock:3: entry "a@npm:^1" is not a mapping`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := ParseYarnLock("yarn.lock", []byte(c.lock))
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("err = %v, want %q", err, c.err)
			}
			checkJSPackages(t, ps, "yarn.lock")
			if got := summary(ps); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestParseYarnLockBadManifest(t *testing.T) {
	ps, err := ParseYarnLockWithManifest("web/yarn.lock", []byte("a@^1.0.0:\n  version \"1.0.0\"\n"), []byte("{\n  \"dependencies\": {\"a\": \"^1.0.0\",,}\n}"))
	if err == nil || !strings.HasPrefix(err.Error(), "web/package.json: line 2") {
		t.Errorf("err = %v", err)
	}
	if got := summary(ps); got != "a@1.0.0:1" {
		t.Errorf("got %s", got)
	}
}

func TestExtractYarnAndPnpm(t *testing.T) {
	files := map[string]string{
		"web/yarn.lock":        "a@^1.0.0:\n  version \"1.0.0\"\n",
		"web/package.json":     `{"devDependencies": {"a": "^1.0.0"}}`,
		"svc/pnpm-lock.yaml":   "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      b:\n        specifier: ^2\n        version: 2.0.0\npackages:\n  b@2.0.0:\n    resolution: {integrity: x}\nsnapshots:\n  b@2.0.0: {}\n",
		"other/yarn.lock":      "c@^3.0.0:\n  version \"3.0.0\"\n",
		"other/pnpm-lock.yml":  "ignored",
		"svc/package.json":     "{}",
		"svc/node_modules/x/y": "",
	}
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	lfs, errs := Extract(paths, func(p string) ([]byte, error) { return []byte(files[p]), nil })
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, lf := range lfs {
		got = append(got, lf.Path+"="+lf.Format.Name+":"+summary(lf.Packages))
	}
	want := "other/yarn.lock=yarn.lock:c@3.0.0:1 svc/pnpm-lock.yaml=pnpm-lock.yaml:b@2.0.0:9+direct web/yarn.lock=yarn.lock:a@1.0.0:1+direct+dev"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("got  %s\nwant %s", g, want)
	}
}

func FuzzParseYarnLock(f *testing.F) {
	for _, name := range []string{"yarn/classic.lock", "yarn/berry.lock"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, []byte(`{"dependencies": {"express": "^4.18.2"}, "devDependencies": {"vitest": "^1.1.0"}}`))
	}
	f.Add([]byte("a@^1, \"@b/c@^2\":\n  version \"1\"\n  dependencies:\n    d \"^3\"\n"), []byte(`{}`))
	f.Add([]byte("__metadata:\n  version: 8\n\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@patch:a@npm%3A1.0.0#x\"\n"), []byte(`{"dependencies": {"a": "^1"}}`))
	f.Fuzz(func(t *testing.T, data, manifest []byte) {
		lines := strings.Count(string(data), "\n") + 1
		a, _ := ParseYarnLock("dir/yarn.lock", data)
		b, _ := ParseYarnLockWithManifest("dir/yarn.lock", data, manifest)
		for _, p := range append(a, b...) {
			if p.Name == "" || p.Version == "" || p.Path != "dir/yarn.lock" || p.Line < 1 || p.Line > lines+1 {
				t.Fatalf("bad package %+v (%d lines)", p, lines)
			}
		}
	})
}
