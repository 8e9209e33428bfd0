package scanjob

import (
	"context"
	"strconv"
	"testing"

	"github.com/posture-dev/posture/internal/alert"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/store"
)

// After a database update, the stored packages of the latest scan are matched again:
// the advisory the scan already reported raises nothing, the new one raises exactly one
// vulnerability.new alert, and neither a second periodic check nor a forced re-run
// raises it again.
func TestRematchAlertsOncePerNewMatch(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		db := newVulnDB(t, advisoryOld)
		repo := gitRepo(t, map[string]string{"package-lock.json": packageLock})
		e := newEnv(t, st, db, nil)
		sys, err := st.CreateSystem(ctx, store.SystemInput{Name: "shop", Owner: "team", Environment: "prod", Classification: "internal",
			Targets: []store.Target{{Kind: store.Repo, Locator: repo}}})
		if err != nil {
			t.Fatal(err)
		}
		if info := e.runJob(t, jobs.Spec{Kind: jobs.ScanSystemKind, Payload: jobs.ScanPayload{SystemID: sys.ID}}); info.State != jobs.Done {
			t.Fatalf("scan: %s %s", info.State, info.LastError)
		}
		rematch := func() {
			t.Helper()
			if info := e.runJob(t, jobs.Spec{Kind: jobs.RematchKind}); info.State != jobs.Done {
				t.Fatalf("re-match: %s %s", info.State, info.LastError)
			}
		}
		rematch()
		if got := e.deliveries(t, alert.KindNewVulnerability); len(got) != 0 {
			t.Fatalf("alerts for what the scan already reported: %v", got)
		}
		db.add(advisoryNew) // posture db update
		rematch()
		want := "vuln:" + itoa(sys.ID) + ":npm/lodash:GHSA-35jh-r3h4-6jhm"
		if got := e.deliveries(t, alert.KindNewVulnerability); len(got) != 1 || got[0] != want {
			t.Fatalf("after the update: alerts %v, want [%s]", got, want)
		}
		rematch() // the periodic check: nothing newer
		if info := e.runJob(t, jobs.Spec{Kind: jobs.RematchKind, Payload: jobs.RematchPayload{Force: true}}); info.State != jobs.Done {
			t.Fatalf("forced re-match: %s %s", info.State, info.LastError)
		}
		if got := e.deliveries(t, alert.KindNewVulnerability); len(got) != 1 {
			t.Errorf("after re-runs: alerts %v, want still one", got)
		}
		var matches int
		if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM vuln_matches WHERE system_id = ?`, sys.ID).Scan(&matches); err != nil {
			t.Fatal(err)
		}
		if matches != 2 {
			t.Errorf("vuln_matches = %d, want 2 (the reported one and the new one)", matches)
		}
	})
}

// An uploaded scan has no package list: the packages its VM-3 findings name are
// matched.
func TestReportVulnsReadsVM3Packages(t *testing.T) {
	raw := []byte(`{"targets":[{"name":"repo","controls":[{"id":"VM-3","findings":[{"vulnerability":{"id":"GHSA-1","aliases":["CVE-1"],
	"package":{"ecosystem":"npm","name":"lodash","version":"4.17.15"}}}]},{"id":"CR-2","findings":[{}]}]}]}`)
	known, pkgs := reportVulns(raw)
	if len(pkgs) != 1 || pkgs[0] != (store.Package{Target: "repo", Ecosystem: "npm", Name: "lodash", Version: "4.17.15"}) {
		t.Errorf("packages = %+v", pkgs)
	}
	if !known["npm/lodash\x00GHSA-1"] || !known["npm/lodash\x00CVE-1"] {
		t.Errorf("known = %v", known)
	}
	if k, p := reportVulns([]byte("not json")); len(k) != 0 || p != nil {
		t.Errorf("garbage gave %v %v", k, p)
	}
}

// The report reader takes stored reports, which were checked at upload; it must still
// never panic on anything.
func FuzzReportVulns(f *testing.F) {
	f.Add([]byte(`{"targets":[{"name":"r","controls":[{"id":"VM-3","findings":[{"vulnerability":{"id":"X","package":{"ecosystem":"npm","name":"a","version":"1"}}}]}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) { reportVulns(b) })
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
