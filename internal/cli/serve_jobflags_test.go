package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The scheduled-scan flags of posture serve are checked before anything is served.
func TestServeRejectsBadScanJobFlags(t *testing.T) {
	badCA := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(badCA, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		flag, value, want string
	}{
		{"--rematch-schedule", "sometimes", "--rematch-schedule"},
		{"--scan-ca-file", badCA, "--scan-ca-file"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), realEnv(&out, &errb), []string{"serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", tt.flag, tt.value})
		if code != ExitError || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%s %s: exit %d, stderr %q; want exit %d naming the flag", tt.flag, tt.value, code, errb.String(), ExitError)
		}
	}
}
