//go:build integration

package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"debug/buildinfo"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestServeACMEWithPebble gets serve's certificate from Pebble, Let's Encrypt's test
// ACME server, over a directory whose certificate only --acme-ca-file trusts. Pebble
// really validates the order: its resolver (pebble-challtestsrv's DNS) sends
// posture.test to 127.0.0.1, and it completes the TLS-ALPN-01 challenge against serve's
// own listener, as Let's Encrypt would on port 443. The test checks that the certificate
// verifies against Pebble's root for the ACME name, and that a restarted server serves
// the same certificate from DATA/acme with Pebble gone.
func TestServeACMEWithPebble(t *testing.T) { testACME(t, false) }

// TestServeACMEHTTP01WithPebble: the same over HTTP-01. Pebble's TLS-ALPN-01 port is one
// nothing listens on, so the certificate can only come through the challenge answered
// on serve's plain-HTTP listener (--http-redirect).
func TestServeACMEHTTP01WithPebble(t *testing.T) { testACME(t, true) }

// TestServeACMERenewalWithPebble: Pebble issues certificates valid for 30 s, and autocert
// renews a third of the lifetime before expiry (at most 30 days before), so about 20 s
// after issuance; a later connection must get the new certificate from the running
// server, and the cache must hold it, without a restart.
func TestServeACMERenewalWithPebble(t *testing.T) { testACMEWith(t, false, 30) }

func testACME(t *testing.T, http01 bool) { testACMEWith(t, http01, 0) }

// testACMEWith runs the ACME tests; validity, when not zero, is the lifetime in seconds
// of the certificates Pebble issues, and the test then waits for a renewal.
func testACMEWith(t *testing.T, http01 bool, validity int) {
	pebble := findPebble(t)
	if bi, err := buildinfo.ReadFile(pebble); err == nil {
		t.Logf("pebble %s (%s)", bi.Main.Version, pebble)
	}
	work := t.TempDir()
	// DNS for Pebble's validation authority: every name is 127.0.0.1, no IPv6.
	dnsAddr := freeAddr(t)
	dctx, stopDNS := context.WithCancel(context.Background())
	defer stopDNS()
	dns := exec.CommandContext(dctx, findTool(t, "pebble-challtestsrv"), "-dnsserver", dnsAddr, "-management", freeAddr(t),
		"-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-http01", "", "-https01", "", "-tlsalpn01", "", "-doh", "")
	dnsLog := &syncBuffer{}
	dns.Stdout, dns.Stderr = dnsLog, dnsLog
	if err := dns.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stopDNS(); _ = dns.Wait() }()
	servePort, httpPort := freePort(t), freePort(t)
	tlsPort := servePort
	if http01 {
		tlsPort = freePort(t) // closed: TLS-ALPN-01 fails there
	}
	// Pebble's own test certificates (in its module) expire; a CA made here does not.
	caFile, certFile, keyFile := writeTestCA(t, work)
	dirAddr, mgmtAddr := freeAddr(t), freeAddr(t)
	cfg := map[string]any{"pebble": map[string]any{
		"listenAddress":                  dirAddr,
		"managementListenAddress":        mgmtAddr,
		"certificate":                    certFile,
		"privateKey":                     keyFile,
		"httpPort":                       httpPort,
		"tlsPort":                        tlsPort,
		"ocspResponderURL":               "",
		"externalAccountBindingRequired": false,
	}}
	if validity > 0 {
		cfg["pebble"].(map[string]any)["profiles"] = map[string]any{"default": map[string]any{"description": "short-lived", "validityPeriod": validity}}
	}
	cfgFile := filepath.Join(work, "pebble.json")
	b, _ := json.Marshal(cfg)
	if err := os.WriteFile(cfgFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	pctx, stopPebble := context.WithCancel(context.Background())
	defer stopPebble()
	cmd := exec.CommandContext(pctx, pebble, "-config", cfgFile, "-dnsserver", dnsAddr)
	// Nonce rejection off: the ACME client retries badNonce, but the test should not
	// depend on it. No random sleep before validating.
	cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0")
	pebbleLog := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = pebbleLog, pebbleLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pebbleDone := make(chan struct{})
	go func() { _ = cmd.Wait(); close(pebbleDone) }()
	defer func() { stopPebble(); <-pebbleDone }()

	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	caPool := x509.NewCertPool()
	caPool.AppendCertsFromPEM(caPEM)
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: caPool}}}
	var rootPEM []byte
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		rootPEM, err = getBody(hc, "https://"+mgmtAddr+"/roots/0")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pebble did not start: %v\n%s", err, pebbleLog.String())
		}
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(rootPEM) {
		t.Fatalf("no root from pebble:\n%s", rootPEM)
	}

	data := t.TempDir()
	args := []string{"serve", "--acme-domain", "posture.test", "--acme-directory", "https://" + dirAddr + "/dir",
		"--acme-ca-file", caFile, "--listen", "127.0.0.1:" + strconv.Itoa(servePort), "--data", data, "--allow-unsynchronised-clock"}
	if http01 {
		args = append(args, "--http-redirect", "127.0.0.1:"+strconv.Itoa(httpPort))
	}

	addr, stopServe := startServe(t, args)
	defer func() {
		if t.Failed() {
			t.Logf("pebble:\n%s", pebbleLog.String())
		}
	}()
	first := handshake(t, addr, roots)
	// Pebble ran its validations (three perspectives) and one of serve's challenges passed.
	if log := pebbleLog.String(); !strings.Contains(log, "Starting 3 validations") || !strings.Contains(log, "set VALID by completed challenge") {
		t.Errorf("pebble did not validate a challenge against serve:\n%s", log)
	}
	if got := first.DNSNames; len(got) != 1 || got[0] != "posture.test" {
		t.Errorf("certificate names %v, want [posture.test]", got)
	}
	if validity > 0 {
		if left := time.Until(first.NotAfter); left > time.Duration(validity)*time.Second {
			t.Fatalf("certificate valid for %v more, Pebble was to issue %ds", left, validity)
		}
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			renewed := handshake(t, addr, roots)
			if renewed.SerialNumber.Cmp(first.SerialNumber) != 0 {
				if !renewed.NotAfter.After(first.NotAfter) || renewed.DNSNames[0] != "posture.test" {
					t.Errorf("renewed certificate for %v until %v; first until %v", renewed.DNSNames, renewed.NotAfter, first.NotAfter)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no renewed certificate served within 60 s")
			}
		}
		cached, err := os.ReadFile(filepath.Join(data, "acme", "posture.test"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(cached), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: first.Raw}))) {
			t.Error("the cache still holds the first certificate")
		}
		return
	}
	if again := handshake(t, addr, roots); again.SerialNumber.Cmp(first.SerialNumber) != 0 {
		t.Errorf("second connection got another certificate (serial %x, first %x)", again.SerialNumber, first.SerialNumber)
	}
	stopServe()
	if http01 {
		return
	}
	if _, err := os.Stat(filepath.Join(data, "acme", "posture.test")); err != nil {
		t.Errorf("certificate not cached: %v", err)
	}

	// With Pebble gone, only the cache can supply the certificate.
	stopPebble()
	<-pebbleDone
	addr, stopServe = startServe(t, args)
	defer stopServe()
	if cached := handshake(t, addr, roots); cached.SerialNumber.Cmp(first.SerialNumber) != 0 {
		t.Errorf("restarted server got another certificate (serial %x, first %x)", cached.SerialNumber, first.SerialNumber)
	}
}

// findPebble is pebble on PATH or in the repository's .cache/bin, where scripts/test-all
// installs it.
func findPebble(t *testing.T) string { return findTool(t, "pebble") }

// findTool is one of Pebble's commands, on PATH or in .cache/bin.
func findTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if p, err := filepath.Abs(filepath.Join("..", "..", ".cache", "bin", name)); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	msg := name + " not found (go install github.com/letsencrypt/pebble/v2/cmd/" + name + "@v2.10.3)"
	if os.Getenv("POSTURE_REQUIRE_INTEGRATION") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startServe runs `posture serve` in-process and returns its address and a function
// that stops it and waits for it to exit.
func startServe(t *testing.T, args []string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, realEnv(io.Discard, stderr), args) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if m := listenRE.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stop
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("serve did not start:\n%s", stderr.String())
		}
	}
}

// handshake connects as a browser of posture.test that trusts only roots, and returns
// the leaf certificate it verified.
func handshake(t *testing.T, addr string, roots *x509.CertPool) *x509.Certificate {
	t.Helper()
	d := &net.Dialer{Timeout: 60 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{ServerName: "posture.test", RootCAs: roots, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("TLS handshake with %s: %v", addr, err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0]
}

func getBody(c *http.Client, url string) ([]byte, error) {
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &net.AddrError{Err: resp.Status, Addr: url}
	}
	return io.ReadAll(resp.Body)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func freeAddr(t *testing.T) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
}

// writeTestCA writes a CA and a certificate for 127.0.0.1 signed by it (PEM), for
// Pebble's directory and management listeners.
func writeTestCA(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pebble test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames: []string{"localhost"}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("cert.pem", "CERTIFICATE", leafDER), write("key.pem", "EC PRIVATE KEY", keyDER)
}
