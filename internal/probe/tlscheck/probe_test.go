package tlscheck

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/netx"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

var (
	caOnce  sync.Once
	caCert  *x509.Certificate
	caKey   *ecdsa.PrivateKey
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

func ca(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	caOnce.Do(func() {
		caKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tlscheck test CA"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, caKey.Public(), caKey)
		if err != nil {
			panic(err)
		}
		caCert, _ = x509.ParseCertificate(der)
	})
	return caCert, caKey
}

// serverCert issues a certificate for 127.0.0.1 that expires in days, with an RSA key
// when rsaBits is set (2048 is shared; other sizes are made).
func serverCert(t *testing.T, days int, rsaBits int) tls.Certificate {
	t.Helper()
	root, rootKey := ca(t)
	var key crypto.Signer
	switch rsaBits {
	case 0:
		key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case 2048:
		rsaOnce.Do(func() { rsaKey, _ = rsa.GenerateKey(rand.Reader, 2048) })
		key = rsaKey
	default:
		k, err := rsa.GenerateKey(rand.Reader, rsaBits)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Duration(days)*24*time.Hour + time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, root, key.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, OCSPStaple: []byte("stapled")}
}

func serve(t *testing.T, ln net.Listener, handle func(net.Conn)) string {
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

func tlsServer(t *testing.T, cfg *tls.Config) string {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, ln, func(c net.Conn) { _ = c.(*tls.Conn).Handshake() })
}

func rawServer(t *testing.T, handle func(net.Conn)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, ln, handle)
}

var aeadSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}

func run(t *testing.T, rawURL string, opt Options) (*probe.Result, error) {
	t.Helper()
	root, _ := ca(t)
	pool := x509.NewCertPool()
	pool.AddCert(root)
	tg, err := target.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	n := netx.New(netx.Options{Timeout: 2 * time.Second, Retries: -1, RootCAs: pool})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return New(n, opt).Run(ctx, tg)
}

// got renders findings as "rule key severity" lines.
func got(r *probe.Result) string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Rule+" "+f.Key+" "+string(f.Severity))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func TestProbe(t *testing.T) {
	good := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{serverCert(t, 60, 0)}, CipherSuites: aeadSuites})
	legacy := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{serverCert(t, 60, 2048)},
		MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA,
			tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_RSA_WITH_RC4_128_SHA}})
	expiring := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{serverCert(t, 10, 0)}, CipherSuites: aeadSuites})
	soon := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{serverCert(t, 30, 0)}, CipherSuites: aeadSuites})
	plainHTTP := rawServer(t, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 1024))
		_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\n\r\n")
	})
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	unreachable := closed.Addr().String()
	closed.Close()

	for _, c := range []struct {
		name     string
		url      string
		opt      Options
		findings string
		evidence string
		unknown  string
		na       bool
	}{
		{name: "good", url: "https://" + good + "/", evidence: "TLSv1.2, TLSv1.3; 5 suites, all AEAD with forward secrecy; 7 key exchange groups of 128-bit security or more; certificate valid 60 days, chain complete"},
		{name: "good under modern", url: "https://" + good + "/", opt: Options{Profile: "modern"}, findings: "endpoint/tls-profile protocol low\nendpoint/tls-profile suites low"},
		{name: "legacy", url: "https://" + legacy, findings: strings.Join([]string{
			"endpoint/tls-cipher 3des medium",
			"endpoint/tls-cipher cbc-only medium",
			"endpoint/tls-cipher rc4 high",
			"endpoint/tls-profile suites low",
			"endpoint/tls-protocol TLSv1.0 high",
			"endpoint/tls-protocol TLSv1.1 high",
		}, "\n")},
		{name: "expiring", url: "https://" + expiring, findings: "endpoint/tls-certificate-expiry expiring high"},
		{name: "expiring soon", url: "https://" + soon, findings: "endpoint/tls-certificate-expiry expiring-soon info"},
		{name: "plain http on https", url: "https://" + plainHTTP, findings: "endpoint/no-tls no-tls high", unknown: "no TLS to judge"},
		{name: "unreachable", url: "https://" + unreachable, unknown: "connection refused"},
		{name: "http target", url: "http://" + good, na: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := run(t, c.url, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if g := got(r); g != c.findings {
				t.Errorf("findings:\n%s\nwant:\n%s", g, c.findings)
				for _, f := range r.Findings {
					t.Logf("%s: %s [%s]", f.Rule, f.Message, f.Evidence.Text)
				}
			}
			if c.evidence != "" && r.Evidence["CR-2"] != c.evidence {
				t.Errorf("evidence %q", r.Evidence["CR-2"])
			}
			if c.unknown != "" && !strings.Contains(r.Unknown["CR-2"], c.unknown) {
				t.Errorf("CR-2 unknown %q, want %q", r.Unknown["CR-2"], c.unknown)
			}
			if c.unknown == "" && len(r.Unknown) > 0 {
				t.Errorf("unknown %v", r.Unknown)
			}
			if c.na != (r.NotApplicable["CR-2"] != "") {
				t.Errorf("not applicable %v", r.NotApplicable)
			}
			for _, f := range r.Findings {
				if f.Location.URL == "" || f.Message == "" || f.Fix == "" || f.Control == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
		})
	}
}

func TestProbeMeta(t *testing.T) {
	p := New(netx.New(netx.Options{}), Options{})
	if p.Name() != "endpoint/tls" || strings.Join(p.Controls(), ",") != "CR-1,CR-2" || p.Kinds()[0] != policy.KindEndpoint {
		t.Errorf("%s %v %v", p.Name(), p.Controls(), p.Kinds())
	}
	if _, err := run(t, "https://127.0.0.1:1/", Options{Profile: "ancient"}); err == nil || !strings.Contains(err.Error(), "unknown TLS profile") {
		t.Errorf("unknown profile: %v", err)
	}
}

func TestLocationDropsCredentials(t *testing.T) {
	tg, _ := target.Parse("https://user:secret@example.com:8443/x")
	if got := location(tg.URL); strings.Contains(got, "secret") || got != "https://example.com:8443/x" {
		t.Errorf("location %q", got)
	}
}
