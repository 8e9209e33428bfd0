package audit

import (
	"context"
	"testing"
	"time"
)

func TestPurgeKeepsChainVerifiable(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// Events 1–10 in January, checkpoint; 11–20 in February, checkpoint; 21–25 in March.
		e.clock.set(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		appendN(t, e.log, 0, 10)
		mustCheckpoint(t, e)
		e.clock.set(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
		appendN(t, e.log, 10, 10)
		mustCheckpoint(t, e)
		e.clock.set(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		appendN(t, e.log, 20, 5)

		// A cut-off in mid-February may only go up to the January checkpoint (seq 10):
		// events 11–20 are not all older than it.
		res, err := e.log.Purge(ctx, time.Date(2026, 2, 1, 0, 0, 0, 5e6, time.UTC), "user:admin", "req-p", "cli")
		if err != nil {
			t.Fatal(err)
		}
		if res.Deleted != 10 || res.FirstSeq != 1 || res.Through != 10 || res.Anchor != 10 {
			t.Errorf("purge = %+v", res)
		}
		rep := mustVerify(t, e)
		requireOK(t, rep)
		if rep.FirstSeq != 11 || rep.Anchor != 10 || rep.LastSeq != 26 {
			t.Errorf("after purge: %+v", rep)
		}
		last := eventAt(t, e, 26)
		if last.Action != purgeAction || last.Actor != "user:admin" || last.Details["deleted"] != "10" || last.Details["through_seq"] != "10" {
			t.Errorf("purge event = %+v", last)
		}
		// A second purge with the same cut-off finds nothing new, and is audited too.
		res, err = e.log.Purge(ctx, time.Date(2026, 2, 1, 0, 0, 0, 5e6, time.UTC), "user:admin", "req-q", "cli")
		if err != nil || res.Deleted != 0 {
			t.Fatalf("second purge = %+v, %v", res, err)
		}
		requireOK(t, mustVerify(t, e))

		// Tampering after a purge is still found.
		tamper(t, e, `UPDATE audit_events SET object = 'system:x' WHERE seq = 12`)
		checkProblems(t, mustVerify(t, e), []want{{Modified, 12, 12}})
		tamper(t, e, `UPDATE audit_events SET object = 'system:11' WHERE seq = 12`)
		requireOK(t, mustVerify(t, e))
		tamper(t, e, `DELETE FROM audit_events WHERE seq = 11`)
		checkProblems(t, mustVerify(t, e), []want{{Deleted, 11, 11}})
	})
}

func TestPurgeWithoutRecordIsDetected(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		appendN(t, e.log, 0, 10)
		mustCheckpoint(t, e)
		appendN(t, e.log, 10, 5)
		// Someone deletes old events as a purge would, but without a purge event.
		tamper(t, e, `DELETE FROM audit_events WHERE seq <= 10`)
		checkProblems(t, mustVerify(t, e), []want{{Deleted, 1, 10}})
	})
}

func mustCheckpoint(t *testing.T, e *env) {
	t.Helper()
	if _, err := e.log.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
}
