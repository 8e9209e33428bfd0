package tlscheck

import (
	"errors"
	"testing"

	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/tlsscan"
)

func suites(t *testing.T, ids ...uint16) []tlsscan.Suite {
	t.Helper()
	var out []tlsscan.Suite
	for _, id := range ids {
		s, ok := tlsscan.SuiteByID(id)
		if !ok {
			t.Fatalf("no suite %04x", id)
		}
		out = append(out, s)
	}
	return out
}

func TestJudgePreferences(t *testing.T) {
	const (
		gcm    = 0xC02F // ECDHE-RSA-AES128-GCM-SHA256
		cbc    = 0xC013 // ECDHE-RSA-AES128-SHA
		rsaGCM = 0x009C // AES128-GCM-SHA256: no forward secrecy
	)
	for _, c := range []struct {
		name     string
		accepted []uint16
		pref     tlsscan.Preference
		want     string
	}{
		{"server order, strong first", []uint16{gcm, cbc}, tlsscan.Preference{ServerOrder: true, Suites: suites(t, gcm, cbc)}, ""},
		{"server order, weak first", []uint16{gcm, cbc}, tlsscan.Preference{ServerOrder: true, Suites: suites(t, cbc, rsaGCM, gcm)},
			"endpoint/tls-cipher-order weak-preferred medium"},
		{"server order, nothing strong", []uint16{cbc, rsaGCM}, tlsscan.Preference{ServerOrder: true, Suites: suites(t, cbc, rsaGCM)}, ""},
		{"client order, all strong", []uint16{gcm, 0xC030}, tlsscan.Preference{}, ""},
		{"client order, mixed", []uint16{gcm, cbc}, tlsscan.Preference{}, "endpoint/tls-cipher-order client-chooses low"},
		{"client order, none strong", []uint16{cbc, rsaGCM}, tlsscan.Preference{}, ""},
		{"could not tell", []uint16{gcm, cbc}, tlsscan.Preference{Err: errors.New("timeout")}, ""},
	} {
		c.pref.Version = tlsscan.TLS12
		rep := &tlsscan.Report{
			Protocols:   []tlsscan.ProtocolResult{{Version: tlsscan.TLS12, Accepted: true, Suites: suites(t, c.accepted...)}},
			Preferences: []tlsscan.Preference{c.pref},
		}
		r := &probe.Result{}
		judgePreferences(&reporter{r: r, loc: "https://example.test/"}, rep)
		if g := got(r); g != c.want {
			t.Errorf("%s: findings\n%s\nwant\n%s", c.name, g, c.want)
		}
	}
}

// TestJudgeVulnerabilities: each test's verdict becomes a finding only when the server
// has the flaw, never when the test did not run or could not tell.
func TestJudgeVulnerabilities(t *testing.T) {
	fb := func(f *tlsscan.Fallback) func(*reporter) { return func(rp *reporter) { judgeFallback(rp, f) } }
	ccs := func(c *tlsscan.CCSInjection) func(*reporter) { return func(rp *reporter) { judgeCCS(rp, c) } }
	robot := func(r *tlsscan.ROBOT) func(*reporter) { return func(rp *reporter) { judgeROBOT(rp, r) } }
	tb := func(b *tlsscan.Ticketbleed) func(*reporter) { return func(rp *reporter) { judgeTicketbleed(rp, b) } }
	for _, c := range []struct {
		name  string
		judge func(*reporter)
		want  string
	}{
		{"fallback not measured", fb(nil), ""},
		{"nothing to fall back to", fb(&tlsscan.Fallback{From: tlsscan.TLS12}), ""},
		{"fallback protected", fb(&tlsscan.Fallback{From: tlsscan.TLS12, To: tlsscan.TLS11, Protected: true}), ""},
		{"fallback accepted", fb(&tlsscan.Fallback{From: tlsscan.TLS12, To: tlsscan.TLS10, Accepted: true}), "endpoint/tls-fallback no-fallback-scsv medium"},
		{"fallback accepted down to SSL 3.0", fb(&tlsscan.Fallback{From: tlsscan.TLS10, To: tlsscan.SSL30, Accepted: true}), "endpoint/tls-fallback no-fallback-scsv high"},
		{"fallback refused otherwise", fb(&tlsscan.Fallback{From: tlsscan.TLS12, To: tlsscan.TLS10, Refusal: "alert handshake_failure"}), "endpoint/tls-fallback fallback-nonstandard info"},
		{"fallback could not tell", fb(&tlsscan.Fallback{From: tlsscan.TLS12, To: tlsscan.TLS10, Err: errors.New("reset")}), ""},

		{"CCS not measured", ccs(nil), ""},
		{"CCS TLS 1.3 only", ccs(&tlsscan.CCSInjection{}), ""},
		{"CCS patched", ccs(&tlsscan.CCSInjection{Version: tlsscan.TLS10, Answer: "alert unexpected_message"}), ""},
		{"CCS vulnerable", ccs(&tlsscan.CCSInjection{Version: tlsscan.TLS10, Vulnerable: true, Answer: "alert bad_record_mac"}), "endpoint/tls-ccs-injection ccs-injection high"},
		{"CCS could not tell", ccs(&tlsscan.CCSInjection{Version: tlsscan.TLS10, Err: errors.New("reset")}), ""},

		{"ROBOT not measured", robot(nil), ""},
		{"no RSA key exchange", robot(&tlsscan.ROBOT{}), ""},
		{"ROBOT sound", robot(&tlsscan.ROBOT{Version: tlsscan.TLS12, Answers: []string{"a", "a", "a", "a", "a"}}), ""},
		{"ROBOT oracle", robot(&tlsscan.ROBOT{Version: tlsscan.TLS12, Vulnerable: true, Answers: []string{"a", "b", "b", "b", "b"}}), "endpoint/tls-robot robot critical"},
		{"ROBOT could not tell", robot(&tlsscan.ROBOT{Version: tlsscan.TLS12, Err: errors.New("answers changed")}), ""},

		{"Ticketbleed not measured", tb(nil), ""},
		{"no tickets", tb(&tlsscan.Ticketbleed{Reason: "the server issues no session tickets"}), ""},
		{"session id echoed", tb(&tlsscan.Ticketbleed{Version: tlsscan.TLS12}), ""},
		{"session id leaks", tb(&tlsscan.Ticketbleed{Version: tlsscan.TLS12, Vulnerable: true, Leaked: make([]byte, 16)}), "endpoint/tls-ticketbleed ticketbleed high"},
		{"Ticketbleed could not tell", tb(&tlsscan.Ticketbleed{Version: tlsscan.TLS12, Err: errors.New("reset")}), ""},
	} {
		r := &probe.Result{}
		c.judge(&reporter{r: r, loc: "https://example.test/"})
		if g := got(r); g != c.want {
			t.Errorf("%s: findings\n%s\nwant\n%s", c.name, g, c.want)
		}
	}
}
