package audit

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/keys"
)

// tamper runs SQL directly against the tables, as someone with database access would.
func tamper(t *testing.T, e *env, q string, args ...any) {
	t.Helper()
	if _, err := e.st.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("tamper %q: %v", q, err)
	}
}

func eventAt(t *testing.T, e *env, seq int64) Event {
	t.Helper()
	evs, err := Read(context.Background(), e.st, Filter{AfterSeq: seq - 1, Limit: 1})
	if err != nil || len(evs) != 1 || evs[0].Seq != seq {
		t.Fatalf("event %d: %v %v", seq, evs, err)
	}
	return evs[0]
}

// rewrite replaces event seq's actor and recomputes its hash (and, with rechain, every
// later hash and the head), as an attacker who knows the format would.
func rewrite(t *testing.T, e *env, seq int64, rechain bool) {
	t.Helper()
	x := eventAt(t, e, seq)
	x.Actor = "user:mallory"
	x.Hash = eventHash(&x)
	tamper(t, e, `UPDATE audit_events SET actor = ?, hash = ? WHERE seq = ?`, x.Actor, x.Hash, seq)
	if !rechain {
		return
	}
	prev := x.Hash
	for s := seq + 1; ; s++ {
		evs, _ := Read(context.Background(), e.st, Filter{AfterSeq: s - 1, Limit: 1})
		if len(evs) == 0 {
			tamper(t, e, `UPDATE audit_head SET hash = ? WHERE id = 1`, prev)
			return
		}
		y := evs[0]
		y.PrevHash = prev
		y.Hash = eventHash(&y)
		tamper(t, e, `UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?`, y.PrevHash, y.Hash, y.Seq)
		prev = y.Hash
	}
}

type want struct {
	kind         ProblemKind
	seq, through int64
}

func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, e *env)
		ring   func(e *env) keys.Ring
		want   []want
	}{
		{name: "modified field", tamper: func(t *testing.T, e *env) {
			tamper(t, e, `UPDATE audit_events SET actor = 'user:mallory' WHERE seq = 5`)
		}, want: []want{{Modified, 5, 5}}},
		{name: "modified outcome", tamper: func(t *testing.T, e *env) {
			tamper(t, e, `UPDATE audit_events SET outcome = 'success' WHERE seq = 14`)
			tamper(t, e, `UPDATE audit_events SET outcome = 'denied' WHERE seq = 14`)
		}, want: []want{{Modified, 14, 14}}},
		{name: "modified details", tamper: func(t *testing.T, e *env) {
			tamper(t, e, `UPDATE audit_events SET details = '{"field":"nothing"}' WHERE seq = 7`)
		}, want: []want{{Modified, 7, 7}}},
		{name: "details not json", tamper: func(t *testing.T, e *env) {
			tamper(t, e, `UPDATE audit_events SET details = 'garbage' WHERE seq = 7`)
		}, want: []want{{Modified, 7, 7}}},
		{name: "modified time", tamper: func(t *testing.T, e *env) {
			x := eventAt(t, e, 3)
			tamper(t, e, `UPDATE audit_events SET at = ? WHERE seq = 3`, e.st.Dialect().TimeValue(x.Time.Add(-3600e9)))
		}, want: []want{{Modified, 3, 3}}},
		{name: "modified and rehashed", tamper: func(t *testing.T, e *env) {
			rewrite(t, e, 15, false)
		}, want: []want{{Modified, 15, 15}}},
		{name: "last event modified and rehashed", tamper: func(t *testing.T, e *env) {
			rewrite(t, e, 20, false)
		}, want: []want{{Modified, 20, 20}}},
		{name: "rewritten chain caught by checkpoint", tamper: func(t *testing.T, e *env) {
			rewrite(t, e, 5, true)
		}, want: []want{{Modified, 1, 10}}},
		{name: "deleted one", tamper: func(t *testing.T, e *env) {
			tamper(t, e, `DELETE FROM audit_events WHERE seq = 5`)
		}, want: []want{{Deleted, 5, 5}}},
		{name: "deleted range", tamper: func(t *testing.T, e *env) {
			tamper(t, e, `DELETE FROM audit_events WHERE seq BETWEEN 12 AND 14`)
		}, want: []want{{Deleted, 12, 14}}},
		{name: "deleted first", tamper: func(t *testing.T, e *env) {
			tamper(t, e, `DELETE FROM audit_events WHERE seq <= 2`)
		}, want: []want{{Deleted, 1, 2}}},
		{name: "deleted last", tamper: func(t *testing.T, e *env) {
			tamper(t, e, `DELETE FROM audit_events WHERE seq = 20`)
		}, want: []want{{Deleted, 20, 20}}},
		{name: "deleted tail and head rewound", tamper: func(t *testing.T, e *env) {
			x := eventAt(t, e, 8)
			tamper(t, e, `DELETE FROM audit_events WHERE seq > 8`)
			tamper(t, e, `UPDATE audit_head SET seq = 8, hash = ? WHERE id = 1`, x.Hash)
		}, want: []want{{Deleted, 9, 10}}},
		{name: "deleted and renumbered", tamper: func(t *testing.T, e *env) {
			tamper(t, e, `DELETE FROM audit_events WHERE seq = 5`)
			for s := 6; s <= 20; s++ {
				tamper(t, e, `UPDATE audit_events SET seq = ? WHERE seq = ?`, s-1, s)
			}
		}, want: []want{{Deleted, 5, 5}}},
		{name: "reordered", tamper: func(t *testing.T, e *env) {
			tamper(t, e, `UPDATE audit_events SET seq = -1 WHERE seq = 5`)
			tamper(t, e, `UPDATE audit_events SET seq = 5 WHERE seq = 6`)
			tamper(t, e, `UPDATE audit_events SET seq = 6 WHERE seq = -1`)
		}, want: []want{{Reordered, 5, 6}}},
		{name: "reordered three", tamper: func(t *testing.T, e *env) {
			// 12 ← 14, 13 ← 12, 14 ← 13
			tamper(t, e, `UPDATE audit_events SET seq = -12 WHERE seq = 12`)
			tamper(t, e, `UPDATE audit_events SET seq = 12 WHERE seq = 14`)
			tamper(t, e, `UPDATE audit_events SET seq = 14 WHERE seq = 13`)
			tamper(t, e, `UPDATE audit_events SET seq = 13 WHERE seq = -12`)
		}, want: []want{{Reordered, 12, 14}}},
		{name: "inserted in the middle", tamper: func(t *testing.T, e *env) {
			for s := 20; s >= 5; s-- {
				tamper(t, e, `UPDATE audit_events SET seq = ? WHERE seq = ?`, s+1, s)
			}
			x := eventAt(t, e, 4)
			f := Event{Seq: 5, Time: x.Time, Actor: "user:mallory", Action: "system.delete", Object: "system:1", Outcome: Success, PrevHash: x.Hash}
			f.Hash = eventHash(&f)
			insertRaw(t, e, f)
		}, want: []want{{Inserted, 5, 5}}},
		{name: "inserted after head", tamper: func(t *testing.T, e *env) {
			x := eventAt(t, e, 20)
			f := Event{Seq: 21, Time: x.Time, Actor: "user:mallory", Action: "token.create", Outcome: Success, PrevHash: x.Hash}
			f.Hash = eventHash(&f)
			insertRaw(t, e, f)
		}, want: []want{{Inserted, 21, 21}}},
		{name: "forged checkpoint", tamper: func(t *testing.T, e *env) {
			tamper(t, e, `UPDATE audit_checkpoints SET signature = ? WHERE seq = 10`, make([]byte, 64))
		}, want: []want{{BadCheckpoint, 10, 10}}},
		{name: "checkpoint of an unknown key", ring: func(e *env) keys.Ring { return keys.Ring{} },
			want: []want{{UnverifiedCheckpoint, 10, 10}}},
	}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					e := newEnv(t, b.fresh(t), Options{})
					appendN(t, e.log, 0, 10)
					if _, err := e.log.Checkpoint(context.Background()); err != nil {
						t.Fatal(err)
					}
					appendN(t, e.log, 10, 10)
					requireOK(t, mustVerify(t, e))
					if tc.tamper != nil {
						tc.tamper(t, e)
					}
					ring := e.ring
					if tc.ring != nil {
						ring = tc.ring(e)
					}
					rep, err := Verify(context.Background(), e.st, ring)
					if err != nil {
						t.Fatal(err)
					}
					checkProblems(t, rep, tc.want)
				})
			}
		})
	}
}

func checkProblems(t *testing.T, rep *Report, ws []want) {
	t.Helper()
	var got []want
	for _, p := range rep.Problems {
		got = append(got, want{p.Kind, p.Seq, p.Through})
	}
	if fmt.Sprint(got) != fmt.Sprint(ws) {
		var b strings.Builder
		rep.WriteText(&b)
		t.Errorf("problems = %v, want %v\n%s", got, ws, b.String())
	}
}

func insertRaw(t *testing.T, e *env, f Event) {
	t.Helper()
	tamper(t, e, `INSERT INTO audit_events (`+eventColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.Seq, e.st.Dialect().TimeValue(f.Time),
		f.Actor, f.Action, f.Object, string(f.Outcome), f.RequestID, f.Source, detailsJSON(f.Details), f.PrevHash, f.Hash)
}
