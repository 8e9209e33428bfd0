package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

const purgeAction = "audit.purge"

// PurgeResult says what Purge removed.
type PurgeResult struct {
	// Deleted events, seq FirstSeq..Through; Deleted == 0 when nothing could go.
	Deleted           int64
	FirstSeq, Through int64
	// Anchor is the checkpoint the retained chain now starts from (== Through).
	Anchor int64
}

// Purge applies a retention rule: it deletes events older than before, but only up to
// the newest checkpoint whose events are all older than before, and that checkpoint
// stays as the chain's anchor (verify starts from it). Older checkpoints go with their
// events. The purge is itself an audit event, by actor, appended in the same
// transaction: a purge that cannot be audited does not happen.
func (l *Log) Purge(ctx context.Context, before time.Time, actor, requestID, source string) (PurgeResult, error) {
	var res PurgeResult
	ev, err := prepare(Event{Actor: actor, Action: purgeAction, Object: "audit_log", Outcome: Success, RequestID: requestID, Source: source})
	if err != nil {
		return res, err
	}
	err = l.st.InTx(ctx, func(tx *store.Tx) error {
		res = PurgeResult{}
		// Take the chain head first: appends wait, and no checkpoint can appear between
		// choosing the anchor and deleting.
		if _, err := lockHead(ctx, tx); err != nil {
			return err
		}
		d := tx.Dialect()
		var firstKept sql.NullInt64
		if err := tx.QueryRow(ctx, `SELECT MIN(seq) FROM audit_events WHERE at >= ?`, d.TimeValue(before)).Scan(&firstKept); err != nil {
			return fmt.Errorf("find first event to keep: %w", err)
		}
		var anchor sql.NullInt64
		q := `SELECT MAX(c.seq) FROM audit_checkpoints c WHERE EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = c.seq)`
		args := []any{}
		if firstKept.Valid {
			q += ` AND c.seq < ?`
			args = append(args, firstKept.Int64)
		}
		if err := tx.QueryRow(ctx, q, args...).Scan(&anchor); err != nil {
			return fmt.Errorf("find anchor checkpoint: %w", err)
		}
		if !anchor.Valid {
			// Nothing old enough is anchored by a checkpoint: the run is still audited.
			ev.Details = map[string]string{"before": before.UTC().Format(time.RFC3339), "deleted": "0"}
			_, err := appendLocked(ctx, tx, []*Event{&ev}, l.opt.Now)
			return err
		}
		var first sql.NullInt64
		if err := tx.QueryRow(ctx, `SELECT MIN(seq) FROM audit_events`).Scan(&first); err != nil {
			return err
		}
		r, err := tx.Exec(ctx, `DELETE FROM audit_events WHERE seq <= ?`, anchor.Int64)
		if err != nil {
			return fmt.Errorf("delete events: %w", err)
		}
		res.Deleted, _ = r.RowsAffected()
		res.FirstSeq, res.Through, res.Anchor = first.Int64, anchor.Int64, anchor.Int64
		if _, err := tx.Exec(ctx, `DELETE FROM audit_checkpoints WHERE seq < ?`, anchor.Int64); err != nil {
			return fmt.Errorf("delete checkpoints: %w", err)
		}
		ev.Details = map[string]string{
			"before":      before.UTC().Format(time.RFC3339),
			"deleted":     strconv.FormatInt(res.Deleted, 10),
			"first_seq":   strconv.FormatInt(res.FirstSeq, 10),
			"through_seq": strconv.FormatInt(res.Through, 10),
		}
		_, err = appendLocked(ctx, tx, []*Event{&ev}, l.opt.Now)
		return err
	})
	if err != nil {
		return PurgeResult{}, fmt.Errorf("audit: purge: %w", err)
	}
	l.committed([]*Event{&ev})
	return res, nil
}
