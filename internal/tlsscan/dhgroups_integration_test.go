//go:build integration

package tlsscan

import (
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/posture-dev/posture/internal/testutil/nginxtest"
)

// TestKnownDHPrimesMatchOpenSSL regenerates every standard group with OpenSSL and checks
// that its prime has the name the table gives it, and that the table has nothing else.
func TestKnownDHPrimesMatchOpenSSL(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv(nginxtest.RequireEnv) != "" {
			t.Fatal("openssl not found")
		}
		t.Skip("openssl not found")
	}
	groups := map[string]string{
		"ffdhe2048": "ffdhe2048", "ffdhe3072": "ffdhe3072", "ffdhe4096": "ffdhe4096", "ffdhe6144": "ffdhe6144", "ffdhe8192": "ffdhe8192",
		"modp_1536": "RFC 3526 MODP 1536 (group 5)", "modp_2048": "RFC 3526 MODP 2048 (group 14)", "modp_3072": "RFC 3526 MODP 3072 (group 15)",
		"modp_4096": "RFC 3526 MODP 4096 (group 16)", "modp_6144": "RFC 3526 MODP 6144 (group 17)", "modp_8192": "RFC 3526 MODP 8192 (group 18)",
		"dh_1024_160": "RFC 5114 1024-bit MODP with 160-bit subgroup", "dh_2048_224": "RFC 5114 2048-bit MODP with 224-bit subgroup",
		"dh_2048_256": "RFC 5114 2048-bit MODP with 256-bit subgroup",
	}
	if len(groups) != len(knownDHPrimes) {
		t.Errorf("%d known primes, %d checked", len(knownDHPrimes), len(groups))
	}
	dir := t.TempDir()
	for og, want := range groups {
		out := filepath.Join(dir, og+".pem")
		if msg, err := exec.Command(bin, "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:"+og, "-out", out).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", og, err, msg)
		}
		data, _ := os.ReadFile(out)
		block, _ := pem.Decode(data)
		if block == nil {
			t.Fatalf("%s: no PEM", og)
		}
		// PKCS #3 and X9.42 parameters both start with the prime.
		var seq asn1.RawValue
		var p *big.Int
		if _, err := asn1.Unmarshal(block.Bytes, &seq); err != nil {
			t.Fatalf("%s: %v", og, err)
		}
		if _, err := asn1.Unmarshal(seq.Bytes, &p); err != nil {
			t.Fatalf("%s: %v", og, err)
		}
		if got := dhGroupName(p.Bytes()); got != want {
			t.Errorf("%s: named %q, want %q", og, got, want)
		}
	}
}
