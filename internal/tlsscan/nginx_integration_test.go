//go:build integration

package tlsscan

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/netx"
	"github.com/posture-dev/posture/internal/testutil"
	"github.com/posture-dev/posture/internal/testutil/nginxtest"
)

// What Debian 12's nginx 1.22 with OpenSSL 3.0 accepts for each preset, in OpenSSL names.
var (
	tls13Default = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256"
	// nginx's default ssl_ciphers, HIGH:!aNULL:!MD5, with an RSA certificate.
	tls12Default = "AES128-CCM AES128-CCM8 AES128-GCM-SHA256 AES128-SHA AES128-SHA256 AES256-CCM AES256-CCM8 " +
		"AES256-GCM-SHA384 AES256-SHA AES256-SHA256 ARIA128-GCM-SHA256 ARIA256-GCM-SHA384 CAMELLIA128-SHA " +
		"CAMELLIA128-SHA256 CAMELLIA256-SHA CAMELLIA256-SHA256 ECDHE-ARIA128-GCM-SHA256 ECDHE-ARIA256-GCM-SHA384 " +
		"ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-GCM-SHA384 " +
		"ECDHE-RSA-AES256-SHA ECDHE-RSA-AES256-SHA384 ECDHE-RSA-CAMELLIA128-SHA256 ECDHE-RSA-CAMELLIA256-SHA384 " +
		"ECDHE-RSA-CHACHA20-POLY1305"
	legacyOld = "AECDH-AES128-SHA AES128-SHA AES256-SHA CAMELLIA128-SHA ECDHE-RSA-AES128-SHA ECDHE-RSA-AES256-SHA NULL-SHA"
	defaults  = map[Version]string{TLS12: tls12Default, TLS13: tls13Default}
)

var presetWant = map[string]struct {
	suites   map[Version]string
	problems string
	keyBits  int
}{
	"modern": {suites: map[Version]string{TLS13: tls13Default}},
	"intermediate": {suites: map[Version]string{
		TLS12: "DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384 DHE-RSA-CHACHA20-POLY1305 ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305",
		TLS13: tls13Default}},
	"legacy": {suites: map[Version]string{TLS10: legacyOld, TLS11: legacyOld,
		TLS12: "AECDH-AES128-SHA AES128-SHA AES256-SHA CAMELLIA128-SHA ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-SHA ECDHE-RSA-AES256-SHA NULL-SHA"}},
	"no-hsts":          {suites: defaults},
	"listing":          {suites: defaults},
	"git-exposed":      {suites: defaults},
	"expired":          {suites: defaults, problems: "expired"},
	"wrong-host":       {suites: defaults, problems: "hostname-mismatch"},
	"self-signed":      {suites: defaults, problems: "self-signed"},
	"rsa1024":          {suites: defaults, keyBits: 1024},
	"incomplete-chain": {suites: defaults, problems: "incomplete-chain"},
}

func TestScanNginxPresets(t *testing.T) {
	srv := nginxtest.Start(t, nginxtest.Presets()...)
	n := netx.New(netx.Options{Timeout: 5 * time.Second, RootCAs: srv.CAPool})
	for _, s := range nginxtest.Presets() {
		want, ok := presetWant[s.Name]
		if !ok {
			t.Errorf("no expectation for preset %s", s.Name)
			continue
		}
		start := time.Now()
		rep, err := Scan(context.Background(), n, srv.Addr[s.Name], Options{ServerName: "localhost"})
		elapsed := time.Since(start)
		if err != nil {
			t.Errorf("%s: %v", s.Name, err)
			continue
		}
		t.Logf("%-16s full scan (5 versions, %d suites, certificate) in %v", s.Name, len(rep.Suites()), elapsed.Round(time.Millisecond))
		if bound := testutil.WorkBound(time.Second); elapsed > bound {
			t.Errorf("%s: scan took %v (bound %v)", s.Name, elapsed, bound)
		}
		if inc := rep.Incomplete(); len(inc) > 0 {
			t.Errorf("%s: incomplete: %v", s.Name, inc)
		}
		// OpenSSL 3 cannot speak SSL 2.0: the probe must say so, not err.
		if rep.SSLv2 == nil || rep.SSLv2.Accepted || rep.SSLv2.Err != nil {
			t.Errorf("%s: SSLv2 %+v", s.Name, rep.SSLv2)
		}
		// OpenSSL 3 refuses the early ChangeCipherSpec at once, and supports RFC 7507
		// wherever there is an older version to fall back to (legacy: TLS 1.1). The modern
		// preset speaks only TLS 1.3, where neither test applies.
		if s.Name == "modern" {
			if *rep.CCS != (CCSInjection{}) || *rep.Fallback != (Fallback{}) {
				t.Errorf("%s: CCS %+v, fallback %+v: tests ran without a version before TLS 1.3", s.Name, rep.CCS, rep.Fallback)
			}
		} else {
			if c := rep.CCS; c.Vulnerable || c.Err != nil || c.Answer != "alert unexpected_message" {
				t.Errorf("%s: CCS injection %+v", s.Name, rep.CCS)
			}
			if fb := rep.Fallback; fb.From != TLS12 || (fb.To != 0) != (s.Name == "legacy") || fb.To != 0 && !fb.Protected {
				t.Errorf("%s: fallback %+v", s.Name, rep.Fallback)
			}
		}
		// OpenSSL 3 answers every premaster secret alike; the intermediate profile has no
		// RSA key exchange at all.
		rsaKx := s.Name != "modern" && s.Name != "intermediate"
		if r := rep.ROBOT; r.Vulnerable || r.Err != nil || (r.Version != 0) != rsaKx || rsaKx && (len(r.Answers) != 5 || !allSame(r.Answers)) {
			t.Errorf("%s: ROBOT %+v", s.Name, r)
		} else if rsaKx && s.Name == "legacy" {
			t.Logf("ROBOT answers of OpenSSL: %s", strings.Join(r.Answers, "; "))
		}
		// nginx issues session tickets by default and OpenSSL echoes the session id.
		if tb := rep.Ticketbleed; tb.Vulnerable || tb.Err != nil || (tb.Version != 0) != (s.Name != "modern") {
			t.Errorf("%s: Ticketbleed %+v", s.Name, tb)
		}
		for _, v := range Versions {
			p := rep.Protocol(v)
			var names []string
			for _, su := range p.Suites {
				names = append(names, su.OpenSSL)
			}
			sort.Strings(names)
			if got := strings.Join(names, " "); got != want.suites[v] {
				t.Errorf("%s %s:\n got %s\nwant %s", s.Name, v, got, want.suites[v])
			}
			if p.Accepted != (want.suites[v] != "") {
				t.Errorf("%s %s: accepted %v", s.Name, v, p.Accepted)
			}
		}
		c := rep.Certificate
		if c == nil {
			t.Errorf("%s: no certificate: %v", s.Name, rep.CertErr)
			continue
		}
		var probs []string
		for _, i := range c.Issues {
			probs = append(probs, string(i.Problem))
		}
		if got := strings.Join(probs, ","); got != want.problems || c.Trusted != (want.problems == "") {
			t.Errorf("%s: trusted %v problems %q, want %q (%+v)", s.Name, c.Trusted, got, want.problems, c.Issues)
		}
		bits := want.keyBits
		if bits == 0 {
			bits = 2048
		}
		if l := c.Leaf(); l.KeyType != "RSA" || l.KeyBits != bits || c.OCSPStapled {
			t.Errorf("%s: key %s/%d, stapled %v", s.Name, l.KeyType, l.KeyBits, c.OCSPStapled)
		}
	}
}

// With the intermediate CA known, the incomplete chain is shown to verify once completed.
func TestScanNginxIncompleteChainWithKnownIntermediate(t *testing.T) {
	srv := nginxtest.Start(t, nginxtest.Preset("incomplete-chain"))
	inter := srv.CAPool.Clone()
	inter.AddCert(srv.Intermediate)
	n := netx.New(netx.Options{Timeout: 5 * time.Second, RootCAs: srv.CAPool})
	rep, err := Scan(context.Background(), n, srv.Addr["incomplete-chain"], Options{ServerName: "localhost", Intermediates: inter})
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Certificate; c == nil || !c.Has(ProblemIncompleteChain) || !strings.Contains(fmt.Sprint(c.Issues), "with it the chain verifies") {
		t.Errorf("%+v", c)
	}
}

// The plain-HTTP port of a site is not TLS.
func TestScanNginxPlainHTTPPort(t *testing.T) {
	srv := nginxtest.Start(t, nginxtest.Preset("modern"))
	n := netx.New(netx.Options{Timeout: 2 * time.Second})
	_, err := Scan(context.Background(), n, srv.HTTPAddr["modern"], Options{})
	if err == nil || !strings.Contains(err.Error(), "HTTP/1.1 400") {
		t.Errorf("err = %v", err)
	}
}

func BenchmarkScanNginxPreset(b *testing.B) {
	srv := nginxtest.Start(b, nginxtest.Presets()...)
	n := netx.New(netx.Options{Timeout: 5 * time.Second, RootCAs: srv.CAPool})
	for _, s := range nginxtest.Presets() {
		b.Run(s.Name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := Scan(context.Background(), n, srv.Addr[s.Name], Options{ServerName: "localhost"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestKeyExchangeNginx measures DHE parameters and enumerates groups on real nginx:
// the RFC 7919 group of the intermediate preset, and a site with a 1024-bit group and
// secp192r1 next to P-256.
func TestKeyExchangeNginx(t *testing.T) {
	srv := nginxtest.Start(t, nginxtest.Preset("intermediate"), nginxtest.Preset("modern"), nginxtest.WeakKeyExchange())
	n := netx.New(netx.Options{Timeout: 5 * time.Second, RootCAs: srv.CAPool})
	names := func(gs []Group) string {
		var out []string
		for _, g := range gs {
			out = append(out, g.Name)
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		site     string
		dhBits   int
		dhGroup  string
		groups   map[Version]string // exact, sorted
		mustHave map[Version]string // for OpenSSL's default list, which varies by build
		mustLack string
		versions int
	}{
		{site: "weak-kex", dhBits: 1024, groups: map[Version]string{TLS12: "secp192r1 secp256r1", TLS13: "secp256r1"}, versions: 2},
		{site: "intermediate", dhBits: 2048, dhGroup: "ffdhe2048", mustHave: map[Version]string{TLS12: "secp256r1 secp384r1 x25519", TLS13: "ffdhe2048 secp256r1 x25519"}, mustLack: "secp192r1", versions: 2},
		{site: "modern", mustHave: map[Version]string{TLS13: "secp256r1 x25519"}, mustLack: "secp192r1", versions: 1},
	} {
		t.Run(c.site, func(t *testing.T) {
			rep, err := Scan(context.Background(), n, srv.Addr[c.site], Options{ServerName: "localhost", SkipCertificate: true})
			if err != nil {
				t.Fatal(err)
			}
			kx := rep.KeyExchange
			if kx == nil || kx.Err != nil {
				t.Fatalf("key exchange: %+v", kx)
			}
			if kx.DHBits != c.dhBits || (c.dhBits > 0 && kx.DHVersion != TLS12) || kx.DHGroup != c.dhGroup {
				t.Errorf("DH %d bits (%q) at %s, want %d (%q)", kx.DHBits, kx.DHGroup, kx.DHVersion, c.dhBits, c.dhGroup)
			}
			if len(kx.Groups) != c.versions {
				t.Errorf("groups at %d versions, want %d: %+v", len(kx.Groups), c.versions, kx.Groups)
			}
			for _, vg := range kx.Groups {
				got := names(vg.Groups)
				t.Logf("%s %s groups: %s", c.site, vg.Version, got)
				if want, ok := c.groups[vg.Version]; ok && got != want {
					t.Errorf("%s groups %q, want %q", vg.Version, got, want)
				}
				for _, g := range strings.Fields(c.mustHave[vg.Version]) {
					if !strings.Contains(" "+got+" ", " "+g+" ") {
						t.Errorf("%s groups %q lack %s", vg.Version, got, g)
					}
				}
				if c.mustLack != "" && strings.Contains(got, c.mustLack) {
					t.Errorf("%s groups %q include %s", vg.Version, got, c.mustLack)
				}
			}
		})
	}
}
