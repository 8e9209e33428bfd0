package tlsscan

import (
	"crypto/tls"
	"sort"
	"testing"
	"time"
)

func TestEnumerateGoServers(t *testing.T) {
	p := getPKI(t)
	ecCert, _ := p.leaf(t, leafSpec{})
	rsaCert, _ := p.leaf(t, leafSpec{key: sharedRSA(t)})
	for _, c := range []struct {
		name     string
		cfg      *tls.Config
		versions []Version
		suites   map[Version][]uint16
		group    uint16
	}{
		{
			name: "tls12 chosen suites, both key types",
			cfg: &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
				Certificates: []tls.Certificate{ecCert, rsaCert},
				CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
					tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}},
			versions: []Version{TLS12},
			suites:   map[Version][]uint16{TLS12: {0xC02B, 0xC014, 0x000A, 0xCCA8}},
		},
		{
			name:     "tls13 only",
			cfg:      &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{ecCert}},
			versions: []Version{TLS13},
			suites:   map[Version][]uint16{TLS13: {0x1301, 0x1302, 0x1303}},
		},
		{
			name: "tls13 without x25519 needs a retry",
			cfg: &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{ecCert},
				CurvePreferences: []tls.CurveID{tls.CurveP256}},
			versions: []Version{TLS13},
			suites:   map[Version][]uint16{TLS13: {0x1301, 0x1302, 0x1303}},
			group:    23,
		},
		{
			name: "tls10 to tls12",
			cfg: &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{rsaCert},
				CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_RC4_128_SHA}},
			versions: []Version{TLS10, TLS11, TLS12},
			suites: map[Version][]uint16{
				TLS10: {0xC013, 0x002F, 0x0005},
				TLS11: {0xC013, 0x002F, 0x0005},
				TLS12: {0xC013, 0x002F, 0xC02F, 0x0005},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := goServer(t, c.cfg)
			rep, err := scan(t, testNet(p.roots, 3*time.Second), addr, Options{ServerName: "localhost", SkipCertificate: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Accepted(); !equalVersions(got, c.versions) {
				t.Errorf("accepted %v, want %v", got, c.versions)
			}
			for _, pr := range rep.Protocols {
				if pr.Err != nil {
					t.Errorf("%s: %v", pr.Version, pr.Err)
				}
				want := c.suites[pr.Version]
				if got := sortedIDs(pr.Suites); !equalIDs(got, sortU16(want)) {
					t.Errorf("%s suites %04x, want %04x", pr.Version, got, sortU16(want))
				}
				if !pr.Accepted && pr.Refusal == "" {
					t.Errorf("%s refused without a reason", pr.Version)
				}
			}
			if pr := rep.Protocol(TLS13); pr.RetryGroup != c.group {
				t.Errorf("retry group %d, want %d", pr.RetryGroup, c.group)
			}
		})
	}
}

// Chunks smaller than the suite list must find the same suites.
func TestEnumerateSmallChunks(t *testing.T) {
	p := getPKI(t)
	rsaCert, _ := p.leaf(t, leafSpec{key: sharedRSA(t)})
	addr := goServer(t, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{rsaCert},
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}})
	rep, err := scan(t, testNet(p.roots, 3*time.Second), addr, Options{Versions: []Version{TLS12}, Chunk: 7, SkipCertificate: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedIDs(rep.Protocol(TLS12).Suites); !equalIDs(got, []uint16{0x000A, 0x009D, 0xC02F}) {
		t.Errorf("suites %04x", got)
	}
}

func equalVersions(a, b []Version) bool {
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

func sortedIDs(ss []Suite) []uint16 {
	var ids []uint16
	for _, s := range ss {
		ids = append(ids, s.ID)
	}
	return sortU16(ids)
}

func sortU16(ids []uint16) []uint16 {
	out := append([]uint16(nil), ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
