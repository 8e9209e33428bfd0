package tlsscan

import (
	"bytes"
	"crypto/tls"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// leakyServer completes its first connection with crypto/tls (which issues a session
// ticket) and answers every later hello as F5 did: a ServerHello whose session id is 32
// bytes, the client's 16 and 16 of "memory".
func leakyServer(t *testing.T, cfg *tls.Config) string {
	var conns atomic.Int32
	return rawServer(t, func(c net.Conn) {
		if conns.Add(1) == 1 {
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			_ = tls.Server(c, cfg).Handshake()
			return
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 8192)
		n, err := c.Read(buf)
		if err != nil || n < 44 {
			return
		}
		h := parseClientHello(t, buf[:n])
		sidLen := int(buf[43]) // record 5, handshake 4, version 2, random 32
		sid := append(bytes.Clone(buf[44:44+sidLen]), bytes.Repeat([]byte{0xEE}, 32-sidLen)...)
		body := serverHelloBody(TLS12, nil, h.suites[0])
		// serverHelloBody writes an empty session id after the random: put ours there.
		body = append(append(append(body[:34:34], byte(len(sid))), sid...), body[35:]...)
		_, _ = c.Write(recordBytes(recordHandshake, handshakeMsg(hsServerHello, body)))
	})
}

func TestTicketbleed(t *testing.T) {
	p := getPKI(t)
	ecCert, _ := p.leaf(t, leafSpec{})
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{ecCert}}
	suite, _ := SuiteByID(0xC02B) // ECDHE-ECDSA-AES128-GCM-SHA256
	rep := &Report{Protocols: []ProtocolResult{{Version: TLS12, Accepted: true, Suites: []Suite{suite}}}}
	scanner := func(addr string) *scanner {
		return &scanner{net: testNet(nil, 2*time.Second), addr: addr, serverName: "localhost", timeout: 2 * time.Second, chunk: DefaultChunk, keyShare: make([]byte, 32)}
	}

	// crypto/tls resumes and echoes the 16 bytes.
	if tb := scanner(goServer(t, cfg)).ticketbleed(t.Context(), rep); tb.Err != nil || tb.Vulnerable || tb.Version != TLS12 {
		t.Fatalf("crypto/tls: %+v", tb)
	}
	noTickets := cfg.Clone()
	noTickets.SessionTicketsDisabled = true
	if tb := scanner(goServer(t, noTickets)).ticketbleed(t.Context(), rep); tb.Err != nil || tb.Vulnerable || tb.Version != 0 || tb.Reason != "the server issues no session tickets" {
		t.Fatalf("no tickets: %+v", tb)
	}
	tb := scanner(leakyServer(t, cfg)).ticketbleed(t.Context(), rep)
	if tb.Err != nil || !tb.Vulnerable || !bytes.Equal(tb.Leaked, bytes.Repeat([]byte{0xEE}, 16)) {
		t.Fatalf("leaky server: %+v", tb)
	}
	if tb := scanner(goServer(t, cfg)).ticketbleed(t.Context(), &Report{}); tb.Version != 0 || tb.Reason == "" {
		t.Fatalf("nothing before TLS 1.3: %+v", tb)
	}
}
