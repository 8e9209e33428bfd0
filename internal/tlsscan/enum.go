package tlsscan

import (
	"context"
	"fmt"
	"sync"
)

// DefaultChunk is how many suites one hello offers at most: some servers and middleboxes
// reject hellos with more than 128 suites outright.
const DefaultChunk = 128

// ProtocolResult is what a scan learned about one protocol version.
type ProtocolResult struct {
	Version  Version
	Accepted bool
	// Suites lists the accepted suites, in the order the server picked them.
	Suites []Suite
	// RetryGroup is the group a TLS 1.3 server asked for in a HelloRetryRequest instead
	// of the X25519 share offered; zero when none was needed.
	RetryGroup uint16
	// Refusal says how the server declined the version ("alert protocol_version").
	Refusal string
	// Err is set when the version could not be judged completely (timeout, garbage);
	// Accepted and Suites then hold only what was learned before.
	Err error
}

// enumerate finds the suites the server accepts for version v. The suite list is split
// into chunks that are enumerated concurrently (they are disjoint, so the answers do not
// interfere); netx bounds how many connections that opens at once.
func (s *scanner) enumerate(ctx context.Context, v Version) ProtocolResult {
	ids := suitesFor(v)
	var chunks [][]uint16
	for len(ids) > 0 {
		n := min(len(ids), s.chunk)
		chunks = append(chunks, ids[:n:n])
		ids = ids[n:]
	}
	type chunkResult struct {
		found   []uint16
		group   uint16
		refusal string
		err     error
	}
	results := make([]chunkResult, len(chunks))
	var wg sync.WaitGroup
	for i, c := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[i]
			r.found, r.group, r.refusal, r.err = s.enumerateChunk(ctx, v, c)
		}()
	}
	wg.Wait()
	pr := ProtocolResult{Version: v}
	for _, r := range results {
		for _, id := range r.found {
			suite, _ := SuiteByID(id)
			pr.Suites = append(pr.Suites, suite)
		}
		if r.group != 0 {
			pr.RetryGroup = r.group
		}
		if pr.Err == nil && r.err != nil {
			pr.Err = fmt.Errorf("%s: %w", v, r.err)
		}
		if pr.Refusal == "" {
			pr.Refusal = r.refusal
		}
	}
	pr.Accepted = len(pr.Suites) > 0
	if pr.Accepted {
		pr.Refusal = ""
	}
	return pr
}

// enumerateChunk offers the suites of one chunk, removing each one the server picks,
// until the server refuses what is left.
func (s *scanner) enumerateChunk(ctx context.Context, v Version, offer []uint16) (found []uint16, group uint16, refusal string, err error) {
	remaining := append([]uint16(nil), offer...)
	// Each round removes one suite, so the loop ends; the bound guards the reasoning.
	for round := 0; len(remaining) > 0 && round <= len(offer); round++ {
		res, err := s.exchange(ctx, helloSpec{version: v, suites: remaining, serverName: s.serverName, keyShare: s.keyShare}, false)
		if err != nil {
			return found, group, "", err
		}
		if !res.accepted {
			return found, group, res.reason, nil
		}
		if res.sh.retry && res.sh.selectedGroup != 0 {
			group = res.sh.selectedGroup
		}
		found = append(found, res.sh.suite)
		remaining = remove(remaining, res.sh.suite)
	}
	return found, group, "", nil
}

func remove(ids []uint16, id uint16) []uint16 {
	out := ids[:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}
