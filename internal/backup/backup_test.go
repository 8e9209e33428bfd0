package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/jobs/jobstest"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/store"
)

// freshPostgresTarget is set by the integration-tagged file.
var freshPostgresTarget func(t *testing.T) (Target, func())

type backend struct {
	name string
	// fresh returns a target for a fresh database, and wipe empties it again.
	fresh func(t *testing.T) (Target, func())
}

func backends() []backend {
	bs := []backend{{"sqlite", func(t *testing.T) (Target, func()) {
		dir := filepath.Join(t.TempDir(), "data")
		return Target{DataDir: dir}, func() {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
		}
	}}}
	if freshPostgresTarget != nil {
		bs = append(bs, backend{"postgres", freshPostgresTarget})
	}
	return bs
}

// populate fills a store with a bit of everything: systems, scans with findings,
// jobs, job runs, audit events and checkpoints, and evidence files.
func populate(t *testing.T, tg Target) (*store.Store, keys.Ring) {
	t.Helper()
	ctx := context.Background()
	st := jobstest.Open(t, store.Options{DataDir: tg.DataDir, URL: tg.URL})
	k, err := keys.OpenFile(filepath.Join(tg.DataDir, keys.DefaultKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := keys.NewRing(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.New(st, audit.Options{Signer: k})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		sys, err := st.CreateSystem(ctx, store.SystemInput{Name: fmt.Sprint("sys", i), Owner: "team", Environment: store.Prod, Classification: store.Internal,
			Targets: []store.Target{{Kind: store.Endpoint, Locator: fmt.Sprintf("https://h%d.example", i)}}})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		_, err = st.RecordScan(ctx, sys.ID, store.ScanInput{UploadedBy: "token:1", StartedAt: now.Add(-time.Minute), FinishedAt: now, ToolVersion: "t", PackVersion: "p",
			Controls:  []store.ControlResult{{Target: "x", Control: "CR-2", Status: store.Fail}},
			Findings:  []store.FindingInput{{Fingerprint: fmt.Sprint("fp", i), Control: "CR-2", Rule: "r/x", Severity: "high", Target: "x", Location: "a.go:1", Message: "m\x01 ünïcode", Status: store.FindingOpen}},
			RawReport: bytes.Repeat([]byte{0, 1, 2, 0xff}, 1000)})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Append(ctx, audit.Event{Actor: "user:1", Action: "system.create", Object: fmt.Sprint("system:", sys.ID), Outcome: audit.Success, Source: "cli"}); err != nil {
			t.Fatal(err)
		}
	}
	q := jobs.NewQueue(st, nil)
	p := jobs.NewPool(st, jobs.PoolOptions{Worker: "w"})
	p.Handle("x", func(context.Context, *jobs.Job) error { return nil })
	for i := range 5 {
		q.Enqueue(ctx, jobs.Spec{Kind: "x", DedupKey: fmt.Sprint("k", i)})
	}
	p.RunPending(ctx)
	q.Enqueue(ctx, jobs.Spec{Kind: "y"})
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	l.Append(ctx, audit.Event{Actor: "user:1", Action: "after.checkpoint", Object: "x", Outcome: audit.Success, Source: "cli"})
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	ev := filepath.Join(tg.DataDir, "evidence", "ab")
	os.MkdirAll(ev, 0o700)
	os.WriteFile(filepath.Join(ev, "abcdef.bin"), []byte("pen test report"), 0o600)
	os.MkdirAll(filepath.Join(tg.DataDir, "backups"), 0o700)
	os.WriteFile(filepath.Join(tg.DataDir, "backups", "old.age"), []byte("not archived"), 0o600)
	return st, ring
}

// Acceptance (P7): backup → wipe → restore gives identical data, table by table, and
// an audit chain that verifies, on each database.
func TestBackupWipeRestoreRoundTrip(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			tg, wipe := b.fresh(t)
			st, ring := populate(t, tg)
			before, archive, id, m := snapshotAndBackUp(t, st, tg.DataDir)
			names := map[string]bool{}
			for _, e := range m.Entries {
				names[e.Name] = true
			}
			if !names["files/evidence/ab/abcdef.bin"] || !names["files/"+keys.DefaultKeyFile] || names["files/backups/old.age"] || names["files/posture.db"] {
				t.Fatalf("archive entries %v", names)
			}
			if bytes.Contains(archive.Bytes(), []byte("pen test report")) {
				t.Fatal("archive is not encrypted")
			}
			if _, err := Verify(bytes.NewReader(archive.Bytes()), id); err != nil {
				t.Fatal(err)
			}
			st.Close()

			// Restoring over existing data is refused.
			if _, err := Restore(ctx, bytes.NewReader(archive.Bytes()), []age.Identity{id}, tg); !errors.Is(err, ErrNotEmpty) {
				t.Fatalf("restore into a non-empty target: %v", err)
			}
			wipe()
			if _, err := Restore(ctx, bytes.NewReader(archive.Bytes()), []age.Identity{id}, tg); err != nil {
				t.Fatal(err)
			}
			st2 := jobstest.Open(t, store.Options{DataDir: tg.DataDir, URL: tg.URL})
			after, err := Snapshot(ctx, st2)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) {
				t.Fatalf("%d tables after restore, %d before", len(after), len(before))
			}
			for tbl, want := range before {
				if !bytes.Equal(after[tbl], want) {
					t.Errorf("table %s differs after restore:\nbefore %s\nafter  %s", tbl, clip(want), clip(after[tbl]))
				}
			}
			got, err := os.ReadFile(filepath.Join(tg.DataDir, "evidence", "ab", "abcdef.bin"))
			if err != nil || string(got) != "pen test report" {
				t.Fatalf("evidence after restore: %q %v", got, err)
			}
			checkRestored(t, st2, ring)
		})
	}
}

// snapshotAndBackUp dumps every table of st for comparison and writes an encrypted
// backup of it and dataDir.
func snapshotAndBackUp(t *testing.T, st *store.Store, dataDir string) (map[string][]byte, *bytes.Buffer, *age.X25519Identity, *Manifest) {
	t.Helper()
	ctx := context.Background()
	before, err := Snapshot(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	m, err := Create(ctx, &archive, Options{Store: st, DataDir: dataDir, Recipients: []age.Recipient{id.Recipient()}})
	if err != nil {
		t.Fatal(err)
	}
	return before, &archive, id, m
}

// checkRestored checks what every restore must give: an audit chain that verifies with
// the original keys, and new rows with ids after the restored ones.
func checkRestored(t *testing.T, st *store.Store, ring keys.Ring) {
	t.Helper()
	ctx := context.Background()
	rep, err := audit.Verify(ctx, st, ring)
	if err != nil || !rep.OK() {
		var sb strings.Builder
		if rep != nil {
			rep.WriteText(&sb)
		}
		t.Fatalf("audit verify after restore: %v\n%s", err, sb.String())
	}
	sys, err := st.CreateSystem(ctx, store.SystemInput{Name: "new", Owner: "o", Environment: store.Dev, Classification: store.Public})
	if err != nil || sys.ID != 4 {
		t.Fatalf("new system after restore: id %d, %v", sys.ID, err)
	}
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

func TestVerifyDetectsDamage(t *testing.T) {
	ctx := context.Background()
	tg := Target{DataDir: t.TempDir()}
	st, _ := populate(t, tg)
	pass, _ := age.NewScryptRecipient("correct horse")
	pass.SetWorkFactor(10)
	var archive bytes.Buffer
	if _, err := Create(ctx, &archive, Options{Store: st, DataDir: tg.DataDir, Recipients: []age.Recipient{pass}}); err != nil {
		t.Fatal(err)
	}
	id, _ := age.NewScryptIdentity("correct horse")
	if _, err := Verify(bytes.NewReader(archive.Bytes()), id); err != nil {
		t.Fatal(err)
	}
	wrong, _ := age.NewScryptIdentity("wrong")
	if _, err := Verify(bytes.NewReader(archive.Bytes()), wrong); err == nil {
		t.Fatal("wrong passphrase accepted")
	}
	b := archive.Bytes()
	for name, damaged := range map[string][]byte{
		"truncated": b[:len(b)-100],
		"flipped":   flip(b, len(b)/2),
	} {
		if _, err := Verify(bytes.NewReader(damaged), id); err == nil {
			t.Errorf("%s archive verified", name)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

func TestSafeName(t *testing.T) {
	for n, want := range map[string]bool{"files/a/b": true, "db/posture.db": true, "../x": false, "/etc/passwd": false, "a/../../b": false,
		"a//b": false, "a/./b": false, "": false, ".": false, "a\\b": false, "files/..": false} {
		if safeName(n) != want {
			t.Errorf("safeName(%q) = %v", n, !want)
		}
	}
}
