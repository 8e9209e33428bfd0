package tlsscan

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// Preference is who chooses the suite at one version, and the server's order when it
// does. A server that follows the client's order gives a client that lists a weak suite
// first that suite, whatever else both support.
type Preference struct {
	Version Version
	// ServerOrder: the server chose the same suite from a hello and from the same hello
	// with its suites reversed.
	ServerOrder bool
	// Suites is the server's order, most preferred first, when ServerOrder.
	Suites []Suite
	Err    error
}

// preferences measures the preference of every accepted version with two suites or
// more, the versions concurrently.
func (s *scanner) preferences(ctx context.Context, rep *Report) []Preference {
	var out []Preference
	for _, p := range rep.Protocols {
		if p.Accepted && len(p.Suites) > 1 {
			out = append(out, Preference{Version: p.Version})
		}
	}
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() {
			out[i] = s.preference(ctx, out[i].Version, rep.Protocol(out[i].Version).Suites)
		})
	}
	wg.Wait()
	return out
}

// preference offers the accepted suites, then the same reversed: the same choice twice
// is the server's order, which is then read off by removing each choice in turn.
func (s *scanner) preference(ctx context.Context, v Version, accepted []Suite) Preference {
	pref := Preference{Version: v}
	ids := make([]uint16, len(accepted))
	for i, su := range accepted {
		ids[i] = su.ID
	}
	pick := func(offer []uint16) (uint16, error) {
		res, err := s.exchange(ctx, helloSpec{version: v, suites: offer, serverName: s.serverName, keyShare: s.keyShare}, false)
		switch {
		case err != nil:
			return 0, err
		case !res.accepted:
			return 0, fmt.Errorf("the server refused suites it accepted before (%s)", res.reason)
		}
		return res.sh.suite, nil
	}
	first, err := pick(ids)
	if err != nil {
		pref.Err = fmt.Errorf("suite order at %s: %w", v, err)
		return pref
	}
	reversed := slices.Clone(ids)
	slices.Reverse(reversed)
	again, err := pick(reversed)
	if err != nil {
		pref.Err = fmt.Errorf("suite order at %s: %w", v, err)
		return pref
	}
	if first != again {
		return pref
	}
	pref.ServerOrder = true
	remaining := remove(ids, first)
	order := []uint16{first}
	for len(remaining) > 1 {
		next, err := pick(remaining)
		if err != nil {
			pref.Err = fmt.Errorf("suite order at %s: %w", v, err)
			return pref
		}
		order = append(order, next)
		remaining = remove(remaining, next)
	}
	order = append(order, remaining...)
	for _, id := range order {
		su, _ := SuiteByID(id)
		pref.Suites = append(pref.Suites, su)
	}
	return pref
}
