package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// head is the chain head: the last seq and its hash.
type head struct {
	seq  int64
	hash []byte
}

// lockHead reads the chain head and locks it until tx ends. On PostgreSQL the row lock
// is what keeps seq gapless and unique across replicas: a second appender blocks here
// until the first commits, then reads the head the first wrote. SQLite needs no row
// lock: every read-write transaction began with BEGIN IMMEDIATE, holding the database's
// write lock.
func lockHead(ctx context.Context, tx *store.Tx) (head, error) {
	q := `SELECT seq, hash FROM audit_head WHERE id = 1`
	if tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	var h head
	if err := tx.QueryRow(ctx, q).Scan(&h.seq, &h.hash); err != nil {
		return h, fmt.Errorf("read chain head: %w", err)
	}
	return h, nil
}

// insertChunk keeps each INSERT's parameter count (11 per row) far below both
// databases' limits.
const insertChunk = 200

// appendLocked assigns seq, time and hashes to evs (already prepared) and writes them
// and the new head in tx.
func appendLocked(ctx context.Context, tx *store.Tx, evs []*Event, now func() time.Time) (head, error) {
	h, err := lockHead(ctx, tx)
	if err != nil {
		return h, err
	}
	d := tx.Dialect()
	for _, e := range evs {
		// Times are taken under the lock, so within one process they follow seq.
		e.Time = now().UTC().Truncate(time.Microsecond)
		e.Seq = h.seq + 1
		e.PrevHash = h.hash
		e.Hash = eventHash(e)
		h = head{seq: e.Seq, hash: e.Hash}
	}
	for start := 0; start < len(evs); start += insertChunk {
		chunk := evs[start:min(start+insertChunk, len(evs))]
		var q strings.Builder
		q.WriteString(`INSERT INTO audit_events (seq, at, actor, action, object, outcome, request_id, source, details, prev_hash, hash) VALUES `)
		args := make([]any, 0, 11*len(chunk))
		for i, e := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, e.Seq, d.TimeValue(e.Time), e.Actor, e.Action, e.Object, string(e.Outcome), e.RequestID, e.Source,
				detailsJSON(e.Details), e.PrevHash, e.Hash)
		}
		if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
			return h, fmt.Errorf("insert audit events: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, h.seq, h.hash); err != nil {
		return h, fmt.Errorf("update chain head: %w", err)
	}
	return h, nil
}

func detailsJSON(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m) // a map of strings always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

func parseDetails(s string) (map[string]string, error) {
	if s == "" || s == "{}" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

const eventColumns = `seq, at, actor, action, object, outcome, request_id, source, details, prev_hash, hash`

// scanEvent reads one row of eventColumns. A details column that is not a JSON object
// of strings (it was tampered with) is reported through detailsErr, not as a failure
// of the scan: verify must keep going and say which event it was.
func scanEvent(sc interface{ Scan(...any) error }, e *Event) (detailsErr error, err error) {
	var outcome, details string
	if err := sc.Scan(&e.Seq, store.TimeScanner(&e.Time), &e.Actor, &e.Action, &e.Object, &outcome, &e.RequestID, &e.Source,
		&details, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.Outcome = Outcome(outcome)
	e.Details, detailsErr = parseDetails(details)
	return detailsErr, nil
}
