package audit

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkAppend64 measures durable appends with 64 concurrent appenders (the server's
// request handlers) on each database: SQLite with synchronous=FULL, PostgreSQL with
// synchronous_commit on. Each Append returns only after its group's commit. Run with
// -tags integration for PostgreSQL.
func BenchmarkAppend64(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			e := newEnv(b, be.fresh(b), Options{CheckpointEvery: 1000})
			ctx := context.Background()
			var next atomic.Int64
			b.ResetTimer()
			var wg sync.WaitGroup
			for range 64 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						if err := e.log.Append(ctx, ev(int(i))); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
