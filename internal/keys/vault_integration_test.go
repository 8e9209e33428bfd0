//go:build integration

package keys

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os/exec"
	"testing"
	"time"
)

// TestVaultDevServer runs the Vault client against a real `vault server -dev` (or
// OpenBao's `bao`). Neither can be installed from the package sources this project's CI
// uses (Vault's module cannot be `go install`ed and Debian packages neither), so unlike
// the other integration tests this one skips when the binary is missing even under
// POSTURE_REQUIRE_INTEGRATION; the httptest replay in vault_test.go covers the client
// in CI.
func TestVaultDevServer(t *testing.T) {
	bin := ""
	for _, b := range []string{"vault", "bao"} {
		if p, err := exec.LookPath(b); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("no vault or bao binary on PATH (no package source provides one here)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	const token = "posture-test-root"
	cmd := exec.Command(bin, "server", "-dev", "-dev-root-token-id="+token, "-dev-listen-address="+addr)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := "http://" + addr
	call := func(method, path, body string) int {
		req, _ := http.NewRequest(method, base+path, bytes.NewBufferString(body))
		req.Header.Set("X-Vault-Token", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	deadline := time.Now().Add(30 * time.Second)
	for call("GET", "/v1/sys/health", "") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("vault dev server did not start:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if c := call("POST", "/v1/sys/mounts/transit", `{"type":"transit"}`); c/100 != 2 {
		t.Fatalf("enable transit: HTTP %d", c)
	}
	if c := call("POST", "/v1/transit/keys/audit", `{"type":"ed25519"}`); c/100 != 2 {
		t.Fatalf("create key: HTTP %d", c)
	}
	if c := call("POST", "/v1/transit/keys/wrap", `{"type":"aes256-gcm96"}`); c/100 != 2 {
		t.Fatalf("create wrap key: HTTP %d", c)
	}
	ctx := context.Background()
	v, err := NewVault(ctx, VaultOptions{Addr: base, Token: token, Key: "audit"})
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("checkpoint")
	sig, err := v.Sign(ctx, msg)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := NewRing(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if err := ring.Verify(v.KeyID(), Ed25519, msg, sig); err != nil {
		t.Fatal(err)
	}
	// Rotate: the old signature still verifies with the ring of the new signer.
	if c := call("POST", "/v1/transit/keys/audit/rotate", ``); c/100 != 2 {
		t.Fatalf("rotate: HTTP %d", c)
	}
	v2, err := NewVault(ctx, VaultOptions{Addr: base, Token: token, Key: "audit"})
	if err != nil {
		t.Fatal(err)
	}
	if v2.KeyID() == v.KeyID() {
		t.Errorf("key id did not change on rotation: %s", v2.KeyID())
	}
	ring2, _ := NewRing(ctx, v2)
	if err := ring2.Verify(v.KeyID(), Ed25519, msg, sig); err != nil {
		t.Errorf("pre-rotation signature: %v", err)
	}
	w, _ := NewVaultWrapper(VaultOptions{Addr: base, Token: token, Key: "wrap"})
	b, err := w.Wrap(ctx, []byte("data key"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w.Unwrap(ctx, b); err != nil || string(got) != "data key" {
		t.Errorf("Unwrap = %q, %v", got, err)
	}
}
