//go:build endpointbench

// Package endpoints is the side-by-side benchmark of posture's endpoint audit against
// testssl.sh on the same real nginx sites, run by bench/endpoints/run.sh. It is a test
// only so that it can start nginx with the test harness the integration tests use; it is
// behind its own build tag because a full run takes minutes (testssl.sh's share).
package endpoints

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/netx"
	"github.com/posture-dev/posture/internal/testutil/nginxtest"
	"github.com/posture-dev/posture/internal/tlsscan"
)

// facts are what both tools are compared on, per site.
type facts struct {
	Protocols []string            // "TLS1", "TLS1_1", "TLS1_2", "TLS1_3", "SSLv3"
	Suites    map[string][]string // protocol -> suite code points, "xc030"
	Cert      []string            // "expired", "hostname", "untrusted", "small-key"
	HSTS      string              // "missing" or "ok"
	Curves    []string            // ECDHE curves over all versions, OpenSSL names: "prime256v1", "X25519"
	DH        []string            // finite-field groups: DHE parameters and TLS 1.3 FFDHE groups, "ffdhe2048", "1024 bits"
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func TestEndpointsBench(t *testing.T) {
	posture := env("POSTURE_BIN", "")
	if posture == "" {
		t.Fatal("POSTURE_BIN is not set: run bench/endpoints/run.sh")
	}
	out := env("BENCH_OUT", t.TempDir())
	runs := env("RUNS", "10")
	testsslRuns := env("TESTSSL_RUNS", "1")
	clean := nginxtest.Preset("intermediate")
	clean.Name, clean.Directives = "clean", clean.Directives+"\nserver_tokens off;"
	sites := append(nginxtest.Presets(), clean, nginxtest.WeakKeyExchange())
	if only := os.Getenv("SITES"); only != "" {
		sites = slices.DeleteFunc(sites, func(s nginxtest.Site) bool { return !slices.Contains(strings.Split(only, ","), s.Name) })
	}
	srv := nginxtest.Start(t, sites...)
	ca := filepath.Join(out, "ca.pem")
	must(t, os.WriteFile(ca, srv.CAPEM, 0o644))

	names := make([]string, 0, len(sites))
	for _, s := range sites {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	type row struct {
		site               string
		posture, testssl   facts
		postureMed, sslMed float64
	}
	var rows []row
	for _, name := range names {
		port := strings.TrimPrefix(srv.Addr[name], "127.0.0.1:")
		url := "https://localhost:" + port
		r := row{site: name}
		pjson := filepath.Join(out, name+".posture.json")
		// Timing: the whole posture scan of the endpoint (TLS and HTTP), as a user runs it.
		pcmd := fmt.Sprintf("%s scan --no-progress --format json --ca-file %s --only ZT-1,CR-1,CR-2,ST-1,SC-1,SC-2 -o %s %s", posture, ca, pjson, url)
		r.postureMed = hyperfine(t, out, name+".posture", runs, "", pcmd)
		tjson := filepath.Join(out, name+".testssl.json")
		tcmd := fmt.Sprintf("testssl --quiet --color 0 --warnings off --ip 127.0.0.1 -p -E -S -f -h --add-ca %s --jsonfile %s %s", ca, tjson, url)
		// testssl.sh 3.0 refuses to overwrite its JSON file.
		r.sslMed = hyperfine(t, out, name+".testssl", testsslRuns, "rm -f "+tjson, tcmd)
		r.testssl = readTestssl(t, tjson)
		r.posture = postureFacts(t, srv, name, pjson)
		rows = append(rows, r)
	}

	fmt.Printf("\n## Agreement with testssl.sh (per site: posture / testssl.sh)\n\n")
	fmt.Printf("| site | protocols | suites (all versions) | certificate problems | HSTS | ECDHE curves | DH groups | agree |\n|---|---|---|---|---|---|---|---|\n")
	agreeAll := 0
	for _, r := range rows {
		p, s := r.posture, r.testssl
		protoOK := slices.Equal(p.Protocols, s.Protocols)
		suitesOK, suiteDiff := sameSuites(p.Suites, s.Suites)
		certOK := slices.Equal(p.Cert, s.Cert)
		hstsOK := p.HSTS == s.HSTS
		curvesOK, dhOK := slices.Equal(p.Curves, s.Curves), slices.Equal(p.DH, s.DH)
		ok := protoOK && suitesOK && certOK && hstsOK && curvesOK && dhOK
		if ok {
			agreeAll++
		}
		fmt.Printf("| %s | %s / %s | %d / %d %s | %s / %s | %s / %s | %s / %s | %s / %s | %s |\n", r.site,
			strings.Join(p.Protocols, " "), strings.Join(s.Protocols, " "),
			count(p.Suites), count(s.Suites), suiteDiff,
			orNone(p.Cert), orNone(s.Cert), p.HSTS, s.HSTS,
			orNone(p.Curves), orNone(s.Curves), orNone(p.DH), orNone(s.DH), yes(ok))
	}
	fmt.Printf("\n%d of %d sites agree on every compared fact.\n", agreeAll, len(rows))

	fmt.Printf("\n## Wall time per site (median; posture %s runs, testssl.sh %s)\n\n", runs, testsslRuns)
	fmt.Printf("| site | posture (TLS+HTTP) | testssl.sh -p -E -S -f -h | ratio |\n|---|---|---|---|\n")
	var ps, ts []float64
	for _, r := range rows {
		ps, ts = append(ps, r.postureMed), append(ts, r.sslMed)
		fmt.Printf("| %s | %.3f s | %.1f s | %.0f× |\n", r.site, r.postureMed, r.sslMed, r.sslMed/r.postureMed)
	}
	fmt.Printf("| **median** | %.3f s | %.1f s | %.0f× |\n", median(ps), median(ts), median(ts)/median(ps))
}

// TestSweepBench times posture alone auditing N endpoints (default 200) in one run.
func TestSweepBench(t *testing.T) {
	posture := env("POSTURE_BIN", "")
	if posture == "" {
		t.Fatal("POSTURE_BIN is not set: run bench/endpoints/run.sh")
	}
	out := env("BENCH_OUT", t.TempDir())
	n, _ := strconv.Atoi(env("SWEEP", "200"))
	base := nginxtest.Preset("intermediate")
	var sites []nginxtest.Site
	for i := range n {
		s := base
		s.Name = fmt.Sprintf("s%03d", i)
		sites = append(sites, s)
	}
	srv := nginxtest.Start(t, sites...)
	ca := filepath.Join(out, "sweep-ca.pem")
	must(t, os.WriteFile(ca, srv.CAPEM, 0o644))
	var list strings.Builder
	for _, s := range sites {
		list.WriteString("https://localhost:" + strings.TrimPrefix(srv.Addr[s.Name], "127.0.0.1:") + "\n")
	}
	targets := filepath.Join(out, "sweep-targets.txt")
	must(t, os.WriteFile(targets, []byte(list.String()), 0o644))
	report := filepath.Join(out, "sweep.json")
	cmd := fmt.Sprintf("%s scan --no-progress --format json --ca-file %s --targets-file %s -o %s %s", posture, ca, targets, report, env("SWEEP_ARGS", ""))
	med := hyperfine(t, out, "sweep", env("SWEEP_RUNS", "3"), "", cmd)
	var rep struct {
		Targets []struct {
			Controls []struct{ Status string } `json:"controls"`
		} `json:"targets"`
	}
	data, err := os.ReadFile(report)
	must(t, err)
	must(t, json.Unmarshal(data, &rep))
	unknown := 0
	for _, tg := range rep.Targets {
		for _, c := range tg.Controls {
			if c.Status == "unknown" {
				unknown++
			}
		}
	}
	fmt.Printf("\n## Sweep: posture alone, %d endpoints on one nginx, one run\n\n", n)
	fmt.Printf("median %.2f s over %s runs; %d targets in the report; %d controls unknown\n", med, env("SWEEP_RUNS", "3"), len(rep.Targets), unknown)
	if len(rep.Targets) != n || unknown != 0 {
		t.Errorf("sweep incomplete: %d targets, %d unknown controls", len(rep.Targets), unknown)
	}
}

// hyperfine times cmd and returns the median wall time in seconds. posture exits 1 when
// it finds something, so failures are ignored (-i); the reports are checked instead.
func hyperfine(t *testing.T, dir, name, runs, prepare, cmd string) float64 {
	t.Helper()
	js := filepath.Join(dir, name+".hyperfine.json")
	args := []string{"-N", "-i", "--style", "none", "--runs", runs, "--export-json", js}
	if runs != "1" {
		args = append(args, "--warmup", "1")
	}
	if prepare != "" {
		args = append(args, "--prepare", prepare)
	}
	c := exec.Command("hyperfine", append(args, cmd)...)
	if b, err := c.CombinedOutput(); err != nil {
		t.Fatalf("hyperfine %s: %v\n%s", name, err, b)
	}
	var res struct {
		Results []struct {
			Median float64 `json:"median"`
		} `json:"results"`
	}
	data, err := os.ReadFile(js)
	must(t, err)
	must(t, json.Unmarshal(data, &res))
	return res.Results[0].Median
}

// readTestssl turns testssl.sh's JSON findings into facts.
func readTestssl(t *testing.T, path string) facts {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	var items []struct{ ID, Severity, Finding string }
	must(t, json.Unmarshal(data, &items))
	f := facts{Suites: map[string][]string{}, HSTS: "ok"}
	protoOf := map[string]string{"ssl3": "SSLv3", "tls1": "TLS1", "tls1_1": "TLS1_1", "tls1_2": "TLS1_2", "tls1_3": "TLS1_3"}
	for _, it := range items {
		switch {
		case slices.Contains([]string{"SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3"}, it.ID) && strings.HasPrefix(it.Finding, "offered"):
			f.Protocols = append(f.Protocols, it.ID)
		case strings.HasPrefix(it.ID, "cipher-") && !strings.HasPrefix(it.ID, "cipher_"):
			rest := strings.TrimPrefix(it.ID, "cipher-")
			i := strings.LastIndex(rest, "_x")
			if i < 0 {
				continue
			}
			p := protoOf[rest[:i]]
			f.Suites[p] = append(f.Suites[p], normHex(rest[i+1:]))
		case it.ID == "cert_expirationStatus" && strings.Contains(it.Finding, "expired"):
			f.Cert = append(f.Cert, "expired")
		case it.ID == "cert_trust" && it.Severity != "OK" && it.Severity != "INFO":
			f.Cert = append(f.Cert, "hostname")
		case it.ID == "cert_chain_of_trust" && !strings.HasPrefix(it.Finding, "passed"):
			// testssl.sh gives the reason in parentheses. An expired certificate fails its
			// chain check "(expired)": that is the expiry, already counted above, not a
			// second problem; posture reports it once, as expired.
			if !strings.Contains(it.Finding, "(expired)") {
				f.Cert = append(f.Cert, "untrusted")
			}
		case it.ID == "cert_keySize":
			if bits := lastInt(it.Finding); strings.HasPrefix(it.Finding, "RSA") && bits > 0 && bits < 2048 {
				f.Cert = append(f.Cert, "small-key")
			}
		case it.ID == "HSTS" && strings.Contains(it.Finding, "not offered"):
			f.HSTS = "missing"
		case it.ID == "PFS_ECDHE_curves" || it.ID == "FS_ECDHE_curves":
			f.Curves = strings.Fields(it.Finding)
		case it.ID == "DH_groups":
			// "ffdhe2048 ffdhe3072 …" for standard groups, "Unknown DH group (1024 bits)"
			// for a server's own.
			for _, g := range strings.Fields(it.Finding) {
				if strings.HasPrefix(g, "ffdhe") {
					f.DH = append(f.DH, g)
				}
			}
			if strings.Contains(it.Finding, "Unknown DH group") {
				f.DH = append(f.DH, fmt.Sprintf("%d bits", lastInt(strings.NewReplacer("(", " ", ")", " ").Replace(it.Finding))))
			}
		}
	}
	return norm(f)
}

// postureFacts reads posture's enumeration with its TLS scanner (the engine of the
// endpoint/tls probe) and its certificate and HSTS verdicts from the scan's JSON report.
func postureFacts(t *testing.T, srv *nginxtest.Server, site, reportPath string) facts {
	t.Helper()
	n := netx.New(netx.Options{RootCAs: srv.CAPool, Timeout: 5 * time.Second})
	rep, err := tlsscan.Scan(context.Background(), n, srv.Addr[site], tlsscan.Options{ServerName: "localhost", SkipCertificate: true})
	must(t, err)
	f := facts{Suites: map[string][]string{}, HSTS: "ok"}
	if kx := rep.KeyExchange; kx != nil {
		// testssl.sh lists the curves of every version together, under OpenSSL's names,
		// and the finite-field groups (DHE's and TLS 1.3's) together.
		openssl := map[string]string{"secp256r1": "prime256v1", "secp192r1": "prime192v1", "x25519": "X25519", "x448": "X448"}
		for _, g := range kx.AllGroups() {
			switch {
			case g.FFDHE:
				f.DH = append(f.DH, g.Name)
			case !g.Hybrid:
				f.Curves = append(f.Curves, cmp.Or(openssl[g.Name], g.Name))
			}
		}
		switch {
		case strings.HasPrefix(kx.DHGroup, "ffdhe"):
			f.DH = append(f.DH, kx.DHGroup)
		case kx.DHBits > 0:
			f.DH = append(f.DH, fmt.Sprintf("%d bits", kx.DHBits))
		}
	}
	name := map[tlsscan.Version]string{tlsscan.SSL30: "SSLv3", tlsscan.TLS10: "TLS1", tlsscan.TLS11: "TLS1_1", tlsscan.TLS12: "TLS1_2", tlsscan.TLS13: "TLS1_3"}
	for _, p := range rep.Protocols {
		if !p.Accepted {
			continue
		}
		f.Protocols = append(f.Protocols, name[p.Version])
		for _, s := range p.Suites {
			f.Suites[name[p.Version]] = append(f.Suites[name[p.Version]], normHex(fmt.Sprintf("x%04x", s.ID)))
		}
	}
	data, err := os.ReadFile(reportPath)
	must(t, err)
	var r struct {
		Targets []struct {
			Controls []struct {
				Findings []struct {
					Rule     string `json:"rule"`
					Message  string `json:"message"`
					Evidence struct {
						Text string `json:"text"`
					} `json:"evidence"`
				} `json:"findings"`
			} `json:"controls"`
		} `json:"targets"`
	}
	must(t, json.Unmarshal(data, &r))
	for _, tg := range r.Targets {
		for _, c := range tg.Controls {
			for _, fd := range c.Findings {
				switch fd.Rule {
				case "endpoint/tls-certificate-expiry":
					if strings.Contains(fd.Message, "expired") {
						f.Cert = append(f.Cert, "expired")
					}
				case "endpoint/tls-certificate-hostname":
					f.Cert = append(f.Cert, "hostname")
				case "endpoint/tls-certificate-trust":
					f.Cert = append(f.Cert, "untrusted")
				case "endpoint/tls-certificate-key":
					f.Cert = append(f.Cert, "small-key")
				case "http/hsts-missing":
					f.HSTS = "missing"
				}
			}
		}
	}
	return norm(f)
}

func norm(f facts) facts {
	order := map[string]int{"SSLv3": 0, "TLS1": 1, "TLS1_1": 2, "TLS1_2": 3, "TLS1_3": 4}
	sort.Slice(f.Protocols, func(i, j int) bool { return order[f.Protocols[i]] < order[f.Protocols[j]] })
	f.Protocols = slices.Compact(f.Protocols)
	for k := range f.Suites {
		slices.Sort(f.Suites[k])
		f.Suites[k] = slices.Compact(f.Suites[k])
	}
	slices.Sort(f.Cert)
	f.Cert = slices.Compact(f.Cert)
	for _, l := range []*[]string{&f.Curves, &f.DH} {
		slices.Sort(*l)
		*l = slices.Compact(*l)
	}
	return f
}

// normHex writes a code point as testssl.sh does: "x" and lower-case hex without
// leading zeros ("xc030", "x9d", "x1301").
func normHex(s string) string {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "x"), 16, 16)
	if err != nil {
		return s
	}
	return "x" + strconv.FormatUint(v, 16)
}

func sameSuites(a, b map[string][]string) (bool, string) {
	var diff []string
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range keys {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, s := range a[k] {
			if !slices.Contains(b[k], s) {
				diff = append(diff, "+"+k+":"+s)
			}
		}
		for _, s := range b[k] {
			if !slices.Contains(a[k], s) {
				diff = append(diff, "-"+k+":"+s)
			}
		}
	}
	if len(diff) == 0 {
		return true, ""
	}
	return false, "(" + strings.Join(diff, " ") + ")"
}

func count(m map[string][]string) int {
	n := 0
	for _, v := range m {
		n += len(v)
	}
	return n
}

func lastInt(s string) int {
	fields := strings.Fields(s)
	for i := len(fields) - 1; i >= 0; i-- {
		if n, err := strconv.Atoi(fields[i]); err == nil {
			return n
		}
	}
	return 0
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "**no**"
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
