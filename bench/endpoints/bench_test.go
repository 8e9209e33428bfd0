//go:build endpointbench

// Package endpoints is the side-by-side benchmark of posture's endpoint audit against
// testssl.sh on the same real nginx sites, run by bench/endpoints/run.sh. It is a test
// only so that it can start nginx with the test harness the integration tests use; it is
// behind its own build tag because a full run takes minutes (testssl.sh's share).
package endpoints

import (
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

	"github.com/posture-dev/posture/internal/testutil/nginxtest"
)

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
	sites := append(nginxtest.Presets(), clean, nginxtest.WeakKeyExchange(), nginxtest.WeakOrder())
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
		tcmd := fmt.Sprintf("testssl %s --add-ca %s --jsonfile %s %s", testsslArgs, ca, tjson, url)
		// testssl.sh 3.0 refuses to overwrite its JSON file.
		r.sslMed = hyperfine(t, out, name+".testssl", testsslRuns, "rm -f "+tjson, tcmd)
		r.testssl = readTestssl(t, tjson)
		r.posture = postureFacts(t, srv, name, pjson)
		rows = append(rows, r)
	}

	var cmp []comparison
	for _, r := range rows {
		cmp = append(cmp, comparison{site: r.site, posture: r.posture, testssl: r.testssl})
	}
	printAgreement(cmp)

	fmt.Printf("\n## Wall time per site (median; posture %s runs, testssl.sh %s)\n\n", runs, testsslRuns)
	fmt.Printf("| site | posture (TLS+HTTP) | testssl.sh -p -E -S -f -P -Z -I -BB -T -B -h | ratio |\n|---|---|---|---|\n")
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

// printAgreement writes the agreement table in Markdown and returns how many sites agree.
func printAgreement(rows []comparison) int {
	fmt.Printf("\n## Agreement with testssl.sh (per site: posture / testssl.sh)\n\n")
	fmt.Printf("| site | protocols | suites (all versions) | certificate problems | HSTS | ECDHE curves | DH groups | suite order | fallback SCSV | CCS injection | ROBOT | Ticketbleed | BREACH | agree |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	agreeAll := 0
	for _, r := range rows {
		p, s := r.posture, r.testssl
		_, suiteDiff := sameSuites(p.Suites, s.Suites)
		ok := r.agree()
		if ok {
			agreeAll++
		}
		fmt.Printf("| %s | %s / %s | %d / %d %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s | %s |\n", r.site,
			strings.Join(p.Protocols, " "), strings.Join(s.Protocols, " "),
			count(p.Suites), count(s.Suites), suiteDiff,
			orNone(p.Cert), orNone(s.Cert), p.HSTS, s.HSTS,
			orNone(p.Curves), orNone(s.Curves), orNone(p.DH), orNone(s.DH),
			p.Order, s.Order, p.Fallback, s.Fallback, p.CCS, s.CCS, p.ROBOT, s.ROBOT, p.Ticket, s.Ticket, p.Breach, s.Breach, yes(ok))
	}
	fmt.Printf("\n%d of %d sites agree on every compared fact.\n", agreeAll, len(rows))
	return agreeAll
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func count(m map[string][]string) int {
	n := 0
	for _, v := range m {
		n += len(v)
	}
	return n
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
