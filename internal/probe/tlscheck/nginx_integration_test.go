//go:build integration

package tlscheck

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/netx"
	"github.com/posture-dev/posture/internal/target"
	"github.com/posture-dev/posture/internal/testutil/nginxtest"
)

// Every preset yields exactly these findings under the intermediate profile. Test
// certificates carry no OCSP responder, so no site staples.
const (
	ocsp         = "endpoint/tls-ocsp-stapling no-stapling info"
	outOfProfile = "endpoint/tls-profile suites low"
	clientOrder  = "endpoint/tls-cipher-order client-chooses low"
)

var presetFindings = map[string][]string{
	"modern":       {ocsp},
	"intermediate": {ocsp},
	"legacy": {
		"endpoint/tls-cipher anon critical",
		"endpoint/tls-cipher null critical",
		clientOrder, ocsp, outOfProfile,
		"endpoint/tls-protocol TLSv1.0 high",
		"endpoint/tls-protocol TLSv1.1 high",
	},
	"no-hsts":          {clientOrder, ocsp, outOfProfile},
	"listing":          {clientOrder, ocsp, outOfProfile},
	"git-exposed":      {clientOrder, ocsp, outOfProfile},
	"expired":          {"endpoint/tls-certificate-expiry expired critical", clientOrder, ocsp, outOfProfile},
	"wrong-host":       {"endpoint/tls-certificate-hostname hostname high", clientOrder, ocsp, outOfProfile},
	"self-signed":      {"endpoint/tls-certificate-trust self-signed high", clientOrder, ocsp, outOfProfile},
	"rsa1024":          {"endpoint/tls-certificate-key small-key high", clientOrder, ocsp, outOfProfile},
	"incomplete-chain": {"endpoint/tls-certificate-trust incomplete-chain medium", clientOrder, ocsp, outOfProfile},
}

func TestProbeNginxPresets(t *testing.T) {
	sites := append(nginxtest.Presets(), nginxtest.Site{Name: "expiring-soon", Cert: nginxtest.CertExpiringSoon,
		Ciphers: nginxtest.IntermediateCiphers}, nginxtest.WeakKeyExchange())
	presetFindings["expiring-soon"] = []string{"endpoint/tls-certificate-expiry expiring high", ocsp}
	// The server chooses, puts a CBC suite before an AEAD one, and still speaks TLS 1.0.
	sites = append(sites, nginxtest.WeakOrder())
	presetFindings["weak-order"] = []string{"endpoint/tls-cipher-order weak-preferred medium", ocsp, outOfProfile,
		"endpoint/tls-protocol TLSv1.0 high", "endpoint/tls-protocol TLSv1.1 high"}
	presetFindings["weak-kex"] = []string{"endpoint/tls-key-exchange dh-small high", "endpoint/tls-key-exchange weak-groups high", ocsp}
	srv := nginxtest.Start(t, sites...)
	n := netx.New(netx.Options{Timeout: 5 * time.Second, RootCAs: srv.CAPool})
	for _, s := range sites {
		t.Run(s.Name, func(t *testing.T) {
			tg, err := target.Parse("https://" + srv.Addr[s.Name] + "/")
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			r, err := New(n, Options{}).Run(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("probe run in %v", time.Since(start).Round(time.Millisecond))
			if g, want := got(r), strings.Join(presetFindings[s.Name], "\n"); g != want {
				t.Errorf("findings:\n%s\nwant:\n%s", g, want)
			}
			if len(r.Unknown) > 0 {
				t.Errorf("unknown: %v", r.Unknown)
			}
			if r.Evidence["CR-1"] == "" {
				t.Error("no CR-1 evidence")
			}
			for _, f := range r.Findings {
				t.Logf("%s %s: %s [%s]", f.Severity, f.Rule, f.Message, f.Evidence.Text)
			}
		})
	}
	// Under modern, the intermediate site's TLS 1.2 and its suites depart from the profile,
	// and so do the FFDHE groups OpenSSL offers in TLS 1.3 by default.
	tg, _ := target.Parse("https://" + srv.Addr["intermediate"] + "/")
	r, err := New(n, Options{Profile: "modern"}).Run(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	if g, want := got(r), strings.Join([]string{ocsp, "endpoint/tls-profile groups low", "endpoint/tls-profile protocol low", outOfProfile}, "\n"); g != want {
		t.Errorf("modern profile on intermediate:\n%s\nwant:\n%s", g, want)
	}
	// The plain-HTTP port named as https: no TLS at all.
	tg, _ = target.Parse("https://" + srv.HTTPAddr["modern"] + "/")
	r, err = New(n, Options{}).Run(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	if g := got(r); g != "endpoint/no-tls no-tls high" || !strings.Contains(r.Unknown["CR-2"], "plain") && !strings.Contains(r.Unknown["CR-2"], "HTTP") {
		t.Errorf("plain HTTP port: %s, unknown %v", g, r.Unknown)
	}
}
