//go:build integration

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/testutil/nginxtest"
)

// endpointReport is the part of the JSON report these tests read.
type endpointReport struct {
	Targets []struct {
		Name     string `json:"name"`
		Controls []struct {
			ID       string `json:"id"`
			Status   string `json:"status"`
			Reason   string `json:"reason"`
			Findings []struct {
				Rule     string `json:"rule"`
				Severity string `json:"severity"`
			} `json:"findings"`
		} `json:"controls"`
	} `json:"targets"`
}

// liveEnv is fixedEnv with the real clock: the endpoints' certificates and Date headers
// are from now, and SC-1 compares them with the scanner's clock.
func liveEnv(stdout, stderr io.Writer) *env {
	e := fixedEnv(stdout, stderr)
	e.now = time.Now
	return e
}

// TestScanEndpointsAgainstRealNginx scans every nginx preset in one run, as a user
// sweeping an estate would, and pins which rules fire on which site and how each
// endpoint control ends.
func TestScanEndpointsAgainstRealNginx(t *testing.T) {
	clean := nginxtest.Preset("intermediate")
	clean.Name, clean.Directives = "clean", clean.Directives+"\nserver_tokens off;"
	srv := nginxtest.Start(t, append(nginxtest.Presets(), clean)...)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	var list strings.Builder
	names := map[string]string{} // target URL -> site
	for name, addr := range srv.Addr {
		u := "https://localhost:" + strings.TrimPrefix(addr, "127.0.0.1:")
		names[u] = name
		list.WriteString(u + "\n")
	}
	// The plain-HTTP side of one site, which redirects, and a port where nothing listens.
	redirect := "http://localhost:" + strings.TrimPrefix(srv.HTTPAddr["clean"], "127.0.0.1:")
	names[redirect] = "clean-http"
	names["https://127.0.0.1:1"] = "unreachable"
	targets := filepath.Join(t.TempDir(), "targets.txt")
	if err := os.WriteFile(targets, []byte("# every preset\n"+list.String()+redirect+"\nhttps://127.0.0.1:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), liveEnv(&out, &errb), []string{"scan", "--format", "json", "--ca-file", ca,
		"--targets-file", targets, "--only", "ZT-1,CR-1,CR-2,ST-1,SC-1,SC-2"})
	if code != ExitFailing {
		t.Fatalf("exit %d, want %d (findings); stderr:\n%s", code, ExitFailing, errb.String())
	}
	var rep endpointReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string][]string{} // site -> control -> "status rule..."
	for _, tg := range rep.Targets {
		site := names[tg.Name]
		got[site] = map[string][]string{}
		for _, c := range tg.Controls {
			entry := []string{c.Status}
			for _, f := range c.Findings {
				entry = append(entry, f.Rule)
			}
			slices.Sort(entry[1:])
			entry = slices.Compact(entry)
			got[site][c.ID] = entry
			if c.Status == "unknown" && site != "unreachable" {
				t.Errorf("%s %s unknown: %s", site, c.ID, c.Reason)
			}
			if site == "unreachable" && c.Status != "unknown" && c.Status != "not-applicable" {
				t.Errorf("unreachable %s: %s, want unknown (nothing could be checked)", c.ID, c.Status)
			}
		}
	}
	// What each site must show beyond "pass" for the six controls. ocsp is a note (info):
	// listed, but it does not fail CR-2. Every preset leaves nginx's server_tokens on.
	const (
		ocsp    = "endpoint/tls-ocsp-stapling"
		profile = "endpoint/tls-profile"
		banner  = "http/version-banner"
	)
	// The presets with nginx's default suites accept some without forward secrecy or AEAD,
	// and let the client choose among them.
	tls := func(rules ...string) []string {
		rules = append(rules, "endpoint/tls-cipher-order", ocsp, profile)
		slices.Sort(rules)
		return append([]string{"fail"}, rules...)
	}
	st1 := func(rules ...string) []string { return append([]string{"fail"}, append(rules, banner)...) }
	want := map[string]map[string][]string{
		"clean":            {"CR-2": {"pass", ocsp}},
		"modern":           {"CR-2": {"pass", ocsp}, "ST-1": st1()},
		"intermediate":     {"CR-2": {"pass", ocsp}, "ST-1": st1()},
		"legacy":           {"CR-2": tls("endpoint/tls-cipher", "endpoint/tls-protocol"), "ST-1": st1()},
		"no-hsts":          {"CR-1": {"fail", "http/hsts-missing"}, "CR-2": tls(), "ST-1": st1()},
		"listing":          {"CR-2": tls(), "ST-1": st1("http/directory-listing")},
		"git-exposed":      {"CR-2": tls(), "ST-1": st1("http/git-config", "http/git-head")},
		"expired":          {"CR-2": tls("endpoint/tls-certificate-expiry"), "ST-1": st1()},
		"wrong-host":       {"CR-2": tls("endpoint/tls-certificate-hostname"), "ST-1": st1()},
		"self-signed":      {"CR-2": tls("endpoint/tls-certificate-trust"), "ST-1": st1()},
		"rsa1024":          {"CR-2": tls("endpoint/tls-certificate-key"), "ST-1": st1()},
		"incomplete-chain": {"CR-2": tls("endpoint/tls-certificate-trust"), "ST-1": st1()},
	}
	for site, controls := range want {
		for _, id := range []string{"ZT-1", "CR-1", "CR-2", "ST-1", "SC-1", "SC-2"} {
			w := controls[id]
			if w == nil {
				w = []string{"pass"}
			}
			w = append(w[:1:1], w[1:]...)
			slices.Sort(w[1:])
			if g := got[site][id]; !slices.Equal(g, w) {
				t.Errorf("%s %s = %v, want %v", site, id, g, w)
			}
		}
	}
	// The plain-HTTP port redirects to https: CR-1 passes there; CR-2 is not applicable.
	if g := got["clean-http"]; g["CR-1"][0] != "pass" || g["CR-2"][0] != "not-applicable" {
		t.Errorf("clean-http: CR-1 %v, CR-2 %v; want pass and not-applicable", g["CR-1"], g["CR-2"])
	}
	if len(got) != len(want)+2 {
		t.Errorf("%d targets in the report, want %d", len(got), len(want)+2)
	}
}
