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
	Err         error
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
	return f
}
