package tlscheck

import (
	"fmt"
	"strings"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/tlsscan"
)

// kxReported says which key-exchange concerns have a finding of their own, so that the
// profile does not report them again.
type kxReported struct {
	dh     bool
	groups map[uint16]bool
}

// Strength below which a group or DHE prime is weak: 112 bits is NIST SP 800-57's floor
// (2048-bit finite field, 224-bit curve) since 2014.
const minGroupBits = 112

// judgeKeyExchange reports DHE primes and named groups too small for the suites they
// protect: the session key is only as strong as the exchange that agreed it.
func judgeKeyExchange(rp *reporter, kx *tlsscan.KeyExchange) kxReported {
	done := kxReported{groups: map[uint16]bool{}}
	if kx == nil {
		return done
	}
	dhEvidence := fmt.Sprintf("DHE prime of %d bits (%s)", kx.DHBits, kx.DHVersion)
	shared := ""
	if kx.DHGroup != "" {
		dhEvidence = fmt.Sprintf("DHE group %s, %d bits (%s)", kx.DHGroup, kx.DHBits, kx.DHVersion)
		shared = "; it is a standard group, so one precomputation serves against every server that uses it"
	}
	switch bits := kx.DHBits; {
	case bits == 0:
	case bits < 1024:
		done.dh = true
		rp.add(ctlPractice, RuleKeyExchange, policy.Critical, "dh-export", dhEvidence,
			fmt.Sprintf("The DHE suites use a %d-bit group: export-grade, broken in minutes (Logjam)", bits), fixDH)
	case bits < 2048:
		done.dh = true
		sev := policy.Medium
		if bits <= 1024 {
			sev = policy.High
		}
		rp.add(ctlPractice, RuleKeyExchange, sev, "dh-small", dhEvidence,
			fmt.Sprintf("The DHE suites use a %d-bit group, under the 2048 bits required since 2014; a 1024-bit group is within reach of a state-level attacker (Logjam)%s", bits, shared), fixDH)
	}
	var weak []string
	for _, g := range kx.AllGroups() {
		if g.Bits > 0 && g.Bits < minGroupBits {
			done.groups[g.ID] = true
			weak = append(weak, fmt.Sprintf("%s (%d-bit security)", g.Name, g.Bits))
		}
	}
	if len(weak) > 0 {
		rp.add(ctlPractice, RuleKeyExchange, policy.High, "weak-groups", strings.Join(weak, ", "),
			fmt.Sprintf("%d key exchange group%s under %d-bit security accepted: a client that prefers %s gets a session key that can be recovered", len(weak), plural(len(weak)), minGroupBits, map[bool]string{true: "it", false: "one"}[len(weak) == 1]),
			fixGroups)
	}
	return done
}

const fixGroups = "Restrict the groups: nginx ssl_ecdh_curve X25519:prime256v1:secp384r1; Apache SSLOpenSSLConfCmd Curves (Groups) likewise"

const fixDH = "Use the RFC 7919 ffdhe2048 group or larger (nginx ssl_dhparam, Apache SSLOpenSSLConfCmd DHParameters), or drop the DHE suites in favour of ECDHE"

// kxEvidence describes a sound key exchange for the pass evidence.
func kxEvidence(kx *tlsscan.KeyExchange) string {
	if kx == nil {
		return ""
	}
	var parts []string
	if gs := kx.AllGroups(); len(gs) > 0 {
		weakest := 0
		for _, g := range gs {
			if g.Bits > 0 && (weakest == 0 || g.Bits < weakest) {
				weakest = g.Bits
			}
		}
		parts = append(parts, fmt.Sprintf("%d key exchange group%s of %d-bit security or more", len(gs), plural(len(gs)), weakest))
	}
	if kx.DHGroup != "" {
		parts = append(parts, "DHE "+kx.DHGroup)
	} else if kx.DHBits > 0 {
		parts = append(parts, fmt.Sprintf("DHE %d bits", kx.DHBits))
	}
	return strings.Join(parts, ", ")
}

// judgeFeatures reports the protocol options of TLS 1.2 and older that undo TLS.
func judgeFeatures(rp *reporter, f *tlsscan.Features) {
	if f == nil || f.Version == 0 || f.Err != nil {
		return // no version before TLS 1.3, or Report.Incomplete says why
	}
	if !f.SecureRenegotiation {
		rp.add(ctlPractice, RuleRenegotiation, policy.High, "insecure-renegotiation", fmt.Sprintf("no renegotiation_info in the %s ServerHello", f.Version),
			"The server does not support secure renegotiation (RFC 5746): a man in the middle can splice his own request in front of the client's (CVE-2009-3555)",
			"Upgrade the TLS library (every OpenSSL since 0.9.8m supports RFC 5746), or disable TLS 1.2 and older")
	}
	if f.HeartbleedBytes > 0 {
		rp.add(ctlPractice, RuleHeartbleed, policy.Critical, "heartbleed", fmt.Sprintf("%d bytes answered to an empty heartbeat claiming 16384 (%s)", f.HeartbleedBytes, f.Version),
			"The server is vulnerable to Heartbleed (CVE-2014-0160): it answers a heartbeat request with up to 64 KiB of its memory, which can hold private keys, session cookies and passwords",
			"Upgrade OpenSSL (1.0.1g or later), then replace the certificate and its private key, revoke the old one, and invalidate sessions and passwords that may have leaked")
	}
	if f.Compression {
		rp.add(ctlPractice, RuleCompression, policy.High, "compression", fmt.Sprintf("DEFLATE chosen at %s", f.Version),
			"The server compresses TLS records when the client offers it: CRIME recovers cookies and tokens from compressed TLS",
			"Disable TLS compression (OpenSSL: SSL_OP_NO_COMPRESSION, the default since 1.1.0; Apache SSLCompression off)")
	}
}

// judgeCCS reports a server that takes a ChangeCipherSpec before the key exchange.
func judgeCCS(rp *reporter, c *tlsscan.CCSInjection) {
	if c == nil || c.Err != nil || !c.Vulnerable {
		return
	}
	rp.add(ctlPractice, RuleCCS, policy.High, "ccs-injection", fmt.Sprintf("%s: the second early ChangeCipherSpec was answered with %s", c.Version, c.Answer),
		"The server accepts a ChangeCipherSpec before the key exchange (CVE-2014-0224): a man in the middle makes both sides use keys derived from an empty master secret and reads or alters the traffic",
		"Upgrade OpenSSL (1.0.1h, 1.0.0m, 0.9.8za or later)")
}

// judgeROBOT reports a Bleichenbacher padding oracle in the RSA key exchange.
func judgeROBOT(rp *reporter, r *tlsscan.ROBOT) {
	if r == nil || r.Err != nil || !r.Vulnerable {
		return
	}
	rp.add(ctlPractice, RuleROBOT, policy.Critical, "robot", fmt.Sprintf("%s RSA key exchange, answers to five premaster secrets: %s", r.Version, strings.Join(r.Answers, "; ")),
		"The server answers a badly padded RSA premaster secret differently from a well padded one (ROBOT, a Bleichenbacher oracle): an attacker can decrypt recorded sessions that used RSA key exchange, and sign with the server's key",
		"Update the TLS library or the load balancer's firmware, and drop the RSA key exchange suites (TLS_RSA_*) in favour of ECDHE")
}

// judgeTicketbleed reports a server that leaks memory in the session id of a resumption.
func judgeTicketbleed(rp *reporter, tb *tlsscan.Ticketbleed) {
	if tb == nil || tb.Err != nil || !tb.Vulnerable {
		return
	}
	rp.add(ctlPractice, RuleTicketbleed, policy.High, "ticketbleed", fmt.Sprintf("%s: a 16-byte session id with a session ticket came back as 32 bytes, %d of them the server's", tb.Version, len(tb.Leaked)),
		"The server leaks up to 31 bytes of its memory in the session id of every resumption by session ticket (Ticketbleed, CVE-2016-9244): repeated, that exposes other connections' secrets",
		"Update the F5 BIG-IP software, or disable session tickets on its SSL profile until then")
}
