//go:build endpointbench || integration

package endpoints

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
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
	Order     string              // who picks the suite: "server", "client", "server below TLS 1.3", "server in TLS 1.3 only"
	Fallback  string              // TLS_FALLBACK_SCSV: "protected", "missing", "nonstandard", "n/a" (nothing to fall back to)
	CCS       string              // CVE-2014-0224: "vulnerable" or "ok"
	ROBOT     string              // "vulnerable", "ok", "n/a" (no RSA key exchange)
	Ticket    string              // Ticketbleed: "vulnerable", "ok", "n/a" (no session tickets before TLS 1.3)
	Breach    string              // the page compressed over HTTPS: "compressed" or "no"
}

// testsslArgs is how both the benchmark and the agreement test run testssl.sh:
// protocols, suites per protocol, certificate (server defaults), forward secrecy with
// curves and groups, server preferences, downgrade protection, CCS injection, ROBOT,
// Ticketbleed, BREACH, HTTP headers.
const testsslArgs = "--quiet --color 0 --warnings off --ip 127.0.0.1 -p -E -S -f -P -Z -I -BB -T -B -h"

// comparison lines two sets of facts up, as one row of the agreement table.
type comparison struct {
	site             string
	posture, testssl facts
}

// agree reports whether every compared fact matches.
func (c comparison) agree() bool {
	p, s := c.posture, c.testssl
	suitesOK, _ := sameSuites(p.Suites, s.Suites)
	return slices.Equal(p.Protocols, s.Protocols) && suitesOK && slices.Equal(p.Cert, s.Cert) && p.HSTS == s.HSTS &&
		slices.Equal(p.Curves, s.Curves) && slices.Equal(p.DH, s.DH) && p.Order == s.Order && p.Fallback == s.Fallback && p.CCS == s.CCS && p.ROBOT == s.ROBOT && p.Ticket == s.Ticket && p.Breach == s.Breach
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
		case it.ID == "cipher_order":
			// testssl.sh 3.0 states the order of TLS 1.3 and of the older versions apart.
			switch {
			case it.Finding == "server" || it.Finding == "server (TLS 1.3)":
				f.Order = "server"
			case strings.HasPrefix(it.Finding, "server -- TLS 1.3 client"):
				f.Order = "server below TLS 1.3"
			case strings.HasPrefix(it.Finding, "server -- < TLS 1.3 client"):
				f.Order = "server in TLS 1.3 only"
			default: // "NOT a cipher order configured", "not a cipher order for TLS 1.3 configured"
				f.Order = "client"
			}
		case it.ID == "fallback_SCSV":
			switch {
			case it.Finding == "supported":
				f.Fallback = "protected"
			case strings.HasPrefix(it.Finding, "NOT supported"):
				f.Fallback = "missing"
			case strings.Contains(it.Finding, "not supported") || strings.HasPrefix(it.Finding, "no protocol below") || strings.HasPrefix(it.Finding, "only TLS 1.3"):
				f.Fallback = "n/a"
			case strings.Contains(it.Finding, "non-RFC") || strings.Contains(it.Finding, "unexpected"):
				f.Fallback = "nonstandard"
			default:
				f.Fallback = it.Finding
			}
		case it.ID == "CCS":
			f.CCS = vulnVerdict(it.Finding)
		case it.ID == "ROBOT":
			f.ROBOT = vulnVerdict(it.Finding)
		case it.ID == "ticketbleed":
			f.Ticket = vulnVerdict(it.Finding)
		case it.ID == "BREACH":
			// "potentially VULNERABLE, gzip HTTP compression detected", "not vulnerable, no
			// HTTP compression".
			f.Breach = map[bool]string{true: "compressed", false: "no"}[strings.Contains(it.Finding, "compression detected")]
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
	f := facts{Suites: map[string][]string{}, HSTS: "ok", Breach: "no"}
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
	f.Order = orderFact(rep)
	switch fb := rep.Fallback; {
	case fb == nil || fb.Err != nil:
		f.Fallback = "unknown"
	case fb.To == 0:
		f.Fallback = "n/a"
	case fb.Protected:
		f.Fallback = "protected"
	case fb.Accepted:
		f.Fallback = "missing"
	default:
		f.Fallback = "nonstandard"
	}
	f.CCS, f.ROBOT, f.Ticket = "unknown", "unknown", "unknown"
	if c := rep.CCS; c != nil {
		// Only TLS 1.3 has no ChangeCipherSpec to inject: testssl.sh calls that "not
		// vulnerable", and it is.
		f.CCS = vulnFact(c.Err, c.Version != 0, c.Vulnerable, "ok")
	}
	if r := rep.ROBOT; r != nil {
		f.ROBOT = vulnFact(r.Err, r.Version != 0, r.Vulnerable, "n/a")
	}
	if tb := rep.Ticketbleed; tb != nil {
		f.Ticket = vulnFact(tb.Err, tb.Version != 0, tb.Vulnerable, "n/a")
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
				case "http/breach":
					f.Breach = "compressed"
				}
			}
		}
	}
	return norm(f)
}

// vulnVerdict reads testssl.sh's verdict on one vulnerability: "VULNERABLE" (or "likely
// VULNERABLE"), "not vulnerable" (with a reason), or "not vulnerable, no RSA key
// transport cipher" or "no session ticket extension" when there is nothing to test,
// which posture calls not applicable.
func vulnVerdict(finding string) string {
	switch {
	case strings.Contains(finding, "VULNERABLE"):
		return "vulnerable"
	case strings.Contains(finding, "no RSA key transport"), strings.Contains(finding, "no session ticket"):
		return "n/a"
	case strings.Contains(finding, "not vulnerable"):
		return "ok"
	}
	return finding
}

// vulnFact states one of posture's vulnerability tests as the comparison does: unknown
// when it could not tell, notRun when there was nothing to test.
func vulnFact(err error, ran, vulnerable bool, notRun string) string {
	switch {
	case err != nil:
		return "unknown"
	case !ran:
		return notRun
	case vulnerable:
		return "vulnerable"
	}
	return "ok"
}

// orderFact states posture's preferences as testssl.sh does: TLS 1.3 apart from the
// versions before it. A version with a single suite has no order to tell.
func orderFact(rep *tlsscan.Report) string {
	var older, tls13, hasOlder, has13 bool
	for _, p := range rep.Preferences {
		if p.Version == tlsscan.TLS13 {
			has13, tls13 = true, p.ServerOrder
		} else {
			hasOlder = true
			older = older || p.ServerOrder
		}
	}
	switch {
	case (older || !hasOlder) && (tls13 || !has13) && (hasOlder || has13):
		return "server"
	case older && has13:
		return "server below TLS 1.3"
	case tls13 && hasOlder:
		return "server in TLS 1.3 only"
	}
	return "client"
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

func lastInt(s string) int {
	fields := strings.Fields(s)
	for i := len(fields) - 1; i >= 0; i-- {
		if n, err := strconv.Atoi(fields[i]); err == nil {
			return n
		}
	}
	return 0
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
