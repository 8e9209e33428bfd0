package tlsscan

import (
	"crypto/rsa"
	"crypto/tls"
	"math/big"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// rsaKxServer answers a TLS 1.2 hello with an RSA key exchange suite, its certificate
// and ServerHelloDone, decrypts the ClientKeyExchange with key, and answers with
// answer(padding correct).
func rsaKxServer(t *testing.T, certDER []byte, key *rsa.PrivateKey, answer func(ok bool) []byte) string {
	return rawServer(t, func(c net.Conn) {
		h, ok := readHello(t, c)
		if !ok {
			return
		}
		flight := append(handshakeMsg(hsServerHello, serverHelloBody(TLS12, nil, h.suites[0])), handshakeMsg(hsCertificate, certMsgBody(certDER))...)
		flight = append(flight, handshakeMsg(hsServerHelloDone, nil)...)
		if _, err := c.Write(recordBytes(recordHandshake, flight)); err != nil {
			return
		}
		rec, err := readRecord(c)
		if err != nil || rec.typ != recordHandshake || len(rec.payload) < 6 || rec.payload[0] != 16 {
			return
		}
		k := key.Size()
		ct := rec.payload[6:]
		if len(ct) != k {
			return
		}
		m := new(big.Int).Exp(new(big.Int).SetBytes(ct), key.D, key.N).FillBytes(make([]byte, k))
		ok = m[0] == 0 && m[1] == 2 && m[k-49] == 0 && m[k-48] == 3 && m[k-47] == 3
		for _, b := range m[2 : k-49] {
			ok = ok && b != 0
		}
		_, _ = c.Write(answer(ok))
	})
}

func TestROBOT(t *testing.T) {
	p := getPKI(t)
	key := sharedRSA(t)
	rsaCert, _ := p.leaf(t, leafSpec{key: key})
	alert := func(desc byte) []byte { return recordBytes(recordAlert, []byte{2, desc}) }
	suite, _ := SuiteByID(0x009C) // TLS_RSA_WITH_AES_128_GCM_SHA256
	ecdhe, _ := SuiteByID(0xC02F)
	rep := &Report{Protocols: []ProtocolResult{{Version: TLS12, Accepted: true, Suites: []Suite{ecdhe, suite}}}}
	scanner := func(addr string) *scanner {
		return &scanner{net: testNet(nil, 2*time.Second), addr: addr, serverName: "localhost", timeout: 2 * time.Second, chunk: DefaultChunk, keyShare: make([]byte, 32)}
	}

	oracle := rsaKxServer(t, rsaCert.Certificate[0], key, func(ok bool) []byte {
		if ok {
			return alert(20) // the Finished fails: bad_record_mac
		}
		return alert(51) // decrypt_error: the padding told apart
	})
	r := scanner(oracle).robot(t.Context(), rep)
	if r.Err != nil || !r.Vulnerable || r.Version != TLS12 || r.Answers[0] != "alert bad_record_mac" || r.Answers[1] != "alert decrypt_error" {
		t.Fatalf("oracle: %+v", r)
	}

	sound := rsaKxServer(t, rsaCert.Certificate[0], key, func(bool) []byte { return alert(20) })
	if r := scanner(sound).robot(t.Context(), rep); r.Err != nil || r.Vulnerable || len(r.Answers) != 5 {
		t.Fatalf("sound server: %+v", r)
	}

	// No RSA key exchange suite: nothing to test.
	if r := scanner(sound).robot(t.Context(), &Report{Protocols: []ProtocolResult{{Version: TLS12, Accepted: true, Suites: []Suite{ecdhe}}}}); r.Version != 0 || r.Answers != nil {
		t.Fatalf("ECDHE only: %+v", r)
	}

	// One dropped answer in the first round, five alike in the second: not an oracle.
	var calls atomic.Int32
	flaky := rsaKxServer(t, rsaCert.Certificate[0], key, func(bool) []byte {
		if calls.Add(1) == 3 {
			return nil // closes without an answer, in the first round only
		}
		return alert(20)
	})
	if r := scanner(flaky).robot(t.Context(), rep); r.Vulnerable || r.Err != nil || !allSame(r.Answers) {
		t.Fatalf("one dropped answer: %+v", r)
	}
	// Two rounds that differ, each in its own way: no verdict.
	var calls2 atomic.Int32
	erratic := rsaKxServer(t, rsaCert.Certificate[0], key, func(bool) []byte {
		if n := calls2.Add(1); n == 2 || n == 9 {
			return nil
		}
		return alert(20)
	})
	if r := scanner(erratic).robot(t.Context(), rep); r.Vulnerable || r.Err == nil {
		t.Fatalf("erratic server: %+v", r)
	}

	// crypto/tls with an RSA key exchange suite is no oracle.
	goSrv := goServer(t, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{rsaCert},
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}})
	full, err := scan(t, testNet(p.roots, 3*time.Second), goSrv, Options{ServerName: "localhost", SkipCertificate: true, Versions: []Version{TLS12}})
	if err != nil {
		t.Fatal(err)
	}
	if r := full.ROBOT; r == nil || r.Err != nil || r.Vulnerable || r.Version != TLS12 || !allSame(r.Answers) {
		t.Fatalf("crypto/tls: %+v", full.ROBOT)
	}
	t.Logf("crypto/tls answers: %v", full.ROBOT.Answers)
}
