package keys

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// VaultOptions locates a key in HashiCorp Vault's (or OpenBao's) transit engine.
type VaultOptions struct {
	// Addr is Vault's base URL, e.g. https://vault.example:8200 ($VAULT_ADDR).
	Addr string
	// Token authenticates; from $VAULT_TOKEN. It is sent only as X-Vault-Token and never
	// appears in errors.
	Token string
	// Mount is the transit engine's mount path; default "transit".
	Mount string
	// Key is the transit key's name.
	Key string
	// Namespace is sent as X-Vault-Namespace when set (Vault Enterprise, OpenBao).
	Namespace string
	// Client is the HTTP client; nil uses one with a 10 s timeout.
	Client *http.Client
}

// Vault signs with an ed25519 key of the transit engine, pinned to the key version that
// was the latest when NewVault ran, so that KeyID names exactly the key that signed.
type Vault struct {
	c       *vaultClient
	version int
	pub     ed25519.PublicKey
	all     []PublicKey
}

type vaultClient struct {
	opt  VaultOptions
	base *url.URL
}

func newVaultClient(opt VaultOptions) (*vaultClient, error) {
	if opt.Addr == "" || opt.Key == "" {
		return nil, errors.New("keys: vault: address and key name are required")
	}
	if opt.Token == "" {
		return nil, errors.New("keys: vault: no token (set VAULT_TOKEN)")
	}
	if strings.ContainsAny(opt.Key, "/?#") || (opt.Mount != "" && strings.ContainsAny(opt.Mount, "?#")) {
		return nil, errors.New("keys: vault: bad key or mount name")
	}
	if opt.Mount == "" {
		opt.Mount = "transit"
	}
	opt.Mount = strings.Trim(opt.Mount, "/")
	if opt.Client == nil {
		opt.Client = &http.Client{Timeout: 10 * time.Second}
	}
	u, err := url.Parse(strings.TrimRight(opt.Addr, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("keys: vault: bad address %q", opt.Addr)
	}
	return &vaultClient{opt: opt, base: u}, nil
}

// do sends one request to /v1/<mount>/<op>/<key> and decodes the "data" object.
func (c *vaultClient) do(ctx context.Context, method, op string, body, data any) error {
	u := *c.base
	u.Path += "/v1/" + c.opt.Mount + "/" + op + "/" + url.PathEscape(c.opt.Key)
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return fmt.Errorf("keys: vault: %w", err)
	}
	req.Header.Set("X-Vault-Token", c.opt.Token)
	req.Header.Set("X-Vault-Request", "true")
	if c.opt.Namespace != "" {
		req.Header.Set("X-Vault-Namespace", c.opt.Namespace)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.opt.Client.Do(req)
	if err != nil {
		return fmt.Errorf("keys: vault %s %s: %w", op, c.opt.Key, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("keys: vault %s %s: read response: %w", op, c.opt.Key, err)
	}
	var env struct {
		Data   json.RawMessage `json:"data"`
		Errors []string        `json:"errors"`
	}
	if err := json.Unmarshal(raw, &env); err != nil && resp.StatusCode == http.StatusOK {
		return fmt.Errorf("keys: vault %s %s: bad response: %w", op, c.opt.Key, err)
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.Join(env.Errors, "; ")
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return fmt.Errorf("keys: vault %s %s: HTTP %d: %s", op, c.opt.Key, resp.StatusCode, msg)
	}
	if len(env.Data) == 0 {
		return fmt.Errorf("keys: vault %s %s: response has no data", op, c.opt.Key)
	}
	if err := json.Unmarshal(env.Data, data); err != nil {
		return fmt.Errorf("keys: vault %s %s: bad response data: %w", op, c.opt.Key, err)
	}
	return nil
}

// NewVault reads the key's metadata (GET /v1/<mount>/keys/<name>): it must be an
// ed25519 key; its latest version is the one used to sign.
func NewVault(ctx context.Context, opt VaultOptions) (*Vault, error) {
	c, err := newVaultClient(opt)
	if err != nil {
		return nil, err
	}
	var meta struct {
		Type          string                     `json:"type"`
		LatestVersion int                        `json:"latest_version"`
		Keys          map[string]json.RawMessage `json:"keys"`
	}
	if err := c.do(ctx, http.MethodGet, "keys", nil, &meta); err != nil {
		return nil, err
	}
	if meta.Type != "ed25519" {
		return nil, fmt.Errorf("keys: vault key %s is %q; checkpoints need an ed25519 key (vault write %s/keys/%s type=ed25519)", c.opt.Key, meta.Type, c.opt.Mount, c.opt.Key)
	}
	v := &Vault{c: c, version: meta.LatestVersion}
	for ver, raw := range meta.Keys {
		n, err := strconv.Atoi(ver)
		if err != nil {
			return nil, fmt.Errorf("keys: vault key %s: bad version %q", c.opt.Key, ver)
		}
		var k struct {
			PublicKey string `json:"public_key"`
		}
		if err := json.Unmarshal(raw, &k); err != nil {
			return nil, fmt.Errorf("keys: vault key %s version %d: %w", c.opt.Key, n, err)
		}
		pub, err := base64.StdEncoding.DecodeString(k.PublicKey)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("keys: vault key %s version %d: bad public key", c.opt.Key, n)
		}
		pk := PublicKey{KeyID: v.keyID(n), Algorithm: Ed25519, Key: ed25519.PublicKey(pub)}
		v.all = append(v.all, pk)
		if n == meta.LatestVersion {
			v.pub = pub
		}
	}
	if v.pub == nil {
		return nil, fmt.Errorf("keys: vault key %s: no public key for latest version %d", c.opt.Key, meta.LatestVersion)
	}
	sort.Slice(v.all, func(i, j int) bool { return v.all[i].KeyID < v.all[j].KeyID })
	return v, nil
}

func (v *Vault) keyID(version int) string {
	return fmt.Sprintf("vault:%s/%s:v%d", v.c.opt.Mount, v.c.opt.Key, version)
}

// KeyID is vault:<mount>/<key>:v<version>.
func (v *Vault) KeyID() string { return v.keyID(v.version) }

// Algorithm is Ed25519.
func (v *Vault) Algorithm() string { return Ed25519 }

// Public returns the pinned version's public key.
func (v *Vault) Public(context.Context) (crypto.PublicKey, error) { return v.pub, nil }

// PublicKeys returns every version's public key.
func (v *Vault) PublicKeys(context.Context) ([]PublicKey, error) { return v.all, nil }

// Sign asks Vault to sign msg (POST /v1/<mount>/sign/<key>) with the pinned version and
// returns the raw 64-byte signature from Vault's "vault:vN:<base64>" form.
func (v *Vault) Sign(ctx context.Context, msg []byte) ([]byte, error) {
	var out struct {
		Signature string `json:"signature"`
	}
	err := v.c.do(ctx, http.MethodPost, "sign", map[string]any{
		"input":       base64.StdEncoding.EncodeToString(msg),
		"key_version": v.version,
	}, &out)
	if err != nil {
		return nil, err
	}
	ver, b64, err := splitVaultValue(out.Signature)
	if err != nil {
		return nil, fmt.Errorf("keys: vault sign %s: %w", v.c.opt.Key, err)
	}
	if ver != v.version {
		return nil, fmt.Errorf("keys: vault sign %s: signed with version %d, asked for %d", v.c.opt.Key, ver, v.version)
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("keys: vault sign %s: bad signature encoding", v.c.opt.Key)
	}
	// Vault answering for a key other than the one we pinned would be a configuration
	// error worth stopping on before a checkpoint is stored.
	if !ed25519.Verify(v.pub, msg, sig) {
		return nil, fmt.Errorf("keys: vault sign %s: signature does not verify with version %d's public key", v.c.opt.Key, v.version)
	}
	return sig, nil
}

// splitVaultValue splits "vault:v3:BASE64" into 3 and BASE64.
func splitVaultValue(s string) (int, string, error) {
	rest, ok := strings.CutPrefix(s, "vault:v")
	if !ok {
		return 0, "", fmt.Errorf("value %q is not vault:vN:…", truncate(s, 20))
	}
	ver, b64, ok := strings.Cut(rest, ":")
	n, err := strconv.Atoi(ver)
	if !ok || err != nil || n < 1 {
		return 0, "", errors.New("value has a bad version prefix")
	}
	return n, b64, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// VaultWrapper wraps data keys with a transit encryption key (type aes256-gcm96 or
// chacha20-poly1305; an ed25519 key cannot encrypt). The wrapped form is Vault's
// "vault:vN:…" ciphertext, which carries the key version for decryption after rotation.
type VaultWrapper struct{ c *vaultClient }

// NewVaultWrapper checks the options; it does not contact Vault.
func NewVaultWrapper(opt VaultOptions) (*VaultWrapper, error) {
	c, err := newVaultClient(opt)
	if err != nil {
		return nil, err
	}
	return &VaultWrapper{c: c}, nil
}

// KeyID is vault:<mount>/<key>.
func (w *VaultWrapper) KeyID() string { return "vault:" + w.c.opt.Mount + "/" + w.c.opt.Key }

// Wrap encrypts dataKey (POST /v1/<mount>/encrypt/<key>).
func (w *VaultWrapper) Wrap(ctx context.Context, dataKey []byte) ([]byte, error) {
	var out struct {
		Ciphertext string `json:"ciphertext"`
	}
	if err := w.c.do(ctx, http.MethodPost, "encrypt", map[string]any{"plaintext": base64.StdEncoding.EncodeToString(dataKey)}, &out); err != nil {
		return nil, err
	}
	if _, _, err := splitVaultValue(out.Ciphertext); err != nil {
		return nil, fmt.Errorf("keys: vault encrypt %s: %w", w.c.opt.Key, err)
	}
	return []byte(out.Ciphertext), nil
}

// Unwrap decrypts what Wrap returned (POST /v1/<mount>/decrypt/<key>).
func (w *VaultWrapper) Unwrap(ctx context.Context, wrapped []byte) ([]byte, error) {
	var out struct {
		Plaintext string `json:"plaintext"`
	}
	if err := w.c.do(ctx, http.MethodPost, "decrypt", map[string]any{"ciphertext": string(wrapped)}, &out); err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(out.Plaintext)
	if err != nil {
		return nil, fmt.Errorf("keys: vault decrypt %s: bad plaintext encoding", w.c.opt.Key)
	}
	return b, nil
}
