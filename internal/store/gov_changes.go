package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// GovChange is an emergency change made outside the normal process (CH-3, CH-4).
type GovChange struct {
	ID         int64
	SystemID   int64
	System     string
	Summary    string // what was changed
	Reason     string
	ChangedAt  time.Time
	ChangedBy  string
	RecordedBy string
	RecorderID int64
	RecordedAt time.Time
	IncidentID int64 // 0 for none
	ApprovedBy string
	ApproverID int64
	ApprovedAt time.Time // zero while unapproved
}

// InsertGovChange stores a new emergency change record.
func (t *Tx) InsertGovChange(ctx context.Context, c GovChange) (int64, error) {
	if err := checkTexts("insert change", "what changed", c.Summary, maxGovText, "reason", c.Reason, maxGovText,
		"changed by", c.ChangedBy, maxShortText, "recorded by", c.RecordedBy, maxShortText); err != nil {
		return 0, err
	}
	var inc any
	if c.IncidentID != 0 {
		inc = c.IncidentID
	}
	id, err := t.InsertID(ctx, `INSERT INTO gov_changes (system_id, summary, reason, changed_at, changed_by, recorded_by, recorder_id, recorded_at, incident_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.SystemID, c.Summary, c.Reason, t.d.TimeValue(c.ChangedAt), c.ChangedBy, c.RecordedBy, c.RecorderID, t.d.TimeValue(c.RecordedAt), inc)
	if err != nil {
		return 0, fmt.Errorf("insert change: %w", err)
	}
	return id, nil
}

// ApproveGovChange records the approval of an unapproved change; a second approval is
// ErrConflict.
func (t *Tx) ApproveGovChange(ctx context.Context, id int64, by string, byID int64, at time.Time) error {
	res, err := t.Exec(ctx, `UPDATE gov_changes SET approved_by = ?, approver_id = ?, approved_at = ? WHERE id = ? AND approved_at IS NULL`, by, byID, t.d.TimeValue(at), id)
	if err != nil {
		return fmt.Errorf("approve change %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := GovChangeByID(ctx, t, id); err != nil {
			return fmt.Errorf("approve change %d: %w", id, err)
		}
		return fmt.Errorf("approve change %d: %w: already approved", id, ErrConflict)
	}
	return nil
}

// GovChanges lists a system's emergency changes (all systems for 0), newest first.
func GovChanges(ctx context.Context, q Querier, systemID int64) ([]GovChange, error) {
	return queryChanges(ctx, q, ` WHERE (? = 0 OR c.system_id = ?) ORDER BY c.changed_at DESC, c.id DESC`, systemID, systemID)
}

// GovChangeByID reads one emergency change.
func GovChangeByID(ctx context.Context, q Querier, id int64) (GovChange, error) {
	return one(queryChanges(ctx, q, ` WHERE c.id = ?`, id))
}

func queryChanges(ctx context.Context, q Querier, where string, args ...any) ([]GovChange, error) {
	rows, err := q.Query(ctx, `SELECT c.id, c.system_id, s.name, c.summary, c.reason, c.changed_at, c.changed_by, c.recorded_by, c.recorder_id, c.recorded_at,
c.incident_id, c.approved_by, c.approver_id, c.approved_at FROM gov_changes c JOIN systems s ON s.id = c.system_id`+where, args...)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	defer rows.Close()
	var out []GovChange
	for rows.Next() {
		var c GovChange
		var inc sql.NullInt64
		if err := rows.Scan(&c.ID, &c.SystemID, &c.System, &c.Summary, &c.Reason, TimeScanner(&c.ChangedAt), &c.ChangedBy, &c.RecordedBy, &c.RecorderID,
			TimeScanner(&c.RecordedAt), &inc, &c.ApprovedBy, &c.ApproverID, optTime{&c.ApprovedAt}); err != nil {
			return nil, fmt.Errorf("changes: %w", err)
		}
		c.IncidentID = inc.Int64
		out = append(out, c)
	}
	return out, rowsErr("changes", rows)
}
