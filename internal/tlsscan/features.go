package tlsscan

import (
	"context"
	"fmt"
)

// Features is what one more handshake tells about the protocol options of TLS 1.2 and
// older: whether the server supports secure renegotiation (RFC 5746; without it a man in
// the middle can splice his own request in front of the client's, CVE-2009-3555) and
// whether it compresses records when asked (CRIME recovers secrets from compressed TLS).
type Features struct {
	// Version is the version the handshake used; zero when no version before TLS 1.3
	// was accepted, and the fields below mean nothing.
	Version Version
	// SecureRenegotiation: the ServerHello carried renegotiation_info.
	SecureRenegotiation bool
	// Compression: the server chose DEFLATE when offered it before none.
	Compression bool
	// Heartbeat: the server accepted the heartbeat extension (TLS 1.0 to 1.2).
	// HeartbleedBytes is how much it answered a heartbeat request that claimed 16 KiB
	// and carried none: anything at all is Heartbleed (CVE-2014-0160).
	Heartbeat       bool
	HeartbleedBytes int
	Err             error
}

// features offers the accepted suites of the newest version before TLS 1.3, with
// DEFLATE before null compression and the renegotiation SCSV (which every hello sends).
func (s *scanner) features(ctx context.Context, rep *Report) Features {
	v, suites := newestWith(rep, func(Suite) bool { return true })
	if suites == nil {
		return Features{}
	}
	f := Features{Version: v}
	res, err := s.exchange(ctx, helloSpec{version: v, suites: suites, serverName: s.serverName, keyShare: s.keyShare, deflate: true}, false)
	switch {
	case err != nil:
		f.Err = fmt.Errorf("renegotiation and compression at %s: %w", v, err)
	case !res.accepted:
		f.Err = fmt.Errorf("renegotiation and compression at %s: the suites accepted before were refused now (%s)", v, res.reason)
	default:
		_, f.SecureRenegotiation = res.sh.extensions[extRenegotiationInfo]
		f.Compression = res.sh.compression != 0
	}
	if f.Err == nil && v >= TLS10 { // SSL 3.0 hellos carry no extensions
		if f.Heartbeat, f.HeartbleedBytes, err = s.heartbleed(ctx, v, suites); err != nil {
			f.Err = fmt.Errorf("heartbeat at %s: %w", v, err)
		}
	}
	return f
}
