package tlsscan

import (
	"bytes"
	"crypto/tls"
	"io"
	"math/big"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestKeyExchangeGoServers enumerates the groups of real crypto/tls servers: each
// accepted group is found at each version, the hybrid included, and nothing else.
func TestKeyExchangeGoServers(t *testing.T) {
	p := getPKI(t)
	ecCert, _ := p.leaf(t, leafSpec{})
	for _, c := range []struct {
		name   string
		cfg    *tls.Config
		groups map[Version][]string
	}{
		{
			name: "tls12 and tls13, three curves",
			cfg: &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{ecCert},
				CurvePreferences: []tls.CurveID{tls.CurveP384, tls.X25519, tls.CurveP521}},
			groups: map[Version][]string{TLS12: {"secp384r1", "secp521r1", "x25519"}, TLS13: {"secp384r1", "secp521r1", "x25519"}},
		},
		{
			name: "tls13 with a post-quantum hybrid",
			cfg: &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{ecCert},
				CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.CurveP256}},
			groups: map[Version][]string{TLS13: {"X25519MLKEM768", "secp256r1"}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := goServer(t, c.cfg)
			rep, err := scan(t, testNet(p.roots, 3*time.Second), addr, Options{ServerName: "localhost", SkipCertificate: true})
			if err != nil {
				t.Fatal(err)
			}
			kx := rep.KeyExchange
			if kx == nil || kx.Err != nil {
				t.Fatalf("key exchange: %+v", kx)
			}
			if kx.DHBits != 0 {
				t.Errorf("DH bits %d from a server without DHE", kx.DHBits)
			}
			got := map[Version][]string{}
			for _, vg := range kx.Groups {
				for _, g := range vg.Groups {
					got[vg.Version] = append(got[vg.Version], g.Name)
				}
				slices.Sort(got[vg.Version])
			}
			for v, want := range c.groups {
				slices.Sort(want)
				if !slices.Equal(got[v], want) {
					t.Errorf("%s groups %v, want %v", v, got[v], want)
				}
			}
			if len(got) != len(c.groups) {
				t.Errorf("groups at %d versions, want %d: %v", len(got), len(c.groups), got)
			}
		})
	}
}

func TestKeyExchangeSkipped(t *testing.T) {
	p := getPKI(t)
	ecCert, _ := p.leaf(t, leafSpec{})
	addr := goServer(t, &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{ecCert}})
	rep, err := scan(t, testNet(p.roots, 3*time.Second), addr, Options{ServerName: "localhost", SkipCertificate: true, SkipKeyExchange: true})
	if err != nil || rep.KeyExchange != nil {
		t.Fatalf("key exchange measured when skipped: %+v %v", rep.KeyExchange, err)
	}
}

// dhSKE builds a DHE ServerKeyExchange body with a prime of the given bytes.
func dhSKE(p []byte) []byte {
	var b builder
	b.vec(2, func() { b.raw(p) })
	b.vec(2, func() { b.u8(2) })
	b.vec(2, func() { b.raw([]byte{1, 2, 3}) })
	b.vec(2, func() { b.raw([]byte("signature")) })
	return b.b
}

func TestParseServerKeyExchange(t *testing.T) {
	p1024 := new(big.Int).Lsh(big.NewInt(1), 1023).Bytes()
	for _, c := range []struct {
		name string
		ske  []byte
		bits int
		err  string
	}{
		{"1024-bit prime", dhSKE(p1024), 1024, ""},
		{"leading zero bytes do not count", dhSKE(append([]byte{0, 0}, p1024...)), 1024, ""},
		{"zero prime", dhSKE([]byte{0}), 0, "zero"},
		{"truncated", dhSKE(p1024)[:50], 0, "truncated"},
		{"empty", nil, 0, "truncated"},
	} {
		bits, _, err := parseDHParams(c.ske)
		if bits != c.bits || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: parseDHParams = %d, %v", c.name, bits, err)
		}
	}
	for _, c := range []struct {
		name string
		ske  []byte
		id   uint16
		err  string
	}{
		{"named curve", []byte{3, 0, 23, 65, 4}, 23, ""},
		{"explicit prime curve", []byte{1, 0, 23}, 0, "explicit"},
		{"truncated", []byte{3, 0}, 0, "truncated"},
	} {
		id, err := parseECGroup(c.ske)
		if id != c.id || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: parseECGroup = %d, %v", c.name, id, err)
		}
	}
}

func TestCandidateGroups(t *testing.T) {
	for _, v := range Versions {
		for _, id := range candidateGroups(v) {
			g, ok := GroupByID(id)
			switch {
			case !ok:
				t.Errorf("%s: unknown candidate %d", v, id)
			case v < TLS13 && (g.FFDHE || g.Hybrid):
				t.Errorf("%s offers %s, which only TLS 1.3 negotiates as a group", v, g.Name)
			case v == TLS13 && g.Bits < 112:
				t.Errorf("TLS 1.3 offers %s, which RFC 8446 removed", g.Name)
			}
		}
	}
	for _, n := range []string{"prime256v1", "X25519", "secp384r1", "X25519MLKEM768"} {
		if _, ok := GroupByName(n); !ok {
			t.Errorf("GroupByName(%q) failed", n)
		}
	}
}

// TestGroupsServerIgnoresOffer: a TLS 1.2 server that ignores supported_groups and
// always answers with P-256 has one group, and the enumeration says so without an
// error; a TLS 1.3 server naming a group outside the offer is an error.
func TestGroupsServerIgnoresOffer(t *testing.T) {
	addr := rawServer(t, func(c net.Conn) {
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Read(make([]byte, 4096)); err != nil {
			return
		}
		msgs := append(handshakeMsg(hsServerHello, serverHelloBody(TLS12, nil, 0xC02F)),
			handshakeMsg(hsServerKeyExchange, []byte{curveNamed, 0, 23, 1, 4})...)
		msgs = append(msgs, handshakeMsg(hsServerHelloDone, nil)...)
		_, _ = c.Write(recordBytes(recordHandshake, msgs))
	})
	s := &scanner{net: testNet(nil, 2*time.Second), addr: addr, serverName: "localhost", timeout: 2 * time.Second, chunk: DefaultChunk, keyShare: make([]byte, 32)}
	gs, err := s.enumerateGroups(t.Context(), TLS12, []uint16{0xC02F})
	if err != nil || len(gs) != 1 || gs[0].Name != "secp256r1" {
		t.Fatalf("groups %+v, %v", gs, err)
	}

	tls13 := rawServer(t, func(c net.Conn) {
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Read(make([]byte, 4096)); err != nil {
			return
		}
		// A key share for group 0x1234, which no hello offers.
		sh := serverHelloBody(TLS12, nil, 0x1301, ext(extSupportedVersions, []byte{3, 4}), ext(extKeyShare, []byte{0x12, 0x34, 0, 1, 9}))
		_, _ = c.Write(recordBytes(recordHandshake, handshakeMsg(hsServerHello, sh)))
	})
	s.addr = tls13
	if _, err := s.enumerateGroups(t.Context(), TLS13, []uint16{0x1301}); err == nil || !strings.Contains(err.Error(), "did not offer") {
		t.Fatalf("TLS 1.3 group outside the offer: %v", err)
	}
}

// TestFeatures: a crypto/tls server supports secure renegotiation and never compresses;
// a raw server that answers without renegotiation_info and picks DEFLATE is seen as
// such; TLS 1.3 alone has nothing to judge.
func TestFeatures(t *testing.T) {
	p := getPKI(t)
	ecCert, _ := p.leaf(t, leafSpec{})
	good := goServer(t, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{ecCert}})
	rep, err := scan(t, testNet(p.roots, 3*time.Second), good, Options{ServerName: "localhost", SkipCertificate: true})
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.Features; f == nil || f.Err != nil || f.Version != TLS12 || !f.SecureRenegotiation || f.Compression {
		t.Fatalf("crypto/tls server: %+v", f)
	}
	only13 := goServer(t, &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{ecCert}})
	rep, err = scan(t, testNet(p.roots, 3*time.Second), only13, Options{ServerName: "localhost", SkipCertificate: true})
	if err != nil || rep.Features == nil || rep.Features.Version != 0 || rep.Features.Err != nil {
		t.Fatalf("TLS 1.3 only: %+v %v", rep.Features, err)
	}

	old := rawServer(t, func(c net.Conn) {
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 4096)
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		h := parseClientHello(t, buf[:n])
		if h.version != uint16(TLS12) {
			_, _ = c.Write(recordBytes(recordAlert, []byte{2, 70})) // protocol_version
			return
		}
		sh := serverHelloBody(TLS12, nil, h.suites[0])
		if bytes.Contains(buf[:n], []byte{2, 1, 0}) { // compression methods: DEFLATE, null
			sh[len(sh)-1] = 1
		}
		_, _ = c.Write(recordBytes(recordHandshake, handshakeMsg(hsServerHello, sh)))
	})
	s := &scanner{net: testNet(nil, 2*time.Second), addr: old, serverName: "localhost", timeout: 2 * time.Second, chunk: DefaultChunk, keyShare: make([]byte, 32)}
	suite, _ := SuiteByID(0xC02F)
	f := s.features(t.Context(), &Report{Protocols: []ProtocolResult{{Version: TLS12, Accepted: true, Suites: []Suite{suite}}}})
	if f.Err != nil || f.Version != TLS12 || f.SecureRenegotiation || !f.Compression {
		t.Fatalf("old server: %+v", f)
	}
}

// TestHeartbleed: a server that answers a heartbeat claiming 16 KiB with 16 KiB is
// Heartbleed; one that supports heartbeats and discards the request, or answers with
// an alert, is not; crypto/tls does not support heartbeats at all.
func TestHeartbleed(t *testing.T) {
	heartbeatServer := func(answer func(c net.Conn)) string {
		return rawServer(t, func(c net.Conn) {
			_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
			buf := make([]byte, 4096)
			if _, err := c.Read(buf); err != nil {
				return
			}
			sh := serverHelloBody(TLS12, nil, 0xC02F, ext(extRenegotiationInfo, []byte{0}), ext(extHeartbeat, []byte{1}))
			msgs := append(handshakeMsg(hsServerHello, sh), handshakeMsg(hsServerHelloDone, nil)...)
			_, _ = c.Write(recordBytes(recordHandshake, msgs))
			hdr := make([]byte, 8)
			if _, err := io.ReadFull(c, hdr); err != nil || hdr[0] != recordHeartbeat {
				return
			}
			answer(c)
		})
	}
	suite, _ := SuiteByID(0xC02F)
	rep := &Report{Protocols: []ProtocolResult{{Version: TLS12, Accepted: true, Suites: []Suite{suite}}}}
	for _, c := range []struct {
		name      string
		answer    func(c net.Conn)
		heartbeat bool
		leaked    int
	}{
		{"vulnerable", func(c net.Conn) {
			leak := append([]byte{2, 0x40, 0x00}, bytes.Repeat([]byte("secret"), 2734)...)
			_, _ = c.Write(append([]byte{recordHeartbeat, 3, 3, byte(len(leak) >> 8), byte(len(leak))}, leak...))
		}, true, 16407},
		{"discards", func(c net.Conn) { time.Sleep(3 * time.Second) }, true, 0},
		{"alerts", func(c net.Conn) { _, _ = c.Write(recordBytes(recordAlert, []byte{2, 50})) }, true, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &scanner{net: testNet(nil, 2*time.Second), addr: heartbeatServer(c.answer), serverName: "localhost", timeout: 2 * time.Second, chunk: DefaultChunk, keyShare: make([]byte, 32)}
			f := s.features(t.Context(), rep)
			if f.Err != nil || f.Heartbeat != c.heartbeat || f.HeartbleedBytes != c.leaked {
				t.Fatalf("features %+v", f)
			}
		})
	}
	p := getPKI(t)
	ecCert, _ := p.leaf(t, leafSpec{})
	good := goServer(t, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{ecCert}})
	r, err := scan(t, testNet(p.roots, 3*time.Second), good, Options{ServerName: "localhost", SkipCertificate: true})
	if err != nil || r.Features.Heartbeat || r.Features.HeartbleedBytes != 0 || r.Features.Err != nil {
		t.Fatalf("crypto/tls: %+v %v", r.Features, err)
	}
}
