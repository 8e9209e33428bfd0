package deps

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// describe is summary with what the Python, Ruby and Composer parsers add: the declared
// constraint, the source and the pinned commit.
func describe(ps []Package) string {
	var s []string
	for _, p := range ps {
		d := fmt.Sprintf("%s@%s:%d", p.Name, p.Version, p.Line) + flags(p)
		if p.Constraint != "" {
			d += " c=" + p.Constraint
		}
		if p.Source != "" {
			d += " s=" + p.Source
		}
		if p.Commit != "" {
			d += " commit=" + p.Commit
		}
		s = append(s, d)
	}
	return strings.Join(s, "\n")
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func wantSame(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// checkPackages is what every fuzz target asserts of what a parser returned.
func checkPackages(t *testing.T, lockPath string, data []byte, ps []Package) {
	t.Helper()
	lines := bytes.Count(data, []byte("\n")) + 1
	for _, p := range ps {
		if p.Name == "" || p.Path != lockPath || p.Line < 1 || p.Line > lines {
			t.Fatalf("bad package %+v (%d lines)", p, lines)
		}
	}
}

func TestPyName(t *testing.T) {
	for in, want := range map[string]string{
		"Django": "django", "Flask_SQLAlchemy": "flask-sqlalchemy", "zope.interface": "zope-interface",
		"a-_.b": "a-b", "ruamel.yaml.clib": "ruamel-yaml-clib", " Pillow ": "pillow",
	} {
		if got := pyName(in); got != want {
			t.Errorf("pyName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsRequirementsFile(t *testing.T) {
	for base, want := range map[string]bool{
		"requirements.txt": true, "requirements-dev.txt": true, "dev-requirements.txt": true,
		"test_requirements.txt": true, "constraints.txt": true, "requirements.in": false,
		"requirements.txt.bak": false, "setup.txt": false,
	} {
		if got := isRequirementsFile(base); got != want {
			t.Errorf("isRequirementsFile(%q) = %v", base, got)
		}
		if f, ok := FormatFor("svc/" + base); want && (!ok || f.Name != "requirements.txt") {
			t.Errorf("FormatFor(%q) = %v, %v", base, f.Name, ok)
		}
	}
}

func TestParseRequirements(t *testing.T) {
	cases := []struct{ name, file, in, want string }{
		{"pins and ranges", "requirements.txt", "requests==2.31.0\nflask>=2,<3\nclick\nnumpy==1.*\nPyYAML===6.0.1\n",
			"requests@2.31.0:1+direct\nflask@:2+direct c=>=2,<3\nclick@:3+direct\nnumpy@:4+direct c===1.*\npyyaml@6.0.1:5+direct"},
		{"extras markers and spaces", "requirements.txt", "celery [redis, sqs] == 5.3.6 ; python_version >= \"3.8\"\nrich (>=13)\n",
			"celery@5.3.6:1+direct\nrich@:2+direct c=>=13"},
		{"continuations and hashes", "requirements.txt", "gunicorn==21.2.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\nsix==1.16.0\n",
			"gunicorn@21.2.0:1+direct\nsix@1.16.0:4+direct"},
		{"comments", "requirements.txt", "# requests==1.0\nidna==3.6 # pinned for #1234\n  # indented\n",
			"idna@3.6:2+direct"},
		{"commented continuation does not swallow the next line", "requirements.txt", "# old: \\\nsix==1.16.0\n",
			"six@1.16.0:2+direct"},
		{"options and other files", "requirements.txt", "-i https://pypi.org/simple\n--trusted-host x\n-r base.txt\n--requirement=other.txt\n-c constraints.txt\n--pre\nattrs==23.2.0\n",
			"attrs@23.2.0:7+direct"},
		{"editable VCS", "requirements.txt", "-e git+https://github.com/o/r.git@0123456789abcdef0123456789abcdef01234567#egg=My_Pkg\n--editable=hg+https://hg.example.com/lib@tip#egg=lib\n-e .\n",
			"my-pkg@:1+direct s=git+https://github.com/o/r.git#0123456789abcdef0123456789abcdef01234567 commit=0123456789abcdef0123456789abcdef01234567\nlib@:2+direct s=hg+https://hg.example.com/lib#tip"},
		{"direct URLs", "requirements.txt", "pkg @ https://example.com/pkg-1.0.tar.gz ; python_version < \"4\"\nlocal @ file:///srv/wheels/local-1.0.tar.gz\ngit+https://github.com/o/tool.git#egg=tool\n./libs/metrics\nhttps://example.com/w/fast_csv-0.9.1-py3-none-any.whl\n",
			"pkg@:1+direct s=https://example.com/pkg-1.0.tar.gz\nlocal@:2+direct s=path:/srv/wheels/local-1.0.tar.gz\ntool@:3+direct s=git+https://github.com/o/tool.git\nfast-csv@0.9.1:5+direct s=https://example.com/w/fast_csv-0.9.1-py3-none-any.whl"},
		{"dev file", "requirements-dev.txt", "pytest==8.1.1\n", "pytest@8.1.1:1+direct+dev"},
		{"test file", "ci/test-requirements.txt", "tox>=4\n", "tox@:1+direct+dev c=>=4"},
		{"constraints are not direct", "constraints.txt", "urllib3<2\ncertifi==2024.2.2\n", "urllib3@:1 c=<2\ncertifi@2024.2.2:2"},
		{"environment variables are not versions", "requirements.txt", "app-sdk==${SDK_VERSION}\n", "app-sdk@:1+direct c===${SDK_VERSION}"},
		{"CRLF", "requirements.txt", "six==1.16.0\r\nidna==3.6 \\\r\n  --hash=sha256:aa\r\n", "six@1.16.0:1+direct\nidna@3.6:2+direct"},
		{"no trailing newline after continuation", "requirements.txt", "six==1.16.0 \\", "six@1.16.0:1+direct"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := ParseRequirements(c.file, []byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			wantSame(t, describe(ps), c.want)
			checkPackages(t, c.file, []byte(c.in), ps)
		})
	}
}

func TestParseRequirementsPipCompile(t *testing.T) {
	data := readFixture(t, "python/pip/compiled/requirements.txt")
	ps, err := ParseRequirements("requirements.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	// Only what an input file asked for is direct; the rest came in "# via" a package.
	wantSame(t, summary(ps), "certifi@2024.2.2:7 charset-normalizer@3.3.2:11 idna@3.6:14+direct requests@2.31.0:19+direct urllib3@2.2.1:22 webapp-common@1.4.0:25+direct")
}

func TestParseRequirementsFixture(t *testing.T) {
	ps, err := ParseRequirements("requirements.txt", readFixture(t, "python/pip/requirements.txt"))
	if err != nil {
		t.Fatal(err)
	}
	wantSame(t, describe(ps), strings.Join([]string{
		"django@4.2.11:9+direct",
		"djangorestframework@:10+direct c=>=3.14,<3.16",
		"celery@5.3.6:11+direct",
		"python-dateutil@:12+direct c=~=2.9",
		"pillow@:13+direct",
		"zope-interface@:14+direct c===6.*",
		"pyyaml@6.0.1:15+direct",
		"gunicorn@21.2.0:16+direct",
		"psycopg@3.1.18:19+direct",
		"flask-sqlalchemy@3.1.1:20+direct",
		"django-ledger@:23+direct s=git+https://github.com/example-org/django-ledger.git#7d5e4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d commit=7d5e4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d",
		"pdfkit-ng@:24+direct s=git+https://github.com/example-org/pdfkit-ng.git#v1.2.0",
		"payments-sdk@:25+direct s=https://downloads.example.com/payments_sdk-2.0.0.tar.gz",
		"audit-hooks@:26+direct s=git+ssh://git@github.com/example-org/audit-hooks.git#main",
		"fast-csv@0.9.1:27+direct s=https://downloads.example.com/wheels/fast_csv-0.9.1-cp311-cp311-manylinux_2_17_x86_64.whl",
	}, "\n"))
}

func TestParseRequirementsErrors(t *testing.T) {
	cases := []struct{ name, in, err, want string }{
		{"bad specifier", "six==1.16.0\nflask>>2\nidna==3.6\n", `requirements.txt:2: malformed requirement "flask>>2"`, "six@1.16.0:1+direct idna@3.6:3+direct"},
		{"bad name", "-foo\n!!!\nidna==3.6\n", `requirements.txt:2: malformed requirement "!!!": no valid package name`, "idna@3.6:3+direct"},
		{"unclosed extras", "celery[redis==5\n", `requirements.txt:1: malformed requirement "celery[redis==5": unclosed extras`, ""},
		{"editable without target", "-e\nsix==1.16.0\n", `requirements.txt:1: -e without a path or URL`, "six@1.16.0:2+direct"},
		{"empty version", "six==\n", `requirements.txt:1: malformed requirement "six==": malformed version specifier "=="`, ""},
		{"first error wins", "a>>1\nb>>2\n", `requirements.txt:1:`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := ParseRequirements("requirements.txt", []byte(c.in))
			if err == nil || !strings.HasPrefix(err.Error(), c.err) {
				t.Errorf("err = %v, want prefix %q", err, c.err)
			}
			wantSame(t, summary(ps), c.want)
		})
	}
}

func TestParseRequirementsHugeLine(t *testing.T) {
	// Longer than bufio.Scanner's default 64 KiB token: the line reader must not stop.
	in := "six==1.16.0 --hash=sha256:" + strings.Repeat("a", 200<<10) + "\nidna==3.6\n"
	ps, err := ParseRequirements("requirements.txt", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	wantSame(t, summary(ps), "six@1.16.0:1+direct idna@3.6:2+direct")
}

func TestParsePoetryLock(t *testing.T) {
	cases := []struct {
		name, dir string
		sibling   bool
		want      string
	}{
		{"1.x with pyproject", "poetry1", true, strings.Join([]string{
			"certifi@2024.2.2:1",
			"idna@3.6:9",
			"iniconfig@2.0.0:17+dev",
			"jinja2@3.1.3:25+direct",
			"markupsafe@2.1.5:39",
			"pysocks@1.7.1:47",
			"pytest@7.4.4:55+direct+dev",
			"requests@2.31.0:70+direct",
		}, "\n")},
		{"1.x alone", "poetry1", false, strings.Join([]string{
			"certifi@2024.2.2:1",
			"idna@3.6:9",
			"iniconfig@2.0.0:17+dev",
			"jinja2@3.1.3:25",
			"markupsafe@2.1.5:39",
			"pysocks@1.7.1:47",
			"pytest@7.4.4:55+dev",
			"requests@2.31.0:70",
		}, "\n")},
		{"2.x with pyproject", "poetry2", true, strings.Join([]string{
			"boto3@1.34.69:3+direct",
			"mkdocs@1.5.3:15+direct+dev",
			"mypy@1.9.0:26+direct+dev",
			"numpy@1.24.4:40+direct",
			"numpy@1.26.4:52+direct",
			"pillow@10.2.0:64+direct",
			"tinyflags@0.4.1:75+direct s=git+https://github.com/example-org/tinyflags.git#0f3c2a9d8e7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c commit=0f3c2a9d8e7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c",
			"typing-extensions@4.10.0:91",
			"internal-geo@0.2.0:102 s=http://pypi.corp.example.com/simple",
		}, "\n")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lock := readFixture(t, "python/"+c.dir+"/poetry.lock")
			var ps []Package
			var err error
			if c.sibling {
				ps, err = ParsePoetryLockWithPyproject(c.dir+"/poetry.lock", lock, readFixture(t, "python/"+c.dir+"/pyproject.toml"))
			} else {
				ps, err = ParsePoetryLock(c.dir+"/poetry.lock", lock)
			}
			if err != nil {
				t.Fatal(err)
			}
			wantSame(t, describe(ps), c.want)
		})
	}
}

func TestParsePoetryLockInline(t *testing.T) {
	cases := []struct{ name, lock, pyproject, want, err string }{
		{"lock-version 2.0 has no dev marks: the pyproject decides for direct packages",
			"[[package]]\nname = \"black\"\nversion = \"24.2.0\"\n\n[[package]]\nname = \"click\"\nversion = \"8.1.7\"\n\n[[package]]\nname = \"Flask\"\nversion = \"3.0.2\"\n\n[metadata]\nlock-version = \"2.0\"\n",
			"[tool.poetry.dependencies]\npython = \"^3.11\"\nflask = \"^3\"\n\n[tool.poetry.group.lint.dependencies]\nblack = \"*\"\n",
			"black@24.2.0:1+direct+dev click@8.1.7:5 flask@3.0.2:9+direct", ""},
		{"a package in main and in a dev group is not dev",
			"[[package]]\nname = \"rich\"\nversion = \"13.7.1\"\n",
			"[project]\ndependencies = [\"rich>=13\"]\n\n[dependency-groups]\ndev = [\"rich\", {include-group = \"lint\"}]\n",
			"rich@13.7.1:1+direct", ""},
		{"file and directory sources",
			"[[package]]\nname = \"geo\"\nversion = \"0.1.0\"\n[package.source]\ntype = \"directory\"\nurl = \"../geo\"\n\n[[package]]\nname = \"blob\"\nversion = \"1.0\"\nsource = {type = \"url\", url = \"https://example.com/blob-1.0.tar.gz\"}\n",
			"", "geo@0.1.0:1 blob@1.0:8", ""},
		{"unknown lock-version is flagged, packages still read",
			"[[package]]\nname = \"six\"\nversion = \"1.16.0\"\n\n[metadata]\nlock-version = \"9.0\"\n",
			"", "six@1.16.0:1", `poetry.lock: unsupported poetry.lock lock-version "9.0"`},
		{"a wrongly typed field is reported at its package",
			"[[package]]\nname = \"six\"\nversion = \"1.16.0\"\n\n[[package]]\nname = \"idna\"\nversion = 3.6\n\n[[package]]\nname = \"attrs\"\nversion = \"23.2.0\"\n",
			"", "six@1.16.0:1 attrs@23.2.0:9", `poetry.lock:5: version is a float, expected a string`},
		{"syntax error keeps the packages before it",
			"[[package]]\nname = \"six\"\nversion = \"1.16.0\"\n\n[[package]]\nname = \"idna\"\nversion = \"3.6\n\n[[package]]\nname = \"attrs\"\n",
			"", "six@1.16.0:1", `poetry.lock:7:15: strings cannot contain newlines`},
		{"malformed pyproject is reported, the lock still read",
			"[[package]]\nname = \"six\"\nversion = \"1.16.0\"\n",
			"[tool.poetry.dependencies\nsix = \"*\"\n", "six@1.16.0:1", `pyproject.toml:1:26: expected '.' or ']' to end table name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ps []Package
			var err error
			if c.pyproject != "" {
				ps, err = ParsePoetryLockWithPyproject("poetry.lock", []byte(c.lock), []byte(c.pyproject))
			} else {
				ps, err = ParsePoetryLock("poetry.lock", []byte(c.lock))
			}
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)) {
				t.Errorf("err = %v, want %q", err, c.err)
			}
			wantSame(t, summary(ps), c.want)
		})
	}
}

func TestParsePipfileLock(t *testing.T) {
	lock := readFixture(t, "python/pipenv/Pipfile.lock")
	withPipfile := strings.Join([]string{
		"blinker@1.7.0:24",
		"feature-flags@:31+direct s=git+https://github.com/example-org/feature-flags.git#3c9a1f7e5d2b8c4a6e0f9d3b7a1c5e8f2d4b6a9c commit=3c9a1f7e5d2b8c4a6e0f9d3b7a1c5e8f2d4b6a9c",
		"flask@3.0.2:35+direct",
		"ledger-client@0.9.3:46+direct s=https://pkgs.example.internal/simple",
		"sqlalchemy@2.0.28:53+direct",
		"typing-extensions@4.10.0:61",
		"black@24.2.0:70+direct+dev",
		"pytest@8.1.1:77+direct+dev",
	}, "\n")
	ps, err := ParsePipfileLockWithPipfile("Pipfile.lock", lock, readFixture(t, "python/pipenv/Pipfile"))
	if err != nil {
		t.Fatal(err)
	}
	wantSame(t, describe(ps), withPipfile)
	ps, err = ParsePipfileLock("Pipfile.lock", lock)
	if err != nil {
		t.Fatal(err)
	}
	wantSame(t, describe(ps), strings.NewReplacer("+direct", "").Replace(withPipfile))
}

func TestParsePipfileLockInline(t *testing.T) {
	cases := []struct{ name, in, want, err string }{
		{"conflicting duplicate keeps the first",
			"{\n  \"default\": {\n    \"six\": {\"version\": \"==1.16.0\"},\n    \"Six\": {\"version\": \"==1.15.0\"},\n    \"idna\": {\"version\": \"==3.6\"}\n  }\n}",
			"six@1.16.0:3 idna@3.6:5", `Pipfile.lock:4: default: six is locked again as "==1.15.0" (first at line 3 as "==1.16.0"); keeping the first`},
		{"identical duplicate is not a conflict",
			"{\"default\": {\"six\": {\"version\": \"==1.16.0\"}, \"six\": {\"version\": \"==1.16.0\"}}}", "six@1.16.0:1", ""},
		{"same package in develop at another version is a dev package",
			"{\"default\": {\"six\": {\"version\": \"==1.16.0\"}},\n\"develop\": {\"six\": {\"version\": \"==1.15.0\"}}}", "six@1.16.0:1 six@1.15.0:2+dev", ""},
		{"custom category, unpinned and ranged versions",
			"{\"docs\": {\"sphinx\": {\"version\": \"*\"}, \"furo\": {\"version\": \">=2024\"}}}", "sphinx@:1 furo@:1", ""},
		{"_meta after the sections still resolves indexes",
			"{\"default\": {\"corp\": {\"version\": \"==1.0\", \"index\": \"corp\"}},\n\"_meta\": {\"pipfile-spec\": 6, \"sources\": [{\"name\": \"pypi\", \"url\": \"https://pypi.org/simple\"}, {\"name\": \"corp\", \"url\": \"http://corp.example/simple\"}]}}",
			"corp@1.0:1", ""},
		{"unknown spec", "{\"_meta\": {\"pipfile-spec\": 99}, \"default\": {\"six\": {\"version\": \"==1.16.0\"}}}", "six@1.16.0:1", "Pipfile.lock:1: unsupported pipfile-spec 99"},
		{"wrong type in one entry",
			"{\"default\": {\n\"six\": {\"version\": 1},\n\"idna\": {\"version\": \"==3.6\"}}}", "idna@3.6:3", "Pipfile.lock:2: default: six: json: cannot unmarshal"},
		{"section that is not an object", "{\"default\": [],\n\"develop\": {\"pytest\": {\"version\": \"==8.0.0\"}}}", "pytest@8.0.0:2+dev", "Pipfile.lock:1: default is not an object"},
		{"truncated keeps what was read", "{\"default\": {\n\"six\": {\"version\": \"==1.16.0\"},\n\"idna\": {\"vers", "six@1.16.0:2", "Pipfile.lock:3:15: truncated JSON"},
		{"syntax error", "{\"default\": {\n\"six\": {\"version\": \"==1.16.0\"},,\n}}", "six@1.16.0:2", "Pipfile.lock:2:32: invalid character ','"},
		{"syntax error inside an entry", "{\"default\": {\n\"six\": {\"version\": \"==1.16.0\",,}}}", "", "Pipfile.lock:2:31: invalid character ','"},
		{"not an object", "[]", "", "Pipfile.lock:1:1: expected an object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := ParsePipfileLock("Pipfile.lock", []byte(c.in))
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)) {
				t.Errorf("err = %v, want %q", err, c.err)
			}
			wantSame(t, summary(ps), c.want)
		})
	}
	ps, _ := ParsePipfileLock("Pipfile.lock", []byte(cases[4].in))
	if len(ps) != 1 || ps[0].Source != "http://corp.example/simple" {
		t.Errorf("index source not resolved: %+v", ps)
	}
}

func TestParseUVLock(t *testing.T) {
	ps, err := ParseUVLock("uv.lock", readFixture(t, "python/uv/uv.lock"))
	if err != nil {
		t.Fatal(err)
	}
	// pysocks ships (requests[socks]), colorama ships (via click in the "cli" extra),
	// packaging, pluggy and iniconfig are only reachable from the dev group.
	wantSame(t, describe(ps), strings.Join([]string{
		"anyio@4.4.0:5",
		"certifi@2024.7.4:56",
		"click@8.1.7:62+direct",
		"colorama@0.4.6:70",
		"h11@0.14.0:75",
		"httpcore@1.0.5:80",
		"httpx@0.27.0:89+direct",
		"idna@3.7:101",
		"iniconfig@2.0.0:106+dev",
		"packaging@24.1:111+dev",
		"pluggy@1.5.0:116+dev",
		"pysocks@1.7.1:121",
		"pytest@8.2.2:126+direct+dev",
		"requests@2.32.3:137+direct",
		"ruff@0.5.1:151+direct+dev",
		"shared-utils@1.2.0:156+direct s=path:../shared",
		"sniffio@1.3.1:161",
		"tinyflags@0.4.1:166+direct s=git+https://github.com/example-org/tinyflags#0f3c2a9d8e7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c commit=0f3c2a9d8e7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c",
	}, "\n"))
}

func TestParseUVLockInline(t *testing.T) {
	const head = "version = 1\nrequires-python = \">=3.12\"\n"
	cases := []struct{ name, in, want, err string }{
		{"workspace members are roots, not packages",
			head + "\n[manifest]\nmembers = [\"api\", \"core\"]\n\n" +
				"[[package]]\nname = \"api\"\nversion = \"0.1.0\"\nsource = { editable = \"packages/api\" }\ndependencies = [{ name = \"core\" }, { name = \"fastapi\" }]\n\n" +
				"[[package]]\nname = \"core\"\nversion = \"0.1.0\"\nsource = { editable = \"packages/core\" }\ndependencies = [{ name = \"pydantic\" }]\n\n" +
				"[[package]]\nname = \"fastapi\"\nversion = \"0.111.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n" +
				"[[package]]\nname = \"pydantic\"\nversion = \"2.7.4\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
			"fastapi@0.111.0:19+direct pydantic@2.7.4:24+direct", ""},
		{"several versions of one name are told apart by the edge's version",
			head + "\n[[package]]\nname = \"app\"\nversion = \"1.0\"\nsource = { virtual = \".\" }\ndependencies = [{ name = \"numpy\", version = \"2.0.0\" }]\n\n[package.dev-dependencies]\ntest = [{ name = \"numpy\", version = \"1.26.4\" }]\n\n" +
				"[[package]]\nname = \"numpy\"\nversion = \"1.26.4\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n" +
				"[[package]]\nname = \"numpy\"\nversion = \"2.0.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
			"numpy@1.26.4:13+direct+dev numpy@2.0.0:18+direct", ""},
		{"other index and URL sources",
			head + "\n[[package]]\nname = \"corp-auth\"\nversion = \"3.1.0\"\nsource = { registry = \"https://pkgs.example.internal/simple\" }\n\n" +
				"[[package]]\nname = \"blob\"\nversion = \"1.0\"\nsource = { url = \"http://example.com/blob-1.0.tar.gz\" }\n",
			"corp-auth@3.1.0:4 blob@1.0:9", ""},
		{"unknown version", "version = 99\n\n[[package]]\nname = \"six\"\nversion = \"1.16.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
			"six@1.16.0:3", "uv.lock:1: unsupported uv.lock version 99 (posture reads version 1)"},
		{"no version", "[[package]]\nname = \"six\"\nversion = \"1.16.0\"\n", "six@1.16.0:1", "uv.lock:1: no lockfile version"},
		{"bad dependency list", head + "\n[[package]]\nname = \"six\"\nversion = \"1.16.0\"\ndependencies = \"idna\"\n\n[[package]]\nname = \"idna\"\nversion = \"3.7\"\n",
			"idna@3.7:9", "uv.lock:4: six: dependencies: a string, expected an array of tables"},
		{"syntax error", head + "\n[[package]]\nname = \"six\"\nversion = \"1.16.0\"\n\n[[package]]\nname = \"idna\"\nversion = = \"3.7\"\n",
			"six@1.16.0:4", "uv.lock:10:11: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := ParseUVLock("uv.lock", []byte(c.in))
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)) {
				t.Errorf("err = %v, want %q", err, c.err)
			}
			wantSame(t, summary(ps), c.want)
		})
	}
	ps, _ := ParseUVLock("uv.lock", []byte(cases[2].in))
	if len(ps) != 2 || ps[0].Source != "https://pkgs.example.internal/simple" || ps[1].Source != "http://example.com/blob-1.0.tar.gz" {
		t.Errorf("sources: %+v", ps)
	}
}

func TestTOMLSyntaxErrorPosition(t *testing.T) {
	_, err := ParseUVLock("sub/uv.lock", []byte("version = 1\n\n[[package]]\nname = \"six\"\nversion = \"1.16.0\" x\n"))
	var pe *posError
	if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "sub/uv.lock:5:") || pe.col < 1 {
		t.Fatalf("err = %v", err)
	}
}

// TestExtractFixtures checks the registrations: which files are read, and that the
// manifests beside the lockfiles are used.
func TestExtractFixtures(t *testing.T) {
	var paths []string
	for _, dir := range []string{"testdata/python", "testdata/ruby", "testdata/composer"} {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				paths = append(paths, filepath.ToSlash(p))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	lfs, errs := Extract(paths, func(p string) ([]byte, error) { return os.ReadFile(filepath.FromSlash(p)) })
	for _, err := range errs {
		t.Error(err)
	}
	got := map[string]string{}
	for _, lf := range lfs {
		direct := 0
		for _, p := range lf.Packages {
			if p.Direct {
				direct++
			}
		}
		got[lf.Path] = fmt.Sprintf("%s %d/%d", lf.Format.Name, direct, len(lf.Packages))
	}
	for p, want := range map[string]string{
		"testdata/python/pip/requirements.txt":          "requirements.txt 15/15",
		"testdata/python/pip/requirements-dev.txt":      "requirements.txt 3/3",
		"testdata/python/pip/constraints.txt":           "requirements.txt 0/2",
		"testdata/python/pip/compiled/requirements.txt": "requirements.txt 3/6",
		"testdata/python/poetry1/poetry.lock":           "poetry.lock 3/8",
		"testdata/python/poetry2/poetry.lock":           "poetry.lock 7/9",
		"testdata/python/pipenv/Pipfile.lock":           "Pipfile.lock 6/8",
		"testdata/python/uv/uv.lock":                    "uv.lock 7/18",
		"testdata/ruby/Gemfile.lock":                    "Gemfile.lock 6/15",
		"testdata/composer/composer.json":               "composer.json 11/11",
	} {
		if got[p] != want {
			t.Errorf("%s: got %q, want %q", p, got[p], want)
		}
	}
}

func FuzzParseRequirements(f *testing.F) {
	f.Add([]byte("requests==2.31.0\nflask>=2 ; python_version > \"3\" --hash=sha256:aa\n"))
	f.Add([]byte("-e git+https://github.com/o/r.git@0123456789abcdef0123456789abcdef01234567#egg=r\n"))
	f.Add([]byte("a \\\n==1 \\\n# c\nb @ https://x/y.whl\n./p#egg=z\nx-1.0-py3-none-any.whl\n"))
	f.Add([]byte("idna==3.6\n    # via\n    #   -r requirements.in\n"))
	f.Add(readFixture(f, "python/pip/requirements.txt"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"requirements.txt", "requirements-dev.txt", "constraints.txt"} {
			ps, _ := ParseRequirements(name, data)
			checkPackages(t, name, data, ps)
		}
	})
}

// FuzzParseTOMLLockfiles also checks the premise of the line numbers: for every document
// the library accepts, tomlHeaders finds exactly one header per element of each
// top-level array of tables.
func FuzzParseTOMLLockfiles(f *testing.F) {
	f.Add([]byte("version = 1\n[[package]]\nname = \"a\"\nversion = \"1\"\nsource = { registry = \"r\" }\ndependencies = [{ name = \"b\", extra = [\"x\"] }]\n[package.optional-dependencies]\nx = [{ name = \"c\" }]\n"))
	f.Add([]byte("[[package]]\nname = \"a\"\nversion = \"1\"\ncategory = \"dev\"\n[package.source]\ntype = \"git\"\nurl = \"u\"\n[metadata]\nlock-version = \"2.0\"\n"))
	f.Add([]byte("x = \"\"\"\n[[package]]\n\"\"\"\npackage = [{name = \"a\", version = \"1\", source = \"registry+x\"},\n{name = \"b\"}]\n"))
	f.Add([]byte("[[ 'package' ]]\nname = '''\n[[package]]'''\n[[\"package\"]] # c\nname = \"b\"\n"))
	f.Add([]byte("a = \"\"\"x\"\"\"\"\"\n[[package]]\nb = \"\"\"\\\"\"\"\n[[package]]\"\"\"\n[[package]]\nc = { d = [\n1, [2]\n] }\n"))
	f.Add(readFixture(f, "python/uv/uv.lock"))
	f.Add(readFixture(f, "python/poetry2/poetry.lock"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if doc, err := decodeTOML("x", data); err == nil {
			hs := tomlHeaders(data)
			for k, v := range doc {
				n := 0
				switch v := v.(type) {
				case []map[string]any:
					n = len(v)
				case []any:
					if ts, ok := tomlTables(v); ok {
						n = len(ts)
					}
				}
				found := 0
				for _, h := range hs {
					if h.array && len(h.key) == 1 && h.key[0] == k {
						found++
					}
				}
				if n != found {
					t.Fatalf("array of tables %q: library has %d elements, tomlHeaders found %d headers", k, n, found)
				}
			}
		}
		for name, parse := range map[string]Parser{"poetry.lock": ParsePoetryLock, "uv.lock": ParseUVLock, "Cargo.lock": ParseCargoLock} {
			ps, _ := parse(name, data)
			checkPackages(t, name, data, ps)
		}
		ps, _ := ParsePoetryLockWithPyproject("poetry.lock", data, data)
		checkPackages(t, "poetry.lock", data, ps)
	})
}

func FuzzParsePipfileLock(f *testing.F) {
	f.Add([]byte(`{"_meta": {"pipfile-spec": 6, "sources": [{"name": "p", "url": "u"}]}, "default": {"a": {"version": "==1", "index": "p"}}, "develop": {"b": {"git": "g", "ref": "r"}}}`))
	f.Add([]byte(`{"default": {"a": {"version": "==1"}, "a": {"version": "==2"}}, "x": []}`))
	f.Add(readFixture(f, "python/pipenv/Pipfile.lock"))
	pipfile := readFixture(f, "python/pipenv/Pipfile")
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, _ := ParsePipfileLock("Pipfile.lock", data)
		checkPackages(t, "Pipfile.lock", data, ps)
		ps, _ = ParsePipfileLockWithPipfile("Pipfile.lock", data, pipfile)
		checkPackages(t, "Pipfile.lock", data, ps)
	})
}
