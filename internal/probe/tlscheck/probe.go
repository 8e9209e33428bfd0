// Package tlscheck is the TLS probe for endpoint targets: it scans the https endpoint with
// internal/tlsscan and reports, under CR-2, accepted protocols below TLS 1.2, weak suite
// classes, certificate problems, missing OCSP stapling and departures from the selected
// profile; under CR-1, an https target that does not speak TLS at all. docs/tls.md
// describes every rule, its severity and its limits.
package tlscheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/posture-dev/posture/internal/netx"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
	"github.com/posture-dev/posture/internal/tlsscan"
)

// Rules this probe reports.
const (
	RuleNoTLS         = "endpoint/no-tls"
	RuleProtocol      = "endpoint/tls-protocol"
	RuleCipher        = "endpoint/tls-cipher"
	RuleCertExpiry    = "endpoint/tls-certificate-expiry"
	RuleCertHostname  = "endpoint/tls-certificate-hostname"
	RuleCertTrust     = "endpoint/tls-certificate-trust"
	RuleCertKey       = "endpoint/tls-certificate-key"
	RuleCertSignature = "endpoint/tls-certificate-signature"
	RuleOCSP          = "endpoint/tls-ocsp-stapling"
	RuleProfile       = "endpoint/tls-profile"
	RuleKeyExchange   = "endpoint/tls-key-exchange"
	RuleRenegotiation = "endpoint/tls-renegotiation"
	RuleCompression   = "endpoint/tls-compression"
	RuleHeartbleed    = "endpoint/tls-heartbleed"
	RuleFallback      = "endpoint/tls-fallback"
	RuleCipherOrder   = "endpoint/tls-cipher-order"
	RuleCCS           = "endpoint/tls-ccs-injection"
	RuleROBOT         = "endpoint/tls-robot"
	RuleTicketbleed   = "endpoint/tls-ticketbleed"
)

const (
	ctlTLS      = "CR-1"
	ctlPractice = "CR-2"
)

// DefaultProfile is the profile endpoints are held to unless Options say otherwise.
const DefaultProfile = "intermediate"

// Options configure the probe.
type Options struct {
	// Profile names the TLS profile ("intermediate" when empty, or "modern").
	Profile string
}

// New returns the TLS probe; it dials through n.
func New(n *netx.Net, opt Options) probe.Probe {
	if opt.Profile == "" {
		opt.Profile = DefaultProfile
	}
	return &tlsProbe{net: n, opt: opt}
}

type tlsProbe struct {
	net *netx.Net
	opt Options
}

func (*tlsProbe) Name() string               { return "endpoint/tls" }
func (*tlsProbe) Controls() []string         { return []string{ctlTLS, ctlPractice} }
func (*tlsProbe) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindEndpoint} }
func (p *tlsProbe) Description() string {
	return "https endpoints speak TLS 1.2+ only, with no weak, anonymous, export, RC4, 3DES or NULL suites, a trusted unexpired certificate for the host with a strong key and signature, and match the " + p.opt.Profile + " profile"
}

func (p *tlsProbe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	if t.URL == nil {
		return nil, errors.New("endpoint target without a URL")
	}
	profile, err := tlsscan.LookupProfile(p.opt.Profile)
	if err != nil {
		return nil, err
	}
	r := &probe.Result{}
	switch t.URL.Scheme {
	case "https":
	case "http":
		why := "the target is plain http://; TLS is judged on https:// targets (whether HTTP redirects to HTTPS is the HTTP checks' part of CR-1)"
		r.MarkNotApplicable(ctlPractice, why)
		r.MarkNotApplicable(ctlTLS, why)
		return r, nil
	default:
		return nil, fmt.Errorf("endpoint scheme %q: want https", t.URL.Scheme)
	}
	loc := location(t.URL)
	host := t.URL.Hostname()
	port := t.URL.Port()
	if port == "" {
		port = "443"
	}
	addr := net.JoinHostPort(host, port)
	rep, err := tlsscan.Scan(ctx, p.net, addr, tlsscan.Options{ServerName: host})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		reportScanError(r, loc, addr, err)
		return r, nil
	}
	rp := &reporter{r: r, loc: loc}
	r.Attest(ctlTLS, fmt.Sprintf("%s answers with TLS (%s)", addr, versionList(rep.Accepted())))
	judge(rp, rep, profile)
	for _, why := range rep.Incomplete() {
		r.MarkUnknown(ctlPractice, why)
	}
	return r, nil
}

// reportScanError turns a scan that judged nothing into CR-1/CR-2 verdicts: a server that
// answers in something other than TLS breaks CR-1; anything else leaves both unknown.
func reportScanError(r *probe.Result, loc, addr string, err error) {
	var nt *tlsscan.NotTLSError
	if errors.As(err, &nt) {
		what := "something that is not TLS"
		if nt.PlainHTTP() {
			what = "plain HTTP"
		}
		rp := &reporter{r: r, loc: loc}
		rp.add(ctlTLS, RuleNoTLS, policy.High, "no-tls", nt.Banner,
			fmt.Sprintf("The https target %s answers a TLS handshake with %s", addr, what),
			"Serve TLS on this port (ssl on the listen directive, or the TLS listener of the server) or correct the URL's port")
		r.MarkUnknown(ctlPractice, "no TLS to judge: "+err.Error())
		return
	}
	r.MarkUnknown(ctlTLS, err.Error())
	r.MarkUnknown(ctlPractice, err.Error())
}

// location is the target URL without credentials, the place every finding points to.
func location(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

func versionList(vs []tlsscan.Version) string {
	var out []string
	for _, v := range vs {
		out = append(out, v.String())
	}
	return strings.Join(out, ", ")
}
