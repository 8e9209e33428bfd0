package tlsscan

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net/netip"
)

// Ticketbleed is the outcome of the Ticketbleed test (CVE-2016-9244): F5 BIG-IP answered
// a resumption by session ticket with a session id of 32 bytes whatever the length the
// client sent, filling the rest from its memory.
type Ticketbleed struct {
	// Version is the version the test used; zero when it did not run (no version from
	// TLS 1.0 to 1.2, or no session ticket issued: Reason says which).
	Version Version
	Reason  string
	// Vulnerable: the server's session id was 32 bytes, starting with the 16 sent.
	Vulnerable bool
	// Leaked is what followed the client's bytes in that session id.
	Leaked []byte
	Err    error
}

// ticketbleedIDLen is the length of the session id sent: short, so that a server that
// copies 32 bytes copies some of its own.
const ticketbleedIDLen = 16

// ticketbleed takes a session ticket from a crypto/tls handshake at the newest version
// from TLS 1.0 to 1.2 the server accepts, then offers it back with a 16-byte session id.
// A server that resumes echoes the 16 bytes (RFC 5077); one that does not resume sends
// its own id; a vulnerable one sends 32 bytes that start with ours.
func (s *scanner) ticketbleed(ctx context.Context, rep *Report) Ticketbleed {
	var v Version
	var suites []uint16
	for _, want := range []Version{TLS12, TLS11, TLS10} {
		if p := rep.Protocol(want); p != nil && p.Accepted {
			v = want
			for _, su := range p.Suites {
				suites = append(suites, su.ID)
			}
			break
		}
	}
	if v == 0 {
		return Ticketbleed{Reason: "no version from TLS 1.0 to 1.2"}
	}
	ticket, err := s.sessionTicket(ctx, v)
	if err != nil {
		// Suites crypto/tls cannot speak, or a handshake it refuses: nothing to resume.
		return Ticketbleed{Reason: "no session ticket: " + err.Error()}
	}
	if ticket == nil {
		return Ticketbleed{Reason: "the server issues no session tickets"}
	}
	out := Ticketbleed{Version: v}
	id := make([]byte, ticketbleedIDLen)
	if _, err := rand.Read(id); err != nil {
		out.Err = err
		return out
	}
	res, err := s.exchange(ctx, helloSpec{version: v, suites: suites, serverName: s.serverName, sessionID: id, ticket: ticket}, false)
	switch {
	case err != nil:
		out.Err = fmt.Errorf("Ticketbleed at %s: %w", v, err)
	case !res.accepted:
		out.Err = fmt.Errorf("Ticketbleed at %s: the resumption hello was refused (%s)", v, res.reason)
	case len(res.sh.sessionID) == 32 && bytes.HasPrefix(res.sh.sessionID, id):
		out.Vulnerable = true
		out.Leaked = bytes.Clone(res.sh.sessionID[ticketbleedIDLen:])
	}
	return out
}

// sessionTicket completes a crypto/tls handshake at version v and returns the ticket the
// server issued, nil when it issued none.
func (s *scanner) sessionTicket(ctx context.Context, v Version) ([]byte, error) {
	conn, err := s.net.Dial(ctx, s.addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", s.addr, err)
	}
	defer conn.Close()
	catch := &ticketCatcher{}
	cfg := s.net.InspectTLS("", nil)
	cfg.MinVersion, cfg.MaxVersion = uint16(v), uint16(v)
	cfg.CipherSuites = goSuites()
	cfg.ClientSessionCache = catch
	if _, err := netip.ParseAddr(s.serverName); err != nil {
		cfg.ServerName = s.serverName
	}
	hctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := tls.Client(conn, cfg).HandshakeContext(hctx); err != nil {
		return nil, err
	}
	if catch.state == nil {
		return nil, nil
	}
	ticket, _, err := catch.state.ResumptionState()
	if err != nil {
		return nil, err
	}
	if len(ticket) == 0 {
		return nil, errors.New("an empty session ticket")
	}
	return ticket, nil
}

// ticketCatcher is a session cache that only keeps what crypto/tls puts in it.
type ticketCatcher struct{ state *tls.ClientSessionState }

func (c *ticketCatcher) Get(string) (*tls.ClientSessionState, bool) { return nil, false }
func (c *ticketCatcher) Put(_ string, cs *tls.ClientSessionState) {
	if cs != nil {
		c.state = cs
	}
}
