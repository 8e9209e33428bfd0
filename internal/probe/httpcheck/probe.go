// Package httpcheck examines what answers at an endpoint's URL over HTTP: the plain-HTTP
// port and HSTS (CR-1), security headers, cookies, banners, directory listings and files
// that must never be served (ST-1), administration pages that answer without credentials
// (ZT-1), the server's clock (SC-1) and debugging output (SC-2). Every request goes
// through internal/netx; paths probed and their content confirmations are data
// (rules.yaml). docs/http-checks.md describes each check and its limits.
package httpcheck

import (
	"context"
	"errors"
	"sync"

	"github.com/posture-dev/posture/internal/netx"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

const (
	ctlTLS   = "CR-1"
	ctlOWASP = "ST-1"
	ctlAdmin = "ZT-1"
	ctlClock = "SC-1"
	ctlDebug = "SC-2"
)

var controls = []string{ctlTLS, ctlOWASP, ctlAdmin, ctlClock, ctlDebug}

const userAgent = "posture (policy compliance scanner)"

// DefaultConcurrency is how many requests one target has in flight at once; netx also
// bounds connections per host across targets.
const DefaultConcurrency = 4

// Options tune the probe; the zero value is what scans use.
type Options struct {
	// PlainHTTPAddr is the "host:port" whose plain-HTTP answer is judged for an https://
	// target. Empty means the target's host on port 80; tests point it at a loopback
	// listener.
	PlainHTTPAddr string
	// Concurrency bounds requests in flight for one target (DefaultConcurrency if zero).
	Concurrency int
	// Rules replaces the embedded path rules.
	Rules *Rules
}

// New returns the HTTP probe with default options.
func New(n *netx.Net) probe.Probe { return NewWithOptions(n, Options{}) }

// NewWithOptions returns the HTTP probe.
func NewWithOptions(n *netx.Net, o Options) probe.Probe {
	if n == nil {
		n = netx.New(netx.Options{})
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	return &httpProbe{n: n, opt: o}
}

type httpProbe struct {
	n   *netx.Net
	opt Options
}

var defaultRules = sync.OnceValues(DefaultRules)

func (*httpProbe) Name() string               { return "endpoint/http" }
func (*httpProbe) Controls() []string         { return append([]string(nil), controls...) }
func (*httpProbe) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindEndpoint} }
func (*httpProbe) Description() string {
	return "plain HTTP redirects to HTTPS and HSTS is long-lived; security headers, cookie flags, no version banners, listings or exposed files; admin pages need credentials; the Date header agrees with our clock; no stack traces or debug headers"
}

func (p *httpProbe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	if t == nil || t.URL == nil {
		return nil, errors.New("not an endpoint target (no URL)")
	}
	rules := p.opt.Rules
	if rules == nil {
		var err error
		if rules, err = defaultRules(); err != nil {
			return nil, err
		}
	}
	s := newScan(p, rules, t)
	defer s.f.close()
	s.run(ctx)
	return s.rep.finish(), nil
}
