package store

import (
	"context"
	"fmt"
	"time"
)

// TriageState is a person's decision about a finding.
type TriageState string

const (
	// Acknowledged: the finding is real and known; it stays open and keeps failing its
	// control until fixed or covered by an approved deviation.
	Acknowledged TriageState = "acknowledged"
	// FalsePositive: the finding is wrong. It still counts in the scan (only an approved
	// deviation in the repository silences a finding); the mark tells others it was looked at.
	FalsePositive TriageState = "false-positive"
)

// Valid reports whether t is a known state.
func (t TriageState) Valid() bool { return t == Acknowledged || t == FalsePositive }

// Triage is the decision recorded for one finding of one system, by fingerprint, so it
// follows the finding while it recurs.
type Triage struct {
	SystemID    int64
	Fingerprint string
	State       TriageState
	Reason      string
	By          string // the principal's actor name
	At          time.Time
}

const maxReason = 2000

// SetTriage records or replaces the decision about a finding.
func (s *Store) SetTriage(ctx context.Context, t Triage) error {
	if !t.State.Valid() {
		return fmt.Errorf("set triage: %w", invalidf("state %q (want acknowledged or false-positive)", t.State))
	}
	for _, c := range []struct {
		field, v string
		max      int
	}{{"fingerprint", t.Fingerprint, maxShortText}, {"reason", t.Reason, maxReason}, {"triaged by", t.By, maxShortText}} {
		if err := checkText(c.field, c.v, c.max, true); err != nil {
			return fmt.Errorf("set triage: %w", err)
		}
	}
	at := t.At
	if at.IsZero() {
		at = s.nowUTC()
	}
	err := s.InTx(ctx, func(tx *Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM systems WHERE id = ?`, t.SystemID).Scan(&one); err != nil {
			return notFoundIfNoRows(err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO finding_triage (system_id, fingerprint, state, reason, triaged_by, triaged_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (system_id, fingerprint) DO UPDATE SET state = excluded.state, reason = excluded.reason, triaged_by = excluded.triaged_by, triaged_at = excluded.triaged_at`,
			t.SystemID, t.Fingerprint, string(t.State), t.Reason, t.By, s.dialect.TimeValue(at.UTC().Truncate(time.Microsecond)))
		return err
	})
	if err != nil {
		return fmt.Errorf("set triage of %d/%s: %w", t.SystemID, t.Fingerprint, err)
	}
	return nil
}

// ClearTriage removes the decision about a finding (it is untriaged again). Clearing
// one that does not exist is ErrNotFound.
func (s *Store) ClearTriage(ctx context.Context, systemID int64, fingerprint string) error {
	if err := mustAffect(s.Exec(ctx, `DELETE FROM finding_triage WHERE system_id = ? AND fingerprint = ?`, systemID, fingerprint)); err != nil {
		return fmt.Errorf("clear triage of %d/%s: %w", systemID, fingerprint, err)
	}
	return nil
}

// TriageOf returns the decisions recorded for a system's findings, by fingerprint.
func (s *Store) TriageOf(ctx context.Context, systemID int64) (map[string]Triage, error) {
	rows, err := s.Query(ctx, `SELECT system_id, fingerprint, state, reason, triaged_by, triaged_at FROM finding_triage WHERE system_id = ?`, systemID)
	if err != nil {
		return nil, fmt.Errorf("triage of system %d: %w", systemID, err)
	}
	defer rows.Close()
	out := map[string]Triage{}
	for rows.Next() {
		var t Triage
		var state string
		if err := rows.Scan(&t.SystemID, &t.Fingerprint, &state, &t.Reason, &t.By, TimeScanner(&t.At)); err != nil {
			return nil, fmt.Errorf("triage of system %d: %w", systemID, err)
		}
		t.State = TriageState(state)
		out[t.Fingerprint] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("triage of system %d: %w", systemID, err)
	}
	return out, nil
}
