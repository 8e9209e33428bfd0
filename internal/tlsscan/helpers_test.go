package tlsscan

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
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/netx"
)

// testPKI is a root CA, an intermediate CA and a way to issue leaves, made once per test
// binary: RSA key generation is slow under the race detector.
type testPKI struct {
	root, inter       *x509.Certificate
	rootKey, interKey crypto.Signer
	roots, inters     *x509.CertPool
}

var (
	pkiOnce sync.Once
	pki     *testPKI
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sharedRSA(t testing.TB) *rsa.PrivateKey {
	rsaOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return rsaKey
}

func issue(t testing.TB, tmpl, parent *x509.Certificate, pub any, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var serial int64 = 100

func nextSerial() *big.Int { serial++; return big.NewInt(serial) }

func getPKI(t testing.TB) *testPKI {
	pkiOnce.Do(func() {
		now := time.Now()
		p := &testPKI{rootKey: ecKey(t), interKey: ecKey(t)}
		ca := func(name string) *x509.Certificate {
			return &x509.Certificate{SerialNumber: nextSerial(), Subject: pkix.Name{CommonName: name},
				NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
				IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
		}
		rt := ca("posture test root")
		p.root = issue(t, rt, rt, p.rootKey.Public(), p.rootKey)
		p.inter = issue(t, ca("posture test intermediate"), p.root, p.interKey.Public(), p.rootKey)
		p.roots = x509.NewCertPool()
		p.roots.AddCert(p.root)
		p.inters = x509.NewCertPool()
		p.inters.AddCert(p.inter)
		pki = p
	})
	return pki
}

// leafSpec says how to make a server certificate.
type leafSpec struct {
	names      []string
	notBefore  time.Time
	notAfter   time.Time
	key        crypto.Signer
	selfSigned bool
	byInter    bool // issued by the intermediate rather than the root
}

// leaf issues a server certificate and returns it with the chain the server should send.
func (p *testPKI) leaf(t testing.TB, s leafSpec) (tls.Certificate, []*x509.Certificate) {
	t.Helper()
	if s.key == nil {
		s.key = ecKey(t)
	}
	if s.names == nil {
		s.names = []string{"localhost", "127.0.0.1"}
	}
	if s.notBefore.IsZero() {
		s.notBefore = time.Now().Add(-time.Hour)
	}
	if s.notAfter.IsZero() {
		s.notAfter = time.Now().Add(90 * 24 * time.Hour)
	}
	tmpl := &x509.Certificate{SerialNumber: nextSerial(), Subject: pkix.Name{CommonName: s.names[0]},
		NotBefore: s.notBefore, NotAfter: s.notAfter, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, n := range s.names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	var c *x509.Certificate
	var chain []*x509.Certificate
	switch {
	case s.selfSigned:
		c = issue(t, tmpl, tmpl, s.key.Public(), s.key)
		chain = []*x509.Certificate{c}
	case s.byInter:
		c = issue(t, tmpl, p.inter, s.key.Public(), p.interKey)
		chain = []*x509.Certificate{c, p.inter}
	default:
		c = issue(t, tmpl, p.root, s.key.Public(), p.rootKey)
		chain = []*x509.Certificate{c}
	}
	tc := tls.Certificate{PrivateKey: s.key, Leaf: c}
	for _, x := range chain {
		tc.Certificate = append(tc.Certificate, x.Raw)
	}
	return tc, chain
}

// goServer runs a crypto/tls server on loopback that completes handshakes and closes.
func goServer(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
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
				_ = c.(*tls.Conn).Handshake()
			}()
		}
	}()
	return ln.Addr().String()
}

// rawServer runs a TCP server whose every connection is handled by serve.
func rawServer(t testing.TB, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

func testNet(roots *x509.CertPool, timeout time.Duration) *netx.Net {
	return netx.New(netx.Options{Timeout: timeout, Retries: -1, RootCAs: roots})
}

func scan(t testing.TB, n *netx.Net, addr string, opt Options) (*Report, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return Scan(ctx, n, addr, opt)
}

// readHello reads a ClientHello from a raw server's connection, with a deadline for the
// whole exchange; false when the client sent nothing.
func readHello(t *testing.T, c net.Conn) (parsedHello, bool) {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 8192)
	n, err := c.Read(buf)
	if err != nil {
		return parsedHello{}, false
	}
	return parseClientHello(t, buf[:n]), true
}
