package audit

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// Two processes (two pools, two Logs) appending to one database at once must still
// produce one gapless chain: the head row lock (PostgreSQL) or the write lock (SQLite)
// makes them take turns.
func TestTwoReplicasAppendConcurrently(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			opt := b.fresh(t)
			a := newEnv(t, opt, Options{})
			st2 := openStore(t, opt)
			l2, err := New(st2, Options{Signer: a.key, Now: a.clock.tick})
			if err != nil {
				t.Fatal(err)
			}
			defer l2.Close(context.Background())
			var wg sync.WaitGroup
			for i, l := range []*Log{a.log, l2, a.log, l2, a.log, l2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					appendN(t, l, i*1000, 40)
					if i == 1 {
						if _, err := l.Checkpoint(context.Background()); err != nil && !errors.Is(err, errNothingToCheckpoint) {
							t.Error(err)
						}
					}
				}()
			}
			wg.Wait()
			if _, err := a.log.Checkpoint(context.Background()); err != nil && !errors.Is(err, errNothingToCheckpoint) {
				t.Fatal(err)
			}
			rep := mustVerify(t, a)
			requireOK(t, rep)
			if rep.Events != 240 || rep.LastSeq != 240 {
				t.Errorf("events %d, last seq %d; want 240 gapless", rep.Events, rep.LastSeq)
			}
		})
	}
}
