package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const findingSelect = `f.id, f.scan_id, f.fingerprint, f.control, f.section, f.rule, f.severity, f.target, f.location, f.message, f.status`

func scanFinding(row interface{ Scan(...any) error }, extra ...any) (Finding, error) {
	var f Finding
	var status string
	err := row.Scan(append([]any{&f.ID, &f.ScanID, &f.Fingerprint, &f.Control, &f.Section, &f.Rule, &f.Severity, &f.Target, &f.Location, &f.Message, &status}, extra...)...)
	f.Status = FindingStatus(status)
	return f, err
}

// FindingDiff compares a system's latest scan with the one before it, by fingerprint.
func (s *Store) FindingDiff(ctx context.Context, systemID int64) (Diff, error) {
	d := Diff{SystemID: systemID}
	err := s.inReadTx(ctx, func(tx *Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM systems WHERE id = ?`, systemID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+scanColumns+` FROM scans s WHERE s.system_id = ? ORDER BY s.finished_at DESC, s.id DESC LIMIT 2`, systemID)
		if err != nil {
			return err
		}
		var scans []Scan
		for rows.Next() {
			sc, err := scanScan(rows)
			if err != nil {
				rows.Close()
				return err
			}
			scans = append(scans, sc)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(scans) == 0 {
			return nil
		}
		d.Latest = &scans[0]
		prevID := int64(0) // no scan has id 0: with one scan, everything is new
		if len(scans) == 2 {
			d.Previous = &scans[1]
			prevID = scans[1].ID
		}
		rows, err = tx.Query(ctx, `SELECT `+findingSelect+`, CASE WHEN p.id IS NULL THEN 0 ELSE 1 END
FROM findings f LEFT JOIN findings p ON p.scan_id = ? AND p.fingerprint = f.fingerprint
WHERE f.scan_id = ? ORDER BY f.id`, prevID, d.Latest.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var seen int
			f, err := scanFinding(rows, &seen)
			if err != nil {
				rows.Close()
				return err
			}
			if seen == 1 {
				d.Recurring = append(d.Recurring, f)
			} else {
				d.New = append(d.New, f)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		d.Fixed, err = queryFindings(ctx, tx, `SELECT `+findingSelect+` FROM findings f
WHERE f.scan_id = ? AND NOT EXISTS (SELECT 1 FROM findings n WHERE n.scan_id = ? AND n.fingerprint = f.fingerprint)
ORDER BY f.id`, prevID, d.Latest.ID)
		return err
	})
	if err != nil {
		return Diff{}, fmt.Errorf("finding diff of system %d: %w", systemID, err)
	}
	return d, nil
}

func queryFindings(ctx context.Context, tx *Tx, q string, args ...any) ([]Finding, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ControlFinding is a finding of a control in the latest scan of a system.
type ControlFinding struct {
	SystemID int64
	Finding
}

// FindingsByControl returns the findings of one control in each system's latest scan:
// which systems fail it now, and where.
func (s *Store) FindingsByControl(ctx context.Context, control string) ([]ControlFinding, error) {
	var out []ControlFinding
	err := s.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT y.id, `+findingSelect+` FROM systems y
JOIN scans s ON s.id = (SELECT l.id FROM scans l WHERE l.system_id = y.id ORDER BY l.finished_at DESC, l.id DESC LIMIT 1)
JOIN findings f ON f.scan_id = s.id AND f.control = ?
ORDER BY y.id, f.id`, control)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var cf ControlFinding
			var status string
			f := &cf.Finding
			if err := rows.Scan(&cf.SystemID, &f.ID, &f.ScanID, &f.Fingerprint, &f.Control, &f.Section, &f.Rule, &f.Severity, &f.Target, &f.Location, &f.Message, &status); err != nil {
				return err
			}
			f.Status = FindingStatus(status)
			out = append(out, cf)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("findings of control %q: %w", control, err)
	}
	return out, nil
}

// PostureBySectionOverTime returns, for each scan of the selected systems in the time
// window, its counts per policy section: the series of the dashboard's section × system
// chart. Points are ordered by system, then time, then section.
func (s *Store) PostureBySectionOverTime(ctx context.Context, q PostureQuery) ([]SectionPosture, error) {
	where := `1 = 1`
	var args []any
	if q.SystemIDs != nil {
		where += ` AND s.system_id IN (` + placeholders(len(q.SystemIDs)) + `)`
		for _, id := range q.SystemIDs {
			args = append(args, id)
		}
	}
	if !q.Since.IsZero() {
		where += ` AND s.finished_at >= ?`
		args = append(args, s.dialect.TimeValue(q.Since))
	}
	if !q.Until.IsZero() {
		where += ` AND s.finished_at < ?`
		args = append(args, s.dialect.TimeValue(q.Until))
	}
	rows, err := s.Query(ctx, `SELECT s.system_id, s.id, s.finished_at, p.section,
	p.controls_pass, p.controls_fail, p.controls_deviation, p.controls_not_applicable, p.controls_unknown,
	p.findings_open, p.findings_suppressed, p.open_critical, p.open_high, p.open_medium, p.open_low, p.open_info
FROM scans s JOIN scan_sections p ON p.scan_id = s.id
WHERE `+where+`
ORDER BY s.system_id, s.finished_at, s.id, p.section`, args...)
	if err != nil {
		return nil, fmt.Errorf("posture over time: %w", err)
	}
	defer rows.Close()
	var out []SectionPosture
	for rows.Next() {
		var p SectionPosture
		f := &p.Findings
		if err := rows.Scan(&p.SystemID, &p.ScanID, TimeScanner(&p.At), &p.Section, &p.Pass, &p.Fail, &p.Deviation, &p.NotApplicable, &p.Unknown,
			&f.Open, &f.Suppressed, &f.Critical, &f.High, &f.Medium, &f.Low, &f.Info); err != nil {
			return nil, fmt.Errorf("posture over time: %w", err)
		}
		f.Total = f.Open + f.Suppressed
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("posture over time: %w", err)
	}
	return out, nil
}
