package server

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// Config.ScanRecorded runs inside the upload's transaction: it sees the new scan, and
// when it fails (the alert job cannot be queued) the scan is not stored either.
func TestUploadRunsScanRecordedInItsTransaction(t *testing.T) {
	h := newHarness(t, store.Options{DataDir: t.TempDir()})
	h.system("web")
	tok, _ := h.token([]string{ScopeScansWrite}, t0.Add(time.Hour))
	var seen []int64
	fail := false
	h.srv.cfg.ScanRecorded = func(_ context.Context, _ *store.Tx, sys store.System, sc store.Scan) error {
		if fail {
			return errors.New("queue unavailable")
		}
		if sys.Name != "web" {
			t.Errorf("hook got system %q", sys.Name)
		}
		seen = append(seen, sc.ID)
		return nil
	}
	body := mustJSON(t, testReport(t0, tf{"CR-2", "high", "a", ""}))
	if status, out := h.upload(tok, "web", body, nil); status != http.StatusCreated || len(seen) != 1 || out["scan_id"] != float64(seen[0]) {
		t.Fatalf("upload: %d %v; hook saw %v", status, out, seen)
	}
	fail = true
	if status, _ := h.upload(tok, "web", body, nil); status != http.StatusServiceUnavailable {
		t.Fatalf("upload with a failing hook: %d, want 503", status)
	}
	if n := h.scanCount(); n != 1 {
		t.Fatalf("%d scans stored; the one whose hook failed must not be", n)
	}
}
