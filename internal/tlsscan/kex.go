package tlsscan

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"
)

// KeyExchange is what a scan learned about the server's ephemeral key exchange: the
// size of its DHE group and the named groups it accepts. Weak parameters undo strong
// suites: a 1024-bit DHE group is within reach of a state (Logjam), a 163-bit curve of
// far less.
type KeyExchange struct {
	// DHBits is the size of the prime of the server's DHE parameters, measured with its
	// DHE suites at DHVersion; zero when no DHE suite was accepted.
	DHBits    int
	DHVersion Version
	// DHGroup names a standard group (ffdhe2048, an RFC 3526 or RFC 5114 group); empty
	// for a server's own parameters.
	DHGroup string
	// Groups are the named groups the server accepts, per version where they were
	// enumerated (the newest before TLS 1.3 with ECDHE suites, and TLS 1.3), in the order
	// the server chose them, which is its preference.
	Groups []VersionGroups
	// Err says what could not be measured; what was learned before stays.
	Err error
}

// VersionGroups is the groups accepted at one version.
type VersionGroups struct {
	Version Version
	Groups  []Group
}

// AllGroups lists each accepted group once, whatever the version.
func (k *KeyExchange) AllGroups() []Group {
	var out []Group
	for _, vg := range k.Groups {
		for _, g := range vg.Groups {
			if !slices.ContainsFunc(out, func(o Group) bool { return o.ID == g.ID }) {
				out = append(out, g)
			}
		}
	}
	return out
}

// keyExchange measures the key exchange after enumeration told which suites work.
// The three measurements are independent and run at once.
func (s *scanner) keyExchange(ctx context.Context, rep *Report) KeyExchange {
	var kx KeyExchange
	var dhErr error
	var groups [2]VersionGroups
	var groupErrs [2]error
	var wg sync.WaitGroup
	// DHE: the newest version before TLS 1.3 with DHE suites, offering exactly those.
	if v, suites := newestWith(rep, func(su Suite) bool { return su.Kx == "DHE" }); suites != nil {
		kx.DHVersion = v
		wg.Go(func() {
			if kx.DHBits, kx.DHGroup, dhErr = s.dhParams(ctx, v, suites); dhErr != nil {
				dhErr = fmt.Errorf("DHE parameters at %s: %w", v, dhErr)
			}
		})
	}
	// ECDHE before TLS 1.3, and TLS 1.3.
	if v, suites := newestWith(rep, func(su Suite) bool { return su.Kx == "ECDHE" }); suites != nil {
		groups[0].Version = v
		wg.Go(func() { groups[0].Groups, groupErrs[0] = s.enumerateGroups(ctx, v, suites) })
	}
	if p := rep.Protocol(TLS13); p != nil && p.Accepted {
		ids := make([]uint16, 0, len(p.Suites))
		for _, su := range p.Suites {
			ids = append(ids, su.ID)
		}
		groups[1].Version = TLS13
		wg.Go(func() { groups[1].Groups, groupErrs[1] = s.enumerateGroups(ctx, TLS13, ids) })
	}
	wg.Wait()
	errs := []error{dhErr}
	for i, vg := range groups {
		if vg.Version == 0 {
			continue
		}
		kx.Groups = append(kx.Groups, vg)
		if groupErrs[i] != nil {
			errs = append(errs, fmt.Errorf("groups at %s: %w", vg.Version, groupErrs[i]))
		}
	}
	kx.Err = errors.Join(errs...)
	return kx
}

// newestWith is the newest version before TLS 1.3 at which the server accepted suites
// matching keep, and those suites.
func newestWith(rep *Report, keep func(Suite) bool) (Version, []uint16) {
	for i := len(rep.Protocols) - 1; i >= 0; i-- {
		p := rep.Protocols[i]
		if !p.Accepted || p.Version >= TLS13 {
			continue
		}
		var ids []uint16
		for _, su := range p.Suites {
			if keep(su) {
				ids = append(ids, su.ID)
			}
		}
		if ids != nil {
			return p.Version, ids
		}
	}
	return 0, nil
}

// dhParams completes a handshake with DHE suites up to the ServerKeyExchange and
// measures the prime, naming it when it is a standard group.
func (s *scanner) dhParams(ctx context.Context, v Version, suites []uint16) (int, string, error) {
	res, err := s.exchange(ctx, helloSpec{version: v, suites: suites, serverName: s.serverName, keyShare: s.keyShare}, true)
	if err != nil {
		return 0, "", err
	}
	if !res.accepted {
		return 0, "", fmt.Errorf("the DHE suites accepted before were refused now (%s)", res.reason)
	}
	if res.ske == nil {
		return 0, "", errors.New("no ServerKeyExchange in the handshake")
	}
	return parseDHParams(res.ske)
}

// parseDHParams reads the size of dh_p from a DHE ServerKeyExchange body, and the
// name of the group when it is a standard one.
func parseDHParams(ske []byte) (int, string, error) {
	r := &reader{b: ske}
	p := r.vec(2, "DH prime")
	r.vec(2, "DH generator")
	r.vec(2, "DH public value")
	if r.err != nil {
		return 0, "", r.err
	}
	bits := new(big.Int).SetBytes(p).BitLen()
	if bits == 0 {
		return 0, "", errors.New("the DH prime is zero")
	}
	return bits, dhGroupName(p), nil
}

// ECParameters curve types (RFC 8422 5.4).
const curveNamed = 3

// parseECGroup reads the named curve from an ECDHE ServerKeyExchange body.
func parseECGroup(ske []byte) (uint16, error) {
	r := &reader{b: ske}
	typ := r.u8("curve type")
	id := r.u16("named curve")
	if r.err != nil {
		return 0, r.err
	}
	if typ != curveNamed {
		return 0, fmt.Errorf("the server sent explicit curve parameters (type %d), which RFC 8422 deprecates", typ)
	}
	return id, nil
}

// enumerateGroups finds the groups the server accepts at v with these suites: offer all
// candidates, note the one it picks, take it out and offer the rest, until it refuses.
func (s *scanner) enumerateGroups(ctx context.Context, v Version, suites []uint16) ([]Group, error) {
	offer := candidateGroups(v)
	remaining := slices.Clone(offer)
	var found []Group
	for round := 0; len(remaining) > 0 && round <= len(offer); round++ {
		res, err := s.exchange(ctx, helloSpec{version: v, suites: suites, serverName: s.serverName, keyShare: s.keyShare, groups: remaining}, v < TLS13)
		if err != nil {
			return found, err
		}
		if !res.accepted {
			return found, nil
		}
		id, err := chosenGroup(res, v)
		if err != nil {
			return found, err
		}
		if !slices.Contains(remaining, id) {
			if v < TLS13 && slices.Contains(offer, id) {
				// Some older stacks ignore supported_groups and keep their favourite
				// curve: no client can get another from them, so the list is complete.
				return found, nil
			}
			return found, fmt.Errorf("the server chose group 0x%04X, which the hello did not offer", id)
		}
		g, _ := GroupByID(id)
		found = append(found, g)
		remaining = slices.DeleteFunc(remaining, func(x uint16) bool { return x == id })
	}
	return found, nil
}

// chosenGroup is the group of an accepted handshake: the ServerKeyExchange's curve
// before TLS 1.3; the HelloRetryRequest's group or the ServerHello's key share with it.
func chosenGroup(res helloResult, v Version) (uint16, error) {
	if v < TLS13 {
		if res.ske == nil {
			return 0, errors.New("no ServerKeyExchange in an ECDHE handshake")
		}
		return parseECGroup(res.ske)
	}
	if res.sh.retry {
		if res.sh.selectedGroup == 0 {
			return 0, errors.New("HelloRetryRequest without a group")
		}
		return res.sh.selectedGroup, nil
	}
	ks, ok := res.sh.extensions[extKeyShare]
	if !ok || len(ks) < 2 {
		return 0, errors.New("TLS 1.3 ServerHello without a key share")
	}
	return binary.BigEndian.Uint16(ks), nil
}
