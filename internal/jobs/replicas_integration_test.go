//go:build integration

package jobs

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/jobs/jobstest"
	"github.com/posture-dev/posture/internal/store"
)

const helperEnv = "POSTURE_JOBS_REPLICA_URL"

// effectHandler is the job of the replica tests: it notes that it started (outside any
// transaction, so a killed run still counts), works a little, and commits its effect
// with Finish, into a table where a second effect for one job would be a key violation.
func effectHandler(work time.Duration) Handler {
	return func(ctx context.Context, j *Job) error {
		st := j.pool.st
		if _, err := st.Exec(ctx, `INSERT INTO job_starts (job_id, worker) VALUES (?, ?)`, j.ID, j.Worker); err != nil {
			return err
		}
		select {
		case <-time.After(work):
		case <-ctx.Done():
			return ctx.Err()
		}
		return j.Finish(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO job_effects (job_id, worker) VALUES (?, ?)`, j.ID, j.Worker)
			return err
		})
	}
}

// TestReplicaHelperProcess is the second replica, run as a child process by
// TestReplicaKilledMidRun; it does nothing in a normal test run.
func TestReplicaHelperProcess(t *testing.T) {
	u := os.Getenv(helperEnv)
	if u == "" {
		t.Skip("helper process only")
	}
	st, err := store.Open(context.Background(), store.Options{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPool(st, PoolOptions{Worker: "child", Concurrency: 8, Poll: 10 * time.Millisecond, Lease: 2 * time.Second})
	p.Handle("effect", effectHandler(30*time.Millisecond))
	p.Run(context.Background()) // until SIGKILL
}

// Acceptance (P7): two replicas on PostgreSQL — this process and a child process —
// drain 1,000 jobs; the child is killed with SIGKILL while it holds leases. Its jobs in
// flight are taken over after their leases expire, and every job's effect is committed
// exactly once.
func TestReplicaKilledMidRun(t *testing.T) {
	u := jobstest.PostgresURL(t)
	ctx := context.Background()
	st := jobstest.Open(t, store.Options{URL: u})
	for _, q := range []string{
		`CREATE TABLE job_effects (job_id BIGINT PRIMARY KEY, worker TEXT NOT NULL)`,
		`CREATE TABLE job_starts (job_id BIGINT NOT NULL, worker TEXT NOT NULL)`,
	} {
		if _, err := st.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	const n = 1000
	q := NewQueue(st, nil)
	for i := range n {
		if _, _, err := q.Enqueue(ctx, Spec{Kind: "effect", Payload: map[string]int{"n": i}}); err != nil {
			t.Fatal(err)
		}
	}

	child := exec.Command(os.Args[0], "-test.run=^TestReplicaHelperProcess$")
	child.Env = append(os.Environ(), helperEnv+"="+u)
	child.Stdout, child.Stderr = os.Stderr, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()

	// This process's replica: its own connection pool.
	st2 := jobstest.Open(t, store.Options{URL: u})
	p := NewPool(st2, PoolOptions{Worker: "parent", Concurrency: 4, Poll: 10 * time.Millisecond, Lease: 2 * time.Second})
	p.Handle("effect", effectHandler(30*time.Millisecond))
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); p.Run(runCtx) }()

	count := func(q string, args ...any) int {
		var c int
		if err := st.QueryRow(ctx, q, args...).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	waitFor(t, 60*time.Second, func() bool {
		return count(`SELECT COUNT(*) FROM job_effects WHERE worker = 'child'`) >= 100 &&
			count(`SELECT COUNT(*) FROM jobs WHERE state = 'running' AND lease_owner = 'child'`) > 0
	})
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	orphaned := count(`SELECT COUNT(*) FROM jobs WHERE state = 'running' AND lease_owner = 'child'`)
	t.Logf("child killed holding %d jobs", orphaned)
	if orphaned == 0 {
		t.Fatal("the child held no leases when killed; the test proves nothing")
	}

	waitFor(t, 90*time.Second, func() bool { return count(`SELECT COUNT(*) FROM jobs WHERE state = 'done'`) == n })
	stop()
	wg.Wait()

	if got := count(`SELECT COUNT(*) FROM job_effects`); got != n {
		t.Fatalf("%d effects, want %d", got, n)
	}
	if got := count(`SELECT COUNT(*) FROM jobs WHERE state <> 'done'`); got != 0 {
		t.Fatalf("%d jobs not done", got)
	}
	// Every orphaned job was taken over after its lease expired, and the job log says so.
	if got := count(`SELECT COUNT(*) FROM job_runs WHERE outcome = 'lease-expired' AND worker = 'child'`); got != orphaned {
		t.Fatalf("%d lease-expired runs recorded, want %d", got, orphaned)
	}
	starts, parent := count(`SELECT COUNT(*) FROM job_starts`), count(`SELECT COUNT(*) FROM job_effects WHERE worker = 'parent'`)
	t.Logf("%d handler starts for %d jobs (%d re-run after the kill); %d effects by this process, %d by the child",
		starts, n, starts-n, parent, n-parent)
	// A job the child had claimed but not yet started is not re-run, so this is a
	// lower bound.
	if starts < n {
		t.Fatalf("%d starts for %d jobs", starts, n)
	}
}
