package sbom

import (
	"bytes"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/deps"
	"github.com/posture-dev/posture/internal/sbom/sbomtest"
)

var update = flag.Bool("update", false, "rewrite golden files")

const gitCommit = "0123456789abcdef0123456789abcdef01234567"

// fixture covers every ecosystem posture reads, a scoped npm name, upper-case names the
// purl must lowercase (npm, Composer) or keep (Go), development-only and direct packages,
// git, HTTP, path and scp-style sources, constraint-only entries, an ecosystem without a
// purl type, and packages pinned by more than one lockfile.
func fixture() []deps.Lockfile {
	return []deps.Lockfile{
		{Path: "package-lock.json", Packages: []deps.Package{
			{Ecosystem: "npm", Name: "@babel/core", Version: "7.24.0", Path: "package-lock.json", Line: 10, Direct: true, Dev: true},
			{Ecosystem: "npm", Name: "lodash", Version: "4.17.21", Path: "package-lock.json", Line: 20, Direct: true},
			{Ecosystem: "npm", Name: "left-pad", Version: "1.3.0", Path: "package-lock.json", Line: 30},
			{Ecosystem: "npm", Name: "JSONStream", Version: "1.3.5", Path: "package-lock.json", Line: 35},
			{Ecosystem: "npm", Name: "my-fork", Version: "1.0.0", Path: "package-lock.json", Line: 40, Direct: true,
				Source: "git+https://github.com/acme/my-fork.git#" + gitCommit, Commit: gitCommit},
		}},
		{Path: "web/yarn.lock", Packages: []deps.Package{
			// Dev here, production in package-lock.json: production wins.
			{Ecosystem: "npm", Name: "lodash", Version: "4.17.21", Path: "web/yarn.lock", Line: 5, Dev: true},
			// Dev in both lockfiles: stays development-only.
			{Ecosystem: "npm", Name: "@babel/core", Version: "7.24.0", Path: "web/yarn.lock", Line: 9, Dev: true},
			{Ecosystem: "npm", Name: "tarball", Version: "2.0.0", Path: "web/yarn.lock", Line: 14, Source: "http://example.com/tarball-2.0.0.tgz"},
		}},
		{Path: "composer.lock", Packages: []deps.Package{
			{Ecosystem: "Packagist", Name: "symfony/console", Version: "6.4.1", Path: "composer.lock", Line: 8, Direct: true},
			{Ecosystem: "Packagist", Name: "Monolog/Monolog", Version: "3.5.0", Path: "composer.lock", Line: 60},
			{Ecosystem: "Packagist", Name: "phpunit/phpunit", Version: "10.5.0", Path: "composer.lock", Line: 120, Direct: true, Dev: true},
		}},
		{Path: "legacy/composer.json", Packages: []deps.Package{
			{Ecosystem: "Packagist", Name: "laravel/framework", Constraint: "^10.0", Path: "legacy/composer.json", Line: 4, Direct: true},
		}},
		{Path: "go.mod", Packages: []deps.Package{
			{Ecosystem: "Go", Name: "github.com/Azure/azure-sdk-for-go/sdk/azcore", Version: "v1.9.0", Path: "go.mod", Line: 6, Direct: true},
			{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.14.0", Path: "go.mod", Line: 7},
			{Ecosystem: "Go", Name: "github.com/foo/bar", Version: "v2.0.0+incompatible", Path: "go.mod", Line: 8, Direct: true},
		}},
		{Path: "tools/go.mod", Packages: []deps.Package{
			{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.14.0", Path: "tools/go.mod", Line: 5, Direct: true},
		}},
		{Path: "Cargo.lock", Packages: []deps.Package{
			{Ecosystem: "crates.io", Name: "serde", Version: "1.0.193", Path: "Cargo.lock", Line: 12},
			{Ecosystem: "crates.io", Name: "my-crate", Version: "0.1.0", Path: "Cargo.lock", Line: 30,
				Source: "git+https://github.com/acme/my-crate#" + gitCommit, Commit: gitCommit},
		}},
		{Path: "requirements.txt", Packages: []deps.Package{
			{Ecosystem: "PyPI", Name: "Flask_SQLAlchemy", Version: "3.1.1", Constraint: "==3.1.1", Path: "requirements.txt", Line: 1, Direct: true},
			{Ecosystem: "PyPI", Name: "requests", Constraint: ">=2.31,<3", Path: "requirements.txt", Line: 2, Direct: true},
			{Ecosystem: "PyPI", Name: "zope.interface", Version: "6.1", Path: "requirements.txt", Line: 3, Direct: true},
			{Ecosystem: "PyPI", Name: "mylib", Version: "0.1.0", Path: "requirements.txt", Line: 4, Direct: true, Source: "path:../lib"},
		}},
		{Path: "Gemfile.lock", Packages: []deps.Package{
			{Ecosystem: "RubyGems", Name: "rails", Version: "7.1.2", Path: "Gemfile.lock", Line: 40, Direct: true},
			{Ecosystem: "RubyGems", Name: "nokogiri", Version: "1.15.5", Path: "Gemfile.lock", Line: 22},
			{Ecosystem: "RubyGems", Name: "private-gem", Version: "0.3.0", Path: "Gemfile.lock", Line: 30, Source: "https://gems.example.com/"},
			{Ecosystem: "RubyGems", Name: "forked-gem", Version: "1.0.0", Path: "Gemfile.lock", Line: 5,
				Source: "git+git@github.com:acme/forked-gem.git#main"},
		}},
		{Path: "mix.lock", Packages: []deps.Package{
			{Ecosystem: "Hex", Name: "plug", Version: "1.15.0", Path: "mix.lock", Line: 3},
		}},
	}
}

func fixedDoc(lockfiles []deps.Lockfile) Document {
	return Document{
		ToolVersion: "0.1.0-test",
		Timestamp:   time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC),
		Serial:      "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
		Subject:     Subject{Name: "acme-site", Commit: gitCommit},
		Lockfiles:   lockfiles,
	}
}

func render(t *testing.T, doc Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCycloneDX(&buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	cases := map[string]Document{
		"all-ecosystems": fixedDoc(fixture()),
		"no-lockfiles":   fixedDoc(nil),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			out := render(t, doc)
			if err := sbomtest.Validate(out); err != nil {
				t.Fatalf("output is not valid CycloneDX 1.6:\n%v\n%s", err, out)
			}
			golden := filepath.Join("testdata", "golden", name+".cdx.json")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/sbom -run TestGolden -update)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("output differs from %s; rerun with -update and review the diff.\n%s", golden, firstDiff(string(want), string(out)))
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return ""
}

// The same packages in any order give the same bytes: lockfile order depends on the
// directory walk and package order on the lockfile, neither of which should show.
func TestOutputIndependentOfInputOrder(t *testing.T) {
	want := render(t, fixedDoc(fixture()))
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		lfs := fixture()
		r.Shuffle(len(lfs), func(i, j int) { lfs[i], lfs[j] = lfs[j], lfs[i] })
		for _, lf := range lfs {
			r.Shuffle(len(lf.Packages), func(i, j int) { lf.Packages[i], lf.Packages[j] = lf.Packages[j], lf.Packages[i] })
		}
		got := render(t, fixedDoc(lfs))
		// The root lists lockfiles as properties, sorted; everything else must match too.
		if !bytes.Equal(got, want) {
			t.Fatalf("output depends on input order:\n%s", firstDiff(string(want), string(got)))
		}
	}
}

type parsedBOM struct {
	Metadata struct {
		Component struct {
			BOMRef string `json:"bom-ref"`
		} `json:"component"`
	} `json:"metadata"`
	Components []struct {
		BOMRef             string `json:"bom-ref"`
		Group              string `json:"group"`
		Name               string `json:"name"`
		Version            string `json:"version"`
		Scope              string `json:"scope"`
		Purl               string `json:"purl"`
		ExternalReferences []struct {
			Type, URL string
		} `json:"externalReferences"`
		Evidence struct {
			Occurrences []struct {
				Location string `json:"location"`
				Line     int    `json:"line"`
			} `json:"occurrences"`
		} `json:"evidence"`
		Properties []struct {
			Name, Value string
		} `json:"properties"`
	} `json:"components"`
	Dependencies []struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn"`
	} `json:"dependencies"`
}

// The merge rules, spelled out so a reader need not decode the golden file.
func TestMergeAcrossLockfiles(t *testing.T) {
	var bom parsedBOM
	if err := json.Unmarshal(render(t, fixedDoc(fixture())), &bom); err != nil {
		t.Fatal(err)
	}
	byRef := map[string]int{}
	for i, c := range bom.Components {
		if _, dup := byRef[c.BOMRef]; dup {
			t.Fatalf("bom-ref %s appears twice", c.BOMRef)
		}
		byRef[c.BOMRef] = i
	}
	get := func(ref string) int {
		t.Helper()
		i, ok := byRef[ref]
		if !ok {
			t.Fatalf("no component %s", ref)
		}
		return i
	}
	props := func(i int) string {
		var s []string
		for _, p := range bom.Components[i].Properties {
			s = append(s, p.Name+"="+p.Value)
		}
		return strings.Join(s, " ")
	}
	occ := func(i int) string {
		var s []string
		for _, o := range bom.Components[i].Evidence.Occurrences {
			s = append(s, o.Location+":"+strconv.Itoa(o.Line))
		}
		return strings.Join(s, " ")
	}

	lodash := get("pkg:npm/lodash@4.17.21")
	if c := bom.Components[lodash]; c.Scope != "required" || occ(lodash) != "package-lock.json:20 web/yarn.lock:5" || props(lodash) != "posture:direct=true" {
		t.Errorf("lodash: scope %s, occurrences %q, properties %q", c.Scope, occ(lodash), props(lodash))
	}
	babel := get("pkg:npm/%40babel/core@7.24.0")
	if c := bom.Components[babel]; c.Scope != "excluded" || c.Group != "@babel" || c.Name != "core" || props(babel) != "posture:dev=true posture:direct=true" {
		t.Errorf("@babel/core: %+v, properties %q", c, props(babel))
	}
	text := get("pkg:golang/golang.org/x/text@v0.14.0")
	if occ(text) != "go.mod:7 tools/go.mod:5" || props(text) != "posture:direct=true" {
		t.Errorf("golang.org/x/text: occurrences %q, properties %q", occ(text), props(text))
	}
	laravel := get("pkg:composer/laravel/framework")
	if c := bom.Components[laravel]; c.Version != "" || props(laravel) != "posture:constraint=^10.0 posture:direct=true" {
		t.Errorf("constraint-only laravel/framework: version %q, properties %q", c.Version, props(laravel))
	}
	// A version that is pinned keeps no constraint property: the version says it all.
	flask := get("pkg:pypi/flask-sqlalchemy@3.1.1")
	if c := bom.Components[flask]; c.Name != "Flask_SQLAlchemy" || props(flask) != "posture:direct=true" {
		t.Errorf("Flask_SQLAlchemy: name %q, properties %q", c.Name, props(flask))
	}
	fork := get("pkg:npm/my-fork@1.0.0")
	if refs := bom.Components[fork].ExternalReferences; len(refs) != 1 || refs[0].Type != "vcs" || !strings.HasPrefix(refs[0].URL, "git+https://github.com/acme/my-fork.git#") {
		t.Errorf("git-sourced my-fork: external references %+v", refs)
	}
	gem := get("pkg:gem/forked-gem@1.0.0")
	if c := bom.Components[gem]; len(c.ExternalReferences) != 0 || !strings.Contains(props(gem), "posture:source=git+git@github.com:acme/forked-gem.git#main") {
		t.Errorf("scp-style git source must stay a property only: %+v, %q", c.ExternalReferences, props(gem))
	}
	plug := get("posture:Hex/plug@1.15.0")
	if c := bom.Components[plug]; c.Purl != "" || c.Name != "plug" {
		t.Errorf("ecosystem without a purl type: %+v", c)
	}

	if len(bom.Dependencies) != 1 || bom.Dependencies[0].Ref != bom.Metadata.Component.BOMRef {
		t.Fatalf("dependencies: %+v", bom.Dependencies)
	}
	want := []string{
		"pkg:composer/laravel/framework",
		"pkg:composer/phpunit/phpunit@10.5.0",
		"pkg:composer/symfony/console@6.4.1",
		"pkg:gem/rails@7.1.2",
		"pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.9.0",
		"pkg:golang/github.com/foo/bar@v2.0.0%2Bincompatible",
		"pkg:golang/golang.org/x/text@v0.14.0",
		"pkg:npm/%40babel/core@7.24.0",
		"pkg:npm/lodash@4.17.21",
		"pkg:npm/my-fork@1.0.0",
		"pkg:pypi/flask-sqlalchemy@3.1.1",
		"pkg:pypi/mylib@0.1.0",
		"pkg:pypi/requests",
		"pkg:pypi/zope-interface@6.1",
	}
	if got := strings.Join(bom.Dependencies[0].DependsOn, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("root depends on:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

func TestPurl(t *testing.T) {
	cases := []struct {
		p    deps.Package
		want string
	}{
		{deps.Package{Ecosystem: "npm", Name: "@angular/animation", Version: "12.3.1"}, "pkg:npm/%40angular/animation@12.3.1"},
		{deps.Package{Ecosystem: "npm", Name: "JSONStream", Version: "1.3.5"}, "pkg:npm/jsonstream@1.3.5"},
		{deps.Package{Ecosystem: "npm", Name: "foo", Version: "1.0.0-rc.1+build.5"}, "pkg:npm/foo@1.0.0-rc.1%2Bbuild.5"},
		{deps.Package{Ecosystem: "npm", Name: "foo"}, "pkg:npm/foo"},
		{deps.Package{Ecosystem: "Packagist", Name: "Laravel/Laravel", Version: "5.5.0"}, "pkg:composer/laravel/laravel@5.5.0"},
		{deps.Package{Ecosystem: "Go", Name: "github.com/gorilla/context", Version: "v1.1.1"}, "pkg:golang/github.com/gorilla/context@v1.1.1"},
		{deps.Package{Ecosystem: "Go", Name: "github.com/Masterminds/semver/v3", Version: "v3.2.1"}, "pkg:golang/github.com/Masterminds/semver/v3@v3.2.1"},
		{deps.Package{Ecosystem: "Go", Name: "rsc.io/quote", Version: "v1.5.3-0.20180710144737-5d9f230bcfba"}, "pkg:golang/rsc.io/quote@v1.5.3-0.20180710144737-5d9f230bcfba"},
		{deps.Package{Ecosystem: "crates.io", Name: "rand", Version: "0.7.2"}, "pkg:cargo/rand@0.7.2"},
		{deps.Package{Ecosystem: "PyPI", Name: "Django_Allauth", Version: "0.58.2"}, "pkg:pypi/django-allauth@0.58.2"},
		{deps.Package{Ecosystem: "PyPI", Name: "zope.interface", Version: "6.1"}, "pkg:pypi/zope-interface@6.1"},
		{deps.Package{Ecosystem: "PyPI", Name: "ruamel.yaml.clib", Version: "0.2.8"}, "pkg:pypi/ruamel-yaml-clib@0.2.8"},
		{deps.Package{Ecosystem: "RubyGems", Name: "ruby-advisory-db-check", Version: "0.12.4"}, "pkg:gem/ruby-advisory-db-check@0.12.4"},
		// Characters outside the purl's unreserved set are encoded; ':' never is.
		{deps.Package{Ecosystem: "crates.io", Name: "odd name", Version: "1:2/3@4"}, "pkg:cargo/odd%20name@1:2%2F3%404"},
		{deps.Package{Ecosystem: "RubyGems", Name: "ünïcode", Version: "1.0"}, "pkg:gem/%C3%BCn%C3%AFcode@1.0"},
	}
	for _, c := range cases {
		id, ok := identify(c.p)
		if !ok {
			t.Errorf("%s: no purl type", c.p.Ecosystem)
			continue
		}
		if got := id.purl(c.p.Version); got != c.want {
			t.Errorf("%s %s@%s: %s, want %s", c.p.Ecosystem, c.p.Name, c.p.Version, got, c.want)
		}
	}
}

func TestSerialIsRandomVersion4UUID(t *testing.T) {
	re := regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, err := NewSerial()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSerial()
	if !re.MatchString(a) || !re.MatchString(b) || a == b {
		t.Fatalf("serials %q %q", a, b)
	}
	// Left empty, the document gets a fresh one, and stays valid.
	doc := fixedDoc(fixture())
	doc.Serial = ""
	out := render(t, doc)
	var got struct {
		SerialNumber string `json:"serialNumber"`
	}
	if err := json.Unmarshal(out, &got); err != nil || !re.MatchString(got.SerialNumber) {
		t.Fatalf("serial %q: %v", got.SerialNumber, err)
	}
	if err := sbomtest.Validate(out); err != nil {
		t.Fatal(err)
	}
}

// The validator must be able to say no, or the schema tests prove nothing.
func TestValidatorRejectsInvalidBOMs(t *testing.T) {
	out := string(render(t, fixedDoc(fixture())))
	broken := map[string]string{
		"unknown scope":          strings.Replace(out, `"scope": "excluded"`, `"scope": "dev"`, 1),
		"bad serial number":      strings.Replace(out, `"urn:uuid:3e671687`, `"urn:uuid:XXXX1687`, 1),
		"bad timestamp":          strings.Replace(out, `"2026-11-29T12:00:00Z"`, `"29/11/2026"`, 1),
		"unknown top-level key":  strings.Replace(out, `"bomFormat"`, `"posture": true, "bomFormat"`, 1),
		"occurrence without loc": strings.Replace(out, `"location": "Cargo.lock",`, ``, 1),
	}
	for name, doc := range broken {
		if doc == out {
			t.Fatalf("%s: the replacement did not apply", name)
		}
		if sbomtest.Validate([]byte(doc)) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
