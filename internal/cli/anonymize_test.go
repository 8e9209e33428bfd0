package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const anonDump = "-- MySQL dump\nCREATE TABLE `wp_users` (`ID` bigint, `user_login` varchar(60), `user_email` varchar(100), `display_name` varchar(250));\n" +
	"INSERT INTO `wp_users` VALUES (1,'jdoe','john.doe@gmail.com','John Doe'),(2,'asmith','anna.smith@web.de','Anna Smith'),(3,'bk','b.k@outlook.com','B K');\n"

func TestAnonymizeCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "prod.sql")
	out := filepath.Join(dir, "safe.sql.gz")
	key := filepath.Join(dir, "key")
	os.WriteFile(in, []byte(anonDump), 0o600)
	os.WriteFile(key, []byte("0123456789abcdef0123\n"), 0o600)
	var stdout, stderr bytes.Buffer
	e := fixedEnv(&stdout, &stderr)
	if code := run(context.Background(), e, []string{"anonymize", "--preset", "wordpress", "--key-file", key, "--in", in, "--out", out}); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	// verify: the original has personal data (1), the output has none (0), through gzip.
	stdout.Reset()
	if code := run(context.Background(), e, []string{"anonymize", "verify", in}); code != ExitFailing || !strings.Contains(stdout.String(), "wp_users.user_email") || strings.Contains(stdout.String(), "john.doe") {
		t.Fatalf("verify original: exit %d\n%s", code, stdout.String())
	}
	stdout.Reset()
	if code := run(context.Background(), e, []string{"anonymize", "verify", out}); code != 0 || !strings.Contains(stdout.String(), "tool=posture/0.1.0-test") || !strings.Contains(stdout.String(), "date=2026-11-29") {
		t.Fatalf("verify output: exit %d\n%s", code, stdout.String())
	}
}

func TestAnonymizeErrorsLeaveNoOutput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "prod.sql")
	os.WriteFile(in, []byte(anonDump[:len(anonDump)-20]), 0o600) // cut inside a string
	typo := filepath.Join(dir, "rules.yaml")
	os.WriteFile(typo, []byte("tables:\n  wp_users:\n    colums:\n      user_email: {fake: email}\n"), 0o600)
	missing := filepath.Join(dir, "missing.yaml")
	os.WriteFile(missing, []byte("tables:\n  wp_users:\n    columns:\n      phone: {fake: phone}\n"), 0o600)
	good := filepath.Join(dir, "good.sql")
	os.WriteFile(good, []byte(anonDump), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--preset", "wordpress", "--in", in}, "line 3, byte"},
		{[]string{"--rules", typo, "--in", good}, "rules.yaml:3:5: unknown key \"colums\" (did you mean columns?)"},
		{[]string{"--rules", missing, "--in", good}, "missing.yaml:4:7: rule for column phone"},
		{[]string{"--preset", "wordpres", "--in", good}, "unknown preset"},
	} {
		out := filepath.Join(dir, "out.sql")
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), fixedEnv(&stdout, &stderr), append([]string{"anonymize", "--out", out}, tc.args...))
		if code != ExitError || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, stderr.String(), tc.want)
		}
		ents, _ := os.ReadDir(dir)
		for _, ent := range ents {
			if strings.HasPrefix(ent.Name(), "out.sql") || strings.HasPrefix(ent.Name(), ".out.sql") {
				t.Errorf("%v: left %s behind", tc.args, ent.Name())
			}
		}
	}
}
