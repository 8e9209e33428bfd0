package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

func newPool(st *store.Store, clk *clock, name string) *Pool {
	return NewPool(st, PoolOptions{Worker: name, Now: clk.Now, Lease: time.Minute, Backoff: func(n int) time.Duration { return time.Duration(n) * time.Minute }})
}

func TestEnqueueDedup(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store, clk *clock) {
		ctx := context.Background()
		q := NewQueue(st, clk.Now)
		id1, created, err := q.Enqueue(ctx, Spec{Kind: "x", DedupKey: "k"})
		if err != nil || !created {
			t.Fatalf("first enqueue: %v %v", created, err)
		}
		id2, created, err := q.Enqueue(ctx, Spec{Kind: "x", DedupKey: "k"})
		if err != nil || created || id2 != id1 {
			t.Fatalf("second enqueue: id %d (want %d) created %v err %v", id2, id1, created, err)
		}
		if _, _, err := q.Enqueue(ctx, Spec{Kind: "Bad Kind"}); err == nil {
			t.Fatal("bad kind accepted")
		}
		// Jobs without a dedup key never collide.
		for range 3 {
			if _, created, err := q.Enqueue(ctx, Spec{Kind: "x"}); err != nil || !created {
				t.Fatal(created, err)
			}
		}
		list, err := q.List(ctx, Queued, 10)
		if err != nil || len(list) != 4 {
			t.Fatalf("list: %d jobs, %v", len(list), err)
		}
	})
}

func TestRetryBackoffAndFinalFailure(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store, clk *clock) {
		ctx := context.Background()
		q := NewQueue(st, clk.Now)
		p := newPool(st, clk, "w1")
		var calls atomic.Int32
		p.Handle("flaky", func(ctx context.Context, j *Job) error {
			if calls.Add(1) < 3 {
				return errors.New("not yet")
			}
			return nil
		})
		p.Handle("broken", func(ctx context.Context, j *Job) error { return errors.New("always") })
		p.Handle("bad", func(ctx context.Context, j *Job) error { return Permanent(errors.New("cannot work")) })
		p.Handle("panics", func(ctx context.Context, j *Job) error { panic("boom") })
		flaky, _, _ := q.Enqueue(ctx, Spec{Kind: "flaky"})
		broken, _, _ := q.Enqueue(ctx, Spec{Kind: "broken", MaxAttempts: 2})
		bad, _, _ := q.Enqueue(ctx, Spec{Kind: "bad"})
		panics, _, _ := q.Enqueue(ctx, Spec{Kind: "panics"})

		if n, err := p.RunPending(ctx); err != nil || n != 4 {
			t.Fatalf("first round ran %d, %v", n, err)
		}
		// Backoff: attempt 1 failed → due in 1 min; nothing runs before then.
		if n, _ := p.RunPending(ctx); n != 0 {
			t.Fatalf("ran %d jobs before their backoff ended", n)
		}
		clk.Add(time.Minute)
		if n, _ := p.RunPending(ctx); n != 2 {
			t.Fatalf("second round ran %d, want 2 (flaky, broken)", n)
		}
		clk.Add(2 * time.Minute)
		if n, _ := p.RunPending(ctx); n != 1 {
			t.Fatalf("third round ran %d, want 1 (flaky)", n)
		}
		for _, c := range []struct {
			id       int64
			state    State
			attempts int
			err      string
		}{{flaky, Done, 3, ""}, {broken, Failed, 2, "always"}, {bad, Failed, 1, "cannot work"}, {panics, Failed, 1, "handler panicked: boom"}} {
			in, err := q.Get(ctx, c.id)
			if err != nil {
				t.Fatal(err)
			}
			if in.State != c.state || in.Attempts != c.attempts || in.LastError != c.err {
				t.Errorf("job %d: %s after %d attempts (%q), want %s after %d (%q)", c.id, in.State, in.Attempts, in.LastError, c.state, c.attempts, c.err)
			}
		}
		var runs int
		st.QueryRow(ctx, `SELECT COUNT(*) FROM job_runs WHERE job_id = ?`, flaky).Scan(&runs)
		if runs != 3 {
			t.Errorf("job log has %d runs of the flaky job, want 3", runs)
		}
	})
}

// A worker that stops renewing (it died) loses the job to another worker once the lease
// expires; the first worker can no longer finish it.
func TestLeaseExpiryTakeover(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store, clk *clock) {
		ctx := context.Background()
		q := NewQueue(st, clk.Now)
		a, b := newPool(st, clk, "a"), newPool(st, clk, "b")
		var ran []string
		var mu sync.Mutex
		h := func(name string) Handler {
			return func(ctx context.Context, j *Job) error {
				mu.Lock()
				ran = append(ran, name)
				mu.Unlock()
				return j.Finish(ctx, func(tx *store.Tx) error { return nil })
			}
		}
		a.Handle("x", h("a"))
		b.Handle("x", h("b"))
		id, _, _ := q.Enqueue(ctx, Spec{Kind: "x"})
		js, err := a.claim(ctx, 5)
		if err != nil || len(js) != 1 {
			t.Fatalf("a claimed %d: %v", len(js), err)
		}
		// Within the lease nobody else gets it.
		clk.Add(30 * time.Second)
		if n, _ := b.RunPending(ctx); n != 0 {
			t.Fatal("b took a job whose lease is live")
		}
		// Renewal keeps it.
		if err := js[0].Renew(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Add(59 * time.Second)
		if n, _ := b.RunPending(ctx); n != 0 {
			t.Fatal("b took a job whose lease was renewed")
		}
		clk.Add(2 * time.Second)
		if n, _ := b.RunPending(ctx); n != 1 {
			t.Fatal("b did not take over the expired job")
		}
		if err := js[0].Finish(ctx, func(tx *store.Tx) error { return nil }); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("a finished a job b took over: %v", err)
		}
		if err := js[0].Renew(ctx); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("a renewed a job b took over: %v", err)
		}
		in, _ := q.Get(ctx, id)
		if in.State != Done || in.Attempts != 2 {
			t.Fatalf("job %s after %d attempts", in.State, in.Attempts)
		}
		var outcomes []string
		rows, _ := st.Query(ctx, `SELECT outcome || ':' || worker FROM job_runs WHERE job_id = ? ORDER BY attempt`, id)
		for rows.Next() {
			var s string
			rows.Scan(&s)
			outcomes = append(outcomes, s)
		}
		rows.Close()
		if fmt.Sprint(outcomes) != "[lease-expired:a done:b]" {
			t.Fatalf("job log %v", outcomes)
		}
	})
}

// A job whose worker died on its last attempt is failed, not run again.
func TestLeaseExpiredOnLastAttempt(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store, clk *clock) {
		ctx := context.Background()
		q := NewQueue(st, clk.Now)
		a, b := newPool(st, clk, "a"), newPool(st, clk, "b")
		ran := false
		a.Handle("x", func(context.Context, *Job) error { return nil })
		b.Handle("x", func(context.Context, *Job) error { ran = true; return nil })
		id, _, _ := q.Enqueue(ctx, Spec{Kind: "x", MaxAttempts: 1})
		if js, _ := a.claim(ctx, 1); len(js) != 1 {
			t.Fatal("no claim")
		}
		clk.Add(2 * time.Minute)
		b.RunPending(ctx)
		in, _ := q.Get(ctx, id)
		if ran || in.State != Failed {
			t.Fatalf("ran=%v state=%s", ran, in.State)
		}
	})
}

// Two pools (two replicas, each with its own connection pool) drain one queue with
// Run: every job's effect is committed exactly once.
func TestTwoPoolsRunEachJobOnce(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			opt := b.fresh(t)
			st1 := openStore(t, opt)
			st2 := openStore(t, opt)
			ctx := context.Background()
			if _, err := st1.Exec(ctx, `CREATE TABLE effects (job_id BIGINT PRIMARY KEY, worker TEXT NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			const n = 200
			q := NewQueue(st1, nil)
			for i := range n {
				if _, _, err := q.Enqueue(ctx, Spec{Kind: "effect", Payload: map[string]int{"n": i}}); err != nil {
					t.Fatal(err)
				}
			}
			var starts atomic.Int64
			runCtx, cancel := context.WithCancel(ctx)
			var wg sync.WaitGroup
			for i, st := range []*store.Store{st1, st2} {
				p := NewPool(st, PoolOptions{Worker: fmt.Sprint("w", i), Concurrency: 4, Poll: 20 * time.Millisecond, Lease: 10 * time.Second})
				p.Handle("effect", func(ctx context.Context, j *Job) error {
					starts.Add(1)
					return j.Finish(ctx, func(tx *store.Tx) error {
						_, err := tx.Exec(ctx, `INSERT INTO effects (job_id, worker) VALUES (?, ?)`, j.ID, j.Worker)
						return err
					})
				})
				wg.Add(1)
				go func() { defer wg.Done(); p.Run(runCtx) }()
			}
			waitFor(t, 60*time.Second, func() bool {
				var done int
				st1.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE state = 'done'`).Scan(&done)
				return done == n
			})
			cancel()
			wg.Wait()
			var effects int
			st1.QueryRow(ctx, `SELECT COUNT(*) FROM effects`).Scan(&effects)
			if effects != n || starts.Load() != n {
				t.Fatalf("%d effects, %d handler starts, want %d each", effects, starts.Load(), n)
			}
		})
	}
}

func openStore(t *testing.T, opt store.Options) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func waitFor(t *testing.T, max time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(max)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
