package tlscheck

import (
	"errors"
	"testing"

	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/tlsscan"
)

func groupsNamed(t *testing.T, names ...string) []tlsscan.Group {
	var out []tlsscan.Group
	for _, n := range names {
		g, ok := tlsscan.GroupByName(n)
		if !ok {
			t.Fatalf("no group %s", n)
		}
		out = append(out, g)
	}
	return out
}

// TestJudgeKeyExchange: each DHE size and group set lands in its severity, and the
// profile reports only what has no finding of its own.
func TestJudgeKeyExchange(t *testing.T) {
	strong := []string{"x25519", "secp256r1"}
	for _, c := range []struct {
		name    string
		profile string
		dh      int
		groups  []string
		want    string
	}{
		{"sound", "intermediate", 2048, strong, ""},
		{"export-grade DH", "intermediate", 512, strong, "endpoint/tls-key-exchange dh-export critical"},
		{"1024-bit DH", "intermediate", 1024, strong, "endpoint/tls-key-exchange dh-small high"},
		{"1536-bit DH", "intermediate", 1536, strong, "endpoint/tls-key-exchange dh-small medium"},
		{"weak curve", "intermediate", 0, []string{"x25519", "secp192r1", "sect163k1"}, "endpoint/tls-key-exchange weak-groups high"},
		{"112-bit curve is outside the profile, not weak", "intermediate", 0, []string{"x25519", "secp224r1"}, "endpoint/tls-profile groups low"},
		{"FFDHE groups under modern", "modern", 0, []string{"x25519", "ffdhe2048"}, "endpoint/tls-profile groups low"},
		{"FFDHE groups under intermediate", "intermediate", 0, []string{"x25519", "ffdhe2048"}, ""},
		{"hybrid", "modern", 0, []string{"X25519MLKEM768", "x25519"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := tlsscan.LookupProfile(c.profile)
			if err != nil {
				t.Fatal(err)
			}
			kx := &tlsscan.KeyExchange{DHBits: c.dh, DHVersion: tlsscan.TLS12,
				Groups: []tlsscan.VersionGroups{{Version: tlsscan.TLS12, Groups: groupsNamed(t, c.groups...)}}}
			r := &probe.Result{}
			rp := &reporter{r: r, loc: "https://example.test/"}
			done := judgeKeyExchange(rp, kx)
			judgeProfile(rp, &tlsscan.Report{KeyExchange: kx}, p, nil, certReported{}, done)
			if g := got(r); g != c.want {
				t.Errorf("findings:\n%s\nwant:\n%s", g, c.want)
			}
		})
	}
}

func TestJudgeFeatures(t *testing.T) {
	for _, c := range []struct {
		name string
		f    *tlsscan.Features
		want string
	}{
		{"not measured", nil, ""},
		{"TLS 1.3 only", &tlsscan.Features{}, ""},
		{"sound", &tlsscan.Features{Version: tlsscan.TLS12, SecureRenegotiation: true}, ""},
		{"old stack", &tlsscan.Features{Version: tlsscan.TLS10, Compression: true},
			"endpoint/tls-compression compression high\nendpoint/tls-renegotiation insecure-renegotiation high"},
		{"could not tell", &tlsscan.Features{Version: tlsscan.TLS12, Err: errors.New("timeout")}, ""},
		{"heartbleed", &tlsscan.Features{Version: tlsscan.TLS12, SecureRenegotiation: true, Heartbeat: true, HeartbleedBytes: 16384},
			"endpoint/tls-heartbleed heartbleed critical"},
		{"heartbeat, patched", &tlsscan.Features{Version: tlsscan.TLS12, SecureRenegotiation: true, Heartbeat: true}, ""},
	} {
		r := &probe.Result{}
		judgeFeatures(&reporter{r: r, loc: "https://example.test/"}, c.f)
		if g := got(r); g != c.want {
			t.Errorf("%s: findings\n%s\nwant\n%s", c.name, g, c.want)
		}
	}
}

func TestJudgeSSLv2(t *testing.T) {
	p, err := tlsscan.LookupProfile("intermediate")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		v2   *tlsscan.SSLv2Result
		want string
	}{
		{nil, ""},
		{&tlsscan.SSLv2Result{}, ""},
		{&tlsscan.SSLv2Result{Accepted: true, Ciphers: []string{"SSL_CK_RC4_128_WITH_MD5"}}, "endpoint/tls-protocol SSLv2 critical"},
	} {
		r := &probe.Result{}
		judge(&reporter{r: r, loc: "https://example.test/"}, &tlsscan.Report{SSLv2: c.v2}, p)
		if g := got(r); g != c.want {
			t.Errorf("SSLv2 %+v: findings\n%s\nwant\n%s", c.v2, g, c.want)
		}
	}
}
