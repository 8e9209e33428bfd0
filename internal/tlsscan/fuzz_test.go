package tlsscan

import (
	"bytes"
	"testing"
)

// The parsers read what a hostile server sends: none may panic, loop or allocate beyond
// the record and message limits, whatever the bytes.

func FuzzParseServerHello(f *testing.F) {
	f.Add(serverHelloBody(TLS12, nil, 0xC02F, ext(extRenegotiationInfo, []byte{0})))
	f.Add(serverHelloBody(TLS12, helloRetryRandom[:], 0x1301, ext(extSupportedVersions, []byte{3, 4}), ext(extKeyShare, []byte{0, 23})))
	f.Add([]byte{3, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		sh, err := parseServerHello(b)
		if err == nil && (len(sh.random) != 32 || sh.legacyVersion>>8 != 3) {
			t.Fatalf("accepted a malformed hello: %+v", sh)
		}
	})
}

func FuzzReadAnswer(f *testing.F) {
	msg := handshakeMsg(hsServerHello, serverHelloBody(TLS12, nil, 0xC02F))
	rest := append(handshakeMsg(hsCertificate, certMsgBody([]byte("leaf"))), handshakeMsg(hsServerHelloDone, nil)...)
	f.Add(append(recordBytes(recordHandshake, msg), recordBytes(recordHandshake, rest)...), byte(0))
	f.Add(recordBytes(recordAlert, []byte{2, 40}), byte(1))
	f.Add([]byte("HTTP/1.0 400 Bad Request\r\n\r\n"), byte(2))
	f.Add(recordBytes(recordHandshake, handshakeMsg(hsServerHello, serverHelloBody(TLS12, nil, 0x1301, ext(extSupportedVersions, []byte{3, 4})))), byte(3))
	f.Fuzz(func(t *testing.T, b []byte, which byte) {
		specs := []helloSpec{
			{version: TLS12, suites: []uint16{0xC02F, 0xC013}},
			{version: TLS10, suites: []uint16{0x000A}},
			{version: SSL30, suites: []uint16{0x000A}},
			{version: TLS13, suites: []uint16{0x1301, 0x1302}},
		}
		spec := specs[int(which)%len(specs)]
		res, err := readAnswer(bytes.NewReader(b), spec, true)
		if err == nil && res.accepted && !offered(spec.suites, res.sh.suite) {
			t.Fatalf("accepted suite %04x that was not offered", res.sh.suite)
		}
		if len(res.certs) > 0 && len(b) < 20 {
			t.Fatal("certificates from too few bytes")
		}
	})
}

func FuzzParseCertificateMsg(f *testing.F) {
	f.Add(certMsgBody([]byte("a"), []byte("bc")))
	f.Add([]byte{0, 0, 4, 0, 0, 9, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		certs, err := parseCertificateMsg(b)
		total := 0
		for _, c := range certs {
			total += len(c) + 3
		}
		if err == nil && total+3 != len(b) {
			t.Fatalf("entries cover %d of %d bytes", total+3, len(b))
		}
		_, _ = parseCertificateStatus(b)
	})
}

func FuzzReadRecord(f *testing.F) {
	f.Add(recordBytes(recordAlert, []byte{2, 40}))
	f.Add([]byte("SSH-2.0-OpenSSH\r\n"))
	f.Add([]byte{22, 3, 3, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		for i := 0; i < 100; i++ {
			rec, err := readRecord(r)
			if err != nil {
				return
			}
			if len(rec.payload) > maxRecord {
				t.Fatalf("record of %d bytes", len(rec.payload))
			}
		}
	})
}

func FuzzParseServerKeyExchange(f *testing.F) {
	f.Add(dhSKE([]byte{0xff, 0xff, 0xff, 0xfb}))
	f.Add([]byte{3, 0, 29, 32})
	f.Add([]byte{1, 0, 23})
	f.Fuzz(func(t *testing.T, b []byte) {
		if bits, _, err := parseDHParams(b); err == nil && (bits <= 0 || bits > 8*len(b)) {
			t.Fatalf("DH prime of %d bits from %d bytes", bits, len(b))
		}
		if id, err := parseECGroup(b); err == nil && (len(b) < 3 || b[0] != curveNamed || id != uint16(b[1])<<8|uint16(b[2])) {
			t.Fatalf("group %d from %x", id, b)
		}
	})
}

func FuzzParseSSLv2ServerHello(f *testing.F) {
	f.Add(sslv2ServerHelloRecord(sslv2Ciphers[0].code))
	f.Add([]byte{21, 3, 1, 0, 2, 2, 40})
	f.Add([]byte{0x80, 11, 4, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ok, ciphers, err := parseSSLv2ServerHello(bytes.NewReader(b))
		if (ok || len(ciphers) > 0) && err != nil || !ok && len(ciphers) > 0 || len(ciphers) > len(b)/3 {
			t.Fatalf("ok=%v ciphers=%d err=%v", ok, len(ciphers), err)
		}
	})
}
