package cli

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultPublicURL(t *testing.T) {
	for _, tc := range []struct{ listen, acme, want string }{
		{"127.0.0.1:8443", "", "https://localhost:8443"},
		{"[::1]:8443", "", "https://localhost:8443"},
		{":443", "", "https://localhost"},
		{"0.0.0.0:8443", "posture.example.com", "https://posture.example.com:8443"},
		{"0.0.0.0:443", "posture.example.com", "https://posture.example.com"},
		{"posture.internal:8443", "", "https://posture.internal:8443"},
		{"10.1.2.3:8443", "", ""}, // an IP origin cannot have passkeys
		{"127.0.0.1:0", "", ""},   // the port is not known before listening
		{"nonsense", "", ""},
	} {
		if got := defaultPublicURL(tc.listen, tc.acme); got != tc.want {
			t.Errorf("defaultPublicURL(%q, %q) = %q, want %q", tc.listen, tc.acme, got, tc.want)
		}
	}
}

func TestReadSecretFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return p
	}
	if s, err := readSecretFile(write("ok", "  s3cret\n", 0o600)); err != nil || s != "s3cret" {
		t.Fatalf("readSecretFile = %q, %v", s, err)
	}
	if _, err := readSecretFile(write("open", "s3cret", 0o644)); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable secret: %v", err)
	}
	if _, err := readSecretFile(write("empty", "\n", 0o600)); err == nil {
		t.Fatal("empty secret accepted")
	}
}

// TestServeIdentityFlagErrors: inconsistent identity flags stop serve before it opens
// its data directory, with exit status 2, and the secret never appears in the output.
func TestServeIdentityFlagErrors(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("very-secret-value"), 0o600)
	for name, args := range map[string][]string{
		"client id without issuer":    {"--oidc-client-id", "x"},
		"issuer without client":       {"--oidc-issuer", "https://issuer.example"},
		"provision without domain":    {"--oidc-issuer", "https://issuer.example", "--oidc-client-id", "x", "--oidc-client-secret-file", secret, "--oidc-auto-provision", "--public-url", "https://posture.example"},
		"public URL with a path":      {"--public-url", "https://posture.example/x"},
		"plain-HTTP public URL":       {"--public-url", "http://posture.example"},
		"issuer without public URL":   {"--oidc-issuer", "https://issuer.example", "--oidc-client-id", "x", "--oidc-client-secret-file", secret, "--listen", "10.0.0.1:8443", "--passkeys=false"},
		"role mapping without issuer": {"--oidc-role", "security=approver"},
		"unknown role":                {"--oidc-issuer", "https://issuer.example", "--oidc-client-id", "x", "--oidc-client-secret-file", secret, "--public-url", "https://posture.example", "--oidc-role", "security=root"},
		"group mapped twice":          {"--oidc-issuer", "https://issuer.example", "--oidc-client-id", "x", "--oidc-client-secret-file", secret, "--public-url", "https://posture.example", "--oidc-role", "a=admin", "--oidc-role", "a=viewer"},
		"groups claim without roles":  {"--oidc-issuer", "https://issuer.example", "--oidc-client-id", "x", "--oidc-client-secret-file", secret, "--public-url", "https://posture.example", "--oidc-groups-claim", "roles"},
	} {
		t.Run(name, func(t *testing.T) {
			var errb syncBuffer
			args := append([]string{"serve", "--data", filepath.Join(dir, name)}, args...)
			if code := run(t.Context(), realEnv(io.Discard, &errb), args); code != ExitError {
				t.Fatalf("exit %d, want %d:\n%s", code, ExitError, errb.String())
			}
			if strings.Contains(errb.String(), "very-secret-value") || strings.Contains(errb.String(), "listening on") {
				t.Fatalf("output:\n%s", errb.String())
			}
			// Checked before the data directory is opened: nothing was created or migrated.
			if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
				t.Fatalf("data directory touched by a refused start: %v", err)
			}
		})
	}
}

// TestServeOffersPasskeys: on a fixed loopback port serve derives
// https://localhost:PORT and serves the passkey sign-in page.
func TestServeOffersPasskeys(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serveErr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, realEnv(io.Discard, serveErr), []string{"serve", "--data", t.TempDir(), "--listen", addr})
	}()
	for deadline := time.Now().Add(20 * time.Second); !listenRE.MatchString(serveErr.String()); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("server did not start:\n%s", serveErr.String())
		}
	}
	// Certificate checks are TestServeEndToEnd's business; this test is about the routes.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get("https://" + addr + "/login/passkey")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(serveErr.String(), "passkeys are off") {
		t.Fatalf("passkey page: %d\n%s", resp.StatusCode, serveErr.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}
