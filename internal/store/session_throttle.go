package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LockedUntil returns the latest time until which any of buckets is locked, or the zero
// time when none is. Unknown buckets are not locked.
func (s *Store) LockedUntil(ctx context.Context, buckets []string) (time.Time, error) {
	var latest time.Time
	for _, b := range buckets {
		var t time.Time
		err := s.QueryRow(ctx, `SELECT locked_until FROM login_throttle WHERE bucket = ?`, b).Scan(TimeScanner(&t))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return time.Time{}, fmt.Errorf("read login throttle: %w", err)
		}
		if t.After(latest) {
			latest = t
		}
	}
	return latest, nil
}

// RecordLoginFailure counts a failed sign-in against each bucket and locks it until
// now + lockFor(failures). A bucket whose last failure is older than forget starts
// again from zero, so that old mistakes do not add up.
func (s *Store) RecordLoginFailure(ctx context.Context, buckets []string, now time.Time, forget time.Duration, lockFor func(failures int) time.Duration) error {
	err := s.InTx(ctx, func(tx *Tx) error {
		for _, b := range buckets {
			failures := 0
			var last time.Time
			err := tx.QueryRow(ctx, `SELECT failures, last_failure_at FROM login_throttle WHERE bucket = ?`, b).Scan(&failures, TimeScanner(&last))
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if now.Sub(last) > forget {
				failures = 0
			}
			failures++
			until := now.Add(lockFor(failures))
			if _, err := tx.Exec(ctx, `INSERT INTO login_throttle (bucket, failures, last_failure_at, locked_until) VALUES (?, ?, ?, ?)
				ON CONFLICT (bucket) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until`,
				b, failures, s.dialect.TimeValue(now), s.dialect.TimeValue(until)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record login failure: %w", err)
	}
	return nil
}

// ResetLoginFailures forgets the failures of buckets (after a successful sign-in).
func (s *Store) ResetLoginFailures(ctx context.Context, buckets []string) error {
	for _, b := range buckets {
		if _, err := s.Exec(ctx, `DELETE FROM login_throttle WHERE bucket = ?`, b); err != nil {
			return fmt.Errorf("reset login throttle: %w", err)
		}
	}
	return nil
}
