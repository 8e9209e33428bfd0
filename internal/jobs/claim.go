package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// claim takes up to n due jobs of the kinds this pool handles: queued ones whose run_at
// has come, and running ones whose lease has expired (their worker died). On PostgreSQL
// the candidate rows are locked with FOR UPDATE SKIP LOCKED, so replicas claiming at the
// same moment take different jobs instead of waiting for each other; on SQLite the
// transaction is BEGIN IMMEDIATE, which serialises claimers on the write lock.
func (p *Pool) claim(ctx context.Context, n int) ([]*Job, error) {
	kinds := p.kinds()
	if len(kinds) == 0 || n <= 0 {
		return nil, nil
	}
	now := p.opt.Now()
	token := randHex(16)
	var out []*Job
	err := p.st.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		d := tx.Dialect()
		args := []any{d.TimeValue(now), d.TimeValue(now)}
		for _, k := range kinds {
			args = append(args, k)
		}
		args = append(args, n)
		q := `SELECT id, state, attempts, COALESCE(lease_owner, ''), started_at FROM jobs
WHERE ((state = 'queued' AND run_at <= ?) OR (state = 'running' AND lease_until < ?)) AND kind IN (` + marks(len(kinds)) + `)
ORDER BY run_at, id LIMIT ?`
		if d == store.Postgres {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("select due jobs: %w", err)
		}
		type cand struct {
			id       int64
			state    string
			attempts int
			owner    string
			started  nullTime
		}
		var cands []cand
		for rows.Next() {
			var c cand
			if err := rows.Scan(&c.id, &c.state, &c.attempts, &c.owner, &c.started); err != nil {
				rows.Close()
				return err
			}
			cands = append(cands, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range cands {
			if c.state == string(Running) {
				// The previous attempt's worker stopped renewing: record that in the job log.
				if _, err := tx.Exec(ctx, `INSERT INTO job_runs (job_id, attempt, worker, started_at, finished_at, outcome, error) VALUES (?, ?, ?, ?, ?, 'lease-expired', ?)`,
					c.id, c.attempts, c.owner, d.TimeValue(c.started.t), d.TimeValue(now), "taken over by "+p.opt.Worker); err != nil {
					return fmt.Errorf("record expired lease of job %d: %w", c.id, err)
				}
			}
			j := &Job{pool: p, LeaseToken: token, Worker: p.opt.Worker, StartedAt: now.UTC().Truncate(time.Microsecond)}
			var dedup sql.NullString
			var payload string
			err := tx.QueryRow(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_token = ?, lease_owner = ?, lease_until = ?, started_at = ?, updated_at = ?
WHERE id = ? RETURNING id, kind, payload, dedup_key, attempts, max_attempts`,
				token, p.opt.Worker, d.TimeValue(now.Add(p.opt.Lease)), d.TimeValue(now), d.TimeValue(now), c.id).
				Scan(&j.ID, &j.Kind, &payload, &dedup, &j.Attempt, &j.MaxAttempts)
			if err != nil {
				return fmt.Errorf("claim job %d: %w", c.id, err)
			}
			j.Payload, j.DedupKey = []byte(payload), dedup.String
			out = append(out, j)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: claim: %w", err)
	}
	return out, nil
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// inflight is the jobs this pool is running, for the lease renewer.
type inflight struct {
	mu   sync.Mutex
	jobs map[int64]inflightJob
}

type inflightJob struct {
	job    *Job
	cancel context.CancelFunc
}

func newInflight() *inflight { return &inflight{jobs: map[int64]inflightJob{}} }

func (f *inflight) add(j *Job, cancel context.CancelFunc) {
	f.mu.Lock()
	f.jobs[j.ID] = inflightJob{j, cancel}
	f.mu.Unlock()
}

func (f *inflight) remove(id int64) {
	f.mu.Lock()
	delete(f.jobs, id)
	f.mu.Unlock()
}

func (f *inflight) list() []inflightJob {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]inflightJob, 0, len(f.jobs))
	for _, j := range f.jobs {
		out = append(out, j)
	}
	return out
}

// renewer extends the leases of the jobs in flight every Lease/3. A job whose lease
// cannot be renewed because another worker holds it now is cancelled: its result would
// not be recorded anyway.
func (p *Pool) renewer(ctx context.Context, f *inflight) {
	t := time.NewTicker(p.opt.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, ij := range f.list() {
			err := ij.job.Renew(ctx)
			switch {
			case err == nil:
			case err == ErrLeaseLost:
				p.log.Warn("job lease lost; cancelling", "job", ij.job.ID, "kind", ij.job.Kind)
				ij.cancel()
			default:
				// The database is unreachable: keep running and try again; if it stays
				// away past the lease, another worker may take the job over, and
				// Finish will then refuse this one's result.
				p.log.Warn("renew job lease", "job", ij.job.ID, "err", err)
			}
		}
	}
}

// Renew extends the job's lease; long handlers may call it themselves between steps.
func (j *Job) Renew(ctx context.Context) error {
	p := j.pool
	now := p.opt.Now()
	d := p.st.Dialect()
	res, err := p.st.Exec(ctx, `UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_token = ? AND state = 'running'`,
		d.TimeValue(now.Add(p.opt.Lease)), j.ID, j.LeaseToken)
	if err != nil {
		return fmt.Errorf("jobs: renew lease of job %d: %w", j.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrLeaseLost
	}
	return nil
}
