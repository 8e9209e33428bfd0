package audit

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/store"
)

// backend makes fresh, empty databases of one dialect, as internal/store's tests do.
type backend struct {
	name  string
	fresh func(tb testing.TB) store.Options
}

var sqliteBackend = backend{name: "sqlite", fresh: func(tb testing.TB) store.Options {
	return store.Options{DataDir: tb.TempDir()}
}}

// postgresBackend is set by postgres_integration_test.go, built with -tags integration.
var postgresBackend *backend

func backends() []backend {
	bs := []backend{sqliteBackend}
	if postgresBackend != nil {
		bs = append(bs, *postgresBackend)
	}
	return bs
}

// env is one test's store, log, signer and clock.
type env struct {
	st    *store.Store
	log   *Log
	key   *keys.File
	ring  keys.Ring
	clock *clock
	opt   store.Options
}

// eachBackend runs fn as a subtest against a fresh store and Log of every backend.
func eachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, b.fresh(t), Options{}))
		})
	}
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func openStore(tb testing.TB, opt store.Options) *store.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, opt)
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func newEnv(tb testing.TB, sopt store.Options, lopt Options) *env {
	tb.Helper()
	st := openStore(tb, sopt)
	k, err := keys.OpenFile(filepath.Join(tb.TempDir(), keys.DefaultKeyFile))
	if err != nil {
		tb.Fatal(err)
	}
	ring, err := keys.NewRing(context.Background(), k)
	if err != nil {
		tb.Fatal(err)
	}
	c := newClock(t0)
	lopt.Signer = k
	if lopt.Now == nil {
		lopt.Now = c.tick
	}
	if lopt.CheckpointInterval == 0 {
		lopt.CheckpointInterval = time.Hour // tests take checkpoints explicitly
	}
	if lopt.CheckpointEvery == 0 {
		lopt.CheckpointEvery = 1 << 30
	}
	l, err := New(st, lopt)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close(context.Background()) })
	return &env{st: st, log: l, key: k, ring: ring, clock: c, opt: sopt}
}

// clock is a test clock that advances a millisecond per reading, so that event times
// differ and follow seq.
type clock struct{ t atomic.Int64 }

func newClock(t time.Time) *clock { c := &clock{}; c.t.Store(t.UnixNano()); return c }
func (c *clock) tick() time.Time  { return time.Unix(0, c.t.Add(int64(time.Millisecond))).UTC() }
func (c *clock) set(t time.Time)  { c.t.Store(t.UnixNano()) }
