package testutil

import "time"

// WorkBound is how long a guard against quadratic or exponential work may let one
// pathological input run. These guards are not performance targets (those live in
// benchmarks); they catch blow-ups that would take minutes. The race detector slows code
// five- to tenfold, so the bound grows with it instead of turning a loaded CI machine into
// a failure.
func WorkBound(d time.Duration) time.Duration {
	if raceEnabled {
		return 6 * d
	}
	return d
}

// WorkSize is how many bytes a test that times work on its input should feed: n, or an
// eighth of it under the race detector, which slows byte-at-a-time scanning about
// fifteen-fold (more than WorkBound allows for on a loaded machine). A quadratic
// scanner still blows any bound at an eighth of the size.
func WorkSize(n int) int {
	if raceEnabled {
		return n / 8
	}
	return n
}
