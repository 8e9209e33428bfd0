package governance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/store"
)

// MaxPackSize bounds an uploaded policy pack.
const MaxPackSize = 1 << 20

// ControlChange is one control's difference between two pack versions.
type ControlChange struct {
	ID     string
	Change string   // added, removed, changed
	Fields []string // for changed: which fields
}

// DiffPacks compares the controls of two packs.
func DiffPacks(old, new *policy.Pack) []ControlChange {
	var out []ControlChange
	for i := range new.Controls {
		c := &new.Controls[i]
		o := old.Control(c.ID)
		if o == nil {
			out = append(out, ControlChange{ID: c.ID, Change: "added"})
			continue
		}
		var fields []string
		for _, f := range []struct {
			name string
			a, b any
		}{{"section", o.Section, c.Section}, {"title", o.Title, c.Title}, {"description", o.Description, c.Description},
			{"severity", o.Severity, c.Severity}, {"verification", o.Verification, c.Verification}, {"targets", o.Targets, c.Targets},
			{"not_applicable", o.NotApplicable, c.NotApplicable}} {
			if !reflect.DeepEqual(f.a, f.b) {
				fields = append(fields, f.name)
			}
		}
		if len(fields) > 0 {
			out = append(out, ControlChange{ID: c.ID, Change: "changed", Fields: fields})
		}
	}
	for i := range old.Controls {
		if new.Control(old.Controls[i].ID) == nil {
			out = append(out, ControlChange{ID: old.Controls[i].ID, Change: "removed"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ParsePack validates a pack file with the CLI's loader (and so its lint rules).
func ParsePack(data []byte) (*policy.Pack, error) {
	if len(data) > MaxPackSize {
		return nil, invalid("the policy pack is larger than %d KiB", MaxPackSize>>10)
	}
	// The loader reads files; a private temporary directory keeps the upload from
	// being read or replaced by anyone else meanwhile.
	dir, err := os.MkdirTemp("", "posture-pack-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "pack.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, err
	}
	p, err := policy.LoadFile(path)
	if err != nil {
		return nil, invalid("%s", strings.ReplaceAll(err.Error(), path, "uploaded pack"))
	}
	if p.Metadata.Expires.IsZero() || p.Metadata.LastReviewed.IsZero() {
		return nil, invalid("the pack must carry metadata.last_reviewed and metadata.expires (PR-1)")
	}
	return p, nil
}

// PackUpload is an uploaded pack with its diff against the pack in force.
type PackUpload struct {
	ID   int64
	Pack *policy.Pack
	Diff []ControlChange
}

// UploadPack stores a new pack version (validated) for review.
func (s *Service) UploadPack(ctx context.Context, a Actor, data []byte) (PackUpload, error) {
	const action = "policy.upload"
	if err := mustPerson(a); err != nil {
		return PackUpload{}, s.deny(ctx, a, action, "policy-pack:new", err)
	}
	p, err := ParsePack(data)
	if err != nil {
		return PackUpload{}, s.deny(ctx, a, action, "policy-pack:new", err)
	}
	sum := sha256.Sum256(data)
	up := PackUpload{Pack: p, Diff: DiffPacks(s.pack(), p)}
	err = s.do(ctx, a, action, "policy-pack:"+p.Metadata.Name+"@"+p.Metadata.Version, map[string]string{"sha256": hex.EncodeToString(sum[:])}, func(tx *store.Tx) error {
		var err error
		up.ID, err = tx.InsertGovPolicyPack(ctx, store.GovPolicyPack{Name: p.Metadata.Name, Version: p.Metadata.Version, SHA256: hex.EncodeToString(sum[:]),
			Body: data, LastReviewed: p.Metadata.LastReviewed.String(), Expires: p.Metadata.Expires.String(), UploadedBy: a.Name, UploadedAt: s.now()})
		return err
	})
	return up, err
}

// PackVersion reads an uploaded version with its diff against the pack in force.
func (s *Service) PackVersion(ctx context.Context, packID int64) (store.GovPolicyPack, PackUpload, error) {
	row, err := store.GovPolicyPackByID(ctx, s.St, packID)
	if err != nil {
		return row, PackUpload{}, err
	}
	p, err := ParsePack(row.Body)
	if err != nil {
		return row, PackUpload{}, err
	}
	return row, PackUpload{ID: row.ID, Pack: p, Diff: DiffPacks(s.pack(), p)}, nil
}

// RecordReview records that a pack version was reviewed.
func (s *Service) RecordReview(ctx context.Context, a Actor, packID int64, reviewer, reviewedOn, notes string) error {
	const action = "policy.review"
	object := id("policy-pack", packID)
	if err := mustPerson(a); err != nil {
		return s.deny(ctx, a, action, object, err)
	}
	reviewer = strings.TrimSpace(reviewer)
	if reviewer == "" {
		reviewer = Who(a.Name)
	}
	on, err := parseDay("reviewed on", reviewedOn)
	if err == nil && on.After(s.now()) {
		err = invalid("the review date is in the future")
	}
	if err == nil {
		err = checkLen("notes", notes, 8000, false)
	}
	if err != nil {
		return s.deny(ctx, a, action, object, err)
	}
	return s.do(ctx, a, action, object, map[string]string{"reviewer": reviewer, "reviewed_on": day(on)}, func(tx *store.Tx) error {
		if _, err := store.GovPolicyPackByID(ctx, tx, packID); err != nil {
			return err
		}
		_, err := tx.InsertGovPolicyReview(ctx, store.GovPolicyReview{PackID: packID, Reviewer: reviewer, ReviewedOn: day(on), Notes: strings.TrimSpace(notes),
			RecordedBy: a.Name, RecordedAt: s.now()})
		return err
	})
}

// PackStatus says how the pack in force stands against PR-1.
type PackStatus struct {
	Name, Version, LastReviewed, Expires string
	Expired                              bool
	DaysLeft                             int
	LastReview                           *store.GovPolicyReview
}

// CurrentPackStatus reports the pack in force, its expiry and its latest recorded review.
func (s *Service) CurrentPackStatus(ctx context.Context) (PackStatus, error) {
	p := s.pack()
	now := s.now()
	st := PackStatus{Name: p.Metadata.Name, Version: p.Metadata.Version, LastReviewed: p.Metadata.LastReviewed.String(),
		Expires: p.Metadata.Expires.String(), Expired: p.Expired(now)}
	if !p.Metadata.Expires.IsZero() {
		st.DaysLeft = int(p.Metadata.Expires.Time.Sub(now).Hours() / 24)
	}
	reviews, err := store.GovPolicyReviews(ctx, s.St, 0)
	if err != nil {
		return st, err
	}
	if len(reviews) > 0 {
		st.LastReview = &reviews[0]
	}
	return st, nil
}

// reviewFresh reports whether a review is recorded within the last year.
func reviewFresh(r *store.GovPolicyReview, now time.Time) bool {
	if r == nil {
		return false
	}
	on, err := time.Parse(time.DateOnly, r.ReviewedOn)
	return err == nil && !on.AddDate(1, 0, 0).Before(now)
}
