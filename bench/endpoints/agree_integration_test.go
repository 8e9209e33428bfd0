//go:build integration

package endpoints

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/testutil/nginxtest"
)

// TestAgreementWithTestssl runs the benchmark's comparison in the test suite, on the
// sites that exercise the most facts: legacy (three versions, 22 suites, client order,
// downgrade protection), weak-kex (a 1024-bit DHE group, secp192r1) and weak-order (the
// server's own order, a compressed page). posture and testssl.sh must agree on every fact, so a change in
// either that breaks agreement fails CI rather than waiting for the next benchmark.
// testssl.sh takes about a minute per site, so the sites run in parallel.
func TestAgreementWithTestssl(t *testing.T) {
	if _, err := exec.LookPath("testssl"); err != nil {
		if os.Getenv("POSTURE_REQUIRE_INTEGRATION") != "" {
			t.Fatal("testssl (Debian package testssl.sh) is not installed")
		}
		t.Skip("testssl is not installed")
	}
	dir := t.TempDir()
	posture := filepath.Join(dir, "posture")
	if out, err := exec.Command("go", "build", "-o", posture, "github.com/posture-dev/posture/cmd/posture").CombinedOutput(); err != nil {
		t.Fatalf("build posture: %v\n%s", err, out)
	}
	sites := []nginxtest.Site{nginxtest.Preset("legacy"), nginxtest.WeakKeyExchange(), nginxtest.WeakOrder()}
	srv := nginxtest.Start(t, sites...)
	ca := filepath.Join(dir, "ca.pem")
	must(t, os.WriteFile(ca, srv.CAPEM, 0o644))
	for _, site := range sites {
		t.Run(site.Name, func(t *testing.T) {
			t.Parallel()
			url := "https://localhost:" + strings.TrimPrefix(srv.Addr[site.Name], "127.0.0.1:")
			pjson := filepath.Join(dir, site.Name+".posture.json")
			// posture exits 1 on findings: the report is what is checked.
			cmd := exec.Command(posture, "scan", "--no-progress", "--format", "json", "--ca-file", ca,
				"--only", "ZT-1,CR-1,CR-2,ST-1,SC-1,SC-2", "-o", pjson, url)
			if out, err := cmd.CombinedOutput(); err != nil && cmd.ProcessState.ExitCode() != 1 {
				t.Fatalf("posture scan: %v\n%s", err, out)
			}
			tjson := filepath.Join(dir, site.Name+".testssl.json")
			args := append(strings.Fields(testsslArgs), "--add-ca", ca, "--jsonfile", tjson, url)
			if out, err := exec.Command("testssl", args...).CombinedOutput(); err != nil {
				// testssl.sh's exit code counts what it found; only a missing report is a failure.
				if _, statErr := os.Stat(tjson); statErr != nil {
					t.Fatalf("testssl: %v\n%s", err, out)
				}
			}
			c := comparison{site: site.Name, posture: postureFacts(t, srv, site.Name, pjson), testssl: readTestssl(t, tjson)}
			if !c.agree() {
				_, diff := sameSuites(c.posture.Suites, c.testssl.Suites)
				t.Errorf("posture and testssl.sh disagree on %s (suites %s):\nposture: %+v\ntestssl: %+v", site.Name, diff, c.posture, c.testssl)
			}
		})
	}
}
