package tlscheck

import (
	"fmt"
	"strings"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/tlsscan"
)

// Certificate expiry thresholds, in whole days left.
const (
	expiryFail = 21
	expiryWarn = 45
)

type reporter struct {
	r   *probe.Result
	loc string
}

func (rp *reporter) add(control, rule string, sev policy.Severity, key, evidence, message, fix string) {
	f := finding.Finding{
		Control: control, Rule: rule, Severity: sev, Key: key,
		Location: finding.Location{URL: rp.loc}, Message: message, Fix: fix,
	}
	if evidence != "" {
		f.Evidence = finding.Plain(evidence)
	}
	rp.r.Add(f)
}

// suiteClass is a group of suites reported together: one finding per class, with the
// suites listed, rather than one per suite.
type suiteClass struct {
	key, name string
	sev       policy.Severity
	match     func(tlsscan.Suite) bool
	why       string
}

// classes are tried in order and a suite lands in the first that matches, so a NULL
// anonymous suite is reported once, under the worse of its two problems.
var classes = []suiteClass{
	{"null", "NULL-encryption", policy.Critical, func(s tlsscan.Suite) bool { return s.Has(tlsscan.FlagNull) },
		"they send traffic unencrypted"},
	{"anon", "anonymous", policy.Critical, func(s tlsscan.Suite) bool { return s.Has(tlsscan.FlagAnon) },
		"they do not authenticate the server, so anyone on the path can impersonate it"},
	{"export", "export-grade", policy.Critical, func(s tlsscan.Suite) bool { return s.Has(tlsscan.FlagExport) },
		"their 40- to 56-bit keys are broken in minutes (FREAK, Logjam)"},
	{"rc4", "RC4", policy.High, func(s tlsscan.Suite) bool { return s.Has(tlsscan.FlagRC4) },
		"RC4's biases leak plaintext; RFC 7465 forbids it"},
	{"des", "single-DES", policy.High, func(s tlsscan.Suite) bool { return s.Has(tlsscan.FlagDES) },
		"a 56-bit DES key is found by brute force"},
	{"weak", "weak", policy.High, func(s tlsscan.Suite) bool {
		return s.Has(tlsscan.FlagRC2) || s.Has(tlsscan.FlagMD5MAC) || (s.Bits > 0 && s.Bits < 112)
	}, "they rely on RC2, MD5 or keys under 112 bits"},
	{"3des", "3DES", policy.Medium, func(s tlsscan.Suite) bool { return s.Has(tlsscan.Flag3DES) },
		"3DES's 64-bit blocks allow the Sweet32 collision attack"},
}

const fixSuites = "Remove them from the server's suite list (nginx ssl_ciphers, Apache SSLCipherSuite); Mozilla's intermediate list is a safe start"

// judge turns a scan into findings and, when there are none, evidence.
func judge(rp *reporter, rep *tlsscan.Report, profile *tlsscan.Profile) {
	start := len(rp.r.Findings)
	if v2 := rep.SSLv2; v2 != nil && v2.Accepted {
		rp.add(ctlPractice, RuleProtocol, policy.Critical, "SSLv2", strings.Join(v2.Ciphers, " "),
			fmt.Sprintf("SSLv2 is accepted (%d cipher%s): it is broken beyond repair, and a server that speaks it exposes its RSA key to DROWN (CVE-2016-0800) for its TLS clients too", len(v2.Ciphers), plural(len(v2.Ciphers))),
			"Disable SSL 2.0 (OpenSSL 1.1.0 and later cannot speak it at all); if the key was ever used with SSLv2, replace it")
	}
	for _, pr := range rep.Protocols {
		if !pr.Accepted || pr.Version >= tlsscan.TLS12 {
			continue
		}
		sev := policy.High
		if pr.Version == tlsscan.SSL30 {
			sev = policy.Critical
		}
		rp.add(ctlPractice, RuleProtocol, sev, pr.Version.String(), suiteList(pr.Suites),
			fmt.Sprintf("%s is accepted (%d suite%s); only TLS 1.2 and 1.3 meet current practice", pr.Version, len(pr.Suites), plural(len(pr.Suites))),
			"Disable it: nginx ssl_protocols TLSv1.2 TLSv1.3; Apache SSLProtocol -all +TLSv1.2 +TLSv1.3")
	}

	reported := map[uint16]bool{}
	suites := rep.Suites()
	for _, c := range classes {
		var hit []tlsscan.Suite
		for _, s := range suites {
			if !reported[s.ID] && c.match(s) {
				hit = append(hit, s)
			}
		}
		if len(hit) == 0 {
			continue
		}
		for _, s := range hit {
			reported[s.ID] = true
		}
		rp.add(ctlPractice, RuleCipher, c.sev, c.key, suiteList(hit),
			fmt.Sprintf("%d %s suite%s accepted: %s", len(hit), c.name, plural(len(hit)), c.why), fixSuites)
	}
	cbcOnly(rp, suites)
	kxDone := judgeKeyExchange(rp, rep.KeyExchange)
	judgeFeatures(rp, rep.Features)
	judgeFallback(rp, rep.Fallback)
	judgeCCS(rp, rep.CCS)
	judgeROBOT(rp, rep.ROBOT)
	judgeTicketbleed(rp, rep.Ticketbleed)
	judgePreferences(rp, rep)

	certReported := judgeCertificate(rp, rep)
	judgeProfile(rp, rep, profile, reported, certReported, kxDone)

	if len(rp.r.Findings) == start {
		rp.r.Attest(ctlPractice, evidence(rep))
	}
}

// cbcOnly reports a configuration that offers no AEAD suite at all: every connection then
// uses CBC with HMAC, open to padding-oracle and timing attacks (Lucky13).
func cbcOnly(rp *reporter, suites []tlsscan.Suite) {
	if len(suites) == 0 {
		return
	}
	sha1 := true
	for _, s := range suites {
		if s.Has(tlsscan.FlagAEAD) {
			return
		}
		if s.Has(tlsscan.FlagCBC) && !s.Has(tlsscan.FlagSHA1MAC) {
			sha1 = false
		}
	}
	what := "CBC"
	if sha1 {
		what = "CBC with SHA-1"
	}
	rp.add(ctlPractice, RuleCipher, policy.Medium, "cbc-only", suiteList(suites),
		fmt.Sprintf("No AEAD suite (GCM, ChaCha20-Poly1305) is accepted: every connection uses %s, which is open to padding-oracle and timing attacks", what),
		"Offer ECDHE suites with AES-GCM or ChaCha20-Poly1305 (TLS 1.2) and enable TLS 1.3")
}

// certReported says which certificate concerns already have a finding, so that the
// profile does not report them a second time.
type certReported struct {
	key, signature bool
}

func judgeCertificate(rp *reporter, rep *tlsscan.Report) certReported {
	var done certReported
	c := rep.Certificate
	if c == nil {
		return done // Report.Incomplete carries the reason; CR-2 becomes unknown
	}
	leaf := c.Leaf()
	var expiredDetails []string
	for _, is := range c.Issues {
		switch is.Problem {
		case tlsscan.ProblemExpired:
			expiredDetails = append(expiredDetails, is.Detail)
		case tlsscan.ProblemNotYetValid:
			rp.add(ctlPractice, RuleCertExpiry, policy.High, "not-yet-valid", certEvidence(leaf), "The certificate is not valid yet: "+is.Detail,
				"Check the server's clock and the certificate's validity dates; install a certificate valid now")
		case tlsscan.ProblemHostname:
			rp.add(ctlPractice, RuleCertHostname, policy.High, "hostname", certEvidence(leaf), "The certificate does not match the host: "+is.Detail,
				"Install a certificate whose subject alternative names include the host name clients use")
		case tlsscan.ProblemSelfSigned, tlsscan.ProblemUnknownAuthority, tlsscan.ProblemInvalid:
			rp.add(ctlPractice, RuleCertTrust, policy.High, string(is.Problem), certEvidence(leaf), "The certificate is not trusted: "+is.Detail,
				"Install a certificate issued by a publicly trusted CA (or your organisation's CA for internal services), with its intermediates")
		case tlsscan.ProblemIncompleteChain:
			rp.add(ctlPractice, RuleCertTrust, policy.Medium, string(is.Problem), certEvidence(leaf), "The certificate chain is incomplete: "+is.Detail,
				"Serve the full chain: nginx ssl_certificate with the leaf followed by the intermediates (fullchain.pem); Apache SSLCertificateFile likewise")
		case tlsscan.ProblemInsecureSignature:
			done.signature = true
			rp.add(ctlPractice, RuleCertSignature, policy.High, "insecure", certEvidence(leaf), "The chain uses an insecure signature: "+is.Detail,
				"Reissue the certificate (and any intermediate) with a SHA-256 or stronger signature")
		}
	}
	switch {
	case len(expiredDetails) > 0:
		rp.add(ctlPractice, RuleCertExpiry, policy.Critical, "expired", certEvidence(leaf), "The certificate has expired: "+strings.Join(expiredDetails, "; "),
			"Renew the certificate now and automate renewal (ACME)")
	case !c.Has(tlsscan.ProblemNotYetValid) && c.DaysLeft < expiryFail:
		rp.add(ctlPractice, RuleCertExpiry, policy.High, "expiring", certEvidence(leaf),
			fmt.Sprintf("The certificate expires in %d day%s (less than %d)", c.DaysLeft, plural(c.DaysLeft), expiryFail),
			"Renew the certificate and automate renewal (ACME)")
	case !c.Has(tlsscan.ProblemNotYetValid) && c.DaysLeft < expiryWarn:
		// A warning, not a failure: the policy's line is 21 days; this is the nudge before it.
		rp.add(ctlPractice, RuleCertExpiry, policy.Info, "expiring-soon", certEvidence(leaf),
			fmt.Sprintf("The certificate expires in %d days (less than %d)", c.DaysLeft, expiryWarn),
			"Renew the certificate soon and automate renewal (ACME)")
	}
	if small := (leaf.KeyType == "RSA" || leaf.KeyType == "DSA") && leaf.KeyBits < 2048 || leaf.KeyType == "ECDSA" && leaf.KeyBits < 256; small {
		done.key = true
		rp.add(ctlPractice, RuleCertKey, policy.High, "small-key", certEvidence(leaf),
			fmt.Sprintf("The certificate's %s key has %d bits (at least %d required)", leaf.KeyType, leaf.KeyBits, map[bool]int{true: 256, false: 2048}[leaf.KeyType == "ECDSA"]),
			"Issue a new certificate with an RSA key of 2048 bits or more, or an ECDSA P-256 key")
	}
	if !done.signature {
		for _, ci := range c.Chain {
			if ci.SelfSigned && ci.IsCA {
				continue // a root's own signature is never checked
			}
			if alg := ci.SignatureAlgorithm; strings.Contains(alg, "SHA1") || strings.Contains(alg, "MD5") || strings.Contains(alg, "MD2") {
				done.signature = true
				rp.add(ctlPractice, RuleCertSignature, policy.High, alg, ci.Subject+" signed with "+alg,
					fmt.Sprintf("%s is signed with %s, which collisions have broken", ci.Subject, alg),
					"Reissue the certificate (and any intermediate) with a SHA-256 or stronger signature")
				break
			}
		}
	}
	if !c.OCSPStapled {
		rp.add(ctlPractice, RuleOCSP, policy.Info, "no-stapling", "",
			"The server does not staple an OCSP response: clients must ask the CA, which is slower and tells the CA who visits",
			"Enable stapling: nginx ssl_stapling on; ssl_stapling_verify on; Apache SSLUseStapling on")
	}
	return done
}

// judgeProfile reports what departs from the selected profile and has no finding of its
// own above: TLS 1.2 under modern, CBC or non-forward-secret suites, certificate lifetime.
func judgeProfile(rp *reporter, rep *tlsscan.Report, p *tlsscan.Profile, suitesReported map[uint16]bool, done certReported, kx kxReported) {
	var versions []string
	var suites []tlsscan.Suite
	var groups []string
	for _, is := range tlsscan.Evaluate(rep, p) {
		switch is.Kind {
		case tlsscan.IssueProtocol:
			if is.Version >= tlsscan.TLS12 {
				versions = append(versions, is.Subject)
			}
		case tlsscan.IssueSuite:
			if !suitesReported[is.Suite.ID] {
				suites = append(suites, is.Suite)
			}
		case tlsscan.IssueKeySize:
			if !done.key {
				rp.add(ctlPractice, RuleProfile, policy.Low, string(is.Kind), is.Subject, is.Message, "Issue a certificate with a key the profile allows")
			}
		case tlsscan.IssueSignature:
			if !done.signature {
				rp.add(ctlPractice, RuleProfile, policy.Low, string(is.Kind), is.Subject, is.Message, "Reissue the certificate with a signature algorithm the profile allows")
			}
		case tlsscan.IssueKeyType:
			rp.add(ctlPractice, RuleProfile, policy.Low, string(is.Kind), is.Subject, is.Message, "Issue a certificate with a key type the profile allows")
		case tlsscan.IssueLifetime:
			rp.add(ctlPractice, RuleProfile, policy.Low, string(is.Kind), is.Subject, is.Message, "Use shorter-lived certificates with automated renewal (ACME)")
		case tlsscan.IssueGroup:
			if !kx.groups[is.Group.ID] {
				groups = append(groups, is.Subject)
			}
		case tlsscan.IssueDHSize:
			if !kx.dh {
				rp.add(ctlPractice, RuleProfile, policy.Low, string(is.Kind), is.Subject, is.Message, fixDH)
			}
		}
	}
	if len(groups) > 0 {
		rp.add(ctlPractice, RuleProfile, policy.Low, "groups", strings.Join(groups, " "),
			fmt.Sprintf("key exchange group%s %s accepted; the %s profile allows %s", plural(len(groups)), strings.Join(groups, ", "), p.Name, strings.Join(p.Groups, ", ")),
			fixGroups)
	}
	if len(versions) > 0 {
		rp.add(ctlPractice, RuleProfile, policy.Low, "protocol", strings.Join(versions, ", "),
			fmt.Sprintf("%s accepted; the %s profile allows %s only", strings.Join(versions, ", "), p.Name, strings.Join(p.Protocols, ", ")),
			"Align the protocol list with the profile, or select the profile the service is meant to meet")
	}
	if len(suites) > 0 {
		rp.add(ctlPractice, RuleProfile, policy.Low, "suites", suiteList(suites),
			fmt.Sprintf("%d accepted suite%s outside the %s profile (%s)", len(suites), plural(len(suites)), p.Name, describeSuites(suites)),
			"Restrict the suite list to the profile's (Mozilla's configuration generator writes it for nginx and Apache)")
	}
}

// describeSuites says in a few words why suites fall outside a profile.
func describeSuites(ss []tlsscan.Suite) string {
	var cbc, noFS, other int
	for _, s := range ss {
		switch {
		case !s.Has(tlsscan.FlagAEAD):
			cbc++
		case !s.Has(tlsscan.FlagForwardSecret):
			noFS++
		default:
			other++
		}
	}
	var parts []string
	if cbc > 0 {
		parts = append(parts, fmt.Sprintf("%d without AEAD", cbc))
	}
	if noFS > 0 {
		parts = append(parts, fmt.Sprintf("%d without forward secrecy", noFS))
	}
	if other > 0 {
		parts = append(parts, fmt.Sprintf("%d not listed", other))
	}
	return strings.Join(parts, ", ")
}

// suiteList names suites compactly for evidence (OpenSSL names are the short ones);
// finding.Plain bounds the length.
func suiteList(ss []tlsscan.Suite) string {
	var names []string
	for _, s := range ss {
		n := s.OpenSSL
		if n == "" {
			n = s.Name
		}
		names = append(names, n)
	}
	return strings.Join(names, " ")
}

func certEvidence(leaf tlsscan.CertInfo) string {
	return fmt.Sprintf("subject %s; issuer %s; valid %s to %s; %s %d", leaf.Subject, leaf.Issuer,
		leaf.NotBefore.UTC().Format("2006-01-02"), leaf.NotAfter.UTC().Format("2006-01-02"), leaf.KeyType, leaf.KeyBits)
}

// evidence says what a pass of CR-2 rests on.
func evidence(rep *tlsscan.Report) string {
	suites := rep.Suites()
	good := 0
	for _, s := range suites {
		if s.Has(tlsscan.FlagAEAD | tlsscan.FlagForwardSecret) {
			good++
		}
	}
	quality := "all AEAD with forward secrecy"
	if good < len(suites) {
		quality = fmt.Sprintf("%d AEAD with forward secrecy", good)
	}
	s := fmt.Sprintf("%s; %d suites, %s", versionList(rep.Accepted()), len(suites), quality)
	if kx := kxEvidence(rep.KeyExchange); kx != "" {
		s += "; " + kx
	}
	if c := rep.Certificate; c != nil && c.Trusted {
		s += fmt.Sprintf("; certificate valid %d days, chain complete", c.DaysLeft)
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
