package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTriageAndLatestFindings(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		stamp0, err := s.ChangeStamp(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.CreateSystem(ctx, validSystem("alpha"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.CreateSystem(ctx, validSystem("beta"))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.SystemByName(ctx, "beta"); err != nil || got.ID != b.ID {
			t.Fatalf("SystemByName(beta) = %+v, %v", got, err)
		}
		if _, err := s.SystemByName(ctx, "gamma"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("SystemByName(gamma): %v, want ErrNotFound", err)
		}
		// alpha's older scan must not show: only the latest scan of each system counts.
		if _, err := s.RecordScan(ctx, a.ID, scanAt(t0, finding("old", "CR-2", "high", FindingOpen))); err != nil {
			t.Fatal(err)
		}
		in := scanAt(t0.Add(time.Hour), finding("a1", "CR-2", "high", FindingOpen), finding("a2", "ZT-3", "low", FindingOpen),
			finding("a3", "CR-1", "critical", FindingSuppressed))
		in.Controls = []ControlResult{{Target: "repo", Control: "CR-2", Status: Fail}, {Target: "repo", Control: "CR-1", Status: Deviation}, {Target: "repo", Control: "ZT-1", Status: Pass}}
		if _, err := s.RecordScan(ctx, a.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordScan(ctx, b.ID, scanAt(t0, finding("b1", "CR-2", "medium", FindingOpen))); err != nil {
			t.Fatal(err)
		}
		stamp1, _ := s.ChangeStamp(ctx)
		if stamp1 == stamp0 {
			t.Fatal("change stamp did not change after scans were recorded")
		}

		if err := s.SetTriage(ctx, Triage{SystemID: a.ID, Fingerprint: "a1", State: FalsePositive, Reason: "test fixture", By: "user:1"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTriage(ctx, Triage{SystemID: a.ID, Fingerprint: "a2", State: "ignored", Reason: "x", By: "u"}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("bad state: %v", err)
		}
		if err := s.SetTriage(ctx, Triage{SystemID: a.ID, Fingerprint: "a2", State: Acknowledged, Reason: "", By: "u"}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("empty reason: %v", err)
		}
		if err := s.SetTriage(ctx, Triage{SystemID: 999, Fingerprint: "a2", State: Acknowledged, Reason: "r", By: "u"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown system: %v", err)
		}
		if stamp2, _ := s.ChangeStamp(ctx); stamp2 == stamp1 {
			t.Fatal("change stamp did not change after triage")
		}

		fps := func(f FindingFilter) ([]string, int) {
			t.Helper()
			got, total, err := s.LatestFindings(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, g := range got {
				out = append(out, g.Fingerprint)
			}
			return out, total
		}
		for _, c := range []struct {
			name  string
			f     FindingFilter
			want  []string
			total int
		}{
			{"all, by severity", FindingFilter{}, []string{"a3", "a1", "b1", "a2"}, 4},
			{"system", FindingFilter{SystemID: b.ID}, []string{"b1"}, 1},
			{"section", FindingFilter{Section: "ZT"}, []string{"a2"}, 1},
			{"control", FindingFilter{Control: "CR-2"}, []string{"a1", "b1"}, 2},
			{"severity", FindingFilter{Severity: "critical"}, []string{"a3"}, 1},
			{"status", FindingFilter{Status: FindingSuppressed}, []string{"a3"}, 1},
			{"untriaged", FindingFilter{Triage: "untriaged"}, []string{"a3", "b1", "a2"}, 3},
			{"false positives", FindingFilter{Triage: string(FalsePositive)}, []string{"a1"}, 1},
			{"page", FindingFilter{Limit: 2, Offset: 1}, []string{"a1", "b1"}, 4},
		} {
			got, total := fps(c.f)
			if !equalStrings(got, c.want) || total != c.total {
				t.Errorf("%s: got %v (total %d), want %v (total %d)", c.name, got, total, c.want, c.total)
			}
		}
		got, _, _ := s.LatestFindings(ctx, FindingFilter{Triage: string(FalsePositive)})
		if tr := got[0].Triage; tr == nil || tr.Reason != "test fixture" || tr.By != "user:1" || tr.At.IsZero() || got[0].SystemName != "alpha" {
			t.Fatalf("triage read back: %+v", got[0])
		}
		tm, err := s.TriageOf(ctx, a.ID)
		if err != nil || len(tm) != 1 || tm["a1"].State != FalsePositive {
			t.Fatalf("TriageOf: %v, %v", tm, err)
		}
		if err := s.ClearTriage(ctx, a.ID, "a1"); err != nil {
			t.Fatal(err)
		}
		if err := s.ClearTriage(ctx, a.ID, "a1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("clearing twice: %v", err)
		}

		secs, err := s.LatestSections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var cr *SectionPosture
		for i := range secs {
			if secs[i].SystemID == a.ID && secs[i].Section == "CR" {
				cr = &secs[i]
			}
		}
		if cr == nil || cr.Fail != 1 || cr.Deviation != 1 || cr.Findings.Open != 1 || cr.Findings.Suppressed != 1 {
			t.Fatalf("alpha's CR section in latest scan: %+v (all %+v)", cr, secs)
		}
		scans, err := s.SystemScans(ctx, a.ID, 10)
		if err != nil || len(scans) != 2 || !scans[0].FinishedAt.After(scans[1].FinishedAt) {
			t.Fatalf("SystemScans: %+v, %v", scans, err)
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
