package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/sbom/sbomtest"
)

const sbomPackageLock = `{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "version": "1.0.0",
      "dependencies": {"lodash": "^4.17.21"},
      "devDependencies": {"@babel/core": "^7.24.0"}
    },
    "node_modules/lodash": {
      "version": "4.17.21"
    },
    "node_modules/@babel/core": {
      "version": "7.24.0",
      "dev": true
    }
  }
}
`

const sbomGoMod = `module example.com/app

go 1.22

require (
	github.com/gorilla/mux v1.8.1
	golang.org/x/text v0.14.0 // indirect
)
`

type sbomComponent struct {
	BOMRef   string `json:"bom-ref"`
	Scope    string `json:"scope"`
	Evidence struct {
		Occurrences []struct {
			Location string `json:"location"`
			Line     int    `json:"line"`
		} `json:"occurrences"`
	} `json:"evidence"`
}

// components decodes an SBOM and returns its components by bom-ref.
func sbomComponents(t *testing.T, doc []byte) map[string]sbomComponent {
	t.Helper()
	var bom struct {
		Components []sbomComponent `json:"components"`
	}
	if err := json.Unmarshal(doc, &bom); err != nil {
		t.Fatalf("SBOM is not JSON: %v\n%s", err, doc)
	}
	out := map[string]sbomComponent{}
	for _, c := range bom.Components {
		out[c.BOMRef] = c
	}
	return out
}

func TestSBOMValidatesAgainstCycloneDXSchema(t *testing.T) {
	dir := writeFiles(t, map[string]string{"package-lock.json": sbomPackageLock, "go.mod": sbomGoMod, "README.md": "app\n"})
	out, stderr, code := runCLI(t, "sbom", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if err := sbomtest.Validate([]byte(out)); err != nil {
		t.Fatalf("SBOM does not validate against the CycloneDX 1.6 schema:\n%v\n%s", err, out)
	}
	comps := sbomComponents(t, []byte(out))
	want := map[string]string{
		"pkg:npm/lodash@4.17.21":                   "required",
		"pkg:npm/%40babel/core@7.24.0":             "excluded",
		"pkg:golang/github.com/gorilla/mux@v1.8.1": "required",
		"pkg:golang/golang.org/x/text@v0.14.0":     "required",
	}
	if len(comps) != len(want) {
		t.Errorf("%d components, want %d:\n%s", len(comps), len(want), out)
	}
	for ref, scope := range want {
		c, ok := comps[ref]
		if !ok {
			t.Errorf("no component %s", ref)
			continue
		}
		if c.Scope != scope {
			t.Errorf("%s: scope %s, want %s", ref, c.Scope, scope)
		}
		// Locations are repository-relative: an SBOM must not carry the scanning
		// machine's directory layout.
		if o := c.Evidence.Occurrences; len(o) != 1 || filepath.IsAbs(o[0].Location) || o[0].Line <= 0 {
			t.Errorf("%s: occurrences %+v", ref, o)
		}
	}
	if !strings.Contains(out, `"name": "`+filepath.Base(dir)+`"`) || strings.Contains(out, dir) {
		t.Errorf("the subject should be named by the directory's base name only:\n%s", out)
	}
}

// A lockfile that cannot be parsed is reported with its position and makes the exit
// code 2, but the packages of the other lockfiles are still written.
func TestSBOMIncompleteStillWritesTheRest(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"go.mod":                     sbomGoMod,
		"web/package-lock.json":      sbomPackageLock,
		"broken/package-lock.json":   "{\n  \"packages\": {\n    \"node_modules/x\": {\"version\": \n",
		"broken/package.json":        `{"name": "broken"}`,
		"fixtures/package-lock.json": "not json at all",
		".posture.yaml":              "scope:\n  exclude:\n    - path: fixtures/**\n      reason: deliberately broken examples\n",
	})
	out, stderr, code := runCLI(t, "sbom", dir)
	if code != ExitError {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitError, stderr)
	}
	if !strings.Contains(stderr, "broken/package-lock.json:") || !strings.Contains(stderr, "SBOM incomplete") {
		t.Errorf("stderr does not name the broken lockfile:\n%s", stderr)
	}
	if strings.Contains(stderr, "fixtures/") {
		t.Errorf("a lockfile excluded from scope was read:\n%s", stderr)
	}
	if err := sbomtest.Validate([]byte(out)); err != nil {
		t.Fatalf("partial SBOM does not validate:\n%v\n%s", err, out)
	}
	comps := sbomComponents(t, []byte(out))
	for _, ref := range []string{"pkg:npm/lodash@4.17.21", "pkg:golang/github.com/gorilla/mux@v1.8.1"} {
		if _, ok := comps[ref]; !ok {
			t.Errorf("partial SBOM lacks %s:\n%s", ref, out)
		}
	}
}

// A lockfile over the size limit is not silently left out.
func TestSBOMOversizedLockfileIsAProblem(t *testing.T) {
	dir := writeFiles(t, map[string]string{"go.mod": sbomGoMod, "package-lock.json": sbomPackageLock})
	_, stderr, code := runCLI(t, "sbom", "--max-file-size", "200", dir)
	if code != ExitError || !strings.Contains(stderr, "package-lock.json: larger than") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
}

func TestSBOMOutputFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{"go.mod": sbomGoMod})
	path := filepath.Join(t.TempDir(), "sbom.cdx.json")
	stdout, stderr, code := runCLI(t, "sbom", "-o", path, dir)
	if code != ExitOK || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := sbomtest.Validate(data); err != nil {
		t.Fatalf("SBOM file does not validate: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".posture-report-*"))
	if len(leftovers) > 0 {
		t.Fatalf("temporary files left behind: %v", leftovers)
	}
}

func TestSBOMUsageErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{"go.mod": sbomGoMod})
	for name, args := range map[string][]string{
		"missing directory": {"sbom", filepath.Join(dir, "nope")},
		"file, not a repo":  {"sbom", filepath.Join(dir, "go.mod")},
		"endpoint":          {"sbom", "https://example.com"},
		"two paths":         {"sbom", dir, dir},
		"bad size":          {"sbom", "--max-file-size", "lots", dir},
	} {
		t.Run(name, func(t *testing.T) {
			if _, stderr, code := runCLI(t, args...); code != ExitError {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
		})
	}
}
