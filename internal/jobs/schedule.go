package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// Schedule is a recurring job.
type Schedule struct {
	ID        int64
	Name      string
	SystemID  int64 // 0 when not about one system
	JobKind   string
	Payload   json.RawMessage
	Spec      string
	Enabled   bool
	NextRunAt time.Time
	LastRunAt time.Time
	CreatedBy string
	CreatedAt time.Time
}

// ScheduleInput is what CreateSchedule writes.
type ScheduleInput struct {
	Name      string
	SystemID  int64
	JobKind   string
	Payload   any
	Spec      string
	CreatedBy string
	// FirstRun is when it first runs; zero is the spec's next time after now.
	FirstRun time.Time
}

// Scheduler enqueues the jobs of due schedules. Every replica may run one: a due
// schedule is locked while it is advanced, and its job's dedup key is the schedule and
// the due time, so each run is enqueued once however many replicas tick at once.
type Scheduler struct {
	q         *Queue
	now       func() time.Time
	log       *slog.Logger
	interval  time.Duration
	onEnqueue func()
}

// SchedulerOptions configure a Scheduler.
type SchedulerOptions struct {
	// Interval between looks at the schedules; default 15 s.
	Interval time.Duration
	Logger   *slog.Logger
	// OnEnqueue is called after a tick enqueued jobs (to wake a local pool).
	OnEnqueue func()
}

// NewScheduler returns a scheduler writing to q.
func NewScheduler(q *Queue, opt SchedulerOptions) *Scheduler {
	s := &Scheduler{q: q, now: q.now, log: opt.Logger, interval: opt.Interval, onEnqueue: opt.OnEnqueue}
	if s.interval <= 0 {
		s.interval = 15 * time.Second
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return s
}

// Run ticks until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		if n, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("scheduler tick", "err", err)
		} else if n > 0 && s.onEnqueue != nil {
			s.onEnqueue()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick enqueues a job for every enabled schedule that is due and advances it; it
// returns how many jobs it enqueued. Runs missed while no replica was up are not caught
// up one by one: a due schedule runs once and its next run is computed from now.
func (s *Scheduler) Tick(ctx context.Context) (int, error) {
	now := s.now()
	n := 0
	err := s.q.st.InTx(ctx, func(tx *store.Tx) error {
		n = 0
		d := tx.Dialect()
		q := `SELECT id, job_kind, payload, spec, next_run_at FROM schedules WHERE enabled = TRUE AND next_run_at <= ? ORDER BY next_run_at, id LIMIT 100`
		if d == store.Postgres {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		rows, err := tx.Query(ctx, q, d.TimeValue(now))
		if err != nil {
			return err
		}
		type due struct {
			id                  int64
			kind, payload, spec string
			at                  time.Time
		}
		var list []due
		for rows.Next() {
			var x due
			if err := rows.Scan(&x.id, &x.kind, &x.payload, &x.spec, store.TimeScanner(&x.at)); err != nil {
				rows.Close()
				return err
			}
			list = append(list, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, x := range list {
			spec, err := ParseSpec(x.spec)
			if err != nil {
				// Cannot happen through CreateSchedule; disable rather than spin on it.
				s.log.Error("schedule has a bad spec; disabling it", "schedule", x.id, "err", err)
				if _, err := tx.Exec(ctx, `UPDATE schedules SET enabled = FALSE, updated_at = ? WHERE id = ?`, d.TimeValue(now), x.id); err != nil {
					return err
				}
				continue
			}
			_, created, err := s.q.EnqueueTx(ctx, tx, Spec{Kind: x.kind, Payload: json.RawMessage(x.payload),
				DedupKey: "schedule:" + strconv.FormatInt(x.id, 10) + ":" + strconv.FormatInt(x.at.UnixMicro(), 10)})
			if err != nil {
				return err
			}
			if created {
				n++
			}
			next := spec.Next(maxTime(now, x.at))
			if _, err := tx.Exec(ctx, `UPDATE schedules SET next_run_at = ?, last_run_at = ?, updated_at = ? WHERE id = ?`,
				d.TimeValue(next), d.TimeValue(now), d.TimeValue(now), x.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("jobs: scheduler tick: %w", err)
	}
	return n, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// CreateSchedule adds a schedule.
func (s *Scheduler) CreateSchedule(ctx context.Context, in ScheduleInput) (Schedule, error) {
	var out Schedule
	err := s.q.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.CreateScheduleTx(ctx, tx, in)
		return err
	})
	return out, err
}

// CreateScheduleTx adds a schedule in the caller's transaction (with its audit event).
func (s *Scheduler) CreateScheduleTx(ctx context.Context, tx *store.Tx, in ScheduleInput) (Schedule, error) {
	spec, err := ParseSpec(in.Spec)
	if err != nil {
		return Schedule{}, fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	if err := checkKind(in.JobKind); err != nil {
		return Schedule{}, fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	if in.Name == "" || len(in.Name) > 200 {
		return Schedule{}, fmt.Errorf("%w: schedule name must be 1–200 bytes", store.ErrInvalid)
	}
	payload := []byte("{}")
	if in.Payload != nil {
		if payload, err = json.Marshal(in.Payload); err != nil {
			return Schedule{}, err
		}
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	first := in.FirstRun
	if first.IsZero() {
		first = spec.Next(now)
	}
	d := tx.Dialect()
	var sys any
	if in.SystemID != 0 {
		sys = in.SystemID
	}
	id, err := tx.InsertID(ctx, `INSERT INTO schedules (name, system_id, job_kind, payload, spec, enabled, next_run_at, created_by, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, TRUE, ?, ?, ?, ?)`, in.Name, sys, in.JobKind, string(payload), spec.String(), d.TimeValue(first), in.CreatedBy, d.TimeValue(now), d.TimeValue(now))
	if err != nil {
		return Schedule{}, fmt.Errorf("jobs: create schedule %q: %w", in.Name, err)
	}
	return Schedule{ID: id, Name: in.Name, SystemID: in.SystemID, JobKind: in.JobKind, Payload: payload, Spec: spec.String(),
		Enabled: true, NextRunAt: first.UTC().Truncate(time.Microsecond), CreatedBy: in.CreatedBy, CreatedAt: now}, nil
}

// EnsureSchedule creates the schedule named in.Name unless it exists; built-in
// schedules (retention, backups, re-matching) are made this way at start by every
// replica.
func (s *Scheduler) EnsureSchedule(ctx context.Context, in ScheduleInput) error {
	err := s.q.st.InTx(ctx, func(tx *store.Tx) error {
		var id int64
		var spec string
		err := tx.QueryRow(ctx, `SELECT id, spec FROM schedules WHERE name = ?`, in.Name).Scan(&id, &spec)
		if err == nil {
			// A changed configuration (a new --backup-schedule) replaces the spec.
			ps, perr := ParseSpec(in.Spec)
			if perr != nil {
				return fmt.Errorf("%w: %w", store.ErrInvalid, perr)
			}
			if ps.String() == spec {
				return nil
			}
			d := tx.Dialect()
			now := s.now()
			_, err := tx.Exec(ctx, `UPDATE schedules SET spec = ?, next_run_at = ?, updated_at = ? WHERE id = ?`, ps.String(), d.TimeValue(ps.Next(now)), d.TimeValue(now), id)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = s.CreateScheduleTx(ctx, tx, in)
		return err
	})
	if errors.Is(err, store.ErrConflict) || isConflict(err) {
		return nil
	}
	return err
}

func isConflict(err error) bool {
	return err != nil && (errors.Is(err, store.ErrConflict) || containsAny(err.Error(), "UNIQUE constraint", "23505"))
}

// ListSchedules returns every schedule by name.
func (s *Scheduler) ListSchedules(ctx context.Context) ([]Schedule, error) {
	var out []Schedule
	err := s.q.st.InReadTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, name, COALESCE(system_id, 0), job_kind, payload, spec, enabled, next_run_at, last_run_at, created_by, created_at FROM schedules ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sc Schedule
			var payload string
			var last nullTime
			if err := rows.Scan(&sc.ID, &sc.Name, &sc.SystemID, &sc.JobKind, &payload, &sc.Spec, &sc.Enabled,
				store.TimeScanner(&sc.NextRunAt), &last, &sc.CreatedBy, store.TimeScanner(&sc.CreatedAt)); err != nil {
				return err
			}
			sc.Payload, sc.LastRunAt = json.RawMessage(payload), last.t
			out = append(out, sc)
		}
		return rows.Err()
	})
	return out, err
}

// DeleteScheduleTx removes a schedule (jobs already enqueued stay).
func DeleteScheduleTx(ctx context.Context, tx *store.Tx, id int64) error {
	res, err := tx.Exec(ctx, `DELETE FROM schedules WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("schedule %d: %w", id, store.ErrNotFound)
	}
	return nil
}
