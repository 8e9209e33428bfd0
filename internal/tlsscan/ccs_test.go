package tlsscan

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"
)

// ccsServer answers a TLS 1.2 hello with ServerHello and ServerHelloDone, then reads up
// to len(replies) ChangeCipherSpec records, answering each with its reply (nil is
// silence) and closing after the first answer; with no replies it closes at once.
func ccsServer(t *testing.T, replies ...[]byte) string {
	return rawServer(t, func(c net.Conn) {
		h, ok := readHello(t, c)
		if !ok {
			return
		}
		flight := recordBytes(recordHandshake, append(handshakeMsg(hsServerHello, serverHelloBody(TLS12, nil, h.suites[0])), handshakeMsg(hsServerHelloDone, nil)...))
		if _, err := c.Write(flight); err != nil || len(replies) == 0 {
			return
		}
		for _, reply := range replies {
			var ccs [6]byte
			if _, err := io.ReadFull(c, ccs[:]); err != nil || ccs[0] != recordChangeCipherSpec {
				return
			}
			if reply != nil {
				_, _ = c.Write(reply)
				return
			}
		}
		_, _ = io.Copy(io.Discard, c)
	})
}

func TestCCSInjection(t *testing.T) {
	suite, _ := SuiteByID(0xC02F)
	rep := &Report{Protocols: []ProtocolResult{{Version: TLS12, Accepted: true, Suites: []Suite{suite}}}}
	alert := func(desc byte) []byte { return recordBytes(recordAlert, []byte{2, desc}) }
	for _, c := range []struct {
		name string
		addr string
		want CCSInjection
	}{
		{"patched", ccsServer(t, alert(10)), CCSInjection{Version: TLS12, Answer: "alert unexpected_message"}},
		{"vulnerable", ccsServer(t, nil, alert(20)), CCSInjection{Version: TLS12, Vulnerable: true, Answer: "alert bad_record_mac"}},
		{"vulnerable, decryption_failed", ccsServer(t, nil, alert(21)), CCSInjection{Version: TLS12, Vulnerable: true, Answer: "alert decryption_failed"}},
		{"silent", ccsServer(t, nil, nil), CCSInjection{Version: TLS12, Answer: "silent"}},
		{"closes", ccsServer(t), CCSInjection{Version: TLS12, Answer: "closed"}},
	} {
		s := &scanner{net: testNet(nil, 2*time.Second), addr: c.addr, serverName: "localhost", timeout: 2 * time.Second, chunk: DefaultChunk, keyShare: make([]byte, 32)}
		if got := s.ccsInjection(t.Context(), rep); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
	s := &scanner{net: testNet(nil, 2*time.Second), addr: "127.0.0.1:1", serverName: "localhost", timeout: 2 * time.Second, chunk: DefaultChunk, keyShare: make([]byte, 32)}
	if got := s.ccsInjection(t.Context(), &Report{}); got != (CCSInjection{}) {
		t.Errorf("no version before TLS 1.3: %+v", got)
	}

	// crypto/tls refuses the early ChangeCipherSpec.
	p := getPKI(t)
	ecCert, _ := p.leaf(t, leafSpec{})
	addr := goServer(t, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{ecCert}})
	r, err := scan(t, testNet(p.roots, 3*time.Second), addr, Options{ServerName: "localhost", SkipCertificate: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.CCS == nil || r.CCS.Err != nil || r.CCS.Vulnerable || r.CCS.Version != TLS12 || r.CCS.Answer != "alert unexpected_message" {
		t.Fatalf("crypto/tls: %+v", r.CCS)
	}
}
