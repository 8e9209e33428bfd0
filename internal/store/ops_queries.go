package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// JobRun is one ended attempt of a job (job_runs, migration 0008), as the operators'
// pages list it.
type JobRun struct {
	Attempt    int
	Worker     string
	StartedAt  time.Time
	FinishedAt time.Time
	Outcome    string // done, retry, failed, lease-expired, lease-lost
	Error      string
}

// JobRuns returns a job's ended attempts, oldest first.
func (s *Store) JobRuns(ctx context.Context, jobID int64) ([]JobRun, error) {
	rows, err := s.Query(ctx, `SELECT attempt, worker, started_at, finished_at, outcome, error FROM job_runs WHERE job_id = ? ORDER BY id`, jobID)
	if err != nil {
		return nil, fmt.Errorf("runs of job %d: %w", jobID, err)
	}
	defer rows.Close()
	var out []JobRun
	for rows.Next() {
		var r JobRun
		if err := rows.Scan(&r.Attempt, &r.Worker, TimeScanner(&r.StartedAt), TimeScanner(&r.FinishedAt), &r.Outcome, &r.Error); err != nil {
			return nil, fmt.Errorf("runs of job %d: %w", jobID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// JobByDedupKey returns the id of the job enqueued with a dedup key, or ErrNotFound.
func (s *Store) JobByDedupKey(ctx context.Context, key string) (int64, error) {
	var id int64
	err := s.QueryRow(ctx, `SELECT id FROM jobs WHERE dedup_key = ?`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("job %q: %w", key, ErrNotFound)
	}
	return id, err
}
