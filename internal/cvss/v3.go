package cvss

import (
	"fmt"
	"math"
)

var v3Order = []string{
	"AV", "AC", "PR", "UI", "S", "C", "I", "A",
	"E", "RL", "RC",
	"CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA",
}

// v3Defs serves both 3.0 and 3.1, whose metrics and values are the same.
var v3Defs = map[string]metricDef{
	"AV":  {values: []string{"N", "A", "L", "P"}, mandatory: true},
	"AC":  {values: []string{"L", "H"}, mandatory: true},
	"PR":  {values: []string{"N", "L", "H"}, mandatory: true},
	"UI":  {values: []string{"N", "R"}, mandatory: true},
	"S":   {values: []string{"U", "C"}, mandatory: true},
	"C":   {values: []string{"H", "L", "N"}, mandatory: true},
	"I":   {values: []string{"H", "L", "N"}, mandatory: true},
	"A":   {values: []string{"H", "L", "N"}, mandatory: true},
	"E":   {values: []string{"X", "H", "F", "P", "U"}},
	"RL":  {values: []string{"X", "U", "W", "T", "O"}},
	"RC":  {values: []string{"X", "C", "R", "U"}},
	"CR":  {values: []string{"X", "H", "M", "L"}},
	"IR":  {values: []string{"X", "H", "M", "L"}},
	"AR":  {values: []string{"X", "H", "M", "L"}},
	"MAV": {values: []string{"X", "N", "A", "L", "P"}},
	"MAC": {values: []string{"X", "L", "H"}},
	"MPR": {values: []string{"X", "N", "L", "H"}},
	"MUI": {values: []string{"X", "N", "R"}},
	"MS":  {values: []string{"X", "U", "C"}},
	"MC":  {values: []string{"X", "N", "L", "H"}},
	"MI":  {values: []string{"X", "N", "L", "H"}},
	"MA":  {values: []string{"X", "N", "L", "H"}},
}

var (
	v3AV  = map[string]float64{"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}
	v3AC  = map[string]float64{"L": 0.77, "H": 0.44}
	v3UI  = map[string]float64{"N": 0.85, "R": 0.62}
	v3CIA = map[string]float64{"H": 0.56, "L": 0.22, "N": 0}
	// Privileges weigh more when the scope changes.
	v3PRUnchanged = map[string]float64{"N": 0.85, "L": 0.62, "H": 0.27}
	v3PRChanged   = map[string]float64{"N": 0.85, "L": 0.68, "H": 0.5}
)

func parseV3(vector, version, body string) (Score, error) {
	m, err := parseMetrics(body, v3Defs, v3Order)
	if err != nil {
		return Score{}, fmt.Errorf("CVSS v%s %q: %w", version, vector, err)
	}
	changed := m["S"] == "C"
	pr := v3PRUnchanged[m["PR"]]
	if changed {
		pr = v3PRChanged[m["PR"]]
	}
	iss := 1 - (1-v3CIA[m["C"]])*(1-v3CIA[m["I"]])*(1-v3CIA[m["A"]])
	var impact float64
	if changed {
		// float64() around each product keeps the compiler from fusing
		// multiply-adds, which would shift values that sit on a rounding edge.
		impact = float64(7.52*(iss-0.029)) - float64(3.25*math.Pow(iss-0.02, 15))
	} else {
		impact = 6.42 * iss
	}
	exploitability := 8.22 * v3AV[m["AV"]] * v3AC[m["AC"]] * pr * v3UI[m["UI"]]

	roundup := roundup31
	if version == "3.0" {
		roundup = roundup30
	}
	var base float64
	switch {
	case impact <= 0:
		base = 0
	case changed:
		base = roundup(math.Min(1.08*(impact+exploitability), 10))
	default:
		base = roundup(math.Min(impact+exploitability, 10))
	}
	return Score{Version: version, Base: base, Severity: severity(base), Vector: vector}, nil
}

// roundup30 is the v3.0 Roundup: the smallest one-decimal number >= x. It
// is computed naively, which is what v3.0 scores were published with, so
// e.g. a value meant to be 4.0 that floats to 4.000000000000001 gives 4.1.
func roundup30(x float64) float64 {
	return math.Ceil(x*10) / 10
}

// roundup31 is Appendix A of the v3.1 specification: rounding to five
// decimals first absorbs floating-point noise before taking the ceiling.
func roundup31(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return float64(i/10000+1) / 10
}
