package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Queries for the server's pages (dashboard, systems, findings). They read the latest
// scan of each system through the scans_system_finished index and never aggregate
// findings for the dashboard: that reads scan_sections.

func notFoundIfNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// SystemByName returns the system with that exact name, with its targets.
func (s *Store) SystemByName(ctx context.Context, name string) (System, error) {
	var id int64
	if err := s.QueryRow(ctx, `SELECT id FROM systems WHERE name = ?`, name).Scan(&id); err != nil {
		return System{}, fmt.Errorf("system %q: %w", name, notFoundIfNoRows(err))
	}
	return s.GetSystem(ctx, id)
}

// ChangeStamp is a short string that changes whenever a scan is recorded or a system
// or triage decision changes. The server caches what it derives from the scan history
// (the dashboard) under this stamp: any replica sees the same stamp for the same data,
// so a cache never outlives the data it came from.
func (s *Store) ChangeStamp(ctx context.Context) (string, error) {
	var scans, maxScan, systems, triage int64
	var sysUpdated, triageAt sql.NullString
	// Timestamps are read as text on both databases: only equality matters here.
	err := s.QueryRow(ctx, `SELECT
	(SELECT COUNT(*) FROM scans), (SELECT COALESCE(MAX(id), 0) FROM scans),
	(SELECT COUNT(*) FROM systems), (SELECT CAST(MAX(updated_at) AS TEXT) FROM systems),
	(SELECT COUNT(*) FROM finding_triage), (SELECT CAST(MAX(triaged_at) AS TEXT) FROM finding_triage)`).
		Scan(&scans, &maxScan, &systems, &sysUpdated, &triage, &triageAt)
	if err != nil {
		return "", fmt.Errorf("change stamp: %w", err)
	}
	return fmt.Sprintf("%d.%d.%d.%s.%d.%s", scans, maxScan, systems, sysUpdated.String, triage, triageAt.String), nil
}

// latestScanJoin joins each system y to its latest scan s (by finish time).
const latestScanJoin = `JOIN scans s ON s.id = (SELECT l.id FROM scans l WHERE l.system_id = y.id ORDER BY l.finished_at DESC, l.id DESC LIMIT 1)`

// LatestSections returns the per-section posture of every system's latest scan,
// ordered by system id and section.
func (s *Store) LatestSections(ctx context.Context) ([]SectionPosture, error) {
	rows, err := s.Query(ctx, `SELECT s.system_id, s.id, s.finished_at, p.section,
	p.controls_pass, p.controls_fail, p.controls_deviation, p.controls_not_applicable, p.controls_unknown,
	p.findings_open, p.findings_suppressed, p.open_critical, p.open_high, p.open_medium, p.open_low, p.open_info
FROM systems y `+latestScanJoin+` JOIN scan_sections p ON p.scan_id = s.id
ORDER BY s.system_id, p.section`)
	if err != nil {
		return nil, fmt.Errorf("latest sections: %w", err)
	}
	defer rows.Close()
	var out []SectionPosture
	for rows.Next() {
		var p SectionPosture
		f := &p.Findings
		if err := rows.Scan(&p.SystemID, &p.ScanID, TimeScanner(&p.At), &p.Section, &p.Pass, &p.Fail, &p.Deviation, &p.NotApplicable, &p.Unknown,
			&f.Open, &f.Suppressed, &f.Critical, &f.High, &f.Medium, &f.Low, &f.Info); err != nil {
			return nil, fmt.Errorf("latest sections: %w", err)
		}
		f.Total = f.Open + f.Suppressed
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("latest sections: %w", err)
	}
	return out, nil
}

// SystemScans returns a system's scans, newest first, at most limit of them.
func (s *Store) SystemScans(ctx context.Context, systemID int64, limit int) ([]Scan, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := s.Query(ctx, `SELECT `+scanColumns+` FROM scans s WHERE s.system_id = ? ORDER BY s.finished_at DESC, s.id DESC LIMIT ?`, systemID, limit)
	if err != nil {
		return nil, fmt.Errorf("scans of system %d: %w", systemID, err)
	}
	defer rows.Close()
	var out []Scan
	for rows.Next() {
		sc, err := scanScan(rows)
		if err != nil {
			return nil, fmt.Errorf("scans of system %d: %w", systemID, err)
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// FindingFilter selects findings of the systems' latest scans. Zero values select all.
type FindingFilter struct {
	SystemID    int64
	Fingerprint string
	Section     string
	Control     string
	Severity    string
	Status      FindingStatus
	// Triage is "" (any), "untriaged", or a TriageState.
	Triage string
	// Limit (default and maximum 500) and Offset page through the result.
	Limit, Offset int
}

// LatestFinding is a finding of a system's latest scan, with its triage, if any.
type LatestFinding struct {
	Finding
	SystemID   int64
	SystemName string
	Triage     *Triage
}

// LatestFindings returns the findings of every system's latest scan that match f,
// ordered by severity (critical first), system name and finding id, and how many match
// in all.
func (s *Store) LatestFindings(ctx context.Context, f FindingFilter) ([]LatestFinding, int, error) {
	where := `1 = 1`
	var args []any
	add := func(cond string, v any) { where += ` AND ` + cond; args = append(args, v) }
	if f.SystemID != 0 {
		add(`y.id = ?`, f.SystemID)
	}
	if f.Fingerprint != "" {
		add(`f.fingerprint = ?`, f.Fingerprint)
	}
	if f.Section != "" {
		add(`f.section = ?`, f.Section)
	}
	if f.Control != "" {
		add(`f.control = ?`, f.Control)
	}
	if f.Severity != "" {
		add(`f.severity = ?`, f.Severity)
	}
	if f.Status != "" {
		add(`f.status = ?`, string(f.Status))
	}
	switch f.Triage {
	case "":
	case "untriaged":
		where += ` AND t.state IS NULL`
	default:
		add(`t.state = ?`, f.Triage)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	from := `FROM systems y ` + latestScanJoin + `
JOIN findings f ON f.scan_id = s.id
LEFT JOIN finding_triage t ON t.system_id = y.id AND t.fingerprint = f.fingerprint
WHERE ` + where
	var out []LatestFinding
	var total int
	err := s.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) `+from, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT y.id, y.name, `+findingSelect+`, t.state, t.reason, t.triaged_by, t.triaged_at `+from+`
ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, y.name, f.id
LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var lf LatestFinding
			var state, reason, by sql.NullString
			var at nullTime
			var status string
			g := &lf.Finding
			if err := rows.Scan(&lf.SystemID, &lf.SystemName, &g.ID, &g.ScanID, &g.Fingerprint, &g.Control, &g.Section, &g.Rule, &g.Severity,
				&g.Target, &g.Location, &g.Message, &status, &state, &reason, &by, &at); err != nil {
				return err
			}
			g.Status = FindingStatus(status)
			if state.Valid {
				lf.Triage = &Triage{SystemID: lf.SystemID, Fingerprint: g.Fingerprint, State: TriageState(state.String), Reason: reason.String, By: by.String, At: at.t}
			}
			out = append(out, lf)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("latest findings: %w", err)
	}
	return out, total, nil
}
