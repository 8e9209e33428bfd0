// Package jobs is posture serve's background work: a job queue kept in the database and
// a scheduler that enqueues recurring jobs. Any replica's worker pool may run any job;
// each job runs under a lease that its worker renews, so a job whose worker died is taken
// over by another once the lease expires, and a job is never run by two live workers at
// once (docs/jobs.md).
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// State is where a job is in its life.
type State string

// States. A job is queued until a worker claims it, running while a worker holds its
// lease, and then done or failed (after its last attempt); a failed attempt with
// attempts left puts it back to queued with a later run_at.
const (
	Queued  State = "queued"
	Running State = "running"
	Done    State = "done"
	Failed  State = "failed"
)

// DefaultMaxAttempts is how often a job is tried when Enqueue does not say.
const DefaultMaxAttempts = 5

// Job is a claimed job as a handler sees it.
type Job struct {
	ID          int64
	Kind        string
	Payload     json.RawMessage
	DedupKey    string
	Attempt     int // 1 for the first run
	MaxAttempts int
	// LeaseToken identifies this claim; the job's completion is conditional on it, so a
	// worker that lost its lease cannot mark the job done.
	LeaseToken string
	Worker     string
	StartedAt  time.Time

	pool     *Pool
	finished bool
}

// Decode unmarshals the payload into v.
func (j *Job) Decode(v any) error {
	if err := json.Unmarshal(j.Payload, v); err != nil {
		return Permanent(fmt.Errorf("job %d (%s): bad payload: %w", j.ID, j.Kind, err))
	}
	return nil
}

// Spec is a job to enqueue.
type Spec struct {
	Kind    string
	Payload any // marshalled to JSON; nil is {}
	// RunAt is the earliest time to run it; zero is now.
	RunAt time.Time
	// DedupKey, when set, makes Enqueue a no-op if a job with this key exists (in any
	// state): the way to enqueue something exactly once from several replicas.
	DedupKey    string
	MaxAttempts int // default DefaultMaxAttempts
}

// Queue writes jobs. It is safe for concurrent use and holds no state of its own.
type Queue struct {
	st  *store.Store
	now func() time.Time
}

// NewQueue returns a queue on st; now nil is time.Now.
func NewQueue(st *store.Store, now func() time.Time) *Queue {
	if now == nil {
		now = time.Now
	}
	return &Queue{st: st, now: now}
}

// Store is the store the queue writes to.
func (q *Queue) Store() *store.Store { return q.st }

// Enqueue adds a job and returns its id; created is false when DedupKey named an
// existing job (whose id is returned).
func (q *Queue) Enqueue(ctx context.Context, s Spec) (id int64, created bool, err error) {
	err = q.st.InTx(ctx, func(tx *store.Tx) error {
		id, created, err = q.EnqueueTx(ctx, tx, s)
		return err
	})
	return id, created, err
}

// EnqueueTx adds a job inside the caller's transaction, so that the job exists if and
// only if the action that asked for it committed (an alert for a recorded scan).
func (q *Queue) EnqueueTx(ctx context.Context, tx *store.Tx, s Spec) (int64, bool, error) {
	if err := checkKind(s.Kind); err != nil {
		return 0, false, err
	}
	payload := []byte("{}")
	if s.Payload != nil {
		var err error
		if payload, err = json.Marshal(s.Payload); err != nil {
			return 0, false, fmt.Errorf("jobs: marshal %s payload: %w", s.Kind, err)
		}
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = DefaultMaxAttempts
	}
	now := q.now()
	if s.RunAt.IsZero() {
		s.RunAt = now
	}
	d := tx.Dialect()
	var dedup any
	if s.DedupKey != "" {
		dedup = s.DedupKey
	}
	// ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a
	// failed statement aborts the whole transaction, which may hold the caller's action.
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO jobs (kind, payload, dedup_key, state, run_at, max_attempts, created_at, updated_at)
VALUES (?, ?, ?, 'queued', ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
		s.Kind, string(payload), dedup, d.TimeValue(s.RunAt), s.MaxAttempts, d.TimeValue(now), d.TimeValue(now)).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("jobs: enqueue %s: %w", s.Kind, err)
	}
	if err := tx.QueryRow(ctx, `SELECT id FROM jobs WHERE dedup_key = ?`, s.DedupKey).Scan(&id); err != nil {
		return 0, false, fmt.Errorf("jobs: enqueue %s: find existing job %q: %w", s.Kind, s.DedupKey, err)
	}
	return id, false, nil
}

func checkKind(k string) error {
	if k == "" || len(k) > 64 || strings.ContainsFunc(k, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_')
	}) {
		return fmt.Errorf("jobs: bad job kind %q", k)
	}
	return nil
}

// Info is a job as listed for operators.
type Info struct {
	ID          int64
	Kind        string
	State       State
	DedupKey    string
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	LeaseOwner  string
	LastError   string
	CreatedAt   time.Time
	FinishedAt  time.Time
}

// Get returns one job.
func (q *Queue) Get(ctx context.Context, id int64) (Info, error) {
	list, err := q.list(ctx, `WHERE id = ?`, id)
	if err != nil {
		return Info{}, err
	}
	if len(list) == 0 {
		return Info{}, fmt.Errorf("job %d: %w", id, store.ErrNotFound)
	}
	return list[0], nil
}

// List returns the newest jobs, at most limit (1–1000), optionally in one state.
func (q *Queue) List(ctx context.Context, state State, limit int) ([]Info, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	if state != "" {
		return q.list(ctx, `WHERE state = ? ORDER BY id DESC LIMIT ?`, string(state), limit)
	}
	return q.list(ctx, `ORDER BY id DESC LIMIT ?`, limit)
}

func (q *Queue) list(ctx context.Context, where string, args ...any) ([]Info, error) {
	var out []Info
	err := q.st.InReadTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, kind, state, COALESCE(dedup_key, ''), attempts, max_attempts, run_at,
	COALESCE(lease_owner, ''), last_error, created_at, finished_at FROM jobs `+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var in Info
			var state string
			var fin nullTime
			if err := rows.Scan(&in.ID, &in.Kind, &state, &in.DedupKey, &in.Attempts, &in.MaxAttempts, store.TimeScanner(&in.RunAt),
				&in.LeaseOwner, &in.LastError, store.TimeScanner(&in.CreatedAt), &fin); err != nil {
				return err
			}
			in.State, in.FinishedAt = State(state), fin.t
			out = append(out, in)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	return out, nil
}

// nullTime reads a nullable timestamp column.
type nullTime struct{ t time.Time }

func (n *nullTime) Scan(src any) error {
	if src == nil {
		n.t = time.Time{}
		return nil
	}
	return store.TimeScanner(&n.t).Scan(src)
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}
