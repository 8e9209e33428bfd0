package tlsscan

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"strings"
	"testing"
	"time"
)

func TestJudge(t *testing.T) {
	p := getPKI(t)
	now := time.Now()
	day := 24 * time.Hour
	_, valid := p.leaf(t, leafSpec{})
	_, viaInter := p.leaf(t, leafSpec{byInter: true})
	_, expired := p.leaf(t, leafSpec{notBefore: now.Add(-100 * day), notAfter: now.Add(-10 * day)})
	_, future := p.leaf(t, leafSpec{notBefore: now.Add(10 * day), notAfter: now.Add(100 * day)})
	_, wrongHost := p.leaf(t, leafSpec{names: []string{"other.example"}})
	_, self := p.leaf(t, leafSpec{selfSigned: true})
	_, expiredWrong := p.leaf(t, leafSpec{names: []string{"other.example"}, notBefore: now.Add(-100 * day), notAfter: now.Add(-1 * day)})
	// A chain that ends in a root nobody trusts, sent along by the server.
	otherKey := ecKey(t)
	otherTmpl := &x509.Certificate{SerialNumber: nextSerial(), Subject: pkix.Name{CommonName: "someone's root"},
		NotBefore: now.Add(-day), NotAfter: now.Add(365 * day), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	otherRoot := issue(t, otherTmpl, otherTmpl, otherKey.Public(), otherKey)
	k := ecKey(t)
	strangerLeaf := issue(t, &x509.Certificate{SerialNumber: nextSerial(), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: now.Add(-day), NotAfter: now.Add(30 * day)}, otherRoot, k.Public(), otherKey)

	for _, c := range []struct {
		name     string
		chain    []*x509.Certificate
		host     string
		inters   *x509.CertPool
		trusted  bool
		problems []Problem
		detail   string
	}{
		{name: "valid", chain: valid, host: "localhost", trusted: true},
		{name: "valid by IP", chain: valid, host: "127.0.0.1", trusted: true},
		{name: "valid via intermediate", chain: viaInter, host: "localhost", trusted: true},
		{name: "expired", chain: expired, host: "localhost", problems: []Problem{ProblemExpired}},
		{name: "not yet valid", chain: future, host: "localhost", problems: []Problem{ProblemNotYetValid}},
		{name: "wrong host", chain: wrongHost, host: "localhost", problems: []Problem{ProblemHostname}, detail: "other.example"},
		{name: "self-signed", chain: self, host: "localhost", problems: []Problem{ProblemSelfSigned}},
		{name: "incomplete", chain: viaInter[:1], host: "localhost", problems: []Problem{ProblemIncompleteChain}, detail: "not a trusted root"},
		{name: "incomplete, issuer known", chain: viaInter[:1], host: "localhost", inters: p.inters, problems: []Problem{ProblemIncompleteChain}, detail: "with it the chain verifies"},
		{name: "unknown root", chain: []*x509.Certificate{strangerLeaf, otherRoot}, host: "localhost", problems: []Problem{ProblemUnknownAuthority}, detail: "someone's root"},
		{name: "expired and wrong host", chain: expiredWrong, host: "localhost", problems: []Problem{ProblemExpired, ProblemHostname}},
		{name: "nothing sent", chain: nil, host: "localhost", problems: []Problem{ProblemInvalid}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := Judge(c.chain, c.host, JudgeOptions{Roots: p.roots, Intermediates: c.inters, Now: now})
			if rep.Trusted != c.trusted {
				t.Errorf("trusted = %v, issues %+v", rep.Trusted, rep.Issues)
			}
			var got []Problem
			var details []string
			for _, i := range rep.Issues {
				got = append(got, i.Problem)
				details = append(details, i.Detail)
			}
			if strings.Join(problemStrings(got), ",") != strings.Join(problemStrings(c.problems), ",") {
				t.Errorf("problems %v, want %v (%q)", got, c.problems, details)
			}
			if c.detail != "" && !strings.Contains(strings.Join(details, "|"), c.detail) {
				t.Errorf("details %q lack %q", details, c.detail)
			}
		})
	}
	rep := Judge(valid, "localhost", JudgeOptions{Roots: p.roots, Now: now})
	leaf := rep.Leaf()
	if rep.DaysLeft < 88 || rep.DaysLeft > 90 || leaf.KeyType != "ECDSA" || leaf.KeyBits != 256 ||
		leaf.SignatureAlgorithm != "ECDSA-SHA256" || leaf.SelfSigned || len(leaf.SANs) != 2 {
		t.Errorf("leaf %+v, days %d", leaf, rep.DaysLeft)
	}
	rep = Judge(self, "localhost", JudgeOptions{Roots: p.roots, Now: now})
	if !rep.Leaf().SelfSigned {
		t.Error("self-signed leaf not marked")
	}
	if rep := Judge(expired, "localhost", JudgeOptions{Roots: p.roots, Now: now}); rep.DaysLeft != -10 {
		t.Errorf("expired days left %d", rep.DaysLeft)
	}
}

func problemStrings(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, string(p))
	}
	return out
}

func TestScanCertificateWithGo(t *testing.T) {
	p := getPKI(t)
	cert, _ := p.leaf(t, leafSpec{byInter: true, key: sharedRSA(t)})
	cert.OCSPStaple = []byte("not really OCSP, but stapled")
	addr := goServer(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	rep, err := scan(t, testNet(p.roots, 3*time.Second), addr, Options{ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Certificate
	if c == nil {
		t.Fatalf("no certificate: %v", rep.CertErr)
	}
	if !c.Trusted || !c.OCSPStapled || len(c.Chain) != 2 || c.Version != TLS13 || c.Leaf().KeyType != "RSA" || c.Leaf().KeyBits != 2048 {
		t.Errorf("certificate report %+v", c)
	}
	if got := rep.Accepted(); !equalVersions(got, []Version{TLS12, TLS13}) {
		t.Errorf("accepted %v", got)
	}
}

// legacyServer speaks just enough TLS 1.0 to answer a hello that offers
// TLS_RSA_WITH_CAMELLIA_128_CBC_SHA, a suite crypto/tls does not know: ServerHello,
// Certificate, CertificateStatus, ServerHelloDone. Anything else gets an alert.
func legacyServer(t *testing.T, chain []*x509.Certificate) string {
	return rawServer(t, func(c net.Conn) {
		_ = c.SetDeadline(time.Now().Add(3 * time.Second))
		rec, err := readRecord(c)
		if err != nil || rec.typ != recordHandshake || len(rec.payload) < 4 {
			return
		}
		r := &reader{b: rec.payload[4:]}
		version := r.u16("version")
		r.bytes(32, "random")
		r.vec(1, "session")
		suites := r.vec(2, "suites")
		ok := version == uint16(TLS10)
		found := false
		for i := 0; i+1 < len(suites); i += 2 {
			found = found || suites[i] == 0x00 && suites[i+1] == 0x41
		}
		if !ok || !found {
			_, _ = c.Write([]byte{21, 3, 1, 0, 2, 2, 40})
			return
		}
		var ders [][]byte
		for _, x := range chain {
			ders = append(ders, x.Raw)
		}
		msgs := handshakeMsg(hsServerHello, serverHelloBody(TLS10, nil, 0x0041))
		msgs = append(msgs, handshakeMsg(hsCertificate, certMsgBody(ders...))...)
		msgs = append(msgs, handshakeMsg(hsCertificateStatus, append([]byte{1, 0, 0, 2}, 'o', 'k'))...)
		msgs = append(msgs, handshakeMsg(hsServerHelloDone, nil)...)
		out := recordBytes(recordHandshake, msgs)
		out[1], out[2] = 3, 1
		_, _ = c.Write(out)
		_, _ = c.Read(make([]byte, 1))
	})
}

func TestScanLegacyOnlyServerReadsTheChainRaw(t *testing.T) {
	p := getPKI(t)
	now := time.Now()
	_, chain := p.leaf(t, leafSpec{names: []string{"legacy.example"}, notBefore: now.Add(-40 * 24 * time.Hour), notAfter: now.Add(-2 * 24 * time.Hour)})
	addr := legacyServer(t, chain)
	rep, err := scan(t, testNet(p.roots, 2*time.Second), addr, Options{ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Accepted(); !equalVersions(got, []Version{TLS10}) {
		t.Errorf("accepted %v", got)
	}
	if got := sortedIDs(rep.Protocol(TLS10).Suites); !equalIDs(got, []uint16{0x0041}) {
		t.Errorf("suites %04x", got)
	}
	c := rep.Certificate
	if c == nil {
		t.Fatalf("no certificate: %v", rep.CertErr)
	}
	if !bytes.Equal(c.Chain[0].Cert.Raw, chain[0].Raw) || !c.OCSPStapled || c.Version != TLS10 {
		t.Errorf("chain %+v", c)
	}
	if c.Trusted || !c.Has(ProblemExpired) || !c.Has(ProblemHostname) || c.DaysLeft != -2 {
		t.Errorf("verdict %+v days %d", c.Issues, c.DaysLeft)
	}
}
