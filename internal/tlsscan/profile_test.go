package tlsscan

import (
	"strings"
	"testing"
	"time"
)

func TestBuiltinProfiles(t *testing.T) {
	if got := strings.Join(ProfileNames(), ","); got != "intermediate,modern" {
		t.Fatalf("profiles %s", got)
	}
	m, _ := LookupProfile("modern")
	i, _ := LookupProfile("intermediate")
	if m.AllowsVersion(TLS12) || !m.AllowsVersion(TLS13) || !i.AllowsVersion(TLS12) || i.AllowsVersion(TLS11) {
		t.Error("protocol lists wrong")
	}
	// Every suite intermediate allows is AEAD with forward secrecy.
	for _, s := range Suites() {
		if i.Allows(s) && !s.Has(FlagAEAD|FlagForwardSecret) {
			t.Errorf("intermediate allows %s", s.Name)
		}
	}
	if _, err := LookupProfile("old"); err == nil || !strings.Contains(err.Error(), "intermediate, modern") {
		t.Errorf("unknown profile: %v", err)
	}
}

func TestParseProfilesErrors(t *testing.T) {
	for _, bad := range []string{
		"p:\n  protocols: [TLSv9]\n",
		"p:\n  protocols: [TLSv1.2]\n  suites: [NOPE]\n",
		"p:\n  protocols: [TLSv1.2]\n  suite_classes: [aead+nope]\n",
		"p:\n  protocols: [TLSv1.2]\n  key_types: [RSA2]\n",
		"p:\n  protocols: []\n",
		"p:\n  protocols: [TLSv1.2]\n  surprise: 1\n",
		"p:\n",
	} {
		if _, err := ParseProfiles("test.yaml", []byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	ps, err := ParseProfiles("test.yaml", []byte("loose:\n  protocols: [TLSv1.2]\n  suite_classes: [aead+forward-secret]\n"))
	if err != nil {
		t.Fatal(err)
	}
	gcm, _ := SuiteByID(0xC02F)
	cbc, _ := SuiteByID(0xC013)
	if !ps["loose"].Allows(gcm) || ps["loose"].Allows(cbc) {
		t.Error("class matching wrong")
	}
}

func TestEvaluate(t *testing.T) {
	suite := func(id uint16) Suite { s, _ := SuiteByID(id); return s }
	now := time.Now()
	rep := &Report{
		Protocols: []ProtocolResult{
			{Version: TLS11, Accepted: true, Suites: []Suite{suite(0xC013)}},
			{Version: TLS12, Accepted: true, Suites: []Suite{suite(0xC02F), suite(0xC013)}},
			{Version: TLS13, Accepted: true, Suites: []Suite{suite(0x1301)}},
		},
		Certificate: &CertReport{Chain: []CertInfo{
			{Subject: "CN=leaf", KeyType: "RSA", KeyBits: 1024, SignatureAlgorithm: "SHA1-RSA",
				NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(400 * 24 * time.Hour)},
			{Subject: "CN=root", KeyType: "RSA", KeyBits: 4096, SignatureAlgorithm: "MD5-RSA", SelfSigned: true, IsCA: true},
		}},
	}
	kinds := func(issues []Issue) string {
		var out []string
		for _, i := range issues {
			out = append(out, string(i.Kind)+":"+i.Subject)
		}
		return strings.Join(out, " ")
	}
	i, _ := LookupProfile("intermediate")
	want := "protocol:TLSv1.1 suite:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA key-size:RSA 1024 signature:SHA1-RSA lifetime:401 days"
	if got := kinds(Evaluate(rep, i)); got != want {
		t.Errorf("intermediate:\n got %s\nwant %s", got, want)
	}
	m, _ := LookupProfile("modern")
	want = "protocol:TLSv1.1 protocol:TLSv1.2 suite:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA suite:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 key-size:RSA 1024 signature:SHA1-RSA lifetime:401 days"
	if got := kinds(Evaluate(rep, m)); got != want {
		t.Errorf("modern:\n got %s\nwant %s", got, want)
	}
	rep.Certificate = nil
	if got := kinds(Evaluate(rep, i)); strings.Contains(got, "key") {
		t.Errorf("issues about a certificate not seen: %s", got)
	}
}
