package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// Handler runs one job. It returns nil when the job is done; an error retries the job
// after a backoff until MaxAttempts, unless the error is Permanent. A handler may be run
// again for a job it already ran (when a worker's lease expired while it was still
// working: a stalled process, a network partition from the database), so handlers must
// be idempotent or finish with Job.Finish, which commits their writes only while the
// lease is held.
type Handler func(ctx context.Context, j *Job) error

// permanent marks an error that retrying cannot fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err so that the job fails at once instead of being retried.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// ErrLeaseLost is returned by Job.Finish and Job.Renew when another worker has taken the
// job over: this worker's lease expired.
var ErrLeaseLost = errors.New("jobs: lease lost: another worker took the job over")

// PoolOptions configure a worker pool.
type PoolOptions struct {
	// Worker names this pool in leases and the job log; default host:pid:random.
	Worker string
	// Concurrency is how many jobs run at once; default 2.
	Concurrency int
	// Lease is how long a claim lasts without renewal; the pool renews every Lease/3.
	// A dead worker's jobs are taken over this long after its last renewal. Default 1 min.
	Lease time.Duration
	// Poll is how often an idle pool looks for jobs; default 1 s.
	Poll time.Duration
	// Backoff is the delay before attempt n+1 after attempt n failed; default
	// 30 s · 2^(n-1), at most 1 h, with ±20 % jitter.
	Backoff func(attempt int) time.Duration
	// Grace is how long Run waits for jobs in flight when its context ends before
	// cancelling them; default 10 s.
	Grace  time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Pool claims and runs jobs. Several pools (replicas) may run on one database.
type Pool struct {
	st       *store.Store
	opt      PoolOptions
	log      *slog.Logger
	mu       sync.Mutex
	handlers map[string]Handler
	wake     chan struct{}
}

// NewPool returns a pool on st; register handlers with Handle, then Run.
func NewPool(st *store.Store, opt PoolOptions) *Pool {
	if opt.Worker == "" {
		host, _ := os.Hostname()
		opt.Worker = fmt.Sprintf("%s:%d:%s", host, os.Getpid(), randHex(4))
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 2
	}
	if opt.Lease <= 0 {
		opt.Lease = time.Minute
	}
	if opt.Poll <= 0 {
		opt.Poll = time.Second
	}
	if opt.Backoff == nil {
		opt.Backoff = DefaultBackoff
	}
	if opt.Grace <= 0 {
		opt.Grace = 10 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	p := &Pool{st: st, opt: opt, log: opt.Logger, handlers: map[string]Handler{}, wake: make(chan struct{}, 1)}
	if p.log == nil {
		p.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return p
}

// DefaultBackoff is 30 s · 2^(attempt-1), capped at 1 h, with ±20 % jitter so that jobs
// that failed together do not retry together.
func DefaultBackoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	d = min(d, time.Hour)
	return time.Duration(float64(d) * (0.8 + 0.4*mrand.Float64()))
}

// Worker is the name this pool claims jobs under.
func (p *Pool) Worker() string { return p.opt.Worker }

// Handle registers the handler of a job kind. Jobs of kinds without a handler are left
// queued for a pool that has one.
func (p *Pool) Handle(kind string, h Handler) {
	if err := checkKind(kind); err != nil {
		panic(err)
	}
	p.mu.Lock()
	p.handlers[kind] = h
	p.mu.Unlock()
}

// Wake makes an idle pool look for jobs now rather than at its next poll.
func (p *Pool) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *Pool) kinds() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.handlers))
	for k := range p.handlers {
		out = append(out, k)
	}
	return out
}

func (p *Pool) handler(kind string) Handler {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.handlers[kind]
}

// Run claims and runs jobs until ctx ends, then waits up to Grace for the jobs in
// flight, cancels the rest and puts them back in the queue.
func (p *Pool) Run(ctx context.Context) error {
	// Jobs get a context that outlives ctx by Grace, so a shutdown lets short jobs end.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	slots := make(chan struct{}, p.opt.Concurrency)
	var wg sync.WaitGroup
	flight := newInflight()
	renewDone := make(chan struct{})
	go func() { defer close(renewDone); p.renewer(jobCtx, flight) }()

	tick := time.NewTicker(p.opt.Poll)
	defer tick.Stop()
loop:
	for {
		free := p.opt.Concurrency - len(slots)
		claimed := 0
		if free > 0 {
			js, err := p.claim(ctx, free)
			if err != nil && ctx.Err() == nil {
				p.log.Warn("claim jobs", "err", err)
			}
			for _, j := range js {
				slots <- struct{}{}
				jc, cancel := context.WithCancel(jobCtx)
				flight.add(j, cancel)
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-slots; p.Wake() }()
					defer flight.remove(j.ID)
					defer cancel()
					p.execute(jc, ctx, j)
				}()
			}
			claimed = len(js)
		}
		if claimed > 0 && claimed == free {
			// There may be more: look again as soon as a slot frees.
			select {
			case <-ctx.Done():
				break loop
			case <-p.wake:
			}
			continue
		}
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
		case <-p.wake:
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(p.opt.Grace):
		cancelJobs()
		<-done
	}
	cancelJobs()
	<-renewDone
	return nil
}

// RunPending claims and runs jobs due now until none is left, one at a time, in the
// caller's goroutine. For tests and for `posture` commands that drain the queue.
func (p *Pool) RunPending(ctx context.Context) (int, error) {
	n := 0
	for {
		js, err := p.claim(ctx, 1)
		if err != nil {
			return n, err
		}
		if len(js) == 0 {
			return n, nil
		}
		p.execute(ctx, ctx, js[0])
		n++
	}
}

// execute runs a claimed job and records the outcome. stopping is the pool's context:
// a job cancelled because the pool is stopping goes back to the queue without the
// attempt counting.
func (p *Pool) execute(ctx, stopping context.Context, j *Job) {
	if j.Attempt > j.MaxAttempts {
		// Its worker died during the last attempt.
		p.finishFailed(ctx, j, "lease expired during the last attempt", true)
		return
	}
	h := p.handler(j.Kind)
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = Permanent(fmt.Errorf("handler panicked: %v", r))
			}
		}()
		err = h(ctx, j)
	}()
	switch {
	case err == nil:
		if err := j.Finish(ctx, nil); err != nil && !errors.Is(err, errAlreadyFinished) {
			p.log.Warn("job done but not recorded", "job", j.ID, "kind", j.Kind, "err", err)
		}
	case errors.Is(err, errAlreadyFinished):
	case errors.Is(err, ErrLeaseLost):
		p.log.Warn("job lease lost; another worker has it", "job", j.ID, "kind", j.Kind)
	case stopping.Err() != nil && ctx.Err() != nil:
		p.release(j)
	default:
		var perm permanent
		final := errors.As(err, &perm) || j.Attempt >= j.MaxAttempts
		p.log.Warn("job failed", "job", j.ID, "kind", j.Kind, "attempt", j.Attempt, "final", final, "err", err)
		p.finishFailed(ctx, j, err.Error(), final)
	}
}

var errAlreadyFinished = errors.New("jobs: job already finished")

// Finish marks the job done, in one transaction with fn's writes (fn may be nil), and
// only if this worker still holds the lease: if another worker has taken the job over,
// nothing of fn is committed and Finish returns ErrLeaseLost. Handlers whose effect is
// database writes get exactly-once effects this way. After Finish the handler must
// return its result (nil, or the error Finish returned).
func (j *Job) Finish(ctx context.Context, fn func(tx *store.Tx) error) error {
	p := j.pool
	if j.finished {
		return errAlreadyFinished
	}
	now := p.opt.Now()
	err := p.st.InTx(ctx, func(tx *store.Tx) error {
		if fn != nil {
			if err := fn(tx); err != nil {
				return err
			}
		}
		d := tx.Dialect()
		res, err := tx.Exec(ctx, `UPDATE jobs SET state = 'done', finished_at = ?, updated_at = ?, last_error = '', lease_token = NULL, lease_until = NULL
WHERE id = ? AND lease_token = ? AND state = 'running'`, d.TimeValue(now), d.TimeValue(now), j.ID, j.LeaseToken)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrLeaseLost
		}
		return insertRun(ctx, tx, j, now, "done", "")
	})
	if err == nil {
		j.finished = true
	}
	return err
}

// finishFailed records a failed attempt: back to the queue after a backoff, or failed
// for good.
func (p *Pool) finishFailed(ctx context.Context, j *Job, msg string, final bool) {
	msg = truncate(msg, 2000)
	now := p.opt.Now()
	// The outcome is recorded even when the job's own context has ended.
	ctx = context.WithoutCancel(ctx)
	err := p.st.InTx(ctx, func(tx *store.Tx) error {
		d := tx.Dialect()
		var res interface{ RowsAffected() (int64, error) }
		var err error
		outcome := "retry"
		if final {
			outcome = "failed"
			res, err = tx.Exec(ctx, `UPDATE jobs SET state = 'failed', finished_at = ?, updated_at = ?, last_error = ?, lease_token = NULL, lease_until = NULL
WHERE id = ? AND lease_token = ? AND state = 'running'`, d.TimeValue(now), d.TimeValue(now), msg, j.ID, j.LeaseToken)
		} else {
			res, err = tx.Exec(ctx, `UPDATE jobs SET state = 'queued', run_at = ?, updated_at = ?, last_error = ?, lease_token = NULL, lease_until = NULL, lease_owner = NULL
WHERE id = ? AND lease_token = ? AND state = 'running'`, d.TimeValue(now.Add(p.opt.Backoff(j.Attempt))), d.TimeValue(now), msg, j.ID, j.LeaseToken)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrLeaseLost
		}
		return insertRun(ctx, tx, j, now, outcome, msg)
	})
	if err != nil {
		p.log.Warn("record job failure", "job", j.ID, "err", err)
	}
}

// release puts a job interrupted by shutdown back in the queue, due now, without
// counting the attempt.
func (p *Pool) release(j *Job) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := p.opt.Now()
	d := p.st.Dialect()
	if _, err := p.st.Exec(ctx, `UPDATE jobs SET state = 'queued', run_at = ?, updated_at = ?, attempts = attempts - 1, lease_token = NULL, lease_until = NULL, lease_owner = NULL
WHERE id = ? AND lease_token = ? AND state = 'running'`, d.TimeValue(now), d.TimeValue(now), j.ID, j.LeaseToken); err != nil {
		p.log.Warn("release job at shutdown", "job", j.ID, "err", err)
	}
}

func insertRun(ctx context.Context, tx *store.Tx, j *Job, now time.Time, outcome, msg string) error {
	d := tx.Dialect()
	_, err := tx.Exec(ctx, `INSERT INTO job_runs (job_id, attempt, worker, started_at, finished_at, outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.Attempt, j.Worker, d.TimeValue(j.StartedAt), d.TimeValue(now), outcome, msg)
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
