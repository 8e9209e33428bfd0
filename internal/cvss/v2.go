package cvss

import (
	"fmt"
	"math"
)

var v2Order = []string{"AV", "AC", "Au", "C", "I", "A", "E", "RL", "RC", "CDP", "TD", "CR", "IR", "AR"}

// v2Defs follows the v2 guide; "ND" is v2's "not defined".
var v2Defs = map[string]metricDef{
	"AV":  {values: []string{"L", "A", "N"}, mandatory: true},
	"AC":  {values: []string{"H", "M", "L"}, mandatory: true},
	"Au":  {values: []string{"M", "S", "N"}, mandatory: true},
	"C":   {values: []string{"N", "P", "C"}, mandatory: true},
	"I":   {values: []string{"N", "P", "C"}, mandatory: true},
	"A":   {values: []string{"N", "P", "C"}, mandatory: true},
	"E":   {values: []string{"U", "POC", "F", "H", "ND"}},
	"RL":  {values: []string{"OF", "TF", "W", "U", "ND"}},
	"RC":  {values: []string{"UC", "UR", "C", "ND"}},
	"CDP": {values: []string{"N", "L", "LM", "MH", "H", "ND"}},
	"TD":  {values: []string{"N", "L", "M", "H", "ND"}},
	"CR":  {values: []string{"L", "M", "H", "ND"}},
	"IR":  {values: []string{"L", "M", "H", "ND"}},
	"AR":  {values: []string{"L", "M", "H", "ND"}},
}

var (
	v2AV     = map[string]float64{"L": 0.395, "A": 0.646, "N": 1.0}
	v2AC     = map[string]float64{"H": 0.35, "M": 0.61, "L": 0.71}
	v2Au     = map[string]float64{"M": 0.45, "S": 0.56, "N": 0.704}
	v2Impact = map[string]float64{"N": 0.0, "P": 0.275, "C": 0.660}
)

// parseV2 takes the vector without parentheses or "CVSS:2.0/" prefix.
func parseV2(body string) (Score, error) {
	m, err := parseMetrics(body, v2Defs, v2Order)
	if err != nil {
		return Score{}, fmt.Errorf("CVSS v2 %q: %w", body, err)
	}
	c, i, a := v2Impact[m["C"]], v2Impact[m["I"]], v2Impact[m["A"]]
	impact := 10.41 * (1 - (1-c)*(1-i)*(1-a))
	exploitability := 20 * v2AV[m["AV"]] * v2AC[m["AC"]] * v2Au[m["Au"]]
	f := 1.176
	if impact == 0 {
		f = 0
	}
	// Explicit float64 conversions stop the compiler from fusing
	// multiply-adds, which would make results differ between CPUs.
	raw := (float64(0.6*impact) + float64(0.4*exploitability) - 1.5) * f
	base := roundHalfUp1(raw)
	return Score{Version: "2.0", Base: base, Severity: v2Severity(base), Vector: body}, nil
}

// roundHalfUp1 is the v2 guide's round_to_1_decimal (halves away from zero).
func roundHalfUp1(x float64) float64 {
	r := math.Round(x*10) / 10
	if r <= 0 {
		return 0 // also turns -0 (a negative term times f=0) into 0
	}
	return r
}

// v2Severity uses NVD's v2 bands because the v2 guide defines no rating.
func v2Severity(score float64) string {
	switch {
	case score < 4.0:
		return "low"
	case score < 7.0:
		return "medium"
	default:
		return "high"
	}
}
