package serverjobs

import (
	"context"
	"strconv"

	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/store"
)

// ScanRecorded queues the new-findings alert of an uploaded scan in the transaction that
// records it, exactly as a scheduled scan does (internal/scanjob): the alert job runs
// once per scan, however often the upload is retried.
func (rt *Runtime) ScanRecorded(ctx context.Context, tx *store.Tx, sys store.System, sc store.Scan) error {
	_, _, err := rt.Queue.EnqueueTx(ctx, tx, jobs.Spec{Kind: jobs.ScanAlertKind, DedupKey: "scan-alert:" + strconv.FormatInt(sc.ID, 10),
		Payload: map[string]any{"system_id": sys.ID, "system": sys.Name, "scan_id": sc.ID}})
	return err
}
