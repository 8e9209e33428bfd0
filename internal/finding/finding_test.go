package finding

import (
	"strings"
	"testing"
)

func TestFingerprintIgnoresLineNumbers(t *testing.T) {
	a := Fingerprint("wp/debug", Location{Path: "wp-config.php", Line: 10}, "WP_DEBUG", 0)
	b := Fingerprint("wp/debug", Location{Path: "wp-config.php", Line: 99}, "WP_DEBUG", 0)
	if a != b {
		t.Fatalf("fingerprint changed with the line: %s vs %s", a, b)
	}
	for _, other := range []string{
		Fingerprint("wp/debug", Location{Path: "other/wp-config.php"}, "WP_DEBUG", 0),
		Fingerprint("wp/debug", Location{Path: "wp-config.php"}, "WP_DEBUG", 1),
		Fingerprint("wp/file-edit", Location{Path: "wp-config.php"}, "WP_DEBUG", 0),
	} {
		if other == a {
			t.Fatal("distinct findings share a fingerprint")
		}
	}
}

func TestSecretEvidenceNeverHoldsTheSecret(t *testing.T) {
	for _, s := range []string{"AKIAIOSFODNN7EXAMPLE", "hunter2", "x", "pässwörd-ß-long-value"} {
		e := Secret(s)
		if strings.Contains(e.Text, s) && len(s) > 1 {
			t.Errorf("redacted evidence %q contains the secret %q", e.Text, s)
		}
		if !e.Redacted || !strings.Contains(e.Text, "sha256:") {
			t.Errorf("evidence %q not marked redacted", e.Text)
		}
	}
}

func TestPlainEvidenceIsBounded(t *testing.T) {
	e := Plain(strings.Repeat("é", 500) + "\xff")
	if len(e.Text) > maxEvidence+4 || !strings.HasSuffix(e.Text, "…") {
		t.Errorf("evidence not truncated cleanly: %d bytes", len(e.Text))
	}
}
