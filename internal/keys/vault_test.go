package keys

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeVault answers the transit endpoints posture uses with the response shapes of
// Vault's HTTP API documentation (GET /v1/transit/keys/:name, POST /v1/transit/sign/:name,
// POST /v1/transit/encrypt|decrypt/:name), signing with real Ed25519 keys. No Vault
// binary can be installed here (see docs/audit.md); the integration test in
// vault_integration_test.go runs the same checks against a real dev server.
type fakeVault struct {
	token string
	keys  []ed25519.PrivateKey // version i+1
	typ   string
	calls []string
}

func (f *fakeVault) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	if r.Header.Get("X-Vault-Token") != f.token {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"errors":["permission denied"]}`)
		return
	}
	var body map[string]any
	if r.Method == http.MethodPost {
		json.NewDecoder(r.Body).Decode(&body)
	}
	write := func(data any) {
		json.NewEncoder(w).Encode(map[string]any{"request_id": "x", "lease_id": "", "renewable": false, "data": data})
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/transit/keys/audit":
		keys := map[string]any{}
		for i, k := range f.keys {
			keys[fmt.Sprint(i+1)] = map[string]any{"creation_time": "2024-01-01T00:00:00Z", "name": "ed25519",
				"public_key": base64.StdEncoding.EncodeToString(k.Public().(ed25519.PublicKey))}
		}
		write(map[string]any{"type": f.typ, "name": "audit", "latest_version": len(f.keys), "min_decryption_version": 1,
			"supports_signing": true, "exportable": false, "keys": keys})
	case r.Method == http.MethodPost && r.URL.Path == "/v1/transit/sign/audit":
		in, err := base64.StdEncoding.DecodeString(body["input"].(string))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"errors":["unable to decode input as base64"]}`)
			return
		}
		ver := len(f.keys)
		if v, ok := body["key_version"].(float64); ok {
			ver = int(v)
		}
		sig := ed25519.Sign(f.keys[ver-1], in)
		write(map[string]any{"signature": fmt.Sprintf("vault:v%d:%s", ver, base64.StdEncoding.EncodeToString(sig)), "key_version": ver})
	case r.Method == http.MethodPost && r.URL.Path == "/v1/transit/encrypt/wrap":
		write(map[string]any{"ciphertext": "vault:v1:" + body["plaintext"].(string), "key_version": 1})
	case r.Method == http.MethodPost && r.URL.Path == "/v1/transit/decrypt/wrap":
		write(map[string]any{"plaintext": strings.TrimPrefix(body["ciphertext"].(string), "vault:v1:")})
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errors":[]}`)
	}
}

func newFakeVault(t *testing.T, versions int) (*fakeVault, *httptest.Server) {
	f := &fakeVault{token: "s.secret-token", typ: "ed25519"}
	for range versions {
		_, k, _ := ed25519.GenerateKey(rand.Reader)
		f.keys = append(f.keys, k)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func TestVaultSign(t *testing.T) {
	ctx := context.Background()
	_, srv := newFakeVault(t, 2)
	v, err := NewVault(ctx, VaultOptions{Addr: srv.URL, Token: "s.secret-token", Key: "audit"})
	if err != nil {
		t.Fatal(err)
	}
	if v.KeyID() != "vault:transit/audit:v2" {
		t.Errorf("KeyID = %s", v.KeyID())
	}
	sig, err := v.Sign(ctx, []byte("msg"))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := NewRing(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(ring) != 2 {
		t.Errorf("ring has %d keys, want both versions", len(ring))
	}
	if err := ring.Verify(v.KeyID(), Ed25519, []byte("msg"), sig); err != nil {
		t.Error(err)
	}
}

func TestVaultErrors(t *testing.T) {
	ctx := context.Background()
	f, srv := newFakeVault(t, 1)
	_, err := NewVault(ctx, VaultOptions{Addr: srv.URL, Token: "s.wrong", Key: "audit"})
	if err == nil || !strings.Contains(err.Error(), "403") || strings.Contains(err.Error(), "s.wrong") {
		t.Errorf("bad token: err = %v", err)
	}
	if _, err := NewVault(ctx, VaultOptions{Addr: srv.URL, Key: "audit"}); err == nil {
		t.Error("no token accepted")
	}
	if _, err := NewVault(ctx, VaultOptions{Addr: srv.URL, Token: "t", Key: "a/b"}); err == nil {
		t.Error("key with a slash accepted")
	}
	f.typ = "aes256-gcm96"
	if _, err := NewVault(ctx, VaultOptions{Addr: srv.URL, Token: f.token, Key: "audit"}); err == nil || !strings.Contains(err.Error(), "ed25519") {
		t.Errorf("aes key for signing: err = %v", err)
	}
	f.typ = "ed25519"
	v, err := NewVault(ctx, VaultOptions{Addr: srv.URL, Token: f.token, Key: "audit"})
	if err != nil {
		t.Fatal(err)
	}
	// Vault signing with a key other than the pinned one is caught.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	f.keys[0] = other
	if _, err := v.Sign(ctx, []byte("m")); err == nil {
		t.Error("signature from another key accepted")
	}
}

func TestVaultWrapper(t *testing.T) {
	ctx := context.Background()
	_, srv := newFakeVault(t, 1)
	w, err := NewVaultWrapper(VaultOptions{Addr: srv.URL, Token: "s.secret-token", Key: "wrap"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.Wrap(ctx, []byte("data key"))
	if err != nil || !strings.HasPrefix(string(b), "vault:v1:") {
		t.Fatalf("Wrap = %q, %v", b, err)
	}
	got, err := w.Unwrap(ctx, b)
	if err != nil || string(got) != "data key" {
		t.Fatalf("Unwrap = %q, %v", got, err)
	}
}

func TestSplitVaultValue(t *testing.T) {
	for _, s := range []string{"", "vault:", "vault:v:", "vault:vx:abc", "vault:v0:abc", "nope:v1:abc", "vault:v1"} {
		if _, _, err := splitVaultValue(s); err == nil {
			t.Errorf("splitVaultValue(%q) accepted", s)
		}
	}
	if n, b, err := splitVaultValue("vault:v12:QUJD"); err != nil || n != 12 || b != "QUJD" {
		t.Errorf("= %d %q %v", n, b, err)
	}
}
