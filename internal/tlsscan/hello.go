package tlsscan

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
)

// helloSpec is one ClientHello to send.
type helloSpec struct {
	version Version
	suites  []uint16
	// serverName goes into SNI unless it is an IP address (RFC 6066 forbids those).
	serverName string
	// keyShare is an X25519 public key, sent in TLS 1.3 hellos.
	keyShare []byte
	// statusRequest asks for a stapled OCSP response (for reading the chain raw).
	statusRequest bool
	// deflate offers DEFLATE compression before none (the CRIME check).
	deflate bool
	// heartbeat offers the heartbeat extension (the Heartbleed check).
	heartbeat bool
	// groups, when not nil, is the exact supported_groups list (group enumeration);
	// a TLS 1.3 hello then carries the X25519 share only if x25519 is in it, and an
	// empty key_share otherwise, which asks the server to name its group in a
	// HelloRetryRequest.
	groups []uint16
	// sessionID, when not nil, replaces the random 32-byte session id; ticket, when not
	// nil, is sent in a session_ticket extension (the Ticketbleed check).
	sessionID, ticket []byte
}

// Groups offered. X25519 and the NIST curves cover practically every server; the
// FFDHE groups let a TLS 1.3 server without ECDHE answer; the rest are the legacy curves
// some old stacks insist on.
var (
	groupsModern = []uint16{29, 23, 24, 25, 30, 256, 257, 258, 259, 260}
	groupsLegacy = []uint16{21, 22, 26, 27, 28, 14, 13, 11, 12, 9, 10}
)

// Signature algorithms offered: modern first, SHA-1 and DSA last so that old
// certificates can still be presented.
var sigAlgs = []uint16{
	0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b,
	0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202,
}

const scsvRenegotiation = 0x00ff

// builder appends TLS vectors with their length prefixes filled in at the end.
type builder struct{ b []byte }

func (b *builder) u8(v byte)    { b.b = append(b.b, v) }
func (b *builder) u16(v uint16) { b.b = binary.BigEndian.AppendUint16(b.b, v) }
func (b *builder) raw(p []byte) { b.b = append(b.b, p...) }
func (b *builder) vec(n int, f func()) {
	at := len(b.b)
	b.b = append(b.b, make([]byte, n)...)
	f()
	l := len(b.b) - at - n
	for i := n - 1; i >= 0; i-- {
		b.b[at+i] = byte(l)
		l >>= 8
	}
}

func (b *builder) ext(typ uint16, f func()) {
	b.u16(typ)
	b.vec(2, f)
}

// buildClientHello returns the ClientHello as one handshake record.
func buildClientHello(s helloSpec) ([]byte, error) {
	if len(s.suites) == 0 || len(s.suites) > 0x7ffe {
		return nil, fmt.Errorf("a hello needs 1 to 32766 suites, not %d", len(s.suites))
	}
	legacy := s.version
	if legacy > TLS12 {
		legacy = TLS12 // TLS 1.3 is negotiated in supported_versions
	}
	var random, session [32]byte
	if _, err := rand.Read(random[:]); err != nil {
		return nil, err
	}
	if _, err := rand.Read(session[:]); err != nil {
		return nil, err
	}
	var h builder
	h.u8(hsClientHello)
	h.vec(3, func() {
		h.u16(uint16(legacy))
		h.raw(random[:])
		h.vec(1, func() {
			// A session id is required for TLS 1.3 middlebox compatibility and harmless before.
			switch {
			case s.sessionID != nil:
				h.raw(s.sessionID)
			case s.version >= TLS10:
				h.raw(session[:])
			}
		})
		h.vec(2, func() {
			for _, id := range s.suites {
				h.u16(id)
			}
			if s.version < TLS13 {
				h.u16(scsvRenegotiation)
			}
		})
		h.vec(1, func() {
			if s.deflate {
				h.u8(1)
			}
			h.u8(0)
		})
		// SSL 3.0 predates extensions; servers old enough to speak it may choke on them.
		if s.version == SSL30 {
			return
		}
		h.vec(2, func() { extensions(&h, s) })
	})
	var rec builder
	rec.u8(recordHandshake)
	recVersion := TLS10
	if s.version == SSL30 {
		recVersion = SSL30
	}
	rec.u16(uint16(recVersion))
	if len(h.b) > 1<<14 {
		return nil, fmt.Errorf("hello of %d bytes does not fit a record", len(h.b))
	}
	rec.vec(2, func() { rec.raw(h.b) })
	return rec.b, nil
}

func extensions(h *builder, s helloSpec) {
	if s.serverName != "" {
		if _, err := netip.ParseAddr(s.serverName); err != nil {
			h.ext(extServerName, func() {
				h.vec(2, func() {
					h.u8(0) // host_name
					h.vec(2, func() { h.raw([]byte(s.serverName)) })
				})
			})
		}
	}
	if s.statusRequest {
		h.ext(extStatusRequest, func() {
			h.u8(1) // ocsp
			h.u16(0)
			h.u16(0)
		})
	}
	h.ext(extSupportedGroups, func() {
		h.vec(2, func() {
			if s.groups != nil {
				for _, g := range s.groups {
					h.u16(g)
				}
				return
			}
			for _, g := range groupsModern {
				h.u16(g)
			}
			if s.version < TLS13 {
				for _, g := range groupsLegacy {
					h.u16(g)
				}
			}
		})
	})
	h.ext(extECPointFormats, func() { h.vec(1, func() { h.raw([]byte{0, 1, 2}) }) })
	if s.ticket != nil {
		h.ext(extSessionTicket, func() { h.raw(s.ticket) })
	}
	if s.version >= TLS12 {
		h.ext(extSignatureAlgorithms, func() {
			h.vec(2, func() {
				for _, a := range sigAlgs {
					h.u16(a)
				}
			})
		})
	}
	h.ext(extExtendedMasterSec, func() {})
	if s.heartbeat {
		h.ext(extHeartbeat, func() { h.u8(1) }) // peer_allowed_to_send
	}
	if s.version == TLS13 {
		h.ext(extSupportedVersions, func() { h.vec(1, func() { h.u16(uint16(TLS13)) }) })
		h.ext(extPSKModes, func() { h.vec(1, func() { h.u8(1) }) })
		h.ext(extKeyShare, func() {
			h.vec(2, func() {
				if s.groups != nil && !slices.Contains(s.groups, 29) {
					return
				}
				h.u16(29) // x25519
				h.vec(2, func() { h.raw(s.keyShare) })
			})
		})
	}
}
