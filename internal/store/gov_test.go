package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func govSystem(t *testing.T, s *Store, name string) System {
	t.Helper()
	sys, err := s.CreateSystem(context.Background(), SystemInput{Name: name, Owner: "o", Environment: Prod, Classification: Confidential})
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

func TestGovDeviations(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		sys := govSystem(t, s, "web")
		at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		var id int64
		err := s.InTx(ctx, func(tx *Tx) (err error) {
			id, err = tx.InsertGovDeviation(ctx, GovDeviation{SystemID: sys.ID, Control: "VM-1", Scope: "fingerprint", Fingerprint: "abc",
				Reason: "r", Compensating: "c", RequestedBy: "user:1:a@x", RequesterID: 1, RequestedAt: at, ExpiresOn: "2026-06-01"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.InTx(ctx, func(tx *Tx) error {
			_, err := tx.InsertGovDeviation(ctx, GovDeviation{SystemID: sys.ID, Control: "VM-1", Scope: "system", RequestedBy: "x", RequestedAt: at, ExpiresOn: "2026-06-01"})
			return err
		}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("request without reason: %v", err)
		}
		decide := func(state string) error {
			return s.InTx(ctx, func(tx *Tx) error {
				return tx.DecideGovDeviation(ctx, id, state, "user:2:b@x", 2, at.Add(time.Hour), "ok")
			})
		}
		if err := decide(DeviationApproved); err != nil {
			t.Fatal(err)
		}
		if err := decide(DeviationRejected); !errors.Is(err, ErrConflict) {
			t.Fatalf("second decision: %v", err)
		}
		if err := s.InTx(ctx, func(tx *Tx) error { return tx.DecideGovDeviation(ctx, 999, DeviationApproved, "b", 2, at, "") }); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown deviation: %v", err)
		}
		d, err := GovDeviationByID(ctx, s, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.State != DeviationApproved || d.System != "web" || d.DeciderID != 2 || !d.DecidedAt.Equal(at.Add(time.Hour)) || !d.RequestedAt.Equal(at) || d.Origin != "server" {
			t.Errorf("read back %+v", d)
		}
		list, err := GovDeviations(ctx, s, GovDeviationFilter{SystemID: sys.ID, State: DeviationApproved})
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %v %v", list, err)
		}
		if list, _ := GovDeviations(ctx, s, GovDeviationFilter{State: DeviationRequested}); len(list) != 0 {
			t.Errorf("requested: %v", list)
		}
	})
}

func TestGovChangesAndIncidents(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		sys := govSystem(t, s, "db")
		at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		var incID, chID int64
		err := s.InTx(ctx, func(tx *Tx) (err error) {
			incID, err = tx.InsertGovIncident(ctx, GovIncident{Title: "outage", Severity: "high", Owner: "ops", OpenedBy: "u", OpenedAt: at, Systems: []IncidentSystem{{ID: sys.ID}}})
			if err != nil {
				return err
			}
			chID, err = tx.InsertGovChange(ctx, GovChange{SystemID: sys.ID, Summary: "restarted", Reason: "down", ChangedAt: at, ChangedBy: "alice", RecordedBy: "u", RecorderID: 1, RecordedAt: at, IncidentID: incID})
			if err != nil {
				return err
			}
			if err := tx.AddTimelineEntry(ctx, incID, TimelineEntry{At: at, Author: "u", Phase: "triage", Entry: "paged"}); err != nil {
				return err
			}
			if err := tx.AddIncidentLink(ctx, incID, IncidentLink{Kind: "change", Ref: "1"}); err != nil {
				return err
			}
			if err := tx.AddIncidentLink(ctx, incID, IncidentLink{Kind: "change", Ref: "1"}); err != nil {
				return err
			}
			if err := tx.SetIncidentReview(ctx, incID, "lessons", "u", at); err != nil {
				return err
			}
			return tx.SetIncidentPhase(ctx, incID, "closed", at)
		})
		if err != nil {
			t.Fatal(err)
		}
		approve := func() error {
			return s.InTx(ctx, func(tx *Tx) error { return tx.ApproveGovChange(ctx, chID, "b", 2, at.Add(time.Hour)) })
		}
		if err := approve(); err != nil {
			t.Fatal(err)
		}
		if err := approve(); !errors.Is(err, ErrConflict) {
			t.Fatalf("second approval: %v", err)
		}
		c, err := GovChangeByID(ctx, s, chID)
		if err != nil || c.IncidentID != incID || c.ApproverID != 2 || c.ApprovedAt.IsZero() || c.System != "db" {
			t.Fatalf("change %+v %v", c, err)
		}
		in, err := GovIncidentByID(ctx, s, incID)
		if err != nil || in.Phase != "closed" || in.ClosedAt.IsZero() || len(in.Systems) != 1 || len(in.Timeline) != 1 || len(in.Links) != 1 || in.Review != "lessons" {
			t.Fatalf("incident %+v %v", in, err)
		}
		ids, err := IncidentIDsOfSystem(ctx, s, sys.ID)
		if err != nil || len(ids) != 1 {
			t.Fatalf("incidents of system: %v %v", ids, err)
		}
	})
}

func TestGovAttestationsAndPolicy(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		sys := govSystem(t, s, "api")
		at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		var aID, eID, pID int64
		err := s.InTx(ctx, func(tx *Tx) (err error) {
			if aID, err = tx.InsertGovAttestation(ctx, GovAttestation{SystemID: sys.ID, Kind: "penetration-test", Control: "VM-4", PerformedOn: "2026-02-01", CadenceDays: 365, Summary: "s", RecordedBy: "u", RecordedAt: at}); err != nil {
				return err
			}
			if eID, err = tx.InsertGovEvidence(ctx, GovEvidence{AttestationID: aID, Name: "r.pdf", ContentType: "application/pdf", Size: 3, SHA256: "ab", KeyID: "file:1", WrappedKey: []byte{1, 2}, File: "x.bin", UploadedBy: "u", UploadedAt: at}); err != nil {
				return err
			}
			pID, err = tx.InsertGovPolicyPack(ctx, GovPolicyPack{Name: "p", Version: "1", SHA256: "h", Body: []byte("yaml"), LastReviewed: "2026-01-01", Expires: "2027-01-01", UploadedBy: "u", UploadedAt: at})
			if err != nil {
				return err
			}
			_, err = tx.InsertGovPolicyReview(ctx, GovPolicyReview{PackID: pID, Reviewer: "r", ReviewedOn: "2026-03-01", RecordedBy: "u", RecordedAt: at})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.InTx(ctx, func(tx *Tx) error {
			_, err := tx.InsertGovPolicyPack(ctx, GovPolicyPack{Name: "p", Version: "1", SHA256: "h", Body: []byte("yaml"), UploadedBy: "u", UploadedAt: at})
			return err
		}); !errors.Is(err, ErrConflict) {
			t.Fatalf("same pack twice: %v", err)
		}
		list, err := GovAttestations(ctx, s, sys.ID)
		if err != nil || len(list) != 1 || len(list[0].Evidence) != 1 || list[0].Evidence[0].ID != eID {
			t.Fatalf("attestations %+v %v", list, err)
		}
		e, err := GovEvidenceByID(ctx, s, eID)
		if err != nil || string(e.WrappedKey) != "\x01\x02" {
			t.Fatalf("evidence %+v %v", e, err)
		}
		if _, err := GovEvidenceByID(ctx, s, 999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing evidence: %v", err)
		}
		p, err := GovPolicyPackByID(ctx, s, pID)
		if err != nil || string(p.Body) != "yaml" {
			t.Fatalf("pack %+v %v", p, err)
		}
		if rs, err := GovPolicyReviews(ctx, s, 0); err != nil || len(rs) != 1 {
			t.Fatalf("reviews %v %v", rs, err)
		}
	})
}
