package tlsscan

import (
	"bytes"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"
)

// sslv2ServerHelloRecord builds an SSL 2.0 SERVER-HELLO record with a fake certificate and
// the given cipher specs.
func sslv2ServerHelloRecord(specs ...[3]byte) []byte {
	cert := []byte("not really a certificate")
	body := []byte{sslv2ServerHello, 0, 1, 0, 2, byte(len(cert) >> 8), byte(len(cert)), 0, byte(3 * len(specs)), 0, 16}
	body = append(body, cert...)
	for _, s := range specs {
		body = append(body, s[:]...)
	}
	body = append(body, bytes.Repeat([]byte{7}, 16)...) // connection id
	return append([]byte{0x80 | byte(len(body)>>8), byte(len(body))}, body...)
}

func TestSSLv2Hello(t *testing.T) {
	h, err := sslv2Hello()
	if err != nil {
		t.Fatal(err)
	}
	// Header, CLIENT-HELLO, version 2, 21 bytes of specs, no session, 16-byte challenge.
	if h[0]&0x80 == 0 || int(h[0]&0x7f)<<8|int(h[1]) != len(h)-2 || h[2] != sslv2ClientHello || h[3] != 0 || h[4] != 2 || h[6] != 21 || h[10] != 16 || len(h) != 2+9+21+16 {
		t.Fatalf("hello % x", h)
	}
	for _, c := range []struct {
		name    string
		answer  []byte
		ok      bool
		ciphers string
		err     string
	}{
		{"server hello", sslv2ServerHelloRecord(sslv2Ciphers[0].code, sslv2Ciphers[6].code, [3]byte{9, 9, 9}), true,
			"SSL_CK_RC4_128_WITH_MD5 SSL_CK_DES_192_EDE3_CBC_WITH_MD5 SSL 2.0 cipher 0x090909", ""},
		{"TLS alert", []byte{21, 3, 1, 0, 2, 2, 40}, false, "", ""},
		{"closed", nil, false, "", ""},
		{"short record", []byte{0x80, 3, 4, 0, 1}, false, "", "too short"},
		{"truncated", sslv2ServerHelloRecord(sslv2Ciphers[0].code)[:20], false, "", "reading"},
		{"lying lengths", func() []byte { b := sslv2ServerHelloRecord(sslv2Ciphers[0].code); b[10] = 0x7f; return b }(), false, "", "malformed"},
	} {
		ok, ciphers, err := parseSSLv2ServerHello(bytes.NewReader(c.answer))
		if ok != c.ok || strings.Join(ciphers, " ") != c.ciphers || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v %q %v", c.name, ok, ciphers, err)
		}
	}
}

// TestSSLv2Servers: a raw SSL 2.0 server is found with its ciphers; crypto/tls refuses
// the hello, which is no error.
func TestSSLv2Servers(t *testing.T) {
	old := rawServer(t, func(c net.Conn) {
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Read(make([]byte, 512)); err != nil {
			return
		}
		_, _ = c.Write(sslv2ServerHelloRecord(sslv2Ciphers[0].code, sslv2Ciphers[1].code))
	})
	s := &scanner{net: testNet(nil, 2*time.Second), addr: old, serverName: "localhost", timeout: 2 * time.Second, chunk: DefaultChunk}
	if r := s.sslv2(t.Context()); !r.Accepted || len(r.Ciphers) != 2 || r.Err != nil {
		t.Fatalf("SSL 2.0 server: %+v", r)
	}
	p := getPKI(t)
	ecCert, _ := p.leaf(t, leafSpec{})
	good := goServer(t, &tls.Config{Certificates: []tls.Certificate{ecCert}})
	rep, err := scan(t, testNet(p.roots, 3*time.Second), good, Options{ServerName: "localhost", SkipCertificate: true})
	if err != nil || rep.SSLv2 == nil || rep.SSLv2.Accepted || rep.SSLv2.Err != nil {
		t.Fatalf("crypto/tls: %+v %v", rep.SSLv2, err)
	}
}
