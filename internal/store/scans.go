package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// findingColumns are written in this order by RecordScan's batched INSERT.
const findingColumns = `scan_id, fingerprint, control, section, rule, severity, target, location, message, status`

// findingBatch is how many findings one INSERT carries: few enough to stay far below
// either database's limit on bound parameters (SQLite 32766, PostgreSQL 65535), many
// enough that 1,000 findings cost a handful of round trips rather than 1,000.
const findingBatch = 250

var batchQueries sync.Map // rows → INSERT statement

func findingInsert(rows int) string {
	if q, ok := batchQueries.Load(rows); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO findings (` + findingColumns + `) VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`(?,?,?,?,?,?,?,?,?,?)`)
	}
	q := b.String()
	batchQueries.Store(rows, q)
	return q
}

// RecordScan stores an uploaded scan of a system: the scan, its findings, its
// per-section counts and the compressed report, in one transaction, so that a failure
// at any point leaves nothing of it behind. The counts are computed here from the
// findings and control results, never taken from the uploader.
func (s *Store) RecordScan(ctx context.Context, systemID int64, in ScanInput) (Scan, error) {
	if err := in.validate(); err != nil {
		return Scan{}, fmt.Errorf("record scan of system %d: %w", systemID, err)
	}
	sections, total := summarise(&in)
	gz, err := compress(in.RawReport)
	if err != nil {
		return Scan{}, fmt.Errorf("record scan of system %d: compress report: %w", systemID, err)
	}
	sum := sha256.Sum256(in.RawReport)
	sc := Scan{
		SystemID: systemID, UploadedBy: in.UploadedBy,
		StartedAt: in.StartedAt.UTC().Truncate(time.Microsecond), FinishedAt: in.FinishedAt.UTC().Truncate(time.Microsecond), RecordedAt: s.nowUTC(),
		ToolVersion: in.ToolVersion, PackVersion: in.PackVersion, Counts: total,
		ReportSize: int64(len(in.RawReport)), ReportSHA256: hex.EncodeToString(sum[:]),
	}
	err = s.InTx(ctx, func(tx *Tx) error { return s.insertScan(ctx, tx, systemID, &in, sections, gz, &sc) })
	if err != nil {
		return Scan{}, fmt.Errorf("record scan of system %d: %w", systemID, err)
	}
	return sc, nil
}

// insertScan writes a prepared scan in tx and sets sc.ID.
func (s *Store) insertScan(ctx context.Context, tx *Tx, systemID int64, in *ScanInput, sections []SectionPosture, gz []byte, sc *Scan) error {
	d := s.dialect
	{
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM systems WHERE id = ?`, systemID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("system %d: %w", systemID, ErrNotFound)
		} else if err != nil {
			return err
		}
		c := sc.Counts
		id, err := tx.InsertID(ctx, `INSERT INTO scans (system_id, uploaded_by, started_at, finished_at, recorded_at, tool_version, pack_version,
	findings_total, findings_open, findings_suppressed, open_critical, open_high, open_medium, open_low, open_info,
	report_gzip, report_size, report_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			systemID, sc.UploadedBy, d.TimeValue(sc.StartedAt), d.TimeValue(sc.FinishedAt), d.TimeValue(sc.RecordedAt), sc.ToolVersion, sc.PackVersion,
			c.Total, c.Open, c.Suppressed, c.Critical, c.High, c.Medium, c.Low, c.Info,
			gz, sc.ReportSize, sc.ReportSHA256)
		if err != nil {
			return fmt.Errorf("insert scan: %w", err)
		}
		sc.ID = id
		for start := 0; start < len(in.Findings); start += findingBatch {
			batch := in.Findings[start:min(start+findingBatch, len(in.Findings))]
			args := make([]any, 0, len(batch)*10)
			for _, f := range batch {
				args = append(args, id, f.Fingerprint, f.Control, sectionOf(f.Section, f.Control), f.Rule, f.Severity, f.Target, f.Location, f.Message, string(f.Status))
			}
			if _, err := tx.Exec(ctx, findingInsert(len(batch)), args...); err != nil {
				return fmt.Errorf("insert findings %d–%d: %w", start, start+len(batch)-1, err)
			}
			if s.failAfterFindings != nil {
				if err := s.failAfterFindings(start + len(batch)); err != nil {
					return err
				}
			}
		}
		for _, p := range sections {
			f := p.Findings
			if _, err := tx.Exec(ctx, `INSERT INTO scan_sections (scan_id, section, controls_pass, controls_fail, controls_deviation, controls_not_applicable, controls_unknown,
	findings_open, findings_suppressed, open_critical, open_high, open_medium, open_low, open_info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, p.Section, p.Pass, p.Fail, p.Deviation, p.NotApplicable, p.Unknown,
				f.Open, f.Suppressed, f.Critical, f.High, f.Medium, f.Low, f.Info); err != nil {
				return fmt.Errorf("insert section %s: %w", p.Section, err)
			}
		}
		return nil
	}
}

// summarise computes the scan's finding counts and its per-section posture, sorted by
// section.
func summarise(in *ScanInput) ([]SectionPosture, Counts) {
	by := map[string]*SectionPosture{}
	get := func(sec string) *SectionPosture {
		p := by[sec]
		if p == nil {
			p = &SectionPosture{Section: sec}
			by[sec] = p
		}
		return p
	}
	var total Counts
	for _, c := range in.Controls {
		p := get(sectionOf(c.Section, c.Control))
		switch c.Status {
		case Pass:
			p.Pass++
		case Fail:
			p.Fail++
		case Deviation:
			p.Deviation++
		case NotApplicable:
			p.NotApplicable++
		case Unknown:
			p.Unknown++
		}
	}
	for _, f := range in.Findings {
		p := get(sectionOf(f.Section, f.Control))
		p.Findings.count(f)
		total.count(f)
	}
	out := make([]SectionPosture, 0, len(by))
	for _, p := range by {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Section < out[j].Section })
	return out, total
}

func (c *Counts) count(f FindingInput) {
	c.Total++
	if f.Status == FindingSuppressed {
		c.Suppressed++
		return
	}
	c.Open++
	switch f.Severity {
	case "critical":
		c.Critical++
	case "high":
		c.High++
	case "medium":
		c.Medium++
	case "low":
		c.Low++
	case "info":
		c.Info++
	}
}

func compress(raw []byte) ([]byte, error) {
	if raw == nil {
		return nil, nil
	}
	var b bytes.Buffer
	w, err := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

const scanColumns = `s.id, s.system_id, s.uploaded_by, s.started_at, s.finished_at, s.recorded_at, s.tool_version, s.pack_version,
	s.findings_total, s.findings_open, s.findings_suppressed, s.open_critical, s.open_high, s.open_medium, s.open_low, s.open_info,
	s.report_size, s.report_sha256`

func scanScan(row interface{ Scan(...any) error }) (Scan, error) {
	var sc Scan
	c := &sc.Counts
	err := row.Scan(&sc.ID, &sc.SystemID, &sc.UploadedBy, TimeScanner(&sc.StartedAt), TimeScanner(&sc.FinishedAt), TimeScanner(&sc.RecordedAt),
		&sc.ToolVersion, &sc.PackVersion, &c.Total, &c.Open, &c.Suppressed, &c.Critical, &c.High, &c.Medium, &c.Low, &c.Info,
		&sc.ReportSize, &sc.ReportSHA256)
	return sc, err
}

// GetScan returns one scan's record (without findings or report).
func (s *Store) GetScan(ctx context.Context, id int64) (Scan, error) {
	sc, err := scanScan(s.QueryRow(ctx, `SELECT `+scanColumns+` FROM scans s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Scan{}, fmt.Errorf("get scan %d: %w", id, err)
	}
	return sc, nil
}

// LatestScans returns the latest scan (by finish time) of every system that has one,
// ordered by system id.
func (s *Store) LatestScans(ctx context.Context) ([]Scan, error) {
	// One probe of scans_system_finished per system, rather than sorting all scans.
	rows, err := s.Query(ctx, `SELECT `+scanColumns+` FROM systems y JOIN scans s ON s.id = (
	SELECT l.id FROM scans l WHERE l.system_id = y.id ORDER BY l.finished_at DESC, l.id DESC LIMIT 1)
ORDER BY y.id`)
	if err != nil {
		return nil, fmt.Errorf("latest scans: %w", err)
	}
	defer rows.Close()
	var out []Scan
	for rows.Next() {
		sc, err := scanScan(rows)
		if err != nil {
			return nil, fmt.Errorf("latest scans: %w", err)
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("latest scans: %w", err)
	}
	return out, nil
}

// ScanReport returns the report a scan was uploaded with, decompressed; nil when the
// scan was recorded without one.
func (s *Store) ScanReport(ctx context.Context, scanID int64) ([]byte, error) {
	var gz []byte
	var size int64
	err := s.QueryRow(ctx, `SELECT report_gzip, report_size FROM scans WHERE id = ?`, scanID).Scan(&gz, &size)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("scan %d report: %w", scanID, err)
	}
	if gz == nil {
		return nil, nil
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("scan %d report: %w", scanID, err)
	}
	// The recorded size bounds the read, so a corrupted row cannot inflate without end.
	raw, err := io.ReadAll(io.LimitReader(r, size+1))
	if err == nil && int64(len(raw)) != size {
		err = fmt.Errorf("decompressed %d bytes, recorded %d", len(raw), size)
	}
	if err != nil {
		return nil, fmt.Errorf("scan %d report: %w", scanID, err)
	}
	return raw, nil
}
