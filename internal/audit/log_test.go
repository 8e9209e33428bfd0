package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

func ev(i int) Event {
	return Event{Actor: fmt.Sprintf("user:%d", i%7), Action: "system.update", Object: fmt.Sprintf("system:%d", i), Outcome: Success,
		RequestID: fmt.Sprintf("req-%d", i), Source: "192.0.2.1", Details: map[string]string{"field": "owner", "i": fmt.Sprint(i)}}
}

func appendN(t testing.TB, l *Log, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if err := l.Append(context.Background(), ev(i)); err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
}

func mustVerify(t *testing.T, e *env) *Report {
	t.Helper()
	rep, err := Verify(context.Background(), e.st, e.ring)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func requireOK(t *testing.T, rep *Report) {
	t.Helper()
	if !rep.OK() {
		var b strings.Builder
		rep.WriteText(&b)
		t.Fatalf("verify failed:\n%s", b.String())
	}
}

func TestAppendVerify(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		requireOK(t, mustVerify(t, e)) // an empty log verifies
		appendN(t, e.log, 0, 10)
		if _, err := e.log.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		appendN(t, e.log, 10, 5)
		rep := mustVerify(t, e)
		requireOK(t, rep)
		if rep.Events != 15 || rep.FirstSeq != 1 || rep.LastSeq != 15 || rep.VerifiedCheckpoints != 1 || rep.LastCheckpoint != 10 {
			t.Errorf("report = %+v", rep)
		}
		evs, err := Read(ctx, e.st, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for i, x := range evs {
			if x.Seq != int64(i+1) || x.Object != fmt.Sprintf("system:%d", i) {
				t.Fatalf("event %d = %+v", i, x)
			}
			if i > 0 && !x.Time.After(evs[i-1].Time) {
				t.Errorf("event %d time %v not after %v", x.Seq, x.Time, evs[i-1].Time)
			}
			if x.Time.Location() != time.UTC || x.Time.Before(t0) {
				t.Errorf("event time %v not from the injected clock", x.Time)
			}
		}
		// Checkpoint with nothing new is a no-op.
		if _, err := e.log.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := e.log.Checkpoint(ctx); !errors.Is(err, errNothingToCheckpoint) {
			t.Errorf("second checkpoint: %v", err)
		}
	})
}

func TestConcurrentAppendsAreGapless(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				appendN(t, e.log, g*100, 25)
			}()
		}
		wg.Wait()
		rep := mustVerify(t, e)
		requireOK(t, rep)
		if rep.Events != 400 || rep.LastSeq != 400 {
			t.Errorf("events %d last %d, want 400", rep.Events, rep.LastSeq)
		}
	})
}

func TestDoCommitsChangeAndEventTogether(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		boom := errors.New("privileged change failed")
		err := e.log.Do(ctx, ev(1), func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO systems (name, owner, environment, classification, created_at, updated_at) VALUES ('a','o','dev','public',?,?)`,
				tx.Dialect().TimeValue(t0), tx.Dialect().TimeValue(t0)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Do = %v", err)
		}
		if evs, _ := Read(ctx, e.st, Filter{}); len(evs) != 0 {
			t.Errorf("rolled-back change left %d audit events", len(evs))
		}
		if err := e.log.Do(ctx, ev(2), func(tx *store.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		// AppendTx in a rolled-back transaction leaves no event and no gap.
		_ = e.st.InTx(ctx, func(tx *store.Tx) error {
			if err := e.log.AppendTx(ctx, tx, ev(3)); err != nil {
				t.Fatal(err)
			}
			return boom
		})
		appendN(t, e.log, 4, 1)
		rep := mustVerify(t, e)
		requireOK(t, rep)
		if rep.Events != 2 {
			t.Errorf("events = %d, want 2", rep.Events)
		}
	})
}

func TestAppendFailsClosed(t *testing.T) {
	e := newEnv(t, sqliteBackend.fresh(t), Options{})
	ctx := context.Background()
	if err := e.log.Append(ctx, Event{Action: "x", Outcome: Success}); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("no actor: %v", err)
	}
	if err := e.log.Append(ctx, Event{Actor: "a", Action: "x", Outcome: "maybe"}); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("bad outcome: %v", err)
	}
	// A database that refuses writes makes Append fail: the caller must not act.
	if _, err := e.st.Exec(ctx, `DROP TABLE audit_events`); err != nil {
		t.Fatal(err)
	}
	if err := e.log.Append(ctx, ev(1)); err == nil {
		t.Error("Append succeeded without its table")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := e.log.Append(cctx, ev(1)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	e.log.Close(ctx)
	if err := e.log.Append(ctx, ev(1)); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestPrepareRedactsAndBounds(t *testing.T) {
	in := Event{Actor: "login:" + strings.Repeat("é", 400) + "\x00\xff", Action: "session.login", Outcome: Failure,
		Details: map[string]string{"password": "hunter2", "api-token": "tok", "token_id": "t-1", "Authorization": "Bearer x",
			"new_owner": "alice", "totp_code": "123456", "session_cookie": "c", "signing_key": "k", "key_id": "kid"}}
	out, err := prepare(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Actor) > maxField || strings.ContainsRune(out.Actor, 0) || !strings.HasSuffix(out.Actor, truncatedMark) {
		t.Errorf("actor not cleaned: %q", out.Actor)
	}
	for k, want := range map[string]string{"password": redacted, "api-token": redacted, "Authorization": redacted, "totp_code": redacted,
		"session_cookie": redacted, "signing_key": redacted, "token_id": "t-1", "new_owner": "alice", "key_id": "kid"} {
		if out.Details[k] != want {
			t.Errorf("details[%s] = %q, want %q", k, out.Details[k], want)
		}
	}
	many := map[string]string{}
	for i := range 100 {
		many[fmt.Sprint("k", i)] = "v"
	}
	out, _ = prepare(Event{Actor: "a", Action: "b", Outcome: Success, Details: many})
	if len(out.Details) > maxDetails+1 || out.Details["details_dropped"] != "true" {
		t.Errorf("details not bounded: %d", len(out.Details))
	}
}

func TestAutomaticCheckpoints(t *testing.T) {
	e := newEnv(t, sqliteBackend.fresh(t), Options{CheckpointEvery: 10})
	appendN(t, e.log, 0, 25)
	deadline := time.Now().Add(5 * time.Second)
	for {
		rep := mustVerify(t, e)
		requireOK(t, rep)
		if rep.LastCheckpoint >= 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint after 20 events: %+v", rep)
		}
		time.Sleep(20 * time.Millisecond)
	}
	e2 := newEnv(t, sqliteBackend.fresh(t), Options{CheckpointInterval: 20 * time.Millisecond})
	appendN(t, e2.log, 0, 3)
	deadline = time.Now().Add(5 * time.Second)
	for mustVerify(t, e2).LastCheckpoint != 3 {
		if time.Now().After(deadline) {
			t.Fatal("no timed checkpoint")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
