package store

import (
	"context"
	"fmt"
	"time"
)

// GovAttestation records that something a control asks for was done for a system.
type GovAttestation struct {
	ID          int64
	SystemID    int64
	System      string
	Kind        string // penetration-test, backup-restore-test, …
	Control     string
	PerformedOn string // YYYY-MM-DD
	CadenceDays int
	Summary     string
	RecordedBy  string
	RecordedAt  time.Time
	Evidence    []GovEvidence
}

// GovEvidence is an encrypted evidence file of an attestation.
type GovEvidence struct {
	ID            int64
	AttestationID int64
	Name          string
	ContentType   string
	Size          int64
	SHA256        string // of the plaintext, hex
	KeyID         string
	WrappedKey    []byte
	File          string // the ciphertext's file name under DATA/evidence
	UploadedBy    string
	UploadedAt    time.Time
}

// InsertGovAttestation stores an attestation and returns its id.
func (t *Tx) InsertGovAttestation(ctx context.Context, a GovAttestation) (int64, error) {
	if err := checkTexts("insert attestation", "kind", a.Kind, 64, "control", a.Control, 32, "performed on", a.PerformedOn, 10,
		"summary", a.Summary, maxGovText, "recorded by", a.RecordedBy, maxShortText); err != nil {
		return 0, err
	}
	if a.CadenceDays <= 0 {
		return 0, fmt.Errorf("insert attestation: %w", invalidf("cadence must be at least one day"))
	}
	id, err := t.InsertID(ctx, `INSERT INTO gov_attestations (system_id, kind, control, performed_on, cadence_days, summary, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.SystemID, a.Kind, a.Control, a.PerformedOn, a.CadenceDays, a.Summary, a.RecordedBy, t.d.TimeValue(a.RecordedAt))
	if err != nil {
		return 0, fmt.Errorf("insert attestation: %w", err)
	}
	return id, nil
}

// InsertGovEvidence records an evidence file whose ciphertext has been written.
func (t *Tx) InsertGovEvidence(ctx context.Context, e GovEvidence) (int64, error) {
	if err := checkTexts("insert evidence", "name", e.Name, maxShortText, "content type", e.ContentType, maxShortText, "sha256", e.SHA256, 64,
		"key id", e.KeyID, maxShortText, "file", e.File, maxShortText, "uploaded by", e.UploadedBy, maxShortText); err != nil {
		return 0, err
	}
	if len(e.WrappedKey) == 0 {
		return 0, fmt.Errorf("insert evidence: %w", invalidf("no wrapped key"))
	}
	id, err := t.InsertID(ctx, `INSERT INTO gov_evidence (attestation_id, name, content_type, size, sha256, key_id, wrapped_key, file, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.AttestationID, e.Name, e.ContentType, e.Size, e.SHA256, e.KeyID, e.WrappedKey, e.File, e.UploadedBy, t.d.TimeValue(e.UploadedAt))
	if err != nil {
		return 0, fmt.Errorf("insert evidence: %w", err)
	}
	return id, nil
}

// GovAttestations lists a system's attestations (all systems for 0), latest performed
// first, each with its evidence.
func GovAttestations(ctx context.Context, q Querier, systemID int64) ([]GovAttestation, error) {
	return queryAttestations(ctx, q, ` WHERE (? = 0 OR a.system_id = ?) ORDER BY a.performed_on DESC, a.id DESC`, systemID, systemID)
}

// GovAttestationByID reads one attestation with its evidence.
func GovAttestationByID(ctx context.Context, q Querier, id int64) (GovAttestation, error) {
	return one(queryAttestations(ctx, q, ` WHERE a.id = ?`, id))
}

// GovEvidenceByID reads one evidence row.
func GovEvidenceByID(ctx context.Context, q Querier, id int64) (GovEvidence, error) {
	var e GovEvidence
	err := q.QueryRow(ctx, `SELECT id, attestation_id, name, content_type, size, sha256, key_id, wrapped_key, file, uploaded_by, uploaded_at FROM gov_evidence WHERE id = ?`, id).
		Scan(&e.ID, &e.AttestationID, &e.Name, &e.ContentType, &e.Size, &e.SHA256, &e.KeyID, &e.WrappedKey, &e.File, &e.UploadedBy, TimeScanner(&e.UploadedAt))
	if err != nil {
		return e, fmt.Errorf("evidence %d: %w", id, wrapNoRows(err))
	}
	return e, nil
}

func queryAttestations(ctx context.Context, q Querier, where string, args ...any) ([]GovAttestation, error) {
	rows, err := q.Query(ctx, `SELECT a.id, a.system_id, s.name, a.kind, a.control, a.performed_on, a.cadence_days, a.summary, a.recorded_by, a.recorded_at
FROM gov_attestations a JOIN systems s ON s.id = a.system_id`+where, args...)
	if err != nil {
		return nil, fmt.Errorf("attestations: %w", err)
	}
	var out []GovAttestation
	idx := map[int64]int{}
	for rows.Next() {
		var a GovAttestation
		if err := rows.Scan(&a.ID, &a.SystemID, &a.System, &a.Kind, &a.Control, &a.PerformedOn, &a.CadenceDays, &a.Summary, &a.RecordedBy, TimeScanner(&a.RecordedAt)); err != nil {
			rows.Close()
			return nil, fmt.Errorf("attestations: %w", err)
		}
		idx[a.ID] = len(out)
		out = append(out, a)
	}
	if err := rowsErr("attestations", rows); err != nil {
		rows.Close()
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	// Evidence rows are few per attestation; one query for all of them.
	erows, err := q.Query(ctx, `SELECT e.id, e.attestation_id, e.name, e.content_type, e.size, e.sha256, e.key_id, e.file, e.uploaded_by, e.uploaded_at
FROM gov_evidence e JOIN gov_attestations a ON a.id = e.attestation_id`+whereOnly(where)+` ORDER BY e.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	defer erows.Close()
	for erows.Next() {
		var e GovEvidence
		if err := erows.Scan(&e.ID, &e.AttestationID, &e.Name, &e.ContentType, &e.Size, &e.SHA256, &e.KeyID, &e.File, &e.UploadedBy, TimeScanner(&e.UploadedAt)); err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
		if i, ok := idx[e.AttestationID]; ok {
			out[i].Evidence = append(out[i].Evidence, e)
		}
	}
	return out, rowsErr("evidence", erows)
}

// whereOnly drops the ORDER BY of a where clause so it can be reused in another query.
func whereOnly(where string) string {
	for i := 0; i+len(" ORDER BY") <= len(where); i++ {
		if where[i:i+len(" ORDER BY")] == " ORDER BY" {
			return where[:i]
		}
	}
	return where
}
