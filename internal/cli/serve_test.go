package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/server"
	"github.com/posture-dev/posture/internal/store"
)

// syncBuffer is written by the server's goroutines and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func realEnv(stdout, stderr io.Writer) *env {
	e := fixedEnv(stdout, stderr)
	e.now = time.Now
	return e
}

var (
	listenRE = regexp.MustCompile(`listening on https://(\S+)`)
	linkRE   = regexp.MustCompile(`https://\S+/enrol\?token=(\S+)`)
	fieldRE  = func(name string) *regexp.Regexp { return regexp.MustCompile(`name="` + name + `" value="([^"]*)"`) }
)

func lastField(t *testing.T, body, name string) string {
	t.Helper()
	m := fieldRE(name).FindAllStringSubmatch(body, -1)
	if m == nil {
		t.Fatalf("no %s field in:\n%s", name, body)
	}
	return m[len(m)-1][1]
}

// TestServeEndToEnd runs the real `posture serve` on a free port with its generated
// CA, bootstraps an admin with `posture admin bootstrap`, enrols a password and TOTP
// through the enrolment link, signs in, uses an API token, and stops the server.
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serveErr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, realEnv(io.Discard, serveErr), []string{"serve", "--data", dir, "--listen", "127.0.0.1:0"})
	}()
	var addr string
	for deadline := time.Now().Add(20 * time.Second); addr == ""; time.Sleep(20 * time.Millisecond) {
		if m := listenRE.FindStringSubmatch(serveErr.String()); m != nil {
			addr = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start:\n%s", serveErr.String())
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, serveErr.String())
		default:
		}
	}
	if !strings.Contains(serveErr.String(), "SHA-256 fingerprint") {
		t.Errorf("no CA warning:\n%s", serveErr.String())
	}
	for _, f := range []string{"tls/ca.key", "tls/server.key"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v", f, err)
		}
	}
	// Trust only the generated CA.
	pemBytes, err := os.ReadFile(filepath.Join(dir, "tls", "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	blk, _ := pem.Decode(pemBytes)
	caCert, _ := x509.ParseCertificate(blk.Bytes)
	pool.AddCert(caCert)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 20 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "https://" + addr
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	post := func(path string, form url.Values) (*http.Response, string) {
		t.Helper()
		resp, err := client.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, _ := get("/healthz"); resp.StatusCode != 200 || resp.TLS.Version < tls.VersionTLS12 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	if resp, _ := get("/readyz"); resp.StatusCode != 200 {
		t.Fatalf("readyz: %d", resp.StatusCode)
	}

	// Bootstrap while the server runs, on the same database.
	var out, errb bytes.Buffer
	if code := run(context.Background(), realEnv(&out, &errb), []string{"admin", "bootstrap", "--data", dir, "--email", "Ada@Example.com", "--url", base}); code != 0 {
		t.Fatalf("bootstrap: %d %s", code, errb.String())
	}
	m := linkRE.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no link in %q", out.String())
	}
	link := m[0][len(base):]
	// Enrol.
	resp, body := get(link)
	if resp.StatusCode != 200 {
		t.Fatalf("enrol page: %d", resp.StatusCode)
	}
	secretText := lastField(t, body, "totp_secret")
	secret, err := server.ParseTOTPSecretText(secretText)
	if err != nil {
		t.Fatal(err)
	}
	password := "a long and careful password"
	resp, body = post("/enrol", url.Values{"csrf_token": {lastField(t, body, "csrf_token")}, "token": {m[1]}, "method": {"password"},
		"totp_secret": {secretText}, "password": {password}, "password_confirm": {password}, "code": {server.TOTPCode(secret, time.Now())}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Enrolled") {
		t.Fatalf("enrol: %d %s", resp.StatusCode, body)
	}
	// A second bootstrap is refused now that an admin is enrolled.
	if code := run(context.Background(), realEnv(io.Discard, io.Discard), []string{"admin", "bootstrap", "--data", dir, "--email", "eve@example.com"}); code == 0 {
		t.Error("second bootstrap accepted")
	}
	// Sign in with the next TOTP step (the enrolment's code cannot be replayed).
	next := time.Now().Add(30 * time.Second)
	_, body = get("/login")
	resp, _ = post("/login", url.Values{"csrf_token": {lastField(t, body, "csrf_token")}, "email": {"ada@example.com"}, "password": {password},
		"code": {server.TOTPCode(secret, next)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	resp, body = get("/")
	if resp.StatusCode != 200 || !strings.Contains(body, "Dashboard") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("dashboard: %d %s", resp.StatusCode, body)
	}
	// An API token made by the CLI works for its scope only.
	out.Reset()
	if code := run(context.Background(), realEnv(&out, io.Discard), []string{"admin", "token", "create", "--data", dir, "--name", "prom", "--scope", "metrics:read"}); code != 0 {
		t.Fatal("token create failed")
	}
	tok := strings.TrimSpace(out.String())
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	mresp, err := (&http.Client{Transport: client.Transport}).Do(req)
	if err != nil || mresp.StatusCode != 200 {
		t.Fatalf("metrics with token: %v %v", mresp, err)
	}
	mresp.Body.Close()

	// Graceful stop.
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d:\n%s", code, serveErr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	logs := serveErr.String()
	for _, secret := range []string{password, tok, m[1], secretText} {
		if strings.Contains(logs, secret) {
			t.Errorf("server log contains a secret %q", secret[:6])
		}
	}
	if !strings.Contains(logs, `"route":"POST /login"`) || !strings.Contains(logs, `"actor":"user:1:ada@example.com"`) {
		t.Errorf("request log lacks route or actor:\n%s", logs)
	}
	// The hash-chained log holds every step, and verifies.
	var exported, verr bytes.Buffer
	if code := run(context.Background(), realEnv(&exported, &verr), []string{"audit", "export", "--data", dir}); code != 0 {
		t.Fatalf("audit export exited %d: %s", code, verr.String())
	}
	audit := exported.Bytes()
	var verified bytes.Buffer
	if code := run(context.Background(), realEnv(&verified, &verr), []string{"audit", "verify", "--data", dir}); code != 0 {
		t.Errorf("audit verify exited %d:\n%s%s", code, verified.String(), verr.String())
	}
	for _, action := range []string{`"action":"bootstrap"`, `"action":"enrol"`, `"action":"login"`, `"action":"token.create"`, `"action":"token.use"`} {
		if !bytes.Contains(audit, []byte(action)) {
			t.Errorf("audit log lacks %s", action)
		}
	}
}

func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	runA := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := run(context.Background(), realEnv(&out, &errb), append(args, "--data", dir))
		return out.String(), errb.String(), code
	}
	if _, _, code := runA("admin", "bootstrap"); code != ExitError {
		t.Error("bootstrap without --email accepted")
	}
	if _, _, code := runA("admin", "bootstrap", "--email", "not an address"); code != ExitError {
		t.Error("bad email accepted")
	}
	out1, _, code := runA("admin", "bootstrap", "--email", "ada@example.com")
	out2, _, code2 := runA("admin", "bootstrap", "--email", "ada@example.com")
	if code != 0 || code2 != 0 || out1 == out2 {
		t.Fatalf("bootstrap twice before enrolment should give two links: %d %d", code, code2)
	}
	if out, _, _ := runA("admin", "users", "list"); !strings.Contains(out, "ada@example.com") || !strings.Contains(out, "not enrolled") {
		t.Errorf("users list:\n%s", out)
	}
	for _, bad := range [][]string{
		{"admin", "token", "create", "--name", "x"},
		{"admin", "token", "create", "--name", "x", "--scope", "root"},
		{"admin", "token", "create", "--name", "x", "--scope", "read", "--expires", "0s"},
		{"admin", "token", "revoke", "abc"},
		{"admin", "token", "revoke", "99"},
	} {
		if _, _, code := runA(bad...); code != ExitError {
			t.Errorf("%v accepted", bad)
		}
	}
	tok, errOut, code := runA("admin", "token", "create", "--name", "ci", "--scope", "scans:write", "--scope", "read", "--expires", "24h")
	if code != 0 || !strings.HasPrefix(tok, server.TokenPrefix) || strings.Contains(errOut, server.TokenPrefix) {
		t.Fatalf("token create: %d %q %q", code, tok, errOut)
	}
	if out, _, _ := runA("admin", "token", "list"); !strings.Contains(out, "read scans:write") || strings.Contains(out, server.TokenPrefix) {
		t.Errorf("token list:\n%s", out)
	}
	if _, _, code := runA("admin", "token", "revoke", "1"); code != 0 {
		t.Fatal("revoke failed")
	}
	if out, _, _ := runA("admin", "token", "list"); !strings.Contains(out, "revoked") {
		t.Errorf("token list after revoke:\n%s", out)
	}
}

// TestAdminRecover: the break-glass command resets a locked-out admin's credentials,
// signs them out everywhere and issues a link, audited; it refuses anyone else.
func TestAdminRecover(t *testing.T) {
	dir := t.TempDir()
	runA := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := run(context.Background(), realEnv(&out, &errb), append(args, "--data", dir))
		return out.String(), errb.String(), code
	}
	if _, _, code := runA("admin", "bootstrap", "--email", "ada@example.com"); code != 0 {
		t.Fatal("bootstrap failed")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ada, _ := st.UserByEmail(ctx, "ada@example.com")
	ph, _ := server.HashPassword("a long enough passphrase")
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		return store.SetPasswordTOTP(ctx, tx, ada.ID, ph, server.NewTOTPSecret())
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := st.CreateSession(ctx, store.Session{IDHash: []byte("0123456789abcdef0123456789abcdef"), UserID: ada.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), Method: "password"}); err != nil {
		t.Fatal(err)
	}
	eng, _ := st.CreateUser(ctx, store.UserInput{Name: "eng", Email: "eng@example.com", Role: store.RoleEngineer})
	st.Close()

	for name, args := range map[string][]string{
		"no email":  {"admin", "recover"},
		"unknown":   {"admin", "recover", "--email", "nobody@example.com"},
		"not admin": {"admin", "recover", "--email", eng.Email},
	} {
		if _, _, code := runA(args...); code != ExitError {
			t.Errorf("%s: exit %d", name, code)
		}
	}
	out, errOut, code := runA("admin", "recover", "--email", "Ada@Example.com", "--url", "https://posture.example:8443/")
	if code != 0 || !strings.Contains(out, "https://posture.example:8443/enrol?token=") {
		t.Fatalf("recover: %d\n%s%s", code, out, errOut)
	}
	st, err = store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if u, _ := st.GetUser(ctx, ada.ID); u.HasPassword || u.HasTOTP || u.Role != store.RoleAdmin {
		t.Fatalf("after recover: %+v", u)
	}
	var live int
	if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = ? AND revoked_at IS NULL`, ada.ID).Scan(&live); err != nil || live != 0 {
		t.Fatalf("%d live sessions after recover (%v)", live, err)
	}
	exported, _, _ := runA("audit", "export")
	if !strings.Contains(exported, `"action":"user.recover"`) {
		t.Error("recover not audited")
	}
}
