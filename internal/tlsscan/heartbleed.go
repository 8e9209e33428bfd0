package tlsscan

import (
	"context"
	"errors"
	"io"
	"time"
)

// recordHeartbeat is the heartbeat content type (RFC 6520).
const recordHeartbeat = 24

// heartbleedProbe is a heartbeat request that claims a 16 KiB payload and carries none.
// RFC 6520 says to discard it; OpenSSL 1.0.1 to 1.0.1f answered with 16 KiB of its own
// memory (CVE-2014-0160). Nothing is read beyond the first record header.
var heartbleedProbe = []byte{1, 0x40, 0x00}

// heartbleed offers the heartbeat extension at version v and, if the server takes it,
// sends the malformed request after ServerHelloDone, as the attack did. heartbeat says
// whether the server supports the extension, leaked how many bytes it answered with.
func (s *scanner) heartbleed(ctx context.Context, v Version, suites []uint16) (heartbeat bool, leaked int, err error) {
	conn, res, err := s.helloDoneResult(ctx, helloSpec{version: v, suites: suites, serverName: s.serverName, keyShare: s.keyShare, heartbeat: true})
	if res.sh != nil && res.accepted {
		if _, ok := res.sh.extensions[extHeartbeat]; !ok {
			// No heartbeat support: whatever followed the ServerHello does not matter.
			if conn != nil {
				conn.Close()
			}
			return false, 0, nil
		}
	}
	if err != nil {
		return false, 0, err
	}
	defer conn.Close()
	rec := append([]byte{recordHeartbeat, byte(v >> 8), byte(v), 0, byte(len(heartbleedProbe))}, heartbleedProbe...)
	if _, err := conn.Write(rec); err != nil {
		return true, 0, nil // closed on us: not answering is the right answer
	}
	// A server that discards the request says nothing: a short wait is enough, since a
	// vulnerable one answers at once.
	_ = conn.SetReadDeadline(time.Now().Add(min(s.timeout, 2*time.Second)))
	var hdr [5]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		if ctx.Err() != nil {
			return true, 0, ctx.Err()
		}
		return true, 0, nil
	}
	if hdr[0] != recordHeartbeat {
		return true, 0, nil // an alert, or the handshake going on: not a leak
	}
	n := int(hdr[3])<<8 | int(hdr[4])
	if n <= len(heartbleedProbe) {
		return true, 0, errors.New("the server answered the malformed heartbeat with a short heartbeat record")
	}
	return true, n, nil
}
