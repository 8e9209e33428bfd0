package nginxtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

var certKinds = map[CertKind]bool{
	CertValid: true, CertExpired: true, CertWrongHost: true, CertSelfSigned: true,
	CertRSA1024: true, CertIncompleteChain: true, CertExpiringSoon: true,
}

// RSA keys are slow to make, the race detector makes them slower, and nothing depends on
// them differing between tests: one of each size per test binary.
var (
	rsaOnce        sync.Once
	rsa2048, rsa1k *rsa.PrivateKey
	rsaErr         error
)

func rsaKeys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	rsaOnce.Do(func() {
		if rsa2048, rsaErr = rsa.GenerateKey(rand.Reader, 2048); rsaErr != nil {
			return
		}
		// crypto/rsa refuses keys under 1024 bits only; 1024 is what the test wants.
		rsa1k, rsaErr = rsa.GenerateKey(rand.Reader, 1024)
	})
	if rsaErr != nil {
		t.Fatal(rsaErr)
	}
	return rsa2048, rsa1k
}

type pki struct {
	root, inter       *x509.Certificate
	rootKey, interKey crypto.Signer
	now               time.Time
	serial            int64
}

func newPKI(t testing.TB) *pki {
	t.Helper()
	p := &pki{now: time.Now(), serial: 1}
	p.rootKey, p.interKey = ecKey(t), ecKey(t)
	rootTmpl := p.caTemplate("posture test root CA")
	p.root = p.sign(t, rootTmpl, rootTmpl, p.rootKey.Public(), p.rootKey)
	p.inter = p.sign(t, p.caTemplate("posture test intermediate CA"), p.root, p.interKey.Public(), p.rootKey)
	return p
}

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (p *pki) next() *big.Int { p.serial++; return big.NewInt(p.serial) }

func (p *pki) caTemplate(cn string) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: p.next(), Subject: pkix.Name{CommonName: cn, Organization: []string{"posture tests"}},
		NotBefore: p.now.Add(-24 * time.Hour), NotAfter: p.now.Add(5 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, MaxPathLen: 1,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
}

func (p *pki) sign(t testing.TB, tmpl, parent *x509.Certificate, pub any, key crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (p *pki) pool() *x509.CertPool {
	cp := x509.NewCertPool()
	cp.AddCert(p.root)
	return cp
}

func (p *pki) rootPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.root.Raw})
}

// issue makes the certificate (PEM, leaf first, as nginx sends it) and key of a kind.
func (p *pki) issue(t testing.TB, kind CertKind) (certPEM, keyPEM []byte) {
	t.Helper()
	day := 24 * time.Hour
	key, small := rsaKeys(t)
	tmpl := &x509.Certificate{
		SerialNumber: p.next(), Subject: pkix.Name{CommonName: "localhost", Organization: []string{"posture tests"}},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: p.now.Add(-time.Hour), NotAfter: p.now.Add(90 * day),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	parent, signer := p.root, crypto.Signer(p.rootKey)
	switch kind {
	case CertExpired:
		tmpl.NotBefore, tmpl.NotAfter = p.now.Add(-100*day), p.now.Add(-10*day)
	case CertExpiringSoon:
		tmpl.NotBefore, tmpl.NotAfter = p.now.Add(-80*day), p.now.Add(10*day)
	case CertWrongHost:
		tmpl.Subject.CommonName, tmpl.DNSNames, tmpl.IPAddresses = "wrong.example", []string{"wrong.example"}, nil
	case CertSelfSigned:
		parent, signer = tmpl, key
	case CertRSA1024:
		key = small
	case CertIncompleteChain:
		parent, signer = p.inter, p.interKey
	}
	leaf := p.sign(t, tmpl, parent, key.Public(), signer)
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(t, key)})
	return certPEM, keyPEM
}

func mustPKCS8(t testing.TB, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
