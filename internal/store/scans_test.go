package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"
)

var t0 = time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)

func finding(fp, control, severity string, status FindingStatus) FindingInput {
	return FindingInput{Fingerprint: fp, Control: control, Rule: "family/" + fp, Severity: severity, Target: "repo",
		Location: "main.go:1", Message: "message of " + fp, Status: status}
}

func scanAt(at time.Time, findings ...FindingInput) ScanInput {
	return ScanInput{UploadedBy: "token:ci", StartedAt: at.Add(-time.Minute), FinishedAt: at, ToolVersion: "1.2.3", PackVersion: "2026.1",
		Findings: findings, RawReport: []byte(`{"schema":"posture.report/v1"}`)}
}

func fingerprints(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Fingerprint)
	}
	sort.Strings(out)
	return out
}

func TestRecordScanAndDiff(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		sys, err := s.CreateSystem(ctx, validSystem("payments"))
		if err != nil {
			t.Fatal(err)
		}
		if d, err := s.FindingDiff(ctx, sys.ID); err != nil || d.Latest != nil || d.Previous != nil {
			t.Fatalf("diff with no scans: %+v, %v", d, err)
		}
		// Recorded out of order: the diff follows finish times, not upload order.
		steps := []struct {
			at                   time.Time
			findings             []FindingInput
			newFP, recurFP, fixd []string
		}{
			{t0, []FindingInput{finding("a", "CR-2", "high", FindingOpen), finding("b", "ZT-3", "low", FindingSuppressed)},
				[]string{"a", "b"}, []string{}, []string{}},
			{t0.Add(48 * time.Hour), []FindingInput{finding("b", "ZT-3", "low", FindingOpen), finding("c", "CR-1", "critical", FindingOpen)},
				[]string{"c"}, []string{"b"}, []string{"a"}},
			{t0.Add(24 * time.Hour), []FindingInput{finding("a", "CR-2", "high", FindingOpen)},
				// latest is still the 48h scan; its predecessor is now this 24h one
				[]string{"c"}, []string{}, []string{}},
		}
		steps[2].newFP, steps[2].recurFP, steps[2].fixd = []string{"b", "c"}, []string{}, []string{"a"}
		for i, st := range steps {
			if _, err := s.RecordScan(ctx, sys.ID, scanAt(st.at, st.findings...)); err != nil {
				t.Fatalf("scan %d: %v", i, err)
			}
			d, err := s.FindingDiff(ctx, sys.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := fingerprints(d.New); !reflect.DeepEqual(got, st.newFP) {
				t.Errorf("after scan %d: new %v, want %v", i, got, st.newFP)
			}
			if got := fingerprints(d.Recurring); !reflect.DeepEqual(got, st.recurFP) {
				t.Errorf("after scan %d: recurring %v, want %v", i, got, st.recurFP)
			}
			if got := fingerprints(d.Fixed); !reflect.DeepEqual(got, st.fixd) {
				t.Errorf("after scan %d: fixed %v, want %v", i, got, st.fixd)
			}
			if (i == 0) != (d.Previous == nil) {
				t.Errorf("after scan %d: previous %+v", i, d.Previous)
			}
		}
		d, _ := s.FindingDiff(ctx, sys.ID)
		if !d.Latest.FinishedAt.Equal(t0.Add(48*time.Hour)) || !d.Previous.FinishedAt.Equal(t0.Add(24*time.Hour)) {
			t.Fatalf("latest %v previous %v", d.Latest.FinishedAt, d.Previous.FinishedAt)
		}
		c := d.New[len(d.New)-1] // ordered by id: b, then c
		if c.Control != "CR-1" || c.Section != "CR" || c.Severity != "critical" || c.Status != FindingOpen || c.Message != "message of c" || c.Location != "main.go:1" {
			t.Fatalf("finding read back as %+v", c)
		}
		if _, err := s.FindingDiff(ctx, 99999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("diff of a missing system: %v", err)
		}
	})
}

func TestRecordScanCountsLatestAndReport(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		s.now = newClock(t0.Add(time.Hour)).now
		a, _ := s.CreateSystem(ctx, validSystem("a"))
		b, _ := s.CreateSystem(ctx, validSystem("b"))
		_, _ = s.CreateSystem(ctx, validSystem("never-scanned"))
		in := scanAt(t0,
			finding("1", "CR-2", "high", FindingOpen), finding("2", "CR-2", "critical", FindingOpen),
			finding("3", "ZT-3", "low", FindingSuppressed), finding("4", "LG-1", "info", FindingOpen))
		in.Findings[3].Section = "logs" // an explicit section wins over the ID prefix
		in.Controls = []ControlResult{{"repo", "CR-2", "", Fail}, {"repo", "CR-1", "", Pass}, {"repo", "ZT-3", "", Deviation},
			{"repo", "LG-1", "logs", Fail}, {"repo", "SC-1", "", Unknown}, {"repo", "SC-2", "", NotApplicable}}
		big := bytes.Repeat([]byte("report "), 100_000)
		in.RawReport = big
		got, err := s.RecordScan(ctx, a.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		want := Scan{ID: got.ID, SystemID: a.ID, UploadedBy: "token:ci", StartedAt: t0.Add(-time.Minute), FinishedAt: t0, RecordedAt: t0.Add(time.Hour),
			ToolVersion: "1.2.3", PackVersion: "2026.1", Counts: Counts{Total: 4, Open: 3, Suppressed: 1, Critical: 1, High: 1, Info: 1},
			ReportSize: int64(len(big)), ReportSHA256: got.ReportSHA256}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("RecordScan\n got %+v\nwant %+v", got, want)
		}
		if read, err := s.GetScan(ctx, got.ID); err != nil || !reflect.DeepEqual(read, want) {
			t.Fatalf("GetScan\n got %+v, %v\nwant %+v", read, err, want)
		}
		raw, err := s.ScanReport(ctx, got.ID)
		if err != nil || !bytes.Equal(raw, big) {
			t.Fatalf("ScanReport: %d bytes, %v", len(raw), err)
		}
		later, err := s.RecordScan(ctx, a.ID, scanAt(t0.Add(time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		bScan, err := s.RecordScan(ctx, b.ID, scanAt(t0))
		if err != nil {
			t.Fatal(err)
		}
		latest, err := s.LatestScans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(latest) != 2 || latest[0].ID != later.ID || latest[1].ID != bScan.ID {
			t.Fatalf("LatestScans: %+v", latest)
		}

		points, err := s.PostureBySectionOverTime(ctx, PostureQuery{SystemIDs: []int64{a.ID}})
		if err != nil {
			t.Fatal(err)
		}
		wantPoints := []SectionPosture{
			{SystemID: a.ID, ScanID: got.ID, At: t0, Section: "CR", Pass: 1, Fail: 1, Findings: Counts{Total: 2, Open: 2, Critical: 1, High: 1}},
			{SystemID: a.ID, ScanID: got.ID, At: t0, Section: "SC", Unknown: 1, NotApplicable: 1},
			{SystemID: a.ID, ScanID: got.ID, At: t0, Section: "ZT", Deviation: 1, Findings: Counts{Total: 1, Suppressed: 1}},
			{SystemID: a.ID, ScanID: got.ID, At: t0, Section: "logs", Fail: 1, Findings: Counts{Total: 1, Open: 1, Info: 1}},
		}
		if !reflect.DeepEqual(points, wantPoints) {
			t.Fatalf("posture\n got %+v\nwant %+v", points, wantPoints)
		}
		for _, tt := range []struct {
			q    PostureQuery
			want int
		}{
			{PostureQuery{}, 4},
			{PostureQuery{Since: t0.Add(time.Minute)}, 0},
			{PostureQuery{Until: t0}, 0},
			{PostureQuery{Since: t0, Until: t0.Add(time.Second)}, 4},
			{PostureQuery{SystemIDs: []int64{}}, 0},
			{PostureQuery{SystemIDs: []int64{b.ID}}, 0},
		} {
			ps, err := s.PostureBySectionOverTime(ctx, tt.q)
			if err != nil || len(ps) != tt.want {
				t.Errorf("PostureBySectionOverTime(%+v): %d points, %v; want %d", tt.q, len(ps), err, tt.want)
			}
		}

		// The later scan of a has no findings, so a no longer fails CR-2.
		byControl, err := s.FindingsByControl(ctx, "CR-2")
		if err != nil || len(byControl) != 0 {
			t.Fatalf("FindingsByControl after the fix: %+v, %v", byControl, err)
		}
		if _, err := s.RecordScan(ctx, b.ID, scanAt(t0.Add(time.Hour), finding("x", "CR-2", "high", FindingOpen))); err != nil {
			t.Fatal(err)
		}
		byControl, err = s.FindingsByControl(ctx, "CR-2")
		if err != nil || len(byControl) != 1 || byControl[0].SystemID != b.ID || byControl[0].Fingerprint != "x" {
			t.Fatalf("FindingsByControl: %+v, %v", byControl, err)
		}
	})
}

func TestRecordScanRejects(t *testing.T) {
	tests := []struct {
		name    string
		system  int64 // 0: the test's system
		change  func(*ScanInput)
		wantErr error
	}{
		{"missing system", 99999, func(*ScanInput) {}, ErrNotFound},
		{"no uploader", 0, func(in *ScanInput) { in.UploadedBy = "" }, ErrInvalid},
		{"no times", 0, func(in *ScanInput) { in.StartedAt = time.Time{} }, ErrInvalid},
		{"finished before start", 0, func(in *ScanInput) { in.StartedAt = in.FinishedAt.Add(time.Second) }, ErrInvalid},
		{"duplicate fingerprint", 0, func(in *ScanInput) { in.Findings = append(in.Findings, in.Findings[0]) }, ErrInvalid},
		{"severity", 0, func(in *ScanInput) { in.Findings[0].Severity = "severe" }, ErrInvalid},
		{"status", 0, func(in *ScanInput) { in.Findings[0].Status = "fixed" }, ErrInvalid},
		{"NUL in message", 0, func(in *ScanInput) { in.Findings[0].Message = "a\x00" }, ErrInvalid},
		{"bad UTF-8 in location", 0, func(in *ScanInput) { in.Findings[0].Location = "\xc3" }, ErrInvalid},
		{"no fingerprint", 0, func(in *ScanInput) { in.Findings[0].Fingerprint = "" }, ErrInvalid},
		{"control status", 0, func(in *ScanInput) { in.Controls = []ControlResult{{"t", "CR-1", "", "passed"}} }, ErrInvalid},
	}
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		sys, _ := s.CreateSystem(ctx, validSystem("a"))
		for _, tt := range tests {
			in := scanAt(t0, finding("1", "CR-2", "high", FindingOpen))
			tt.change(&in)
			id := tt.system
			if id == 0 {
				id = sys.ID
			}
			if _, err := s.RecordScan(ctx, id, in); !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: %v, want %v", tt.name, err, tt.wantErr)
			}
		}
		assertNoScans(t, s)
	})
}

// TestRecordScanIsAtomic fails RecordScan after some findings are written, and after
// all of them: nothing of the scan remains, and the next scan records normally.
func TestRecordScanIsAtomic(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		sys, _ := s.CreateSystem(ctx, validSystem("a"))
		var fs []FindingInput
		for i := range 3*findingBatch + 10 {
			fs = append(fs, finding(fmt.Sprint(i), "CR-2", "high", FindingOpen))
		}
		boom := errors.New("injected failure")
		for _, failAt := range []int{findingBatch, 2 * findingBatch, len(fs)} {
			s.failAfterFindings = func(written int) error {
				if written >= failAt {
					return boom
				}
				return nil
			}
			if _, err := s.RecordScan(ctx, sys.ID, scanAt(t0, fs...)); !errors.Is(err, boom) {
				t.Fatalf("fail at %d: %v", failAt, err)
			}
			assertNoScans(t, s)
		}
		// A cancelled context midway is a failure like any other.
		cctx, cancel := context.WithCancel(ctx)
		s.failAfterFindings = func(int) error { cancel(); return nil }
		if _, err := s.RecordScan(cctx, sys.ID, scanAt(t0, fs...)); err == nil {
			t.Fatal("RecordScan with a cancelled context succeeded")
		}
		assertNoScans(t, s)
		s.failAfterFindings = nil
		sc, err := s.RecordScan(ctx, sys.ID, scanAt(t0, fs...))
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.QueryRow(ctx, `SELECT count(*) FROM findings WHERE scan_id = ?`, sc.ID).Scan(&n); err != nil || n != len(fs) {
			t.Fatalf("%d findings stored, %v; want %d", n, err, len(fs))
		}
	})
}

func assertNoScans(t *testing.T, s *Store) {
	t.Helper()
	for _, table := range []string{"scans", "findings", "scan_sections"} {
		var n int
		if err := s.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%s has %d rows after a failed RecordScan", table, n)
		}
	}
}
