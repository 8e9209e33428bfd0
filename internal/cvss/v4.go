package cvss

import (
	"fmt"
	"math"
	"strings"
)

var v4Order = []string{
	"AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
	"E",
	"CR", "IR", "AR", "MAV", "MAC", "MAT", "MPR", "MUI", "MVC", "MVI", "MVA", "MSC", "MSI", "MSA",
	"S", "AU", "R", "V", "RE", "U",
}

// v4Defs follows the v4.0 specification's metric tables. Only the modified
// subsequent-system integrity/availability metrics accept "S" (safety).
var v4Defs = map[string]metricDef{
	"AV": {values: []string{"N", "A", "L", "P"}, mandatory: true},
	"AC": {values: []string{"L", "H"}, mandatory: true},
	"AT": {values: []string{"N", "P"}, mandatory: true},
	"PR": {values: []string{"N", "L", "H"}, mandatory: true},
	"UI": {values: []string{"N", "P", "A"}, mandatory: true},
	"VC": {values: []string{"H", "L", "N"}, mandatory: true},
	"VI": {values: []string{"H", "L", "N"}, mandatory: true},
	"VA": {values: []string{"H", "L", "N"}, mandatory: true},
	"SC": {values: []string{"H", "L", "N"}, mandatory: true},
	"SI": {values: []string{"H", "L", "N"}, mandatory: true},
	"SA": {values: []string{"H", "L", "N"}, mandatory: true},

	"E": {values: []string{"X", "A", "P", "U"}},

	"CR":  {values: []string{"X", "H", "M", "L"}},
	"IR":  {values: []string{"X", "H", "M", "L"}},
	"AR":  {values: []string{"X", "H", "M", "L"}},
	"MAV": {values: []string{"X", "N", "A", "L", "P"}},
	"MAC": {values: []string{"X", "L", "H"}},
	"MAT": {values: []string{"X", "N", "P"}},
	"MPR": {values: []string{"X", "N", "L", "H"}},
	"MUI": {values: []string{"X", "N", "P", "A"}},
	"MVC": {values: []string{"X", "H", "L", "N"}},
	"MVI": {values: []string{"X", "H", "L", "N"}},
	"MVA": {values: []string{"X", "H", "L", "N"}},
	"MSC": {values: []string{"X", "H", "L", "N"}},
	"MSI": {values: []string{"X", "S", "H", "L", "N"}},
	"MSA": {values: []string{"X", "S", "H", "L", "N"}},

	// Supplemental metrics never change the score but must still be valid.
	"S":  {values: []string{"X", "N", "P"}},
	"AU": {values: []string{"X", "N", "Y"}},
	"R":  {values: []string{"X", "A", "U", "I"}},
	"V":  {values: []string{"X", "D", "C"}},
	"RE": {values: []string{"X", "L", "M", "H"}},
	"U":  {values: []string{"X", "Clear", "Green", "Amber", "Red"}},
}

func parseV4(vector, body string) (Score, error) {
	m, err := parseMetrics(body, v4Defs, v4Order)
	if err != nil {
		return Score{}, fmt.Errorf("CVSS v4.0 %q: %w", vector, err)
	}
	base := scoreV4(effectiveV4(m))
	return Score{Version: "4.0", Base: base, Severity: severity(base), Vector: vector}, nil
}

// effectiveV4 resolves each scoring metric to the value the calculator
// scores with: an unset threat or security requirement counts as its worst
// case (E:A, CR/IR/AR:H) so a partial vector never scores lower than the
// facts it states, and a modified metric overrides its base metric.
func effectiveV4(m map[string]string) map[string]string {
	eff := make(map[string]string, len(v4Levels))
	for metric := range v4Levels {
		val, ok := m[metric]
		if !ok {
			val = "X"
		}
		switch {
		case metric == "E" && val == "X":
			val = "A"
		case (metric == "CR" || metric == "IR" || metric == "AR") && val == "X":
			val = "H"
		}
		if mod, ok := m["M"+metric]; ok && mod != "X" {
			val = mod
		}
		eff[metric] = val
	}
	return eff
}

// v4Macro computes the EQ1..EQ6 levels as the specification defines them.
func v4Macro(e map[string]string) [6]int {
	var eq [6]int
	switch av, pr, ui := e["AV"], e["PR"], e["UI"]; {
	case av == "N" && pr == "N" && ui == "N":
		eq[0] = 0
	case (av == "N" || pr == "N" || ui == "N") && av != "P":
		eq[0] = 1
	default:
		eq[0] = 2
	}
	if !(e["AC"] == "L" && e["AT"] == "N") {
		eq[1] = 1
	}
	switch vc, vi, va := e["VC"], e["VI"], e["VA"]; {
	case vc == "H" && vi == "H":
		eq[2] = 0
	case vc == "H" || vi == "H" || va == "H":
		eq[2] = 1
	default:
		eq[2] = 2
	}
	// SI/SA can only be "S" through MSI/MSA, which is what the spec tests.
	switch {
	case e["SI"] == "S" || e["SA"] == "S":
		eq[3] = 0
	case e["SC"] == "H" || e["SI"] == "H" || e["SA"] == "H":
		eq[3] = 1
	default:
		eq[3] = 2
	}
	switch e["E"] {
	case "A":
		eq[4] = 0
	case "P":
		eq[4] = 1
	default: // "U"
		eq[4] = 2
	}
	if !((e["CR"] == "H" && e["VC"] == "H") || (e["IR"] == "H" && e["VI"] == "H") || (e["AR"] == "H" && e["VA"] == "H")) {
		eq[5] = 1
	}
	return eq
}

func macroKey(eq [6]int) string {
	var b [6]byte
	for i, v := range eq {
		b[i] = byte('0' + v)
	}
	return string(b[:])
}

// lookupV4 returns the score of a macrovector, or NaN when that
// macrovector does not exist (past the lowest level of some EQ), which the
// interpolation below treats as "no lower neighbour in that direction".
func lookupV4(eq [6]int) float64 {
	if s, ok := v4Lookup[macroKey(eq)]; ok {
		return s
	}
	return math.NaN()
}

// scoreV4 follows the specification's scoring procedure as FIRST's calculator
// implements it: start from the macrovector's score (that of its highest
// severity vectors) and subtract, averaged over the EQs that have a lower
// neighbour, the neighbour's score gap scaled by how far the vector sits
// below the highest-severity vector of its class relative to the class
// depth. The arithmetic mirrors the calculator step for step so results
// match it to the last bit before rounding.
func scoreV4(e map[string]string) float64 {
	if e["VC"] == "N" && e["VI"] == "N" && e["VA"] == "N" && e["SC"] == "N" && e["SI"] == "N" && e["SA"] == "N" {
		return 0 // no impact on any system: the specification's special case
	}
	eq := v4Macro(e)
	value := lookupV4(eq)

	next := func(i int) float64 {
		n := eq
		n[i]++
		return lookupV4(n)
	}
	lowerEQ1, lowerEQ2, lowerEQ4, lowerEQ5 := next(0), next(1), next(3), next(4)
	// EQ3 and EQ6 form one joint class whose order is 00 > {01, 10} > 11 > 21.
	var lowerEQ3EQ6 float64
	switch {
	case eq[2] == 0 && eq[5] == 0:
		lowerEQ3EQ6 = math.Max(next(5), next(2))
	case eq[2] == 1 && eq[5] == 0:
		lowerEQ3EQ6 = next(5)
	case eq[2] == 2:
		lowerEQ3EQ6 = math.NaN()
	default: // 01 -> 11, 11 -> 21
		lowerEQ3EQ6 = next(2)
	}

	d := v4Distances(e, eq)
	distEQ1 := d[dAV] + d[dPR] + d[dUI]
	distEQ2 := d[dAC] + d[dAT]
	distEQ3EQ6 := d[dVC] + d[dVI] + d[dVA] + d[dCR] + d[dIR] + d[dAR]
	distEQ4 := d[dSC] + d[dSI] + d[dSA]

	const step = 0.1
	var n int
	var sum float64
	// float64() around each product stops multiply-add fusion, which would
	// round differently from the calculator on some CPUs.
	part := func(lower, dist, depth float64) {
		if math.IsNaN(lower) {
			return
		}
		n++
		sum += float64((value - lower) * (dist / float64(depth*step)))
	}
	part(lowerEQ1, distEQ1, v4DepthEQ1[eq[0]])
	part(lowerEQ2, distEQ2, v4DepthEQ2[eq[1]])
	part(lowerEQ3EQ6, distEQ3EQ6, v4DepthEQ3EQ6[eq[2]][eq[5]])
	part(lowerEQ4, distEQ4, v4DepthEQ4[eq[3]])
	// EQ5 has no depth (every class holds one E value): it counts in the
	// mean but never moves the score.
	if !math.IsNaN(lowerEQ5) {
		n++
	}
	if n > 0 {
		value -= sum / float64(n)
	}
	return roundV4(math.Min(10, math.Max(0, value)))
}

// roundV4 is the current reference calculator's rounding: half up after
// adding 1e-6, because the interpolation produces values such as
// 1.4499999999999993 for what is exactly 1.45 in decimal, and FIRST
// publishes the decimal result (1.5).
func roundV4(x float64) float64 {
	return math.Round((x+1e-6)*10) / 10
}

// Indices into a v4 severity-distance vector, in the calculator's order.
const (
	dAV = iota
	dPR
	dUI
	dAC
	dAT
	dVC
	dVI
	dVA
	dSC
	dSI
	dSA
	dCR
	dIR
	dAR
	dE
	v4Scored
)

var v4ScoredNames = [v4Scored]string{"AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR", "E"}

// v4TopFragments holds every max-composed fragment parsed once, keyed by
// its text, so scoring does no string work.
var v4TopFragments = func() map[string]map[string]string {
	all := map[string]map[string]string{}
	add := func(list []string) {
		for _, s := range list {
			all[s] = v4Partial(s)
		}
	}
	for _, l := range v4MaxEQ1 {
		add(l)
	}
	for _, l := range v4MaxEQ2 {
		add(l)
	}
	for _, byEQ6 := range v4MaxEQ3EQ6 {
		for _, l := range byEQ6 {
			add(l)
		}
	}
	for _, l := range v4MaxEQ4 {
		add(l)
	}
	for _, l := range v4MaxEQ5 {
		add(l)
	}
	return all
}()

// v4Distances finds the first highest-severity vector of the vector's
// macrovector that it does not exceed in any metric, and returns the
// per-metric level differences from it. Candidates are tried in the
// calculator's order; should none fit (not possible for valid vectors),
// the calculator keeps the last one tried, and so does this.
func v4Distances(e map[string]string, eq [6]int) [v4Scored]float64 {
	var own [v4Scored]float64
	for i, name := range v4ScoredNames {
		own[i] = v4Levels[name][e[name]]
	}
	var d [v4Scored]float64
	for _, p1 := range v4MaxEQ1[eq[0]] {
		for _, p2 := range v4MaxEQ2[eq[1]] {
			for _, p3 := range v4MaxEQ3EQ6[eq[2]][eq[5]] {
				for _, p4 := range v4MaxEQ4[eq[3]] {
					for _, p5 := range v4MaxEQ5[eq[4]] {
						top := [...]map[string]string{
							v4TopFragments[p1], v4TopFragments[p2], v4TopFragments[p3],
							v4TopFragments[p4], v4TopFragments[p5],
						}
						fits := true
						for i, name := range v4ScoredNames {
							var val string
							for _, frag := range top {
								if v, ok := frag[name]; ok {
									val = v
									break
								}
							}
							d[i] = own[i] - v4Levels[name][val]
							if d[i] < 0 {
								fits = false
							}
						}
						if fits {
							return d
						}
					}
				}
			}
		}
	}
	return d
}

// v4Partial parses a "K:V/K:V" fragment of the max-composed table.
func v4Partial(s string) map[string]string {
	m := make(map[string]string, 6)
	for part := range strings.SplitSeq(s, "/") {
		k, v, _ := strings.Cut(part, ":")
		m[k] = v
	}
	return m
}
