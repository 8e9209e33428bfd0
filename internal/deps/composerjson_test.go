package deps

import (
	"strings"
	"testing"
)

func TestParseComposerJSONFixture(t *testing.T) {
	ps, err := ParseComposerJSON("composer.json", readFixture(t, "composer/composer.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Platform requirements are skipped; only constraints that admit one version set it.
	wantSame(t, describe(ps), strings.Join([]string{
		"symfony/framework-bundle@:11+direct c=^6.4",
		"symfony/http-client@:12+direct c=6.4.*",
		"doctrine/orm@:13+direct c=~2.17.0",
		"guzzlehttp/guzzle@7.8.1:14+direct c=7.8.1",
		"monolog/monolog@3.5.0:15+direct c=v3.5.0",
		"league/flysystem@3.24.0:16+direct c==3.24.0",
		"twig/twig@:17+direct c=^3.8 || ^4.0",
		"example/legacy-payments@:18+direct c=dev-main#4e2f1a9c7b5d3e1f9a7c5b3d1e9f7a5c3b1d9e7f",
		"example/pdf-render@1.4.2:19+direct c=1.4.2 s=http://downloads.example.com/pdf-render-1.4.2.zip",
		"phpunit/phpunit@:22+direct+dev c=^10.5",
		"phpstan/phpstan@1.10.60:23+direct+dev c=1.10.60@stable",
	}, "\n"))
}

func TestComposerExact(t *testing.T) {
	for c, want := range map[string]string{
		"1.2.3": "1.2.3", "v1.2.3": "1.2.3", "=1.2.3": "1.2.3", "== 2.0": "2.0", "2.0.0-RC1": "2.0.0-RC1",
		"1.0.0-beta.2": "1.0.0-beta.2", "1.2.3@dev": "1.2.3", "4.1.0.2": "4.1.0.2",
		"^1.2": "", "~1.2": "", "1.2.*": "", "1.x": "", ">=1.0": "", "1.0 - 2.0": "", "1.0 || 2.0": "",
		"dev-main": "", "*": "", "": "", "1.0,<2": "",
	} {
		if got, _ := composerExact(c); got != want {
			t.Errorf("composerExact(%q) = %q, want %q", c, got, want)
		}
	}
}

func TestParseComposerJSON(t *testing.T) {
	cases := []struct{ name, in, want, err string }{
		{"names are lowercased, platform packages skipped",
			`{"require": {"PHP": "^8.1", "ext-json": "*", "Vendor/Pkg": "1.0.0", "composer": "^2", "php-64bit": "*"}}`,
			"vendor/pkg@1.0.0:1+direct", ""},
		{"repositories as a map, package with a list of versions",
			`{"repositories": {"tools": {"type": "package", "package": [{"name": "acme/tool", "version": "2.0.0", "source": {"type": "git", "url": "https://git.example.com/tool.git", "reference": "2222222222222222222222222222222222222222"}}]}},
"require": {"acme/tool": "2.0.0"}}`,
			"acme/tool@2.0.0:2+direct", ""},
		{"a package in require and require-dev is reported once",
			"{\"require\": {\"a/b\": \"^1\"},\n\"require-dev\": {\"a/b\": \"^2\"}}",
			"a/b@:1+direct", `composer.json:2: require-dev: a/b is required again as "^2" (first at line 1 as "^1"); keeping the first`},
		{"constraint of the wrong type", "{\"require\": {\n\"a/b\": 1,\n\"c/d\": \"1.0.0\"}}", "c/d@1.0.0:3+direct", "composer.json:2: require: a/b: the constraint is not a string"},
		{"require that is not an object", "{\"require\": [\"a/b\"],\n\"require-dev\": {\"c/d\": \"*\"}}", "c/d@:2+direct+dev", "composer.json:1: require is not an object"},
		{"truncated", "{\"require\": {\n\"a/b\": \"^1\",\n\"c/d\": \"^", "a/b@:2+direct", "composer.json:3:10: truncated JSON"},
		{"syntax error", "{\"require\": {\n\"a/b\": \"^1\"\n\"c/d\": \"^2\"}}", "a/b@:2+direct", "composer.json:3:1: invalid character '\"' after object key:value pair"},
		{"syntax error inside another member", "{\"require\": {\"a/b\": \"^1\"},\n\"repositories\": [1,,2]}", "a/b@:1+direct", "composer.json:2:20: invalid character ','"},
		{"not an object", "\n  \"require\"", "", "composer.json:2:3: expected an object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := ParseComposerJSON("composer.json", []byte(c.in))
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)) {
				t.Errorf("err = %v, want %q", err, c.err)
			}
			wantSame(t, summary(ps), c.want)
		})
	}
	ps, _ := ParseComposerJSON("composer.json", []byte(cases[1].in))
	if len(ps) != 1 || ps[0].Source != "git+https://git.example.com/tool.git#2222222222222222222222222222222222222222" || ps[0].Commit == "" {
		t.Errorf("inline package source: %+v", ps)
	}
}

func TestComposerJSONSupersededByLock(t *testing.T) {
	files := map[string]string{
		"app/composer.json": `{"require": {"a/b": "^1"}}`,
		"app/composer.lock": `{"packages": [{"name": "a/b", "version": "1.2.0"}]}`,
		"lib/composer.json": `{"require": {"c/d": "^2"}}`,
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
		got = append(got, lf.Path+":"+summary(lf.Packages))
		if lf.Format.Name == "composer.json" && !lf.Format.ManifestOnly {
			t.Error("composer.json is not marked ManifestOnly")
		}
	}
	wantSame(t, strings.Join(got, " "), "app/composer.lock:a/b@1.2.0:1 lib/composer.json:c/d@:1+direct")
}

func TestParseComposerLockSources(t *testing.T) {
	in := `{
    "packages": [
        {
            "name": "acme/git-only",
            "version": "dev-main",
            "source": {"type": "git", "url": "https://github.com/acme/git-only.git", "reference": "3333333333333333333333333333333333333333"}
        },
        {
            "name": "acme/plain-http",
            "version": "1.0.0",
            "dist": {"type": "zip", "url": "http://mirror.example.com/plain-http-1.0.0.zip"}
        },
        {
            "name": "acme/local",
            "version": "dev-main",
            "dist": {"type": "path", "url": "../local", "reference": "abc"}
        },
        {
            "name": "monolog/monolog",
            "version": "3.5.0",
            "source": {"type": "git", "url": "https://github.com/Seldaek/monolog.git", "reference": "c915e2634718dbc8a4a15c61b0e62e7a44e14448"},
            "dist": {"type": "zip", "url": "https://api.github.com/repos/Seldaek/monolog/zipball/c915e2634718dbc8a4a15c61b0e62e7a44e14448"}
        },
        {
            "name": "acme/odd",
            "version": "1.0.0",
            "source": "not an object",
            "dist": null
        }
    ]
}`
	ps, err := ParseComposerLock("composer.lock", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	wantSame(t, describe(ps), strings.Join([]string{
		"acme/git-only@dev-main:3 s=git+https://github.com/acme/git-only.git#3333333333333333333333333333333333333333 commit=3333333333333333333333333333333333333333",
		"acme/plain-http@1.0.0:8 s=http://mirror.example.com/plain-http-1.0.0.zip",
		"acme/local@dev-main:13 s=path:../local",
		"monolog/monolog@3.5.0:18",
		"acme/odd@1.0.0:24",
	}, "\n"))
}

func FuzzParseComposerJSON(f *testing.F) {
	f.Add([]byte(`{"require": {"php": ">=8", "a/b": "1.0.0"}, "require-dev": {"c/d": "^1"}}`))
	f.Add([]byte(`{"repositories": [{"type": "package", "package": {"name": "a/b", "dist": {"url": "http://x"}}}], "require": {"a/b": "*"}}`))
	f.Add(readFixture(f, "composer/composer.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, _ := ParseComposerJSON("composer.json", data)
		checkPackages(t, "composer.json", data, ps)
		for _, p := range ps {
			if !strings.Contains(p.Name, "/") || !p.Direct {
				t.Fatalf("bad package %+v", p)
			}
		}
	})
}
