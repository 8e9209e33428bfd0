package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Package is one package version a scan found on a target (scan_packages, migration
// 0012): what the vulnerability database is matched against again after an update.
type Package struct {
	Target    string
	Ecosystem string // OSV ecosystem name
	Name      string
	Version   string
}

// maxScanPackages bounds the packages stored per scan; a repository with more is a
// monorepo of vendored trees, and its rescan will match them anyway.
const maxScanPackages = 100_000

// RecordScanTx records a scan like RecordScan, and its packages, inside the caller's
// transaction: the scan.system job commits the scan together with its own completion,
// so a job that lost its lease records nothing.
func (s *Store) RecordScanTx(ctx context.Context, tx *Tx, systemID int64, in ScanInput) (Scan, error) {
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
	if err := s.insertScan(ctx, tx, systemID, &in, sections, gz, &sc); err != nil {
		return Scan{}, fmt.Errorf("record scan of system %d: %w", systemID, err)
	}
	if err := InsertScanPackagesTx(ctx, tx, sc.ID, in.Packages); err != nil {
		return Scan{}, err
	}
	return sc, nil
}

// InsertScanPackagesTx stores a scan's packages; duplicates are stored once.
func InsertScanPackagesTx(ctx context.Context, tx *Tx, scanID int64, pkgs []Package) error {
	if len(pkgs) > maxScanPackages {
		pkgs = pkgs[:maxScanPackages]
	}
	for _, p := range pkgs {
		if p.Ecosystem == "" || p.Name == "" || p.Version == "" || len(p.Name) > 512 || len(p.Version) > 256 || len(p.Target) > 2048 || len(p.Ecosystem) > 64 {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO scan_packages (scan_id, target, ecosystem, name, version) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (scan_id, target, ecosystem, name, version) DO NOTHING`, scanID, p.Target, p.Ecosystem, p.Name, p.Version); err != nil {
			return fmt.Errorf("scan %d packages: %w", scanID, err)
		}
	}
	return nil
}

// ScanPackages returns a scan's stored packages; ok is false when none were stored
// for it (an uploaded scan, or one recorded before migration 0012).
func (s *Store) ScanPackages(ctx context.Context, scanID int64) (pkgs []Package, ok bool, err error) {
	rows, err := s.Query(ctx, `SELECT target, ecosystem, name, version FROM scan_packages WHERE scan_id = ? ORDER BY target, ecosystem, name, version`, scanID)
	if err != nil {
		return nil, false, fmt.Errorf("scan %d packages: %w", scanID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Package
		if err := rows.Scan(&p.Target, &p.Ecosystem, &p.Name, &p.Version); err != nil {
			return nil, false, fmt.Errorf("scan %d packages: %w", scanID, err)
		}
		pkgs = append(pkgs, p)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("scan %d packages: %w", scanID, err)
	}
	return pkgs, len(pkgs) > 0, nil
}

// ScanRecordedBy returns the id of the scan recorded with uploaded_by = by, or 0 (a
// server-run scan is recorded by "job:<id>"). It is not indexed: for tests and tools.
func (s *Store) ScanRecordedBy(ctx context.Context, by string) (int64, error) {
	var id int64
	err := s.QueryRow(ctx, `SELECT id FROM scans WHERE uploaded_by = ? ORDER BY id LIMIT 1`, by).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// AddVulnMatchTx remembers that a vulnerability matched a component of a system
// (vuln_matches, migration 0009); created is false when it was already known, which
// is how a re-match alerts on new matches only.
func AddVulnMatchTx(ctx context.Context, tx *Tx, systemID int64, component, vulnID string, at time.Time) (created bool, err error) {
	res, err := tx.Exec(ctx, `INSERT INTO vuln_matches (system_id, component, vuln_id, first_seen_at) VALUES (?, ?, ?, ?)
ON CONFLICT (system_id, component, vuln_id) DO NOTHING`, systemID, component, vulnID, tx.Dialect().TimeValue(at))
	if err != nil {
		return false, fmt.Errorf("vulnerability match %s %s: %w", component, vulnID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// VulnDBDataTime is the data time of the vulnerability database the last re-match ran
// against; zero before the first.
func (s *Store) VulnDBDataTime(ctx context.Context) (time.Time, error) {
	var t time.Time
	err := s.QueryRow(ctx, `SELECT data_time FROM vulndb_state WHERE id = 1`).Scan(TimeScanner(&t))
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return t, err
}

// SetVulnDBDataTimeTx records the data time a re-match ran against.
func SetVulnDBDataTimeTx(ctx context.Context, tx *Tx, data, at time.Time) error {
	d := tx.Dialect()
	_, err := tx.Exec(ctx, `INSERT INTO vulndb_state (id, data_time, rematched_at) VALUES (1, ?, ?)
ON CONFLICT (id) DO UPDATE SET data_time = excluded.data_time, rematched_at = excluded.rematched_at`, d.TimeValue(data), d.TimeValue(at))
	return err
}
