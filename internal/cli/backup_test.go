package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// backup → verify → restore into an empty directory → audit verify, through the CLI.
func TestBackupVerifyRestoreCommands(t *testing.T) {
	dir, st := auditFixture(t, 6)
	st.Close()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	idFile := filepath.Join(t.TempDir(), "key.txt")
	os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600)
	archive := filepath.Join(t.TempDir(), "b.age")

	if _, stderr, code := runCLI(t, "backup", "--data", dir, "--output", archive); code != ExitError || !strings.Contains(stderr, "unencrypted") {
		t.Fatalf("backup without a recipient: exit %d %s", code, stderr)
	}
	out, stderr, code := runCLI(t, "backup", "--data", dir, "--output", archive, "--recipient", id.Recipient().String())
	if code != ExitOK || !strings.Contains(out, "backup of sqlite") {
		t.Fatalf("backup: exit %d\n%s%s", code, out, stderr)
	}
	if _, _, code := runCLI(t, "backup", "--data", dir, "--output", archive, "--recipient", id.Recipient().String()); code != ExitError {
		t.Fatal("backup replaced an existing file")
	}
	out, stderr, code = runCLI(t, "backup", "verify", archive, "--identity", idFile)
	if code != ExitOK || !strings.Contains(out, "ok: every entry matches") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, stderr)
	}
	b, _ := os.ReadFile(archive)
	b[len(b)/2] ^= 1
	damaged := filepath.Join(t.TempDir(), "damaged.age")
	os.WriteFile(damaged, b, 0o600)
	if _, _, code := runCLI(t, "backup", "verify", damaged, "--identity", idFile); code != ExitFailing {
		t.Fatalf("verify of a damaged archive: exit %d", code)
	}

	if _, stderr, code := runCLI(t, "restore", "--input", archive, "--identity", idFile, "--data", dir); code != ExitError || !strings.Contains(stderr, "not empty") {
		t.Fatalf("restore over existing data: exit %d %s", code, stderr)
	}
	target := filepath.Join(t.TempDir(), "restored")
	out, stderr, code = runCLI(t, "restore", "--input", archive, "--identity", idFile, "--data", target)
	if code != ExitOK {
		t.Fatalf("restore: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = runCLI(t, "audit", "verify", "--data", target)
	// 6 events, the backup's own event and the restore's.
	if code != ExitOK || !strings.Contains(out, "result:      OK") || !strings.Contains(out, "events:      8") {
		t.Fatalf("audit verify after restore: exit %d\n%s%s", code, out, stderr)
	}
}
