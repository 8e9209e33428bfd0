package tlsscan

import (
	"crypto/tls"
	"net"
	"slices"
	"testing"
	"time"
)

// echoFirstServer accepts every hello at the version it asks for with the first suite
// it offers: client order, and no fallback protection.
func echoFirstServer(t *testing.T) string {
	return rawServer(t, func(c net.Conn) {
		h, ok := readHello(t, c)
		if !ok {
			return
		}
		if h.version > uint16(TLS12) || len(h.suites) == 0 {
			_, _ = c.Write(recordBytes(recordAlert, []byte{2, 70}))
			return
		}
		_, _ = c.Write(recordBytes(recordHandshake, handshakeMsg(hsServerHello, serverHelloBody(Version(h.version), nil, h.suites[0], ext(extRenegotiationInfo, []byte{0})))))
	})
}

func TestPreference(t *testing.T) {
	p := getPKI(t)
	ecCert, _ := p.leaf(t, leafSpec{})
	// crypto/tls chooses by its own order (GCM before CBC) whatever the client lists.
	goSrv := goServer(t, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{ecCert},
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
	rep, err := scan(t, testNet(p.roots, 3*time.Second), goSrv, Options{ServerName: "localhost", SkipCertificate: true, Versions: []Version{TLS12}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Preferences) != 1 {
		t.Fatalf("preferences %+v", rep.Preferences)
	}
	pr := rep.Preferences[0]
	var got []uint16
	for _, s := range pr.Suites {
		got = append(got, s.ID)
	}
	if pr.Err != nil || !pr.ServerOrder || !slices.Equal(got, []uint16{0xC02B, 0xC009, 0xC00A}) {
		t.Fatalf("crypto/tls: %+v, order % x", pr, got)
	}

	s := &scanner{net: testNet(nil, 2*time.Second), addr: echoFirstServer(t), serverName: "localhost", timeout: 2 * time.Second, chunk: DefaultChunk, keyShare: make([]byte, 32)}
	a, _ := SuiteByID(0xC02F)
	b, _ := SuiteByID(0x000A)
	pr = s.preference(t.Context(), TLS12, []Suite{a, b})
	if pr.Err != nil || pr.ServerOrder || pr.Suites != nil {
		t.Fatalf("client order server: %+v", pr)
	}
}

func TestFallback(t *testing.T) {
	p := getPKI(t)
	ecCert, _ := p.leaf(t, leafSpec{})
	n := testNet(p.roots, 3*time.Second)
	for _, c := range []struct {
		name     string
		min, max uint16
		want     Fallback
	}{
		// crypto/tls implements RFC 7507.
		{"TLS 1.0 to 1.2", tls.VersionTLS10, tls.VersionTLS12, Fallback{From: TLS12, To: TLS11, Protected: true}},
		{"TLS 1.2 and 1.3: nothing below 1.2", tls.VersionTLS12, tls.VersionTLS13, Fallback{From: TLS12}},
		{"TLS 1.3 only", tls.VersionTLS13, tls.VersionTLS13, Fallback{}},
	} {
		addr := goServer(t, &tls.Config{MinVersion: c.min, MaxVersion: c.max, Certificates: []tls.Certificate{ecCert}})
		rep, err := scan(t, n, addr, Options{ServerName: "localhost", SkipCertificate: true, Versions: []Version{TLS10, TLS11, TLS12, TLS13}})
		if err != nil {
			t.Fatal(err)
		}
		if got := *rep.Fallback; got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}

	suite, _ := SuiteByID(0xC02F)
	twoVersions := &Report{Protocols: []ProtocolResult{{Version: TLS10, Accepted: true, Suites: []Suite{suite}}, {Version: TLS12, Accepted: true, Suites: []Suite{suite}}}}
	s := &scanner{net: testNet(nil, 2*time.Second), addr: echoFirstServer(t), serverName: "localhost", timeout: 2 * time.Second, chunk: DefaultChunk, keyShare: make([]byte, 32)}
	if got := s.fallback(t.Context(), twoVersions); got != (Fallback{From: TLS12, To: TLS10, Accepted: true}) {
		t.Errorf("unprotected server: %+v", got)
	}
	s.addr = rawServer(t, func(c net.Conn) {
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 8192)
		if _, err := c.Read(buf); err == nil {
			_, _ = c.Write(recordBytes(recordAlert, []byte{2, 40})) // handshake_failure
		}
	})
	if got := s.fallback(t.Context(), twoVersions); got != (Fallback{From: TLS12, To: TLS10, Refusal: "alert handshake_failure"}) {
		t.Errorf("non-RFC refusal: %+v", got)
	}
}
