package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestACMEManagerCAFile(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, directory, caFile, wantErr string
		wantClient                       bool
	}{
		{name: "Let's Encrypt defaults"},
		{name: "directory only", directory: "https://ca.example/dir", wantClient: true},
		{name: "missing CA file", caFile: filepath.Join(dir, "absent.pem"), wantErr: "--acme-ca-file"},
		{name: "no PEM in CA file", caFile: notPEM, wantErr: "no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := acmeManager(filepath.Join(dir, "acme"), "posture.test", tc.directory, tc.caFile)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (m.Client != nil) != tc.wantClient || (m.Client != nil && m.Client.DirectoryURL != tc.directory) {
				t.Errorf("client = %+v", m.Client)
			}
		})
	}
}

// ACME settings without a domain would be silently ignored and the server would come up
// with a local certificate authority instead: they are refused.
func TestServeACMEFlagsNeedDomain(t *testing.T) {
	for _, tc := range []struct{ flag, value string }{
		{"--acme-ca-file", "ca.pem"},
		{"--acme-directory", "https://127.0.0.1:14000/dir"},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), fixedEnv(&out, &errb), []string{"serve", "--data", t.TempDir(), tc.flag, tc.value})
			if code != ExitError || !strings.Contains(errb.String(), tc.flag+" needs --acme-domain") {
				t.Errorf("exit %d, stderr:\n%s", code, errb.String())
			}
		})
	}
}

// TestACMEHTTP01StripsPort: challenge requests reach autocert with the Host's port
// removed, everything else unchanged.
func TestACMEHTTP01StripsPort(t *testing.T) {
	var got []string
	h := acmeHTTP01(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = append(got, r.Host) }))
	for _, c := range []struct{ path, host string }{
		{"/.well-known/acme-challenge/tok", "posture.test:8080"},
		{"/.well-known/acme-challenge/tok", "posture.test"},
		{"/other", "posture.test:8080"},
	} {
		r := httptest.NewRequest("GET", "http://"+c.host+c.path, nil)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	if strings.Join(got, " ") != "posture.test posture.test posture.test:8080" {
		t.Fatalf("hosts seen: %v", got)
	}
}
