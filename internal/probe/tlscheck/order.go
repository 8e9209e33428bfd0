package tlscheck

import (
	"fmt"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/tlsscan"
)

// strong is the suite every client should end up with: authenticated encryption and
// forward secrecy.
func strong(s tlsscan.Suite) bool { return s.Has(tlsscan.FlagAEAD | tlsscan.FlagForwardSecret) }

const fixOrder = "Make the server choose (nginx ssl_prefer_server_ciphers on; Apache SSLHonorCipherOrder on) with the ECDHE AEAD suites first, or better, remove the weaker suites"

// judgePreferences reports who picks the suite when that decides between a strong and a
// weaker one. Where every accepted suite is strong, letting the client choose is sound
// (Mozilla's profiles leave it to the client), so that is no finding.
func judgePreferences(rp *reporter, rep *tlsscan.Report) {
	for _, p := range rep.Preferences {
		if p.Err != nil {
			continue // Report.Incomplete says why
		}
		if p.ServerOrder {
			if len(p.Suites) == 0 || strong(p.Suites[0]) {
				continue
			}
			first := p.Suites[0]
			for _, s := range p.Suites[1:] {
				if strong(s) {
					rp.add(ctlPractice, RuleCipherOrder, policy.Medium, "weak-preferred", fmt.Sprintf("%s server order: %s", p.Version, suiteList(p.Suites)),
						fmt.Sprintf("At %s the server prefers %s, without %s, to %s: every client that supports both gets the weaker suite", p.Version, label(first), missing(first), label(s)),
						fixOrder)
					break
				}
			}
			continue
		}
		pr := rep.Protocol(p.Version)
		if pr == nil {
			continue
		}
		var weak []tlsscan.Suite
		hasStrong := false
		for _, s := range pr.Suites {
			if strong(s) {
				hasStrong = true
			} else {
				weak = append(weak, s)
			}
		}
		if hasStrong && len(weak) > 0 {
			rp.add(ctlPractice, RuleCipherOrder, policy.Low, "client-chooses", fmt.Sprintf("%s client order; weaker suites: %s", p.Version, suiteList(weak)),
				fmt.Sprintf("At %s the server takes the client's order, and %d of its suites lack authenticated encryption or forward secrecy: a client that lists one of them first gets it", p.Version, len(weak)),
				fixOrder)
		}
	}
}

// judgeFallback reports a server that lets a hello fall back to an older version
// although it supports a newer one (RFC 7507).
func judgeFallback(rp *reporter, fb *tlsscan.Fallback) {
	if fb == nil || fb.To == 0 || fb.Err != nil {
		return
	}
	evidence := fmt.Sprintf("a %s hello with TLS_FALLBACK_SCSV", fb.To)
	switch {
	case fb.Accepted:
		sev := policy.Medium
		why := ""
		if fb.To == tlsscan.SSL30 {
			sev, why = policy.High, " down to SSL 3.0, where POODLE reads the traffic"
		}
		rp.add(ctlPractice, RuleFallback, sev, "no-fallback-scsv", evidence+" was accepted; the server supports "+fb.From.String(),
			fmt.Sprintf("The server ignores TLS_FALLBACK_SCSV (RFC 7507): a man in the middle who breaks the first handshakes makes a client that retries fall back from %s to %s%s", fb.From, fb.To, why),
			"Upgrade the TLS library (OpenSSL supports RFC 7507 since 1.0.1j), or accept only TLS 1.2 and 1.3 so that there is nothing to fall back to")
	case !fb.Protected:
		rp.add(ctlPractice, RuleFallback, policy.Info, "fallback-nonstandard", evidence+" was refused with "+fb.Refusal,
			"The server refuses a downgraded hello, but not with the inappropriate_fallback alert RFC 7507 asks for: some clients may not tell it from a broken connection",
			"Upgrade the TLS library or the load balancer in front of the server")
	}
}

func label(s tlsscan.Suite) string {
	if s.OpenSSL != "" {
		return s.OpenSSL
	}
	return s.Name
}

// missing names what keeps s from being strong.
func missing(s tlsscan.Suite) string {
	switch {
	case !s.Has(tlsscan.FlagAEAD) && !s.Has(tlsscan.FlagForwardSecret):
		return "authenticated encryption or forward secrecy"
	case !s.Has(tlsscan.FlagAEAD):
		return "authenticated encryption"
	default:
		return "forward secrecy"
	}
}
