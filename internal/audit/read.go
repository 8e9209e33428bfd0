package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// Filter selects events to read or export.
type Filter struct {
	// Since and Until bound the event time (Since inclusive, Until exclusive); zero
	// values are open.
	Since, Until time.Time
	// AfterSeq returns only events with a greater seq (for paging and tailing).
	AfterSeq int64
	// Limit caps the number of events; 0 is no limit.
	Limit int
}

// Each calls fn for every event matching f, in seq order. Only auditors and admins may
// be given what it returns (the server enforces this).
func Each(ctx context.Context, st *store.Store, f Filter, fn func(Event) error) error {
	d := st.Dialect()
	q := `SELECT ` + eventColumns + ` FROM audit_events WHERE seq > ?`
	args := []any{f.AfterSeq}
	if !f.Since.IsZero() {
		q += ` AND at >= ?`
		args = append(args, d.TimeValue(f.Since))
	}
	if !f.Until.IsZero() {
		q += ` AND at < ?`
		args = append(args, d.TimeValue(f.Until))
	}
	q += ` ORDER BY seq`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := st.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("audit: read events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		// A details column damaged by tampering is exported as absent; verify names it.
		if _, err := scanEvent(rows, &e); err != nil {
			return fmt.Errorf("audit: read event: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit: read events: %w", err)
	}
	return nil
}

// Read returns the events matching f (set a Limit for pages).
func Read(ctx context.Context, st *store.Store, f Filter) ([]Event, error) {
	var out []Event
	err := Each(ctx, st, f, func(e Event) error { out = append(out, e); return nil })
	return out, err
}

// ExportJSONL writes the events matching f to w, one JSON object per line, and returns
// how many it wrote.
func ExportJSONL(ctx context.Context, st *store.Store, f Filter, w io.Writer) (int, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	n := 0
	err := Each(ctx, st, f, func(e Event) error {
		n++
		return enc.Encode(e)
	})
	if err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("audit: export: %w", err)
	}
	return n, nil
}
