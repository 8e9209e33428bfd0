package jobs

import (
	"sync"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/jobs/jobstest"
	"github.com/posture-dev/posture/internal/store"
)

type backend struct {
	name  string
	fresh func(testing.TB) store.Options
}

// postgresEnabled is set by the integration-tagged file.
var postgresEnabled bool

func backends() []backend {
	bs := []backend{{"sqlite", jobstest.SQLite}}
	if postgresEnabled {
		bs = append(bs, backend{"postgres", jobstest.Postgres})
	}
	return bs
}

func eachBackend(t *testing.T, fn func(t *testing.T, st *store.Store, clk *clock)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			clk := &clock{t: t0}
			opt := b.fresh(t)
			opt.Now = clk.Now
			fn(t, jobstest.Open(t, opt), clk)
		})
	}
}

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
