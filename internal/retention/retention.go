// Package retention enforces how long posture serve keeps what it records (controls
// SC-5, LG-3): a scheduled job purges each category older than its configured age, and
// the purge is itself audited (docs/jobs.md, "Retention").
package retention

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/store"
)

// JobKind is the scheduled purge.
const JobKind = "retention.purge"

// Policy says how long each category is kept; zero keeps it for ever.
type Policy struct {
	// AuditEvents: older events are purged through audit.Log.Purge, which keeps the
	// chain verifiable from the newest checkpoint before the cut-off.
	AuditEvents time.Duration
	// FixedFindings: findings of scans older than this whose issue is fixed (its
	// fingerprint is not in the system's latest scan) are deleted; the scans, their
	// counts and the posture history stay.
	FixedFindings time.Duration
	// JobLogs: finished jobs, their runs and finished alert deliveries.
	JobLogs time.Duration
	// SupersededEvidence: evidence of attestations that a newer attestation of the same
	// kind and system replaced. Purged by EvidenceSweeper, which the attestation records
	// provide.
	SupersededEvidence time.Duration
}

// DefaultPolicy keeps audit events for a year, fixed findings for 180 days, job logs for
// 90 days and superseded evidence for a year.
var DefaultPolicy = Policy{AuditEvents: 365 * 24 * time.Hour, FixedFindings: 180 * 24 * time.Hour, JobLogs: 90 * 24 * time.Hour, SupersededEvidence: 365 * 24 * time.Hour}

// EvidenceSweeper deletes evidence of superseded attestations older than before, inside
// tx, and returns how many files it removed (or will remove after commit).
type EvidenceSweeper func(ctx context.Context, tx *store.Tx, before time.Time) (int64, error)

// Purger runs the purge.
type Purger struct {
	Store    *store.Store
	Audit    *audit.Log
	Policy   Policy
	Evidence EvidenceSweeper // nil until attestations exist
	Now      func() time.Time
}

// Result counts what one purge removed.
type Result struct {
	AuditEvents, Findings, Jobs, JobRuns, Deliveries, Evidence int64
}

// Handler is the job handler of JobKind.
func (p *Purger) Handler() jobs.Handler {
	return func(ctx context.Context, j *jobs.Job) error {
		_, err := p.Run(ctx, "system", "job:"+strconv.FormatInt(j.ID, 10))
		return err
	}
}

// Run purges every category. The database categories are deleted in one transaction
// together with their audit event (retention.purge, with the counts), so a purge that
// cannot be audited does not happen; the audit log's own purge is a separate audited
// step (audit.purge). Running it twice is harmless: the second run finds nothing.
func (p *Purger) Run(ctx context.Context, actor, requestID string) (Result, error) {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	t := now()
	var res Result
	pol := p.Policy
	d := p.Store.Dialect()
	details := map[string]string{}
	ev := audit.Event{Actor: actor, Action: "retention.purge", Object: "retention", Outcome: audit.Success, RequestID: requestID, Source: "job", Details: details}
	// The event is appended last in the transaction, once the counts are known; it
	// commits with the deletions or neither does.
	err := p.Store.InTx(ctx, func(tx *store.Tx) error {
		res = Result{}
		if pol.FixedFindings > 0 {
			cut := t.Add(-pol.FixedFindings)
			r, err := tx.Exec(ctx, `DELETE FROM findings WHERE scan_id IN (
	SELECT s.id FROM scans s WHERE s.finished_at < ?
	AND s.id <> (SELECT l.id FROM scans l WHERE l.system_id = s.system_id ORDER BY l.finished_at DESC, l.id DESC LIMIT 1))
AND NOT EXISTS (SELECT 1 FROM findings cur WHERE cur.fingerprint = findings.fingerprint AND cur.scan_id = (
	SELECT l.id FROM scans l WHERE l.system_id = (SELECT system_id FROM scans WHERE id = findings.scan_id) ORDER BY l.finished_at DESC, l.id DESC LIMIT 1))`,
				d.TimeValue(cut))
			if err != nil {
				return fmt.Errorf("purge fixed findings: %w", err)
			}
			res.Findings, _ = r.RowsAffected()
			details["findings_before"] = cut.UTC().Format(time.RFC3339)
		}
		if pol.JobLogs > 0 {
			cut := d.TimeValue(t.Add(-pol.JobLogs))
			r, err := tx.Exec(ctx, `DELETE FROM job_runs WHERE finished_at < ?`, cut)
			if err != nil {
				return fmt.Errorf("purge job runs: %w", err)
			}
			res.JobRuns, _ = r.RowsAffected()
			r, err = tx.Exec(ctx, `DELETE FROM alert_deliveries WHERE state IN ('sent', 'failed') AND updated_at < ?`, cut)
			if err != nil {
				return fmt.Errorf("purge alert deliveries: %w", err)
			}
			res.Deliveries, _ = r.RowsAffected()
			// Jobs with a dedup key are kept while a delivery or schedule run could be
			// enqueued again under the same key: only finished ones past the cut-off go,
			// and their keys are for runs that are long past.
			r, err = tx.Exec(ctx, `DELETE FROM jobs WHERE state IN ('done', 'failed') AND finished_at < ?
AND NOT EXISTS (SELECT 1 FROM job_runs r WHERE r.job_id = jobs.id)`, cut)
			if err != nil {
				return fmt.Errorf("purge jobs: %w", err)
			}
			res.Jobs, _ = r.RowsAffected()
		}
		if pol.SupersededEvidence > 0 && p.Evidence != nil {
			n, err := p.Evidence(ctx, tx, t.Add(-pol.SupersededEvidence))
			if err != nil {
				return fmt.Errorf("purge superseded evidence: %w", err)
			}
			res.Evidence = n
		}
		details["findings"] = strconv.FormatInt(res.Findings, 10)
		details["job_runs"] = strconv.FormatInt(res.JobRuns, 10)
		details["jobs"] = strconv.FormatInt(res.Jobs, 10)
		details["alert_deliveries"] = strconv.FormatInt(res.Deliveries, 10)
		details["evidence"] = strconv.FormatInt(res.Evidence, 10)
		return p.Audit.AppendTx(ctx, tx, ev)
	})
	if err != nil {
		return res, fmt.Errorf("retention: %w", err)
	}
	if pol.AuditEvents > 0 {
		pr, err := p.Audit.Purge(ctx, t.Add(-pol.AuditEvents), actor, requestID, "job")
		if err != nil {
			return res, fmt.Errorf("retention: purge audit events: %w", err)
		}
		res.AuditEvents = pr.Deleted
	}
	return res, nil
}
