package store

import (
	"context"
	"fmt"
	"time"
)

// GovPolicyPack is a policy pack version uploaded to the server (PR-1).
type GovPolicyPack struct {
	ID           int64
	Name         string
	Version      string
	SHA256       string
	Body         []byte // the YAML as uploaded; only filled by GovPolicyPackByID
	LastReviewed string
	Expires      string
	UploadedBy   string
	UploadedAt   time.Time
}

// GovPolicyReview is a recorded review of a pack version.
type GovPolicyReview struct {
	ID         int64
	PackID     int64
	Reviewer   string
	ReviewedOn string // YYYY-MM-DD
	Notes      string
	RecordedBy string
	RecordedAt time.Time
}

// InsertGovPolicyPack stores an uploaded pack version; the same file twice is ErrConflict.
func (t *Tx) InsertGovPolicyPack(ctx context.Context, p GovPolicyPack) (int64, error) {
	if err := checkTexts("insert policy pack", "name", p.Name, maxShortText, "version", p.Version, maxShortText, "sha256", p.SHA256, 64,
		"uploaded by", p.UploadedBy, maxShortText); err != nil {
		return 0, err
	}
	id, err := t.InsertID(ctx, `INSERT INTO gov_policy_packs (name, version, sha256, body, last_reviewed, expires, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Name, p.Version, p.SHA256, p.Body, p.LastReviewed, p.Expires, p.UploadedBy, t.d.TimeValue(p.UploadedAt))
	if err != nil {
		if isUniqueViolation(err) {
			return 0, fmt.Errorf("insert policy pack: %w: this file was uploaded before", ErrConflict)
		}
		return 0, fmt.Errorf("insert policy pack: %w", err)
	}
	return id, nil
}

// InsertGovPolicyReview records a review.
func (t *Tx) InsertGovPolicyReview(ctx context.Context, r GovPolicyReview) (int64, error) {
	if err := checkTexts("insert policy review", "reviewer", r.Reviewer, maxShortText, "reviewed on", r.ReviewedOn, 10, "recorded by", r.RecordedBy, maxShortText); err != nil {
		return 0, err
	}
	if err := checkText("notes", r.Notes, maxGovText, false); err != nil {
		return 0, fmt.Errorf("insert policy review: %w", err)
	}
	id, err := t.InsertID(ctx, `INSERT INTO gov_policy_reviews (pack_id, reviewer, reviewed_on, notes, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.PackID, r.Reviewer, r.ReviewedOn, r.Notes, r.RecordedBy, t.d.TimeValue(r.RecordedAt))
	if err != nil {
		return 0, fmt.Errorf("insert policy review: %w", err)
	}
	return id, nil
}

// GovPolicyPacks lists uploaded pack versions, newest first, without bodies.
func GovPolicyPacks(ctx context.Context, q Querier) ([]GovPolicyPack, error) {
	rows, err := q.Query(ctx, `SELECT id, name, version, sha256, last_reviewed, expires, uploaded_by, uploaded_at FROM gov_policy_packs ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("policy packs: %w", err)
	}
	defer rows.Close()
	var out []GovPolicyPack
	for rows.Next() {
		var p GovPolicyPack
		if err := rows.Scan(&p.ID, &p.Name, &p.Version, &p.SHA256, &p.LastReviewed, &p.Expires, &p.UploadedBy, TimeScanner(&p.UploadedAt)); err != nil {
			return nil, fmt.Errorf("policy packs: %w", err)
		}
		out = append(out, p)
	}
	return out, rowsErr("policy packs", rows)
}

// GovPolicyPackByID reads one pack version with its body.
func GovPolicyPackByID(ctx context.Context, q Querier, id int64) (GovPolicyPack, error) {
	var p GovPolicyPack
	err := q.QueryRow(ctx, `SELECT id, name, version, sha256, body, last_reviewed, expires, uploaded_by, uploaded_at FROM gov_policy_packs WHERE id = ?`, id).
		Scan(&p.ID, &p.Name, &p.Version, &p.SHA256, &p.Body, &p.LastReviewed, &p.Expires, &p.UploadedBy, TimeScanner(&p.UploadedAt))
	if err != nil {
		return p, fmt.Errorf("policy pack %d: %w", id, wrapNoRows(err))
	}
	return p, nil
}

// GovPolicyReviews lists the reviews of a pack version (all for 0), newest first.
func GovPolicyReviews(ctx context.Context, q Querier, packID int64) ([]GovPolicyReview, error) {
	rows, err := q.Query(ctx, `SELECT id, pack_id, reviewer, reviewed_on, notes, recorded_by, recorded_at FROM gov_policy_reviews WHERE (? = 0 OR pack_id = ?) ORDER BY reviewed_on DESC, id DESC`, packID, packID)
	if err != nil {
		return nil, fmt.Errorf("policy reviews: %w", err)
	}
	defer rows.Close()
	var out []GovPolicyReview
	for rows.Next() {
		var r GovPolicyReview
		if err := rows.Scan(&r.ID, &r.PackID, &r.Reviewer, &r.ReviewedOn, &r.Notes, &r.RecordedBy, TimeScanner(&r.RecordedAt)); err != nil {
			return nil, fmt.Errorf("policy reviews: %w", err)
		}
		out = append(out, r)
	}
	return out, rowsErr("policy reviews", rows)
}
