package store

import (
	"context"
	"fmt"
	"time"
)

// GovDeviation is a deviation request on the server and its decision (ST-2).
type GovDeviation struct {
	ID       int64
	SystemID int64
	System   string // the system's name, when read
	Control  string
	// Scope is "system", "repository" or "fingerprint"; Repository and Fingerprint
	// narrow it.
	Scope, Repository, Fingerprint string
	Reason, Compensating           string
	RequestedBy                    string
	RequesterID                    int64
	RequestedAt                    time.Time
	ExpiresOn                      string // YYYY-MM-DD, the last day it holds
	State                          string // requested, approved, rejected
	DecidedBy                      string
	DeciderID                      int64
	DecidedAt                      time.Time
	DecisionNote                   string
	Origin                         string // server or import
}

// Deviation states as stored; "active" and "expired" are approved ones on either side
// of ExpiresOn.
const (
	DeviationRequested = "requested"
	DeviationApproved  = "approved"
	DeviationRejected  = "rejected"
)

// InsertGovDeviation stores a new request and returns its id.
func (t *Tx) InsertGovDeviation(ctx context.Context, d GovDeviation) (int64, error) {
	if err := checkTexts("insert deviation", "control", d.Control, maxShortText, "scope", d.Scope, maxShortText,
		"reason", d.Reason, maxGovText, "compensating measures", d.Compensating, maxGovText,
		"requested by", d.RequestedBy, maxShortText, "expiry", d.ExpiresOn, 10); err != nil {
		return 0, err
	}
	for _, c := range []struct{ f, v string }{{"repository", d.Repository}, {"fingerprint", d.Fingerprint}, {"origin", d.Origin}} {
		if err := checkText(c.f, c.v, maxLocator, false); err != nil {
			return 0, fmt.Errorf("insert deviation: %w", err)
		}
	}
	if d.Origin == "" {
		d.Origin = "server"
	}
	id, err := t.InsertID(ctx, `INSERT INTO gov_deviations (system_id, control, scope, repository, fingerprint, reason, compensating, requested_by, requester_id, requested_at, expires_on, state, origin)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'requested', ?)`,
		d.SystemID, d.Control, d.Scope, d.Repository, d.Fingerprint, d.Reason, d.Compensating, d.RequestedBy, d.RequesterID,
		t.d.TimeValue(d.RequestedAt), d.ExpiresOn, d.Origin)
	if err != nil {
		return 0, fmt.Errorf("insert deviation: %w", err)
	}
	return id, nil
}

// DecideGovDeviation approves or rejects a pending request. A request already decided
// is ErrConflict: decisions are final (a new request starts again).
func (t *Tx) DecideGovDeviation(ctx context.Context, id int64, state, by string, byID int64, at time.Time, note string) error {
	if state != DeviationApproved && state != DeviationRejected {
		return fmt.Errorf("decide deviation %d: %w", id, invalidf("state %q", state))
	}
	if err := checkText("note", note, maxGovText, false); err != nil {
		return fmt.Errorf("decide deviation %d: %w", id, err)
	}
	res, err := t.Exec(ctx, `UPDATE gov_deviations SET state = ?, decided_by = ?, decider_id = ?, decided_at = ?, decision_note = ? WHERE id = ? AND state = 'requested'`,
		state, by, byID, t.d.TimeValue(at), note, id)
	if err != nil {
		return fmt.Errorf("decide deviation %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := GovDeviationByID(ctx, t, id); err != nil {
			return fmt.Errorf("decide deviation %d: %w", id, err)
		}
		return fmt.Errorf("decide deviation %d: %w: already decided", id, ErrConflict)
	}
	return nil
}

// GovDeviationFilter selects deviations; zero fields match everything.
type GovDeviationFilter struct {
	SystemID int64
	State    string
}

const deviationCols = `d.id, d.system_id, s.name, d.control, d.scope, d.repository, d.fingerprint, d.reason, d.compensating, d.requested_by, d.requester_id, d.requested_at,
d.expires_on, d.state, d.decided_by, d.decider_id, d.decided_at, d.decision_note, d.origin FROM gov_deviations d JOIN systems s ON s.id = d.system_id`

// GovDeviations lists deviations, newest request first.
func GovDeviations(ctx context.Context, q Querier, f GovDeviationFilter) ([]GovDeviation, error) {
	return queryDeviations(ctx, q, ` WHERE (? = 0 OR d.system_id = ?) AND (? = '' OR d.state = ?) ORDER BY d.id DESC`, f.SystemID, f.SystemID, f.State, f.State)
}

// GovDeviationByID reads one deviation.
func GovDeviationByID(ctx context.Context, q Querier, id int64) (GovDeviation, error) {
	return one(queryDeviations(ctx, q, ` WHERE d.id = ?`, id))
}

func queryDeviations(ctx context.Context, q Querier, where string, args ...any) ([]GovDeviation, error) {
	rows, err := q.Query(ctx, `SELECT `+deviationCols+where, args...)
	if err != nil {
		return nil, fmt.Errorf("deviations: %w", err)
	}
	defer rows.Close()
	var out []GovDeviation
	for rows.Next() {
		var d GovDeviation
		if err := rows.Scan(&d.ID, &d.SystemID, &d.System, &d.Control, &d.Scope, &d.Repository, &d.Fingerprint, &d.Reason, &d.Compensating,
			&d.RequestedBy, &d.RequesterID, TimeScanner(&d.RequestedAt), &d.ExpiresOn, &d.State, &d.DecidedBy, &d.DeciderID,
			optTime{&d.DecidedAt}, &d.DecisionNote, &d.Origin); err != nil {
			return nil, fmt.Errorf("deviations: %w", err)
		}
		out = append(out, d)
	}
	return out, rowsErr("deviations", rows)
}
