package retention

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/jobs/jobstest"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/store"
)

func TestPurgeByCategoryIsAudited(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	opt := jobstest.SQLite(t)
	opt.Now = now
	st := jobstest.Open(t, opt)
	k, _ := keys.OpenFile(filepath.Join(t.TempDir(), "k"))
	ring, _ := keys.NewRing(ctx, k)
	l, err := audit.New(st, audit.Options{Signer: k, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(ctx)
	sys, _ := st.CreateSystem(ctx, store.SystemInput{Name: "s", Owner: "o", Environment: store.Prod, Classification: store.Internal})
	f := func(fp string) store.FindingInput {
		return store.FindingInput{Fingerprint: fp, Control: "CR-2", Rule: "r", Severity: "high", Status: store.FindingOpen}
	}
	// Old scan with a (fixed) and b (still open); latest scan with b only.
	st.RecordScan(ctx, sys.ID, store.ScanInput{UploadedBy: "x", StartedAt: clock, FinishedAt: clock, Findings: []store.FindingInput{f("a"), f("b")}})
	l.Append(ctx, audit.Event{Actor: "u", Action: "old", Object: "o", Outcome: audit.Success})
	l.Checkpoint(ctx)
	q := jobs.NewQueue(st, now)
	pool := jobs.NewPool(st, jobs.PoolOptions{Now: now})
	pool.Handle("x", func(context.Context, *jobs.Job) error { return nil })
	q.Enqueue(ctx, jobs.Spec{Kind: "x"})
	pool.RunPending(ctx)

	clock = clock.Add(200 * 24 * time.Hour)
	st.RecordScan(ctx, sys.ID, store.ScanInput{UploadedBy: "x", StartedAt: clock, FinishedAt: clock, Findings: []store.FindingInput{f("b")}})
	l.Append(ctx, audit.Event{Actor: "u", Action: "new", Object: "o", Outcome: audit.Success})

	p := &Purger{Store: st, Audit: l, Now: now, Policy: Policy{AuditEvents: 100 * 24 * time.Hour, FixedFindings: 180 * 24 * time.Hour, JobLogs: 90 * 24 * time.Hour}}
	pool.Handle(JobKind, p.Handler())
	q.Enqueue(ctx, jobs.Spec{Kind: JobKind})
	if n, _ := pool.RunPending(ctx); n != 1 {
		t.Fatal("purge job did not run")
	}
	var left []string
	rows, _ := st.Query(ctx, `SELECT fingerprint || '@' || scan_id FROM findings ORDER BY scan_id, fingerprint`)
	for rows.Next() {
		var s string
		rows.Scan(&s)
		left = append(left, s)
	}
	rows.Close()
	// a is fixed and old: gone. b in the old scan is still an open issue: kept.
	if len(left) != 2 || left[0] != "b@1" || left[1] != "b@2" {
		t.Fatalf("findings left %v", left)
	}
	var jobsLeft, runsLeft int
	st.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = 'x'`).Scan(&jobsLeft)
	st.QueryRow(ctx, `SELECT COUNT(*) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.kind = 'x'`).Scan(&runsLeft)
	if jobsLeft != 0 || runsLeft != 0 {
		t.Fatalf("old job log kept: %d jobs, %d runs", jobsLeft, runsLeft)
	}
	evs, _ := audit.Read(ctx, st, audit.Filter{})
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
		if e.Action == "retention.purge" && (e.Details["findings"] != "1" || e.Details["jobs"] != "1" || e.Details["job_runs"] != "1") {
			t.Errorf("purge event details %v", e.Details)
		}
	}
	if len(actions) != 3 || actions[0] != "new" || actions[1] != "retention.purge" || actions[2] != "audit.purge" {
		t.Fatalf("audit log after purge: %v", actions)
	}
	if rep, err := audit.Verify(ctx, st, ring); err != nil || !rep.OK() {
		t.Fatalf("verify after purge: %v %+v", err, rep)
	}
}
