package tlsscan

import (
	"context"
	"fmt"
)

// scsvFallback is TLS_FALLBACK_SCSV (RFC 7507): a client that retries with a lower
// version after a failed handshake sends it, and a server that supports a higher version
// must then refuse with inappropriate_fallback.
const scsvFallback = 0x5600

// Fallback is how the server answers a downgraded hello that carries
// TLS_FALLBACK_SCSV. Without the protection a man in the middle who breaks the first
// handshakes makes a browser that still retries fall back to the oldest version both
// support (POODLE used this to reach SSL 3.0).
type Fallback struct {
	// From is the newest version before TLS 1.3 the server accepts and To the next older
	// one it accepts, which the hello offered. To is zero when there is no older version
	// to fall back to: nothing to protect.
	From, To Version
	// Protected: the server refused with inappropriate_fallback. Refusal is how it
	// refused otherwise (a handshake_failure is also a refusal, but not RFC 7507's).
	Protected bool
	Refusal   string
	// Accepted: the server went on with the downgraded handshake.
	Accepted bool
	Err      error
}

// fallback follows testssl.sh's method: the newest version before TLS 1.3 and the one
// below it that the server accepts, and one hello at the older with the SCSV.
func (s *scanner) fallback(ctx context.Context, rep *Report) Fallback {
	var older []*ProtocolResult
	for i := len(rep.Protocols) - 1; i >= 0; i-- {
		if p := &rep.Protocols[i]; p.Accepted && p.Version < TLS13 {
			older = append(older, p)
		}
	}
	if len(older) == 0 {
		return Fallback{}
	}
	fb := Fallback{From: older[0].Version}
	if len(older) < 2 {
		return fb
	}
	to := older[1]
	fb.To = to.Version
	suites := make([]uint16, 0, len(to.Suites)+1)
	for _, su := range to.Suites {
		suites = append(suites, su.ID)
	}
	res, err := s.exchange(ctx, helloSpec{version: to.Version, suites: append(suites, scsvFallback), serverName: s.serverName}, false)
	switch {
	case err != nil:
		fb.Err = fmt.Errorf("TLS_FALLBACK_SCSV at %s: %w", to.Version, err)
	case res.accepted:
		fb.Accepted = true
	case res.reason == "alert inappropriate_fallback":
		fb.Protected = true
	default:
		fb.Refusal = res.reason
	}
	return fb
}
