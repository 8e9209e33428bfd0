package store

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

// backend makes fresh, empty databases of one dialect for tests.
type backend struct {
	name string
	// fresh returns Options for a database no other test uses, removed at cleanup.
	fresh func(tb testing.TB) Options
}

var sqliteBackend = backend{name: "sqlite", fresh: func(tb testing.TB) Options {
	return Options{DataDir: tb.TempDir()}
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

// eachBackend runs fn as a subtest against a fresh, migrated store of every backend.
func eachBackend(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Helper()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := openTest(t, b.fresh(t))
			fn(t, s)
		})
	}
}

func openTest(tb testing.TB, opt Options) *Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, opt)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// countingHandler counts "applied migration" log records across the stores sharing it.
type countingHandler struct {
	slog.Handler
	applied *atomic.Int64
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "applied migration" {
		h.applied.Add(1)
	}
	return nil
}
func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h countingHandler) WithGroup(string) slog.Handler            { return h }

// clock is a settable test clock.
type clock struct{ t atomic.Int64 }

func newClock(t time.Time) *clock    { c := &clock{}; c.t.Store(t.UnixNano()); return c }
func (c *clock) now() time.Time      { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.t.Add(int64(d)) }
