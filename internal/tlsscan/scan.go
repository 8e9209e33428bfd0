package tlsscan

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/posture-dev/posture/internal/netx"
)

// Options tune one scan.
type Options struct {
	// ServerName is sent as SNI and is the name the certificate must match; empty means
	// the host part of the address.
	ServerName string
	// Intermediates are CA certificates known to the scanner but not trusted as roots;
	// with them a chain the server sent incomplete can be shown to verify if completed.
	Intermediates *x509.CertPool
	// Versions limits the versions probed; nil means all of Versions, and SSL 2.0.
	Versions []Version
	// Chunk is the most suites one hello offers; zero means DefaultChunk.
	Chunk int
	// SkipCertificate leaves the certificate out (enumeration only).
	SkipCertificate bool
	// SkipKeyExchange leaves out the DHE parameters and the named groups, and the
	// handshakes measured with them: protocol features, fallback protection, preference,
	// the CCS injection, ROBOT and Ticketbleed tests.
	SkipKeyExchange bool
}

// Report is the result of one scan.
type Report struct {
	Addr, ServerName string
	// Protocols has one entry per probed version, oldest first.
	Protocols []ProtocolResult
	// Certificate is nil when the chain could not be read; CertErr then says why.
	Certificate *CertReport
	CertErr     error
	// SSLv2 is nil when it was not probed (Options.Versions set).
	SSLv2 *SSLv2Result
	// KeyExchange is nil when it was not measured (Options.SkipKeyExchange), and so are
	// Features, measured alongside.
	KeyExchange *KeyExchange
	Features    *Features
	// Fallback and Preferences are measured with KeyExchange too: the downgrade
	// protection, and who chooses the suite at each version with more than one.
	Fallback    *Fallback
	Preferences []Preference
	// CCS, ROBOT and Ticketbleed are the early ChangeCipherSpec, Bleichenbacher oracle
	// and session-id leak tests, measured with KeyExchange too.
	CCS         *CCSInjection
	ROBOT       *ROBOT
	Ticketbleed *Ticketbleed
	Elapsed     time.Duration
}

// Accepted lists the versions the server accepted, oldest first.
func (r *Report) Accepted() []Version {
	var out []Version
	for _, p := range r.Protocols {
		if p.Accepted {
			out = append(out, p.Version)
		}
	}
	return out
}

// Protocol returns the result for v, or nil when v was not probed.
func (r *Report) Protocol(v Version) *ProtocolResult {
	for i := range r.Protocols {
		if r.Protocols[i].Version == v {
			return &r.Protocols[i]
		}
	}
	return nil
}

// Suites lists every accepted suite once, whatever the version.
func (r *Report) Suites() []Suite {
	seen := map[uint16]bool{}
	var out []Suite
	for _, p := range r.Protocols {
		for _, s := range p.Suites {
			if !seen[s.ID] {
				seen[s.ID] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// Incomplete lists why parts of the scan could not be decided.
func (r *Report) Incomplete() []string {
	var out []string
	for _, p := range r.Protocols {
		if p.Err != nil {
			out = append(out, p.Err.Error())
		}
	}
	if r.CertErr != nil {
		out = append(out, "certificate: "+r.CertErr.Error())
	}
	if r.KeyExchange != nil && r.KeyExchange.Err != nil {
		out = append(out, "key exchange: "+r.KeyExchange.Err.Error())
	}
	if r.Features != nil && r.Features.Err != nil {
		out = append(out, r.Features.Err.Error())
	}
	if r.Fallback != nil && r.Fallback.Err != nil {
		out = append(out, r.Fallback.Err.Error())
	}
	if r.CCS != nil && r.CCS.Err != nil {
		out = append(out, r.CCS.Err.Error())
	}
	if r.ROBOT != nil && r.ROBOT.Err != nil {
		out = append(out, r.ROBOT.Err.Error())
	}
	if r.Ticketbleed != nil && r.Ticketbleed.Err != nil {
		out = append(out, r.Ticketbleed.Err.Error())
	}
	for _, p := range r.Preferences {
		if p.Err != nil {
			out = append(out, p.Err.Error())
		}
	}
	if r.SSLv2 != nil && r.SSLv2.Err != nil {
		out = append(out, r.SSLv2.Err.Error())
	}
	return out
}

// ErrNoTLS is wrapped by Scan's error when the server accepted no version at all.
var ErrNoTLS = errors.New("no TLS handshake succeeded")

// scanner holds what every hello of one scan shares.
type scanner struct {
	net        *netx.Net
	addr       string
	serverName string
	timeout    time.Duration
	chunk      int
	keyShare   []byte
}

// Scan audits the TLS endpoint at addr ("host:port"). It returns an error, with the
// report so far, when the endpoint cannot be judged at all: nothing listens, it does
// not speak TLS, or it accepted no version. A partial failure (one version timed out) is
// recorded in the report instead (Report.Incomplete).
func Scan(ctx context.Context, n *netx.Net, addr string, opt Options) (*Report, error) {
	start := time.Now()
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("tls scan: %w", err)
	}
	name := opt.ServerName
	if name == "" {
		name = host
	}
	key, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	s := &scanner{net: n, addr: addr, serverName: name, timeout: n.Options().Timeout,
		chunk: opt.Chunk, keyShare: key.PublicKey().Bytes()}
	if s.chunk <= 0 {
		s.chunk = DefaultChunk
	}
	versions := opt.Versions
	if versions == nil {
		versions = Versions
	}
	rep := &Report{Addr: addr, ServerName: name, Protocols: make([]ProtocolResult, len(versions))}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for i, v := range versions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep.Protocols[i] = s.enumerate(ctx, v)
		}()
	}
	if opt.Versions == nil {
		wg.Go(func() {
			r := s.sslv2(ctx)
			rep.SSLv2 = &r
		})
	}
	// The chain is fetched alongside, with crypto/tls, which covers every server that
	// speaks TLS 1.2 or 1.3 with a suite Go knows.
	var chain *fetched
	var chainErr error
	if !opt.SkipCertificate {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chain, chainErr = s.fetchWithGo(ctx)
		}()
	}
	wg.Wait()

	if err := noTLS(rep); err != nil {
		rep.Elapsed = time.Since(start)
		return rep, err
	}
	if !opt.SkipKeyExchange {
		var wg sync.WaitGroup
		var kx KeyExchange
		var ft Features
		var fb Fallback
		var prefs []Preference
		wg.Go(func() { kx = s.keyExchange(ctx, rep) })
		wg.Go(func() { ft = s.features(ctx, rep) })
		wg.Go(func() { fb = s.fallback(ctx, rep) })
		var ccs CCSInjection
		wg.Go(func() { prefs = s.preferences(ctx, rep) })
		var robot ROBOT
		wg.Go(func() { ccs = s.ccsInjection(ctx, rep) })
		var tb Ticketbleed
		wg.Go(func() { robot = s.robot(ctx, rep) })
		wg.Go(func() { tb = s.ticketbleed(ctx, rep) })
		wg.Wait()
		rep.KeyExchange, rep.Features, rep.Fallback, rep.Preferences = &kx, &ft, &fb, prefs
		rep.CCS, rep.ROBOT, rep.Ticketbleed = &ccs, &robot, &tb
	}
	if !opt.SkipCertificate {
		if chainErr != nil {
			// Only a legacy version worked (or Go refused the suites): read the chain from
			// the raw handshake instead.
			raw, rawErr := s.fetchRaw(ctx, rep)
			if rawErr != nil {
				chain, chainErr = nil, fmt.Errorf("%v; reading it from a raw handshake: %w", chainErr, rawErr)
			} else {
				chain, chainErr = raw, nil
			}
		}
		if chainErr != nil {
			rep.CertErr = chainErr
		} else {
			rep.Certificate = Judge(chain.certs, name, JudgeOptions{
				Roots: n.Options().RootCAs, Intermediates: opt.Intermediates, Now: n.Now(),
			})
			rep.Certificate.OCSPStapled = len(chain.ocsp) > 0
			rep.Certificate.Version = chain.version
		}
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// noTLS decides whether the scan as a whole failed: no version accepted. Garbage wins
// over other reasons, then connection errors, then refusals.
func noTLS(rep *Report) error {
	var errs []error
	var refusals []string
	for _, p := range rep.Protocols {
		if p.Accepted {
			return nil
		}
		if p.Err != nil {
			errs = append(errs, p.Err)
		} else if p.Refusal != "" {
			refusals = append(refusals, p.Version.String()+": "+p.Refusal)
		}
	}
	for _, e := range errs {
		var nt *NotTLSError
		if errors.As(e, &nt) {
			return fmt.Errorf("%w: %w", ErrNoTLS, nt)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrNoTLS, errs[0])
	}
	return fmt.Errorf("%w: every version was refused (%s)", ErrNoTLS, strings.Join(refusals, "; "))
}
