package jobs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ScheduleSpec is when a schedule runs, in UTC:
//
//	every 6h            every interval (at least 1 minute), counted from the last run
//	daily 02:30         every day at that time
//	weekly mon 03:00    every week on that day at that time
//
// The text comes from API users, so ParseSpec is fuzzed and refuses anything else.
type ScheduleSpec struct {
	Every   time.Duration // for "every"
	Weekday time.Weekday  // for "weekly"
	Weekly  bool
	Hour    int
	Minute  int
}

// MinInterval is the shortest "every" a schedule may have.
const MinInterval = time.Minute

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ParseSpec reads a schedule spec.
func ParseSpec(s string) (ScheduleSpec, error) {
	if len(s) > 64 {
		return ScheduleSpec{}, fmt.Errorf("schedule %q: too long", s[:64]+"…")
	}
	f := strings.Fields(strings.ToLower(s))
	bad := func(why string) (ScheduleSpec, error) {
		return ScheduleSpec{}, fmt.Errorf("schedule %q: %s (want \"every 6h\", \"daily 02:30\" or \"weekly mon 03:00\", UTC)", s, why)
	}
	if len(f) == 0 {
		return bad("empty")
	}
	switch f[0] {
	case "every":
		if len(f) != 2 {
			return bad("\"every\" takes one duration")
		}
		d, err := time.ParseDuration(f[1])
		if err != nil {
			return bad("bad duration")
		}
		if d < MinInterval {
			return bad("shorter than 1m")
		}
		if d > 366*24*time.Hour {
			return bad("longer than a year")
		}
		return ScheduleSpec{Every: d}, nil
	case "daily":
		if len(f) != 2 {
			return bad("\"daily\" takes a time")
		}
		h, m, ok := parseClock(f[1])
		if !ok {
			return bad("bad time of day")
		}
		return ScheduleSpec{Hour: h, Minute: m}, nil
	case "weekly":
		if len(f) != 3 {
			return bad("\"weekly\" takes a day and a time")
		}
		wd, ok := weekdays[f[1]]
		if !ok {
			return bad("bad day (mon … sun)")
		}
		h, m, ok := parseClock(f[2])
		if !ok {
			return bad("bad time of day")
		}
		return ScheduleSpec{Weekly: true, Weekday: wd, Hour: h, Minute: m}, nil
	}
	return bad("unknown form")
}

func parseClock(s string) (int, int, bool) {
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) != 2 || len(ms) != 2 {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

// String is the canonical form, as ParseSpec reads it.
func (s ScheduleSpec) String() string {
	switch {
	case s.Every > 0:
		return "every " + s.Every.String()
	case s.Weekly:
		return fmt.Sprintf("weekly %s %02d:%02d", strings.ToLower(s.Weekday.String()[:3]), s.Hour, s.Minute)
	}
	return fmt.Sprintf("daily %02d:%02d", s.Hour, s.Minute)
}

// Next is the first time strictly after t that the schedule runs.
func (s ScheduleSpec) Next(t time.Time) time.Time {
	t = t.UTC()
	if s.Every > 0 {
		return t.Add(s.Every).Truncate(time.Second)
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), s.Hour, s.Minute, 0, 0, time.UTC)
	for !day.After(t) || (s.Weekly && day.Weekday() != s.Weekday) {
		day = day.AddDate(0, 0, 1)
	}
	return day
}
