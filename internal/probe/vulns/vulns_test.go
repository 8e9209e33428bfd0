package vulns

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/testutil"
	"github.com/posture-dev/posture/internal/vulndb"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// advisories is a small OSV data set written for these tests, in the shapes the real
// databases publish: a GHSA record and a PYSEC record aliasing the same CVE, a record
// with only a database severity label, a withdrawn record, a record for a fixed version.
var advisories = []string{
	`{"id":"GHSA-35jh-r3h4-6jhm","modified":"2026-11-20T00:00:00Z","aliases":["CVE-2021-23337"],
	  "summary":"Command injection in lodash template",
	  "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
	  "affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]}],
	  "references":[{"type":"ADVISORY","url":"https://nvd.nist.gov/vuln/detail/CVE-2021-23337"}]}`,
	`{"id":"CVE-2021-23337","modified":"2026-11-19T00:00:00Z","aliases":["GHSA-35jh-r3h4-6jhm"],
	  "affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]}]}`,
	`{"id":"GHSA-p6mc-m468-83gw","modified":"2026-11-18T00:00:00Z","summary":"Prototype pollution in lodash",
	  "database_specific":{"severity":"MODERATE"},
	  "affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"4.0.0"},{"fixed":"4.17.19"}]}]}]}`,
	`{"id":"GHSA-withdrawn","modified":"2026-11-18T00:00:00Z","withdrawn":"2026-11-19T00:00:00Z",
	  "affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}`,
	`{"id":"GHSA-vh95-rmgr-6w4m","modified":"2026-11-10T00:00:00Z","summary":"Symfony HttpKernel flaw",
	  "severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],
	  "affected":[{"package":{"ecosystem":"Packagist","name":"symfony/http-kernel"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"5.0.0"},{"fixed":"5.4.20"}]}]}]}`,
	`{"id":"GO-2022-0969","modified":"2026-11-10T00:00:00Z","aliases":["CVE-2022-27664"],"summary":"HTTP/2 denial of service",
	  "affected":[{"package":{"ecosystem":"Go","name":"golang.org/x/net"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.0.0-20220906165146-f3363e06e74c"}]}]}]}`,
}

func writeDB(t *testing.T) string {
	t.Helper()
	src := t.TempDir()
	for i, a := range advisories {
		var v map[string]any
		if err := json.Unmarshal([]byte(a), &v); err != nil {
			t.Fatalf("advisory %d: %v", i, err)
		}
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("%d.json", i)), []byte(a), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := t.TempDir()
	if _, err := vulndb.Import(db, src, now, time.Time{}); err != nil {
		t.Fatal(err)
	}
	return db
}

const packageLock = `{
  "name": "shop",
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "shop", "dependencies": {"lodash": "^4.17.15"}},
    "node_modules/lodash": {
      "version": "4.17.15"
    }
  }
}
`

const composerLock = `{
    "packages": [
        {
            "name": "symfony/http-kernel",
            "version": "v5.4.19"
        }
    ],
    "packages-dev": []
}
`

const goMod = `module example.com/app

go 1.22

require golang.org/x/net v0.0.0-20220425223048-2871e0cb64e4
`

func run(t *testing.T, p *Probe, files map[string]string) ([]finding.Finding, map[string]string, []string) {
	t.Helper()
	r, err := p.Run(context.Background(), testutil.RepoTarget(t, files, fileset.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(r.Findings, func(i, j int) bool { return r.Findings[i].Key < r.Findings[j].Key })
	return r.Findings, r.Unknown, r.Warnings
}

func TestFindsVulnerablePackagesAcrossEcosystems(t *testing.T) {
	p := New(Options{DBDir: writeDB(t), Now: func() time.Time { return now }})
	defer p.Close()
	fs, unknown, warnings := run(t, p, map[string]string{
		"package-lock.json": packageLock,
		"php/composer.lock": composerLock,
		"go.mod":            goMod,
	})
	if len(unknown) != 0 || len(warnings) != 0 {
		t.Fatalf("unknown %v warnings %v", unknown, warnings)
	}
	var got []string
	for _, f := range fs {
		v := f.Vulnerability
		got = append(got, fmt.Sprintf("%s:%d %s@%s %s %v fixed=%s sev=%s/%s", f.Location.Path, f.Location.Line, v.Package.Name, v.Package.Version, v.ID, v.Aliases, v.Fixed, f.Severity, srcOf(v)))
	}
	want := []string{
		"go.mod:5 golang.org/x/net@v0.0.0-20220425223048-2871e0cb64e4 GO-2022-0969 [CVE-2022-27664] fixed=0.0.0-20220906165146-f3363e06e74c sev=high/none",
		"php/composer.lock:3 symfony/http-kernel@5.4.19 GHSA-vh95-rmgr-6w4m [] fixed=5.4.20 sev=critical/cvss",
		"package-lock.json:6 lodash@4.17.15 GHSA-35jh-r3h4-6jhm [CVE-2021-23337] fixed=4.17.21 sev=high/cvss",
		"package-lock.json:6 lodash@4.17.15 GHSA-p6mc-m468-83gw [] fixed=4.17.19 sev=medium/advisory",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNoDatabaseIsUnknownNeverPass(t *testing.T) {
	p := New(Options{DBDir: filepath.Join(t.TempDir(), "missing"), Now: func() time.Time { return now }})
	fs, unknown, _ := run(t, p, map[string]string{"package-lock.json": packageLock})
	if len(fs) != 0 || !strings.Contains(unknown["VM-3"], "posture db update") {
		t.Fatalf("findings %v unknown %v", fs, unknown)
	}
}

func TestNoLockfileIsNotApplicable(t *testing.T) {
	p := New(Options{DBDir: filepath.Join(t.TempDir(), "missing")})
	r, err := p.Run(context.Background(), testutil.RepoTarget(t, map[string]string{"README.md": "hi"}, fileset.Options{}))
	if err != nil || r.NotApplicable["VM-3"] == "" {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestStaleDatabaseWarns(t *testing.T) {
	db := writeDB(t)
	later := now.AddDate(0, 0, 30)
	p := New(Options{DBDir: db, Now: func() time.Time { return later }})
	_, _, warnings := run(t, p, map[string]string{"package-lock.json": packageLock})
	if len(warnings) != 1 || !strings.Contains(warnings[0], "days old") {
		t.Fatalf("warnings %v", warnings)
	}
}

func TestUnresolvedAndUnreadableAreUnknown(t *testing.T) {
	p := New(Options{DBDir: writeDB(t), Now: func() time.Time { return now }})
	r, err := p.Run(context.Background(), testutil.RepoTarget(t, map[string]string{
		"package-lock.json":     packageLock,
		"sub/package-lock.json": `{"lockfileVersion": 3, "packages": {`,
	}, fileset.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 2 || !strings.Contains(r.Unknown["VM-3"], "sub/package-lock.json:") {
		t.Fatalf("a malformed lockfile must not hide the others, and must be reported: %+v", r)
	}
}

func srcOf(v *finding.Vulnerability) string {
	if v.Severity == nil {
		return "none"
	}
	return v.Severity.Source
}
