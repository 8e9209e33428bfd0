package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/server"
	"github.com/posture-dev/posture/internal/store"
)

// auditFixture writes n events to a fresh data directory through the server's Auditor
// adapter, with a checkpoint after the first half, and returns the directory.
func auditFixture(t *testing.T, n int) (string, *store.Store) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	k, err := keys.OpenFile(filepath.Join(dir, keys.DefaultKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	l, err := audit.New(st, audit.Options{Signer: k, Now: func() time.Time { clock = clock.Add(time.Hour); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	a := logAuditor{l}
	for i := range n {
		if err := a.Append(ctx, server.Event{Actor: "user:1:admin@example.com", Action: "token.create", Object: "token:" + string(rune('a'+i)),
			Outcome: server.OutcomeSuccess, RequestID: "r", Client: "127.0.0.1:5000", Detail: "scope metrics:read"}); err != nil {
			t.Fatal(err)
		}
		if i == n/2-1 {
			if _, err := l.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return dir, st
}

func TestAuditVerifyCommand(t *testing.T) {
	dir, st := auditFixture(t, 10)
	out, stderr, code := runCLI(t, "audit", "verify", "--data", dir)
	if code != ExitOK || !strings.Contains(out, "result:      OK") || !strings.Contains(out, "events:      10 (seq 1–10)") {
		t.Fatalf("verify of an intact log: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := st.Exec(context.Background(), `UPDATE audit_events SET actor = 'user:2' WHERE seq = 4`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Exec(context.Background(), `DELETE FROM audit_events WHERE seq = 8`); err != nil {
		t.Fatal(err)
	}
	out, _, code = runCLI(t, "audit", "verify", "--data", dir)
	if code != ExitFailing || !strings.Contains(out, "event 4 modified") || !strings.Contains(out, "event 8 deleted") {
		t.Fatalf("verify of a tampered log: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, "audit", "verify", "--data", dir, "--format", "json")
	var rep audit.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitFailing || len(rep.Problems) != 2 || rep.Problems[0].Kind != audit.Modified {
		t.Fatalf("json report (exit %d, %v): %s", code, err, out)
	}
}

func TestAuditVerifyErrors(t *testing.T) {
	dir, _ := auditFixture(t, 4)
	cases := [][]string{
		{"audit", "verify", "--data", filepath.Join(dir, "missing")},
		{"audit", "verify", "--data", dir, "--key-file", filepath.Join(dir, "nokey")},
		{"audit", "verify", "--data", dir, "--key-provider", "hsm"},
		{"audit", "verify", "--data", dir, "--format", "xml"},
		{"audit", "verify", "--data", dir, "--database", "mysql://x"},
		{"audit", "export", "--data", dir, "--since", "yesterday"},
		{"audit", "export", "--data", dir, "--format", "csv"},
		{"audit", "purge", "--data", dir},
	}
	for _, args := range cases {
		if _, stderr, code := runCLI(t, args...); code != ExitError || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func TestAuditExportAndPurgeCommands(t *testing.T) {
	dir, _ := auditFixture(t, 10)
	out, _, code := runCLI(t, "audit", "export", "--data", dir, "--since", "2026-11-01T06:00:00Z")
	if code != ExitOK {
		t.Fatalf("export exit %d", code)
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %q", sc.Text())
		}
		lines = append(lines, m)
	}
	// Events are stamped 01:00, 02:00, …: those at or after 06:00 are seq 6–10.
	if len(lines) != 5 || lines[0]["seq"].(float64) != 6 || len(lines[0]["hash"].(string)) != 64 || lines[0]["source"] != "127.0.0.1:5000" {
		t.Fatalf("export: %v", lines)
	}
	out, _, code = runCLI(t, "audit", "purge", "--data", dir, "--before", "2026-11-01T08:00:00Z")
	if code != ExitOK || !strings.Contains(out, "purged 5 events (seq 1–5)") {
		t.Fatalf("purge: exit %d: %s", code, out)
	}
	out, _, code = runCLI(t, "audit", "verify", "--data", dir)
	if code != ExitOK || !strings.Contains(out, "anchor:      checkpoint at seq 5") {
		t.Fatalf("verify after purge: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, "audit", "checkpoint", "--data", dir)
	if code != ExitOK || !strings.Contains(out, "already covered") {
		t.Errorf("checkpoint: exit %d: %s", code, out)
	}
}
