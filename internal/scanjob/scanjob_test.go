package scanjob

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/alert"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/jobs/jobstest"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/store"
	"github.com/posture-dev/posture/internal/vulndb"
)

// postgresEnabled is set by the integration-tagged file.
var postgresEnabled bool

func eachBackend(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	bs := map[string]func(testing.TB) store.Options{"sqlite": jobstest.SQLite}
	if postgresEnabled {
		bs["postgres"] = jobstest.Postgres
	}
	for name, fresh := range bs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, jobstest.Open(t, fresh(t)))
		})
	}
}

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

const packageLock = `{
  "name": "shop",
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "shop", "dependencies": {"lodash": "^4.17.15"}},
    "node_modules/lodash": {"version": "4.17.15"}
  }
}
`

// Two advisories for lodash 4.17.15: the database first holds only the moderate one;
// `posture db update` later brings the second.
const (
	advisoryOld = `{"id":"GHSA-p6mc-m468-83gw","modified":"2026-11-18T00:00:00Z","summary":"Prototype pollution in lodash",
  "database_specific":{"severity":"MODERATE"},
  "affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"4.0.0"},{"fixed":"4.17.19"}]}]}]}`
	advisoryNew = `{"id":"GHSA-35jh-r3h4-6jhm","modified":"2026-11-20T00:00:00Z","aliases":["CVE-2021-23337"],
  "summary":"Command injection in lodash template",
  "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
  "affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]}]}`
)

// vulnDB is an offline database in a directory; add imports one more record.
type vulnDB struct {
	t        *testing.T
	src, dir string
	n        int
}

func newVulnDB(t *testing.T, records ...string) *vulnDB {
	d := &vulnDB{t: t, src: t.TempDir(), dir: t.TempDir()}
	d.add(records...)
	return d
}

func (d *vulnDB) add(records ...string) {
	d.t.Helper()
	for _, r := range records {
		d.n++
		if err := os.WriteFile(filepath.Join(d.src, fmt.Sprintf("%d.json", d.n)), []byte(r), 0o644); err != nil {
			d.t.Fatal(err)
		}
	}
	if _, err := vulndb.Import(d.dir, d.src, now, time.Time{}); err != nil {
		d.t.Fatal(err)
	}
}

// gitRepo makes a repository with one commit holding files.
func gitRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."}, {"commit", "-q", "-m", "init"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

type env struct {
	st       *store.Store
	q        *jobs.Queue
	pool     *jobs.Pool
	scanner  *Scanner
	rematch  *Rematcher
	notifier *alert.Notifier
	data     string
}

func newEnv(t *testing.T, st *store.Store, db *vulnDB, roots *x509.CertPool) *env {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	q := jobs.NewQueue(st, clock)
	n := alert.NewNotifier(q)
	data := t.TempDir()
	s := &Scanner{Store: st, Queue: q, Notifier: n, DataDir: data, VulnDBDir: db.dir, RootCAs: roots, AllowLocalRepos: true, Now: clock}
	r := &Rematcher{Store: st, Notifier: n, VulnDBDir: db.dir, Now: clock}
	p := jobs.NewPool(st, jobs.PoolOptions{Now: clock, Backoff: func(int) time.Duration { return 0 }})
	p.Handle(jobs.ScanSystemKind, s.Handler())
	p.Handle(jobs.ScanAlertKind, s.AlertHandler())
	p.Handle(jobs.RematchKind, r.Handler())
	// A channel for every kind, so that raised alerts become countable deliveries
	// (nobody delivers them here: alert.deliver has no handler in this pool).
	k, err := keys.OpenFile(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alert.NewChannels(st, k, nil).Create(context.Background(), alert.ChannelInput{Name: "all", Kind: alert.Webhook,
		Config: alert.Config{URL: "https://hooks.example/x"}, Secret: []byte("0123456789abcdef0123456789abcdef-webhook")}); err != nil {
		t.Fatal(err)
	}
	return &env{st: st, q: q, pool: p, scanner: s, rematch: r, notifier: n, data: data}
}

func (e *env) deliveries(t *testing.T, kind string) []string {
	t.Helper()
	rows, err := e.st.Query(context.Background(), `SELECT event_key FROM alert_deliveries WHERE event_kind = ? ORDER BY id`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

func (e *env) runJob(t *testing.T, spec jobs.Spec) jobs.Info {
	t.Helper()
	ctx := context.Background()
	id, _, err := e.q.Enqueue(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.RunPending(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := e.q.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// endpoint is a loopback HTTPS server answering like a careless web server, and the
// pool that trusts its certificate (posture scan's --ca-file).
func endpoint(t *testing.T) (*httptest.Server, *x509.CertPool) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "Apache/2.4.1")
		fmt.Fprintln(w, "<html><body>hello</body></html>")
	}))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return srv, roots
}

// A scheduled scan of a system with a repository (cloned from a local repository, which
// only tests allow) and a loopback endpoint runs through the job queue, is recorded as
// an upload would be, stores the repository's packages, removes its clone and queues
// the new-findings alert.
func TestScheduledScanEndToEnd(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		srv, roots := endpoint(t)
		repo := gitRepo(t, map[string]string{"package-lock.json": packageLock, "README.md": "shop\n"})
		e := newEnv(t, st, newVulnDB(t, advisoryOld), roots)
		sys, err := st.CreateSystem(ctx, store.SystemInput{Name: "shop", Owner: "team", Environment: "prod", Classification: "internal",
			Targets: []store.Target{{Kind: store.Repo, Locator: repo}, {Kind: store.Endpoint, Locator: srv.URL}}})
		if err != nil {
			t.Fatal(err)
		}
		info := e.runJob(t, jobs.Spec{Kind: jobs.ScanSystemKind, Payload: jobs.ScanPayload{SystemID: sys.ID}})
		if info.State != jobs.Done {
			t.Fatalf("scan job %s: %s", info.State, info.LastError)
		}
		scanID, err := st.ScanRecordedBy(ctx, UploadedBy(info.ID))
		if err != nil || scanID == 0 {
			t.Fatalf("no scan recorded by the job (%v)", err)
		}
		raw, err := st.ScanReport(ctx, scanID)
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Targets []struct{ Name, Kind string } `json:"targets"`
		}
		if err := json.Unmarshal(raw, &rep); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]string{}
		for _, tg := range rep.Targets {
			kinds[tg.Name] = tg.Kind
		}
		if kinds[repo] != "repo" || kinds[srv.URL] != "endpoint" {
			t.Errorf("report targets = %v, want the repository by its locator and the endpoint", kinds)
		}
		pkgs, ok, err := st.ScanPackages(ctx, scanID)
		if err != nil || !ok || len(pkgs) != 1 || pkgs[0].Name != "lodash" || pkgs[0].Version != "4.17.15" || pkgs[0].Target != repo {
			t.Errorf("packages = %+v, %v, %v; want lodash 4.17.15 of the repository", pkgs, ok, err)
		}
		var vm3, fromEndpoint int
		if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM findings WHERE scan_id = ? AND control = 'VM-3'`, scanID).Scan(&vm3); err != nil {
			t.Fatal(err)
		}
		if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM findings WHERE scan_id = ? AND target = ?`, scanID, srv.URL).Scan(&fromEndpoint); err != nil {
			t.Fatal(err)
		}
		if vm3 != 1 || fromEndpoint == 0 {
			t.Errorf("VM-3 findings = %d (want 1), endpoint findings = %d (want some)", vm3, fromEndpoint)
		}
		if _, err := os.Stat(filepath.Join(e.data, "work", fmt.Sprint(info.ID))); !os.IsNotExist(err) {
			t.Errorf("work directory of the job is still there (%v)", err)
		}
		alerts, err := e.q.List(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var alertJob *jobs.Info
		for i := range alerts {
			if alerts[i].Kind == jobs.ScanAlertKind {
				alertJob = &alerts[i]
			}
		}
		if alertJob == nil || alertJob.State != jobs.Done {
			t.Errorf("scan.alert job = %+v, want one, done", alertJob)
		}
	})
}

// A worker that lost its lease while scanning records nothing: the scan is committed
// only together with the job's completion.
func TestScanAfterLeaseLossRecordsNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		repo := gitRepo(t, map[string]string{"README.md": "x\n"})
		e := newEnv(t, st, newVulnDB(t, advisoryOld), nil)
		sys, err := st.CreateSystem(ctx, store.SystemInput{Name: "lost", Owner: "team", Environment: "dev", Classification: "internal",
			Targets: []store.Target{{Kind: store.Repo, Locator: repo}}})
		if err != nil {
			t.Fatal(err)
		}
		h := e.scanner.Handler()
		var result error
		var once sync.Once
		e.pool.Handle(jobs.ScanSystemKind, func(ctx context.Context, j *jobs.Job) error {
			once.Do(func() {
				// Another worker takes the job over while this one scans.
				if _, err := st.Exec(ctx, `UPDATE jobs SET lease_token = 'taken-over' WHERE id = ?`, j.ID); err != nil {
					t.Error(err)
				}
			})
			result = h(ctx, j)
			return result
		})
		info := e.runJob(t, jobs.Spec{Kind: jobs.ScanSystemKind, Payload: jobs.ScanPayload{SystemID: sys.ID}})
		if result == nil || !strings.Contains(result.Error(), "lease lost") {
			t.Errorf("handler returned %v, want lease lost", result)
		}
		var n int
		if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM scans`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 || info.State == jobs.Done {
			t.Errorf("%d scans recorded, job %s; want none recorded and the job left to its new owner", n, info.State)
		}
	})
}

// Repository locators the server must refuse, and the size limit.
func TestCloneRefuses(t *testing.T) {
	for _, u := range []string{"/etc", "file:///etc", "ext::sh -c id", "-uhack", "http://example.com/r.git", "ftp://x/y", "relative/path", ""} {
		if err := checkRepoURL(u, false); err == nil {
			t.Errorf("checkRepoURL(%q) accepted", u)
		}
	}
	for _, u := range []string{"https://github.com/o/r.git", "ssh://git@example.com/o/r.git", "git@example.com:o/r.git"} {
		if err := checkRepoURL(u, false); err != nil {
			t.Errorf("checkRepoURL(%q): %v", u, err)
		}
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := gitRepo(t, map[string]string{"big.txt": strings.Repeat("x", 200_000)})
	dest := filepath.Join(t.TempDir(), "c")
	err := clone(context.Background(), repo, dest, cloneOptions{maxBytes: 10_000, allowLocal: true})
	if err == nil || !strings.Contains(err.Error(), "size limit") {
		t.Errorf("clone of an oversize repository: %v, want the size limit", err)
	}
	if _, serr := os.Stat(dest); !os.IsNotExist(serr) {
		t.Errorf("oversize clone left behind")
	}
	if err := clone(context.Background(), repo, filepath.Join(t.TempDir(), "d"), cloneOptions{}); err == nil {
		t.Errorf("a local path was cloned without allowLocal")
	}
}

// Repository locators come from the inventory; checking them must never panic, and an
// accepted one never starts with a dash or names a transport helper.
func FuzzCheckRepoURL(f *testing.F) {
	for _, s := range []string{"https://github.com/o/r.git", "git@h:o/r", "ext::x", "-x", "/abs", "file:///x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkRepoURL(s, false) == nil && (strings.HasPrefix(s, "-") || strings.Contains(s, "::") || strings.HasPrefix(s, "/")) {
			t.Errorf("accepted %q", s)
		}
	})
}
