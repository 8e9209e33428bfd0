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

func TestJudgeFallback(t *testing.T) {
	for _, c := range []struct {
		name string
		fb   *tlsscan.Fallback
		want string
	}{
		{"not measured", nil, ""},
		{"nothing to fall back to", &tlsscan.Fallback{From: tlsscan.TLS12}, ""},
		{"protected", &tlsscan.Fallback{From: tlsscan.TLS12, To: tlsscan.TLS11, Protected: true}, ""},
		{"accepted", &tlsscan.Fallback{From: tlsscan.TLS12, To: tlsscan.TLS10, Accepted: true}, "endpoint/tls-fallback no-fallback-scsv medium"},
		{"accepted down to SSL 3.0", &tlsscan.Fallback{From: tlsscan.TLS10, To: tlsscan.SSL30, Accepted: true}, "endpoint/tls-fallback no-fallback-scsv high"},
		{"other refusal", &tlsscan.Fallback{From: tlsscan.TLS12, To: tlsscan.TLS10, Refusal: "alert handshake_failure"}, "endpoint/tls-fallback fallback-nonstandard info"},
		{"could not tell", &tlsscan.Fallback{From: tlsscan.TLS12, To: tlsscan.TLS10, Err: errors.New("reset")}, ""},
	} {
		r := &probe.Result{}
		judgeFallback(&reporter{r: r, loc: "https://example.test/"}, c.fb)
		if g := got(r); g != c.want {
			t.Errorf("%s: findings\n%s\nwant\n%s", c.name, g, c.want)
		}
	}
}

func TestJudgeCCS(t *testing.T) {
	for _, c := range []struct {
		name string
		ccs  *tlsscan.CCSInjection
		want string
	}{
		{"not measured", nil, ""},
		{"TLS 1.3 only", &tlsscan.CCSInjection{}, ""},
		{"patched", &tlsscan.CCSInjection{Version: tlsscan.TLS10, Answer: "alert unexpected_message"}, ""},
		{"vulnerable", &tlsscan.CCSInjection{Version: tlsscan.TLS10, Vulnerable: true, Answer: "alert bad_record_mac"}, "endpoint/tls-ccs-injection ccs-injection high"},
		{"could not tell", &tlsscan.CCSInjection{Version: tlsscan.TLS10, Err: errors.New("reset")}, ""},
	} {
		r := &probe.Result{}
		judgeCCS(&reporter{r: r, loc: "https://example.test/"}, c.ccs)
		if g := got(r); g != c.want {
			t.Errorf("%s: findings\n%s\nwant\n%s", c.name, g, c.want)
		}
	}
}

func TestJudgeROBOT(t *testing.T) {
	for _, c := range []struct {
		name string
		r    *tlsscan.ROBOT
		want string
	}{
		{"not measured", nil, ""},
		{"no RSA key exchange", &tlsscan.ROBOT{}, ""},
		{"sound", &tlsscan.ROBOT{Version: tlsscan.TLS12, Answers: []string{"a", "a", "a", "a", "a"}}, ""},
		{"oracle", &tlsscan.ROBOT{Version: tlsscan.TLS12, Vulnerable: true, Answers: []string{"a", "b", "b", "b", "b"}}, "endpoint/tls-robot robot critical"},
		{"could not tell", &tlsscan.ROBOT{Version: tlsscan.TLS12, Err: errors.New("answers changed")}, ""},
	} {
		r := &probe.Result{}
		judgeROBOT(&reporter{r: r, loc: "https://example.test/"}, c.r)
		if g := got(r); g != c.want {
			t.Errorf("%s: findings\n%s\nwant\n%s", c.name, g, c.want)
		}
	}
}

func TestJudgeTicketbleed(t *testing.T) {
	for _, c := range []struct {
		name string
		tb   *tlsscan.Ticketbleed
		want string
	}{
		{"not measured", nil, ""},
		{"no tickets", &tlsscan.Ticketbleed{Reason: "the server issues no session tickets"}, ""},
		{"echoed", &tlsscan.Ticketbleed{Version: tlsscan.TLS12}, ""},
		{"leaks", &tlsscan.Ticketbleed{Version: tlsscan.TLS12, Vulnerable: true, Leaked: make([]byte, 16)}, "endpoint/tls-ticketbleed ticketbleed high"},
		{"could not tell", &tlsscan.Ticketbleed{Version: tlsscan.TLS12, Err: errors.New("reset")}, ""},
	} {
		r := &probe.Result{}
		judgeTicketbleed(&reporter{r: r, loc: "https://example.test/"}, c.tb)
		if g := got(r); g != c.want {
			t.Errorf("%s: findings\n%s\nwant\n%s", c.name, g, c.want)
		}
	}
}
