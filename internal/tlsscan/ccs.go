package tlsscan

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// CCSInjection is the outcome of the early ChangeCipherSpec test (CVE-2014-0224):
// OpenSSL before 1.0.1h, 1.0.0m and 0.9.8za accepted a ChangeCipherSpec before the key
// exchange and switched to keys derived from an empty master secret, which a man in the
// middle can compute.
type CCSInjection struct {
	// Version is the version the test used; zero when no version before TLS 1.3 was
	// accepted, and the test did not run.
	Version Version
	// Vulnerable: the second early ChangeCipherSpec was answered with bad_record_mac or
	// decryption_failed, so the server had taken the first and switched keys.
	Vulnerable bool
	// Answer is what the server did: "alert unexpected_message", "closed", "silent".
	Answer string
	Err    error
}

// ccsInjection follows testssl.sh's method: at the oldest TLS version before 1.3 the
// server accepts (SSL 3.0 only when there is none), a handshake up to ServerHelloDone, then a ChangeCipherSpec, then
// another. A patched server refuses the first with unexpected_message.
func (s *scanner) ccsInjection(ctx context.Context, rep *Report) CCSInjection {
	var v Version
	var suites []uint16
	for _, want := range []Version{TLS10, TLS11, TLS12, SSL30} {
		if p := rep.Protocol(want); p != nil && p.Accepted {
			v = p.Version
			for _, su := range p.Suites {
				suites = append(suites, su.ID)
			}
			break
		}
	}
	if v == 0 {
		return CCSInjection{}
	}
	out := CCSInjection{Version: v}
	conn, err := s.helloDone(ctx, helloSpec{version: v, suites: suites, serverName: s.serverName})
	if err != nil {
		out.Err = fmt.Errorf("CCS injection at %s: %w", v, err)
		return out
	}
	defer conn.Close()
	ccs := []byte{recordChangeCipherSpec, byte(v >> 8), byte(v), 0, 1, 1}
	wait := min(s.timeout, time.Second)
	for range 2 {
		if _, err := conn.Write(ccs); err != nil {
			out.Answer = "closed"
			return out
		}
		_ = conn.SetReadDeadline(time.Now().Add(wait))
		rec, err := readRecord(conn)
		var ne net.Error
		switch {
		case err == nil && rec.typ == recordAlert:
			a, perr := parseAlert(rec.payload)
			if perr != nil {
				out.Err = fmt.Errorf("CCS injection at %s: %w", v, perr)
				return out
			}
			out.Answer = "alert " + a.String()
			out.Vulnerable = a.Description == 20 || a.Description == 21 // bad_record_mac, decryption_failed
			return out
		case err == nil:
			out.Answer = recordName(rec.typ) + " record"
			return out
		case errors.As(err, &ne) && ne.Timeout():
			if ctx.Err() != nil {
				out.Err = ctx.Err()
				return out
			}
			out.Answer = "silent" // waiting for more: send the second one
		default:
			out.Answer = "closed"
			return out
		}
	}
	return out
}
