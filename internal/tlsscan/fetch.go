package tlsscan

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// fetched is a certificate chain as the server sent it.
type fetched struct {
	certs   []*x509.Certificate
	ocsp    []byte
	version Version
}

// goSuites is every suite crypto/tls can negotiate, insecure ones included: the point is
// to see the chain, not to protect the connection.
func goSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

// fetchWithGo reads the chain with a crypto/tls handshake that verifies nothing; Judge
// does the verification, so that every reason a chain fails can be reported, not just
// the first.
func (s *scanner) fetchWithGo(ctx context.Context) (*fetched, error) {
	conn, err := s.net.Dial(ctx, s.addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", s.addr, err)
	}
	defer conn.Close()
	// Judge verifies the chain afterwards and reports every reason it fails, not just the
	// first, so the handshake must complete whatever the certificate.
	cfg := s.net.InspectTLS("", nil)
	cfg.MinVersion = tls.VersionTLS10
	cfg.CipherSuites = goSuites()
	if _, err := netip.ParseAddr(s.serverName); err != nil {
		cfg.ServerName = s.serverName
	}
	hctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(hctx); err != nil {
		return nil, fmt.Errorf("handshake with crypto/tls: %w", err)
	}
	st := tc.ConnectionState()
	if len(st.PeerCertificates) == 0 {
		return nil, errors.New("the server sent no certificate")
	}
	return &fetched{certs: st.PeerCertificates, ocsp: st.OCSPResponse, version: Version(st.Version)}, nil
}

// fetchRaw reads the chain from a raw TLS 1.2-or-older handshake, using the newest such
// version and the suites the enumeration found accepted for it.
func (s *scanner) fetchRaw(ctx context.Context, rep *Report) (*fetched, error) {
	for i := len(rep.Protocols) - 1; i >= 0; i-- {
		p := rep.Protocols[i]
		if !p.Accepted || p.Version == TLS13 {
			continue
		}
		// Anonymous suites send no certificate; offer them only if nothing else works.
		var ids, anon []uint16
		for _, su := range p.Suites {
			if su.Has(FlagAnon) || su.Au == "PSK" || su.Au == "SRP" {
				anon = append(anon, su.ID)
			} else {
				ids = append(ids, su.ID)
			}
		}
		if len(ids) == 0 {
			ids = anon
		}
		res, err := s.exchange(ctx, helloSpec{version: p.Version, suites: ids, serverName: s.serverName, statusRequest: true}, true)
		if err != nil {
			return nil, err
		}
		if !res.accepted {
			return nil, fmt.Errorf("%s was refused on a second try (%s)", p.Version, res.reason)
		}
		if len(res.certs) == 0 {
			return nil, fmt.Errorf("the server sent no certificate over %s (an anonymous suite?)", p.Version)
		}
		f := &fetched{ocsp: res.ocsp, version: p.Version}
		for _, der := range res.certs {
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, fmt.Errorf("certificate %d of the chain: %w", len(f.certs)+1, err)
			}
			f.certs = append(f.certs, c)
		}
		return f, nil
	}
	return nil, errors.New("no protocol version older than TLS 1.3 was accepted, and TLS 1.3 encrypts the certificate")
}

// daysLeft counts whole days from now to t, negative when t is past (a certificate that
// expired 10.2 days ago is -10, one that expires in 89.9 days has 89).
func daysLeft(t, now time.Time) int { return int(t.Sub(now) / (24 * time.Hour)) }
