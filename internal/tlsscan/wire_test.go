package tlsscan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
)

// parsedHello is what the tests check of a ClientHello built here.
type parsedHello struct {
	recordVersion, version uint16
	suites                 []uint16
	exts                   map[uint16][]byte
}

// parseClientHello is a strict reader of our own hellos: every length must add up.
func parseClientHello(t *testing.T, b []byte) parsedHello {
	t.Helper()
	rec, err := readRecord(bytes.NewReader(b))
	if err != nil || rec.typ != recordHandshake {
		t.Fatalf("record: %v (type %d)", err, rec.typ)
	}
	r := &reader{b: rec.payload}
	if typ := r.u8("type"); typ != hsClientHello {
		t.Fatalf("handshake type %d", typ)
	}
	body := r.vec(3, "body")
	if r.err != nil || len(r.b) != 0 {
		t.Fatalf("body: %v, %d bytes left", r.err, len(r.b))
	}
	r = &reader{b: body}
	p := parsedHello{recordVersion: rec.version, version: r.u16("version"), exts: map[uint16][]byte{}}
	r.bytes(32, "random")
	r.vec(1, "session")
	suites := &reader{b: r.vec(2, "suites")}
	for len(suites.b) > 0 {
		p.suites = append(p.suites, suites.u16("suite"))
	}
	r.vec(1, "compression")
	if len(r.b) > 0 {
		er := &reader{b: r.vec(2, "extensions")}
		for len(er.b) > 0 && er.err == nil {
			typ := er.u16("ext")
			p.exts[typ] = er.vec(2, "ext data")
		}
		if er.err != nil {
			t.Fatal(er.err)
		}
	}
	if r.err != nil || len(r.b) != 0 {
		t.Fatalf("hello: %v, %d bytes left", r.err, len(r.b))
	}
	return p
}

func TestBuildClientHello(t *testing.T) {
	share := bytes.Repeat([]byte{7}, 32)
	for _, c := range []struct {
		spec                    helloSpec
		recVersion, version     uint16
		wantExts, forbiddenExts []uint16
	}{
		{helloSpec{version: SSL30, suites: []uint16{0x000A}, serverName: "example.com"}, 0x0300, 0x0300, nil,
			[]uint16{extServerName, extSupportedGroups}},
		{helloSpec{version: TLS10, suites: []uint16{0x000A, 0xC013}, serverName: "example.com"}, 0x0301, 0x0301,
			[]uint16{extServerName, extSupportedGroups, extECPointFormats}, []uint16{extSignatureAlgorithms, extSupportedVersions}},
		{helloSpec{version: TLS12, suites: []uint16{0xC02F}, serverName: "127.0.0.1", statusRequest: true}, 0x0301, 0x0303,
			[]uint16{extSignatureAlgorithms, extStatusRequest}, []uint16{extServerName, extSupportedVersions, extKeyShare}},
		{helloSpec{version: TLS13, suites: []uint16{0x1301}, serverName: "localhost", keyShare: share}, 0x0301, 0x0303,
			[]uint16{extServerName, extSupportedVersions, extKeyShare, extSignatureAlgorithms}, nil},
	} {
		t.Run(c.spec.version.String(), func(t *testing.T) {
			b, err := buildClientHello(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			p := parseClientHello(t, b)
			if p.recordVersion != c.recVersion || p.version != c.version {
				t.Errorf("versions record %04x hello %04x", p.recordVersion, p.version)
			}
			want := append([]uint16(nil), c.spec.suites...)
			if c.spec.version < TLS13 {
				want = append(want, scsvRenegotiation)
			}
			if !equalIDs(p.suites, want) {
				t.Errorf("suites %04x, want %04x", p.suites, want)
			}
			for _, e := range c.wantExts {
				if _, ok := p.exts[e]; !ok {
					t.Errorf("extension %d missing", e)
				}
			}
			for _, e := range c.forbiddenExts {
				if _, ok := p.exts[e]; ok {
					t.Errorf("extension %d present", e)
				}
			}
			if c.spec.version == TLS13 {
				if !bytes.HasSuffix(p.exts[extKeyShare], share) || !bytes.Equal(p.exts[extSupportedVersions], []byte{2, 3, 4}) {
					t.Errorf("key share %x, supported versions %x", p.exts[extKeyShare], p.exts[extSupportedVersions])
				}
			}
			if sni, ok := p.exts[extServerName]; ok && !bytes.HasSuffix(sni, []byte(c.spec.serverName)) {
				t.Errorf("SNI %q", sni)
			}
		})
	}
	if _, err := buildClientHello(helloSpec{version: TLS12}); err == nil {
		t.Error("a hello without suites was built")
	}
}

func equalIDs(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Crafted server answers.

func recordBytes(typ byte, payload []byte) []byte {
	b := []byte{typ, 3, 3, 0, 0}
	binary.BigEndian.PutUint16(b[3:], uint16(len(payload)))
	return append(b, payload...)
}

func handshakeMsg(typ byte, body []byte) []byte {
	return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

func ext(typ uint16, data []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

func serverHelloBody(version Version, random []byte, suite uint16, exts ...[]byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(version))
	if random == nil {
		random = bytes.Repeat([]byte{1}, 32)
	}
	b = append(b, random...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, suite)
	b = append(b, 0)
	if exts != nil {
		all := bytes.Join(exts, nil)
		b = binary.BigEndian.AppendUint16(b, uint16(len(all)))
		b = append(b, all...)
	}
	return b
}

func certMsgBody(ders ...[]byte) []byte {
	var list []byte
	for _, d := range ders {
		list = append(list, byte(len(d)>>16), byte(len(d)>>8), byte(len(d)))
		list = append(list, d...)
	}
	return append([]byte{byte(len(list) >> 16), byte(len(list) >> 8), byte(len(list))}, list...)
}

func TestReadAnswer(t *testing.T) {
	tls12 := helloSpec{version: TLS12, suites: []uint16{0xC02F, 0xC013}}
	tls13 := helloSpec{version: TLS13, suites: []uint16{0x1301, 0x1302}}
	sh12 := recordBytes(recordHandshake, handshakeMsg(hsServerHello, serverHelloBody(TLS12, nil, 0xC013, ext(extRenegotiationInfo, []byte{0}))))
	sh13 := recordBytes(recordHandshake, handshakeMsg(hsServerHello, serverHelloBody(TLS12, nil, 0x1302, ext(extSupportedVersions, []byte{3, 4}), ext(extKeyShare, make([]byte, 36)))))
	hrr := recordBytes(recordHandshake, handshakeMsg(hsServerHello, serverHelloBody(TLS12, helloRetryRandom[:], 0x1301, ext(extSupportedVersions, []byte{3, 4}), ext(extKeyShare, []byte{0, 23}))))
	// The ServerHello split over two records, then a Certificate and ServerHelloDone in one.
	msg := handshakeMsg(hsServerHello, serverHelloBody(TLS12, nil, 0xC02F))
	split := append(recordBytes(recordHandshake, msg[:10]), recordBytes(recordHandshake, msg[10:])...)
	rest := append(handshakeMsg(hsCertificate, certMsgBody([]byte("leaf"), []byte("ca"))), handshakeMsg(hsCertificateStatus, append([]byte{1, 0, 0, 3}, "abc"...))...)
	rest = append(rest, handshakeMsg(hsServerHelloDone, nil)...)
	split = append(split, recordBytes(recordHandshake, rest)...)

	for _, c := range []struct {
		name      string
		spec      helloSpec
		in        []byte
		accepted  bool
		suite     uint16
		retry     bool
		reason    string
		err       string
		wantCerts bool
		certs     int
		ocsp      string
		notTLS    bool
		plainHTTP bool
	}{
		{name: "tls12", spec: tls12, in: sh12, accepted: true, suite: 0xC013},
		{name: "tls13", spec: tls13, in: sh13, accepted: true, suite: 0x1302},
		{name: "hello retry", spec: tls13, in: hrr, accepted: true, suite: 0x1301, retry: true},
		{name: "tls13 asked, tls12 answered", spec: tls13, in: recordBytes(recordHandshake, handshakeMsg(hsServerHello, serverHelloBody(TLS12, nil, 0x1301))), reason: "server answered with TLSv1.2"},
		{name: "lower version", spec: helloSpec{version: TLS11, suites: []uint16{0x000A}}, in: recordBytes(recordHandshake, handshakeMsg(hsServerHello, serverHelloBody(TLS10, nil, 0x000A))), reason: "server answered with TLSv1.0"},
		{name: "tls13 unasked", spec: tls12, in: sh13, err: "did not offer it"},
		{name: "suite not offered", spec: tls12, in: recordBytes(recordHandshake, handshakeMsg(hsServerHello, serverHelloBody(TLS12, nil, 0x000A))), err: "did not offer"},
		{name: "alert", spec: tls12, in: recordBytes(recordAlert, []byte{2, 40}), reason: "alert handshake_failure"},
		{name: "protocol version alert", spec: tls12, in: recordBytes(recordAlert, []byte{2, 70}), reason: "alert protocol_version"},
		{name: "closed", spec: tls12, in: nil, reason: "connection closed"},
		{name: "bad alert", spec: tls12, in: recordBytes(recordAlert, []byte{2, 40, 1}), err: "alert record of 3 bytes"},
		{name: "http", spec: tls12, in: []byte("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n"), notTLS: true, plainHTTP: true},
		{name: "ssh", spec: tls12, in: []byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), notTLS: true},
		{name: "short garbage", spec: tls12, in: []byte{0x00, 0x01}, notTLS: true},
		{name: "gigantic record", spec: tls12, in: []byte{22, 3, 3, 0xff, 0xff}, err: "exceeds the TLS limit"},
		{name: "truncated record", spec: tls12, in: sh12[:20], err: "closed in the middle"},
		{name: "truncated header", spec: tls12, in: sh12[:3], err: "closed in the middle"},
		{name: "partial message then close", spec: tls12, in: recordBytes(recordHandshake, msg[:10]), err: "closed in the middle"},
		{name: "not a ServerHello", spec: tls12, in: recordBytes(recordHandshake, handshakeMsg(hsCertificate, certMsgBody())), err: "not a ServerHello"},
		{name: "application data", spec: tls12, in: recordBytes(recordApplicationData, []byte{1}), err: "unexpected application_data"},
		{name: "gigantic handshake", spec: tls12, in: recordBytes(recordHandshake, []byte{2, 0x7f, 0xff, 0xff}), err: "exceeds the limit"},
		{name: "split with chain", spec: tls12, in: split, accepted: true, suite: 0xC02F, wantCerts: true, certs: 2, ocsp: "abc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := readAnswer(bytes.NewReader(c.in), c.spec, c.wantCerts)
			var nt *NotTLSError
			switch {
			case c.notTLS:
				if !errors.As(err, &nt) || nt.PlainHTTP() != c.plainHTTP {
					t.Fatalf("err = %v, want not TLS (http %v)", err, c.plainHTTP)
				}
				return
			case c.err != "":
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if res.accepted != c.accepted || res.reason != c.reason {
				t.Fatalf("accepted %v reason %q, want %v %q", res.accepted, res.reason, c.accepted, c.reason)
			}
			if c.accepted && (res.sh.suite != c.suite || res.sh.retry != c.retry) {
				t.Errorf("suite %04x retry %v", res.sh.suite, res.sh.retry)
			}
			if c.retry && res.sh.selectedGroup != 23 {
				t.Errorf("HRR group %d", res.sh.selectedGroup)
			}
			if len(res.certs) != c.certs || string(res.ocsp) != c.ocsp {
				t.Errorf("certs %d ocsp %q", len(res.certs), res.ocsp)
			}
		})
	}
}

func TestParseServerHelloErrors(t *testing.T) {
	good := serverHelloBody(TLS12, nil, 0xC02F, ext(extRenegotiationInfo, []byte{0}))
	for i := 0; i < len(good); i++ {
		if _, err := parseServerHello(good[:i]); err == nil && i < 38 {
			t.Errorf("truncated at %d accepted", i)
		}
	}
	for name, body := range map[string][]byte{
		"dup ext":     serverHelloBody(TLS12, nil, 1, ext(5, nil), ext(5, nil)),
		"bad version": serverHelloBody(0x0200, nil, 1),
		"bad sv":      serverHelloBody(TLS12, nil, 1, ext(extSupportedVersions, []byte{3})),
		"trailing":    append(serverHelloBody(TLS12, nil, 1, ext(5, nil)), 0),
		"hrr no ext":  serverHelloBody(TLS12, helloRetryRandom[:], 1),
	} {
		if _, err := parseServerHello(body); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestParseCertificateMsg(t *testing.T) {
	certs, err := parseCertificateMsg(certMsgBody([]byte("a"), []byte("bc")))
	if err != nil || len(certs) != 2 || string(certs[1]) != "bc" {
		t.Fatalf("%q %v", certs, err)
	}
	for name, body := range map[string][]byte{
		"empty entry": certMsgBody([]byte{}),
		"short":       {0, 0, 5, 0, 0, 1},
		"trailing":    append(certMsgBody([]byte("a")), 9),
		"lying entry": {0, 0, 4, 0, 0, 9, 1},
	} {
		if _, err := parseCertificateMsg(body); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := parseCertificateStatus([]byte{2, 0, 0, 0}); err == nil {
		t.Error("non-OCSP status accepted")
	}
}

func TestReadRecordEOF(t *testing.T) {
	if _, err := readRecord(bytes.NewReader(nil)); !errors.Is(err, io.EOF) {
		t.Errorf("empty stream: %v", err)
	}
}
