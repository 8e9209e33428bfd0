package backup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/jobs/jobstest"
)

func TestScheduledBackupsKeepN(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := jobstest.Open(t, jobstest.SQLite(t))
	id, _ := age.GenerateX25519Identity()
	clock := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	sc := Scheduled{Store: st, DataDir: dir, Recipients: []age.Recipient{id.Recipient()}, Keep: 2, Now: now}
	q := jobs.NewQueue(st, now)
	p := jobs.NewPool(st, jobs.PoolOptions{Now: now})
	p.Handle(JobKind, sc.Handler())
	for i := range 4 {
		q.Enqueue(ctx, jobs.Spec{Kind: JobKind})
		if n, err := p.RunPending(ctx); n != 1 || err != nil {
			t.Fatalf("run %d: %d %v", i, n, err)
		}
		clock = clock.Add(24 * time.Hour)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "backups"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 || !strings.Contains(names[0], "20260303") || !strings.Contains(names[1], "20260304") {
		t.Fatalf("kept %v", names)
	}
	f, _ := os.Open(filepath.Join(dir, "backups", names[1]))
	defer f.Close()
	if _, err := Verify(f, id); err != nil {
		t.Fatal(err)
	}
	list, _ := q.List(ctx, jobs.Failed, 10)
	if len(list) != 0 {
		t.Fatalf("failed jobs %+v", list)
	}
}
