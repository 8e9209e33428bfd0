package jobs

import "strconv"

// Job kinds of the server's own scanning (internal/scanjob), named here so that the
// HTTP routes that schedule and trigger them need not import the scanner.
const (
	// ScanSystemKind scans one system's inventory targets; payload ScanPayload.
	ScanSystemKind = "scan.system"
	// ScanAlertKind raises the new-findings alert of a recorded scan; it is enqueued in
	// the transaction that records the scan, so the alert is never lost.
	ScanAlertKind = "scan.alert"
	// RematchKind matches the stored packages of every system's latest scan against the
	// vulnerability database and alerts on new matches; payload RematchPayload.
	RematchKind = "vulndb.rematch"
)

// ScanPayload is the payload of a scan.system job.
type ScanPayload struct {
	SystemID int64 `json:"system_id"`
}

// RematchPayload is the payload of a vulndb.rematch job. Without Force the job
// re-matches only when the database's data is newer than at the last re-match.
type RematchPayload struct {
	Force bool `json:"force,omitempty"`
}

// ScanScheduleName is the name of a system's scan schedule: one per system.
func ScanScheduleName(systemID int64) string {
	return "scan:system:" + strconv.FormatInt(systemID, 10)
}
