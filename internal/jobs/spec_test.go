package jobs

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

func TestParseSpecAndNext(t *testing.T) {
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC) // a Wednesday
	for _, c := range []struct {
		in, canon string
		next      time.Time
	}{
		{"every 6h", "every 6h0m0s", at.Add(6 * time.Hour)},
		{"EVERY 90m", "every 1h30m0s", at.Add(90 * time.Minute)},
		{"daily 02:30", "daily 02:30", time.Date(2026, 3, 5, 2, 30, 0, 0, time.UTC)},
		{"daily 23:59", "daily 23:59", time.Date(2026, 3, 4, 23, 59, 0, 0, time.UTC)},
		{"daily 10:00", "daily 10:00", time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)},
		{"weekly mon 03:00", "weekly mon 03:00", time.Date(2026, 3, 9, 3, 0, 0, 0, time.UTC)},
		{"weekly wed 11:00", "weekly wed 11:00", time.Date(2026, 3, 4, 11, 0, 0, 0, time.UTC)},
		{"weekly wed 10:00", "weekly wed 10:00", time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC)},
	} {
		s, err := ParseSpec(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if s.String() != c.canon || !s.Next(at).Equal(c.next) {
			t.Errorf("%q: %q next %v, want %q next %v", c.in, s, s.Next(at), c.canon, c.next)
		}
	}
	for _, bad := range []string{"", "every", "every 30s", "every -1h", "every 9000h", "daily", "daily 24:00", "daily 2:30", "daily 02:60",
		"weekly 03:00", "weekly xyz 03:00", "weekly mon", "hourly", "every 1h extra", "* * * * *"} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"every 6h", "daily 02:30", "weekly mon 03:00", "every 1m", "weekly sun 00:00"} {
		f.Add(s)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSpec(in)
		if err != nil {
			return
		}
		// The canonical form reads back the same, and Next moves forward within 366 days.
		s2, err := ParseSpec(s.String())
		if err != nil || s2 != s {
			t.Fatalf("%q → %q does not read back: %v", in, s.String(), err)
		}
		n := s.Next(at)
		if !n.After(at) || n.Sub(at) > 367*24*time.Hour {
			t.Fatalf("%q: next %v", in, n)
		}
	})
}

func TestSchedulerEnqueuesEachRunOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store, clk *clock) {
		ctx := context.Background()
		q := NewQueue(st, clk.Now)
		s1 := NewScheduler(q, SchedulerOptions{})
		s2 := NewScheduler(q, SchedulerOptions{})
		sc, err := s1.CreateSchedule(ctx, ScheduleInput{Name: "scan web", JobKind: "scan.system", Payload: map[string]int{"system_id": 1}, Spec: "every 1h", CreatedBy: "user:1"})
		if err != nil {
			t.Fatal(err)
		}
		if !sc.NextRunAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("first run %v", sc.NextRunAt)
		}
		// Ensuring an existing schedule with the same spec changes nothing.
		if err := s1.EnsureSchedule(ctx, ScheduleInput{Name: "scan web", JobKind: "x", Spec: "every 60m"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s1.CreateSchedule(ctx, ScheduleInput{Name: "bad", JobKind: "x", Spec: "every 1s"}); err == nil {
			t.Fatal("bad spec accepted")
		}
		if n, _ := s1.Tick(ctx); n != 0 {
			t.Fatal("enqueued before due")
		}
		clk.Add(time.Hour)
		// Two replicas tick at the same moment, several times.
		var wg sync.WaitGroup
		var total int
		var mu sync.Mutex
		for _, s := range []*Scheduler{s1, s2, s1, s2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.Tick(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if total != 1 {
			t.Fatalf("%d jobs enqueued for one due run", total)
		}
		// Ten hours down: one run, not ten, then every hour again.
		clk.Add(10 * time.Hour)
		if n, _ := s2.Tick(ctx); n != 1 {
			t.Fatalf("after downtime: %d", n)
		}
		if n, _ := s2.Tick(ctx); n != 0 {
			t.Fatalf("again at once: %d", n)
		}
		list, _ := s1.ListSchedules(ctx)
		if len(list) != 1 || !list[0].NextRunAt.Equal(clk.Now().Add(time.Hour)) {
			t.Fatalf("schedules %+v", list)
		}
		jobs, _ := q.List(ctx, Queued, 10)
		if len(jobs) != 2 || jobs[0].Kind != "scan.system" {
			t.Fatalf("jobs %+v", jobs)
		}
		// A changed spec (new flags) replaces the stored one and its next run.
		if err := s1.EnsureSchedule(ctx, ScheduleInput{Name: "scan web", JobKind: "x", Spec: "daily 01:00"}); err != nil {
			t.Fatal(err)
		}
		list, _ = s1.ListSchedules(ctx)
		if list[0].Spec != "daily 01:00" || list[0].NextRunAt.Hour() != 1 {
			t.Fatalf("schedule after a changed spec %+v", list[0])
		}
	})
}
