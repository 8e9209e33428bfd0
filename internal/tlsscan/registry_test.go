package tlsscan

import (
	"crypto/tls"
	"strings"
	"testing"
)

func TestRegistryLoads(t *testing.T) {
	all := Suites()
	if len(all) < 350 {
		t.Fatalf("registry has %d suites, want at least 350", len(all))
	}
	names := map[string]uint16{}
	for _, s := range all {
		if prev, dup := names[s.Name]; dup && s.Name != "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA" && s.Name != "SSL_RSA_FIPS_WITH_DES_CBC_SHA" {
			t.Errorf("IANA name %s for 0x%04X and 0x%04X", s.Name, prev, s.ID)
		}
		names[s.Name] = s.ID
	}
}

// The flags must agree with the rest of the row; these invariants catch a hand edit
// that gets one column wrong.
func TestRegistryFlagsAgreeWithColumns(t *testing.T) {
	for _, s := range Suites() {
		check := func(ok bool, what string) {
			t.Helper()
			if !ok {
				t.Errorf("0x%04X %s: %s (flags %s)", s.ID, s.Name, what, s.Flags)
			}
		}
		check(!(s.Has(FlagAEAD) && s.Has(FlagCBC)), "AEAD and CBC at once")
		check(s.Has(FlagAEAD) == (s.MAC == "AEAD"), "AEAD flag and MAC column disagree")
		check(s.Has(FlagSHA1MAC) == (s.MAC == "SHA1"), "sha1-mac flag and MAC column disagree")
		check(s.Has(FlagTLS13) == (s.MinVersion == TLS13), "tls13 flag and version disagree")
		check(s.Has(FlagNull) == (s.Enc == "NULL"), "null flag and cipher disagree")
		check(s.Has(FlagRC4) == (s.Enc == "RC4"), "rc4 flag and cipher disagree")
		check(s.Has(Flag3DES) == (s.Enc == "3DES"), "3des flag and cipher disagree")
		check(!s.Has(FlagExport) || s.Bits <= 56, "export suite stronger than 56 bits")
		check(!s.Has(FlagExport) || strings.Contains(s.Name, "EXPORT"), "export flag on a non-export name")
		check(s.Has(FlagAnon) == (s.Au == "anon" || s.Au == "NULL"), "anon flag and authentication disagree")
		check(!s.Has(FlagAnon) || !s.Has(FlagForwardSecret), "anonymous suites are never counted as forward secret")
		check(!s.Has(FlagForwardSecret) || s.Kx == "DHE" || s.Kx == "ECDHE" || s.Kx == "any", "forward secrecy without an ephemeral exchange")
		check(!s.Has(FlagAEAD) || s.MinVersion >= TLS12, "AEAD suite below TLS 1.2")
	}
}

func TestRegistryKnownSuites(t *testing.T) {
	for _, c := range []struct {
		id      uint16
		name    string
		openssl string
		flags   Flag
		not     Flag
	}{
		{0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", FlagAEAD | FlagForwardSecret | FlagTLS13, FlagCBC},
		{0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", FlagAEAD | FlagForwardSecret, FlagCBC | FlagSHA1MAC},
		{0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", FlagCBC | FlagSHA1MAC | FlagForwardSecret, FlagAEAD},
		{0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", Flag3DES | FlagCBC | FlagSHA1MAC, FlagForwardSecret},
		{0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", FlagRC4, FlagCBC},
		{0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", FlagExport | FlagRC4 | FlagMD5MAC, 0},
		{0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5", FlagAnon | FlagRC4, FlagForwardSecret},
		{0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "AECDH-AES128-SHA", FlagAnon | FlagCBC, 0},
		{0x0002, "TLS_RSA_WITH_NULL_SHA", "NULL-SHA", FlagNull, FlagAnon},
		{0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", FlagDES | FlagCBC, Flag3DES},
		{0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA-CBC-SHA", FlagIDEA | FlagCBC, 0},
		{0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA", FlagSEED | FlagCBC, 0},
		{0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "CAMELLIA128-SHA", FlagCamellia | FlagCBC, 0},
		{0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", "ARIA128-GCM-SHA256", FlagARIA | FlagAEAD, FlagForwardSecret},
		{0xC09C, "TLS_RSA_WITH_AES_128_CCM", "AES128-CCM", FlagCCM | FlagAEAD, 0},
		{0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", FlagChaCha20 | FlagAEAD | FlagForwardSecret, 0},
		{0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", "PSK-AES128-GCM-SHA256", FlagPSK | FlagAEAD, 0},
	} {
		s, ok := SuiteByID(c.id)
		if !ok {
			t.Errorf("0x%04X missing", c.id)
			continue
		}
		if s.Name != c.name || s.OpenSSL != c.openssl {
			t.Errorf("0x%04X = %s / %s, want %s / %s", c.id, s.Name, s.OpenSSL, c.name, c.openssl)
		}
		if !s.Has(c.flags) || s.Flags&c.not != 0 {
			t.Errorf("0x%04X flags %s, want %s and none of %s", c.id, s.Flags, c.flags, c.not)
		}
		for _, n := range []string{c.name, c.openssl} {
			if got, ok := SuiteByName(n); !ok || got.ID != c.id {
				t.Errorf("SuiteByName(%s) = 0x%04X %v", n, got.ID, ok)
			}
		}
	}
}

// Go's own table is an independent source for the suites it knows.
func TestRegistryAgreesWithCryptoTLS(t *testing.T) {
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		s, ok := SuiteByID(cs.ID)
		if !ok {
			t.Errorf("crypto/tls suite %s (0x%04X) missing", cs.Name, cs.ID)
			continue
		}
		if s.Name != cs.Name {
			t.Errorf("0x%04X: registry %s, crypto/tls %s", cs.ID, s.Name, cs.Name)
		}
	}
}

func TestSuitesFor(t *testing.T) {
	if got := suitesFor(TLS13); len(got) != 5 {
		t.Errorf("TLS 1.3 suites: %d, want 5", len(got))
	}
	for _, v := range []Version{SSL30, TLS10, TLS11, TLS12} {
		for _, id := range suitesFor(v) {
			s, _ := SuiteByID(id)
			if s.MinVersion > v || s.MinVersion == TLS13 {
				t.Errorf("%s offers %s (from %s)", v, s.Name, s.MinVersion)
			}
		}
	}
	if a, b := len(suitesFor(TLS10)), len(suitesFor(TLS12)); a >= b {
		t.Errorf("TLS 1.0 offers %d suites, TLS 1.2 %d", a, b)
	}
}

func TestParseFlags(t *testing.T) {
	f, err := ParseFlags("aead+forward-secret")
	if err != nil || f != FlagAEAD|FlagForwardSecret {
		t.Errorf("ParseFlags = %v, %v", f, err)
	}
	if _, err := ParseFlags("aead+bogus"); err == nil {
		t.Error("unknown flag accepted")
	}
}

func TestParseRegistryErrors(t *testing.T) {
	for _, bad := range []string{
		"0xZZ,a,b,TLSv1.2,RSA,RSA,AES,128,SHA1,cbc\n",
		"0x0001,a,b,TLSv9,RSA,RSA,AES,128,SHA1,cbc\n",
		"0x0001,a,b,TLSv1.2,RSA,RSA,AES,x,SHA1,cbc\n",
		"0x0001,a,b,TLSv1.2,RSA,RSA,AES,128,SHA1,nope\n",
		"0x0001,a,b,TLSv1.2,RSA,RSA,AES,128,SHA1,cbc\n0x0001,c,d,TLSv1.2,RSA,RSA,AES,128,SHA1,cbc\n",
		"0x0001,a,b\n",
	} {
		if _, err := parseRegistry(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
