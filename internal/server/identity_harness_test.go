package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"

	"github.com/posture-dev/posture/internal/store"
)

// newIdentityHarness is newHarness with passkeys and, if oidc is set, OIDC sign-in. The
// public URL is https://localhost:PORT of the test server, as a browser would use it.
func newIdentityHarness(t testing.TB, now time.Time, oidc *OIDCConfig) *harness {
	t.Helper()
	c := newClock(now)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Options{DataDir: t.TempDir(), Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := &memAuditor{}
	ts := httptest.NewUnstartedServer(nil)
	port := ts.Listener.Addr().(*net.TCPAddr).Port
	srv, err := NewWithIdentity(Config{Store: st, Auditor: a, Now: c.now, Version: "test"},
		IdentityConfig{PublicURL: "https://localhost:" + itoa(int64(port)), Passkeys: true, OIDC: oidc})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return &harness{t: t, st: st, srv: srv, ts: ts, clock: c, audit: a}
}

func (h *harness) origin() string {
	return "https://localhost:" + itoa(int64(h.ts.Listener.Addr().(*net.TCPAddr).Port))
}

// postJSON sends a JSON body with the CSRF header, as the page's script does.
func (h *harness) postJSON(c *http.Client, path, csrf string, body []byte) (*http.Response, string) {
	h.t.Helper()
	req, err := http.NewRequest("POST", h.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(CSRFHeader, csrf)
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var dataCSRFRE = regexp.MustCompile(`data-csrf="([^"]*)"`)

func dataCSRF(t testing.TB, body string) string {
	t.Helper()
	m := dataCSRFRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no data-csrf in page:\n%s", body)
	}
	return m[1]
}

// enrolmentLink makes a user and an unspent enrolment link for them.
func (h *harness) enrolmentLink(email string, role store.Role) (store.User, string) {
	h.t.Helper()
	ctx := context.Background()
	u, err := h.st.CreateUser(ctx, store.UserInput{Name: strings.Split(email, "@")[0], Email: email, Role: role})
	if err != nil {
		h.t.Fatal(err)
	}
	secret, hash := NewEnrolmentSecret()
	if err := h.st.CreateEnrolment(ctx, u.ID, hash, h.clock.now().Add(time.Hour)); err != nil {
		h.t.Fatal(err)
	}
	return u, secret
}

// softKey is a software WebAuthn authenticator (ES256, "none" attestation) that
// produces exactly the bytes a browser would send, so the server's verification runs
// for real. Fields can be bent to make bad responses.
type softKey struct {
	priv       *ecdsa.PrivateKey
	credID     []byte
	userHandle []byte
	rpID       string
	origin     string
	counter    uint32
	noUV       bool // leave out user verification
}

func newSoftKey(t testing.TB, origin string) *softKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	return &softKey{priv: priv, credID: id, rpID: "localhost", origin: origin}
}

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func unb64u(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		t.Fatalf("base64url %q: %v", s, err)
	}
	return b
}

func (k *softKey) flags(extra byte) byte {
	f := byte(0x01) | extra // user present
	if !k.noUV {
		f |= 0x04
	}
	return f
}

func (k *softKey) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": k.origin, "crossOrigin": false})
	return b
}

// create answers creation options (the JSON of a begin response).
func (k *softKey) create(t testing.TB, options string) []byte {
	t.Helper()
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			User      struct {
				ID string `json:"id"`
			} `json:"user"`
			RP struct {
				ID string `json:"id"`
			} `json:"rp"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal([]byte(options), &o); err != nil {
		t.Fatalf("creation options %s: %v", options, err)
	}
	k.userHandle = unb64u(t, o.PublicKey.User.ID)
	rpHash := sha256.Sum256([]byte(k.rpID))
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: k.priv.X.FillBytes(make([]byte, 32)), -3: k.priv.Y.FillBytes(make([]byte, 32))})
	if err != nil {
		t.Fatal(err)
	}
	var ad bytes.Buffer
	ad.Write(rpHash[:])
	ad.WriteByte(k.flags(0x40)) // attested credential data
	binary.Write(&ad, binary.BigEndian, k.counter)
	ad.Write(make([]byte, 16)) // AAGUID
	binary.Write(&ad, binary.BigEndian, uint16(len(k.credID)))
	ad.Write(k.credID)
	ad.Write(cose)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64u(k.credID), "rawId": b64u(k.credID), "type": "public-key", "clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64u(k.clientData("webauthn.create", o.PublicKey.Challenge)), "attestationObject": b64u(att)},
	})
	return out
}

// get answers request options with an assertion, advancing the counter.
func (k *softKey) get(t testing.TB, options string) []byte {
	t.Helper()
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal([]byte(options), &o); err != nil {
		t.Fatalf("request options %s: %v", options, err)
	}
	k.counter++
	rpHash := sha256.Sum256([]byte(k.rpID))
	var ad bytes.Buffer
	ad.Write(rpHash[:])
	ad.WriteByte(k.flags(0))
	binary.Write(&ad, binary.BigEndian, k.counter)
	cd := k.clientData("webauthn.get", o.PublicKey.Challenge)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(ad.Bytes(), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64u(k.credID), "rawId": b64u(k.credID), "type": "public-key", "clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64u(cd), "authenticatorData": b64u(ad.Bytes()), "signature": b64u(sig), "userHandle": b64u(k.userHandle)},
	})
	return out
}

// enrolPasskey enrols k on the enrolment link secret, as the enrolment page's script does.
func (h *harness) enrolPasskey(c *http.Client, secret string, k *softKey) (*http.Response, string) {
	h.t.Helper()
	resp, body := h.do(c, "GET", "/enrol?token="+secret+"&method=passkey", nil, nil)
	if resp.StatusCode != 200 {
		h.t.Fatalf("enrol page: %d %s", resp.StatusCode, body)
	}
	csrf := dataCSRF(h.t, body)
	resp, opts := h.postJSON(c, "/enrol?token="+secret+"&method=passkey&step=begin", csrf, []byte(`{}`))
	if resp.StatusCode != 200 {
		h.t.Fatalf("enrol begin: %d %s", resp.StatusCode, opts)
	}
	return h.postJSON(c, "/enrol?token="+secret+"&method=passkey&step=finish&name=laptop", csrf, k.create(h.t, opts))
}

// beginPasskeyLogin loads the sign-in page and asks for a challenge; it returns the
// page's CSRF token and the request options.
func (h *harness) beginPasskeyLogin(c *http.Client, email string) (string, string) {
	h.t.Helper()
	resp, body := h.do(c, "GET", "/login/passkey", nil, nil)
	if resp.StatusCode != 200 {
		h.t.Fatalf("passkey page: %d", resp.StatusCode)
	}
	csrf := dataCSRF(h.t, body)
	in, _ := json.Marshal(map[string]string{"email": email})
	resp, opts := h.postJSON(c, "/login/passkey/begin", csrf, in)
	if resp.StatusCode != 200 {
		h.t.Fatalf("passkey begin: %d %s", resp.StatusCode, opts)
	}
	return csrf, opts
}

// passkeyLogin signs in with k; it returns the finish response and the assertion sent.
func (h *harness) passkeyLogin(c *http.Client, k *softKey, email string) (*http.Response, string, []byte) {
	h.t.Helper()
	csrf, opts := h.beginPasskeyLogin(c, email)
	assertion := k.get(h.t, opts)
	resp, body := h.postJSON(c, "/login/passkey/finish?next=/account", csrf, assertion)
	return resp, body, assertion
}

// whoami returns the signed-in method of c's session, "" when not signed in.
func (h *harness) whoami(c *http.Client) string {
	h.t.Helper()
	resp, body := h.do(c, "GET", "/api/v1/whoami", nil, nil)
	if resp.StatusCode != 200 {
		return ""
	}
	var out struct {
		User struct {
			Email  string `json:"email"`
			Method string `json:"method"`
		} `json:"user"`
	}
	json.Unmarshal([]byte(body), &out)
	return out.User.Method + ":" + out.User.Email
}

func (h *harness) cookie(c *http.Client, name string) *http.Cookie {
	for _, ck := range c.Jar.Cookies(mustURL(h.ts.URL)) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}
