package deps

import (
	"os"
	"strings"
	"testing"
)

func TestParsePnpmLockFixtures(t *testing.T) {
	cases := []struct{ file, want string }{
		{"pnpm/v5.4.yaml", `@types/prop-types@15.7.11:29+dev
@types/react@18.2.45:33+direct+dev
csstype@3.1.3:40+dev
debug@4.3.4:44+dev
eslint@8.56.0:56+direct+dev
js-tokens@4.0.0:64
lodash@4.17.21:68+direct
loose-envify@1.4.0:72
ms@2.1.2:79
react-dom@18.2.0:82+direct
react@18.2.0:92+direct
scheduler@0.23.0:99
tar-pkg@1.0.0:105+direct <https://cdn.example.com/tar-pkg-1.0.0.tgz>
ui-kit@0.4.0:111+direct <path:../ui-kit>
is-positive@3.1.0:122+direct <https://codeload.github.com/kevva/is-positive/tar.gz/97edff6f525f192a3f83cea1944765f769ae2678> #97edff6`},
		{"pnpm/v6.0.yaml", `@tanstack/query-core@5.14.2:34
@tanstack/react-query@5.14.2:38+direct
@testing-library/react@14.1.2:47+direct+dev
js-tokens@4.0.0:58
loose-envify@1.4.0:62
react-dom@18.2.0:69+direct+dev
react@18.2.0:79+direct
scheduler@0.23.0:86+dev
string-width@4.2.3:92+direct
forked@2.0.1:97+direct <https://github.com/acme/forked.git#4c2b1e0f9a8d7c6b5a4e3f218d3a1c0b5e9f7a6d> #4c2b1e0`},
		{"pnpm/v9.0.yaml", `accepts@1.3.8:49
debug@2.6.9:53
debug@4.3.4:56+direct
doctrine@2.1.0:65
eslint-plugin-react@7.33.2:69+direct
eslint@8.56.0:75+direct+dev
express@4.18.2:80+direct
has-flag@4.0.0:84
is-positive@3.1.0:88+direct <https://codeload.github.com/kevva/is-positive/tar.gz/97edff6f525f192a3f83cea1944765f769ae2678> #97edff6
legacy@0.3.1:93+direct <http://mirror.example.org/legacy-0.3.1.tgz>
ms@2.0.0:97
ms@2.1.2:100
orphan@1.0.0:103
supports-color@8.1.1:106
typescript@5.3.3:110+direct+dev
ui-kit@0.4.0:115+direct <path:packages/ui-kit>`},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			ps, err := ParsePnpmLock("app/pnpm-lock.yaml", readJSTestdata(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			checkJSPackages(t, ps, "app/pnpm-lock.yaml")
			if got := describeJS(ps); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestParsePnpmLockCases(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"v5.3 workspace importers", `lockfileVersion: 5.3

importers:

  .:
    specifiers:
      typescript: ^4.9.5
    devDependencies:
      typescript: 4.9.5

  packages/api:
    specifiers:
      '@acme/shared': workspace:*
      fastify: ^4.0.0
    dependencies:
      '@acme/shared': link:../shared
      fastify: 4.0.0

packages:

  /fastify/4.0.0:
    resolution: {integrity: sha512-ZmFzdGlmeQ==}
    dev: false

  /typescript/4.9.5:
    resolution: {integrity: sha512-dHM=}
    engines: {node: '>=4.2.0'}
    hasBin: true
    dev: true
`, "fastify@4.0.0:21+direct\ntypescript@4.9.5:25+direct+dev"},
		{"v5 peer variants are one package", `lockfileVersion: 5.4

devDependencies:
  a: 1.0.0_react@17.0.2
  b: 1.0.0_react@18.2.0

packages:

  /a/1.0.0_react@17.0.2:
    resolution: {integrity: sha512-YQ==}
    dev: true

  /a/1.0.0_react@18.2.0:
    resolution: {integrity: sha512-YQ==}
    dev: true

  /b/1.0.0_react@18.2.0:
    resolution: {integrity: sha512-Yg==}
    dependencies:
      a: 1.0.0_react@18.2.0
    dev: true
`, "a@1.0.0:9+direct+dev\nb@1.0.0:17+direct+dev"},
		{"v6 peer variants, one of them shipped", `lockfileVersion: '6.0'

dependencies:
  app-lib:
    specifier: ^2.0.0
    version: 2.0.0

devDependencies:
  '@scope/widget':
    specifier: ^1.0.0
    version: 1.0.0(react@17.0.2)

packages:

  /@scope/widget@1.0.0(react@17.0.2):
    resolution: {integrity: sha512-dw==}
    dev: true

  /@scope/widget@1.0.0(react@18.2.0):
    resolution: {integrity: sha512-dw==}
    dev: false

  /app-lib@2.0.0:
    resolution: {integrity: sha512-YXBw}
    dependencies:
      '@scope/widget': 1.0.0(react@18.2.0)
    dev: false
`, "@scope/widget@1.0.0:15+direct\napp-lib@2.0.0:23+direct"},
		{"v5.4 inline specifiers", `lockfileVersion: 5.4-inlineSpecifiers

dependencies:
  ms:
    specifier: ^2.1.2
    version: 2.1.2

packages:

  /ms/2.1.2:
    resolution: {integrity: sha512-bXM=}
    dev: false
`, "ms@2.1.2:10+direct"},
		{"v9 aliases, git, patches and dev from the graph", `lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      '@acme/fork':
        specifier: git+https://gitlab.example.com/acme/fork.git#v1.0.0
        version: git+https://gitlab.example.com/acme/fork.git#c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffe
      string-width-cjs:
        specifier: npm:string-width@^4.2.0
        version: string-width@4.2.3
      patched:
        specifier: 1.0.0
        version: 1.0.0(patch_hash=5dd7d4bcc6d5b4ab0dbd8b2e5b2d4a0f)
    devDependencies:
      '@types/node':
        specifier: ^20.10.0
        version: 20.10.5
      dev-alias:
        specifier: npm:@scope/real@^3.0.0
        version: '@scope/real@3.1.0'

packages:

  '@acme/fork@git+https://gitlab.example.com/acme/fork.git#c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffe':
    resolution: {commit: c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffe, repo: https://gitlab.example.com/acme/fork.git, type: git}
    version: 1.0.0

  '@scope/real@3.1.0':
    resolution: {integrity: sha512-cmVhbA==}

  '@types/node@20.10.5':
    resolution: {integrity: sha512-bm9kZQ==}

  patched@1.0.0:
    resolution: {integrity: sha512-cGF0Y2hlZA==}

  string-width@4.2.3:
    resolution: {integrity: sha512-c3c=}

  undici-types@5.26.5:
    resolution: {integrity: sha512-dW5kaWNp}

snapshots:

  '@acme/fork@git+https://gitlab.example.com/acme/fork.git#c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffe': {}

  '@scope/real@3.1.0': {}

  '@types/node@20.10.5':
    dependencies:
      undici-types: 5.26.5

  patched@1.0.0(patch_hash=5dd7d4bcc6d5b4ab0dbd8b2e5b2d4a0f): {}

  string-width@4.2.3: {}

  undici-types@5.26.5: {}
`, `@acme/fork@1.0.0:26+direct <https://gitlab.example.com/acme/fork.git#c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffe> #c0ffee0
@scope/real@3.1.0:30+direct+dev
@types/node@20.10.5:33+direct+dev
patched@1.0.0:36+direct
string-width@4.2.3:39+direct
undici-types@5.26.5:42+dev`},
		{"CRLF and a local tarball", "lockfileVersion: '6.0'\r\n\r\npackages:\r\n\r\n  file:vendor/pkg-1.0.0.tgz:\r\n    resolution: {integrity: sha512-cA==, tarball: file:vendor/pkg-1.0.0.tgz}\r\n    name: pkg\r\n    version: 1.0.0\r\n    dev: false\r\n",
			"pkg@1.0.0:5 <path:vendor/pkg-1.0.0.tgz>"},
		{"registry tarball is the default source", "lockfileVersion: '6.0'\npackages:\n  /x@1.0.0:\n    resolution: {integrity: sha512-eA==, tarball: https://registry.npmjs.org/x/-/x-1.0.0.tgz}\n",
			"x@1.0.0:3"},
		{"no packages", "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := ParsePnpmLock("pnpm-lock.yaml", []byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			checkJSPackages(t, ps, "pnpm-lock.yaml")
			if got := describeJS(ps); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestParsePnpmLockErrors(t *testing.T) {
	const head = "lockfileVersion: '6.0'\n\npackages:\n\n  /a@1.0.0:\n    resolution: {integrity: sha512-YQ==}\n    dev: false\n\n"
	cases := []struct{ name, in, err, want string }{
		{"unsupported version", "lockfileVersion: '11.0'\npackages: {}\n", "pnpm-lock.yaml: lockfileVersion 11.0 is not supported", ""},
		{"old version", "lockfileVersion: 4.0\n", "pnpm-lock.yaml: lockfileVersion 4.0 is not supported", ""},
		{"no version", "packages:\n  /a@1.0.0: {}\n", "pnpm-lock.yaml: no lockfileVersion", ""},
		{"empty", "", "pnpm-lock.yaml: no lockfileVersion", ""},
		{"not YAML", "{[", "pnpm-lock.yaml:1:", ""},
		{"syntax error in an entry", head + "  /b@2.0.0:\n    resolution: {integrity: sha512-Yg==\n    dev: false\n\n  /c@3.0.0:\n    resolution: {integrity: sha512-Yw==}\n", "pnpm-lock.yaml:", "a@1.0.0:5"},
		{"truncated", head + "  /b@2.0.0:\n    resolution: {integ", "pnpm-lock.yaml:10:", "a@1.0.0:5"},
		{"bad indentation", head + "  /b@2.0.0:\n    resolution: {integrity: sha512-Yg==}\n   dev: false\n", "pnpm-lock.yaml:11:", "a@1.0.0:5"},
		{"duplicate key", head + "  /a@1.0.0:\n    resolution: {integrity: sha512-Yg==}\n    dev: true\n", `pnpm-lock.yaml:9: key "/a@1.0.0" is repeated (first at line 5); the first is kept`, "a@1.0.0:5"},
		{"scalar entry", head + "  /b@2.0.0: yes\n", `pnpm-lock.yaml:9: package "/b@2.0.0" is not a mapping`, "a@1.0.0:5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := ParsePnpmLock("pnpm-lock.yaml", []byte(c.in))
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("err = %v, want %q", err, c.err)
			}
			checkJSPackages(t, ps, "pnpm-lock.yaml")
			if got := summary(ps); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func FuzzParsePnpmLock(f *testing.F) {
	for _, name := range []string{"pnpm/v5.4.yaml", "pnpm/v6.0.yaml", "pnpm/v9.0.yaml"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("lockfileVersion: 5.3\nimporters:\n  .:\n    dependencies:\n      a: 1.0.0\npackages:\n  /a/1.0.0:\n    dev: false\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		ps, _ := ParsePnpmLock("dir/pnpm-lock.yaml", data)
		for _, p := range ps {
			if p.Name == "" || p.Version == "" || p.Path != "dir/pnpm-lock.yaml" || p.Line < 1 || p.Line > lines+1 {
				t.Fatalf("bad package %+v (%d lines)", p, lines)
			}
		}
	})
}
