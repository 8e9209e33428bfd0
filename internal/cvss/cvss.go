// Package cvss computes CVSS base scores from vector strings.
//
// OSV records carry a severity as a vector string only; the number a policy
// compares against has to be derived from it. Copying a score from a
// database would trust a value the record does not contain, so every score
// here is computed from the vector following FIRST's specifications:
//
//   - CVSS v2.0: https://www.first.org/cvss/v2/guide (base equation)
//   - CVSS v3.0: https://www.first.org/cvss/v3.0/specification-document
//   - CVSS v3.1: https://www.first.org/cvss/v3.1/specification-document
//   - CVSS v4.0: https://www.first.org/cvss/v4.0/specification-document and
//     FIRST's reference calculator (https://github.com/FIRSTdotorg/cvss-v4-calculator)
//
// Only the standard library is used.
package cvss

import (
	"errors"
	"fmt"
	"strings"
)

// Score is the result of scoring one vector.
type Score struct {
	Version string // "2.0", "3.0", "3.1", "4.0"
	// Base is the base score, 0.0–10.0, rounded as the version's
	// specification says. For v2 and v3 temporal and environmental metrics
	// are validated but do not change it. For v4 it is the score FIRST's
	// calculator shows for the whole vector: CVSS-B for a base-only vector,
	// CVSS-BT/BE/BTE when threat or environmental metrics are present,
	// because v4 has a single scoring system in which those metrics
	// refine the same number rather than produce separate scores.
	Base float64
	// Severity is "none", "low", "medium", "high" or "critical" per the
	// v3/v4 qualitative rating scale. CVSS v2 defines no rating scale; the
	// NVD v2 bands are used instead: low 0.0–3.9, medium 4.0–6.9,
	// high 7.0–10.0 (so a v2 score of 0.0 is "low", never "none").
	Severity string
	// Vector is the input with surrounding space removed and, for v2, the
	// optional "(…)" parentheses and "CVSS:2.0/" prefix removed, so equal
	// vectors compare equal whatever decoration the source used.
	Vector string
}

// Sentinel errors; every error returned by Parse wraps exactly one of them
// so callers can tell a malformed record from an unsupported one.
var (
	ErrSyntax          = errors.New("cvss: malformed vector")
	ErrVersion         = errors.New("cvss: unsupported version")
	ErrUnknownMetric   = errors.New("cvss: unknown metric")
	ErrMissingMetric   = errors.New("cvss: missing mandatory metric")
	ErrDuplicateMetric = errors.New("cvss: duplicate metric")
	ErrBadValue        = errors.New("cvss: bad value")
)

// Parse computes the base score of a CVSS vector: "CVSS:3.0/…", "CVSS:3.1/…",
// "CVSS:4.0/…", or a v2 vector "AV:N/AC:L/Au:N/C:P/I:P/A:P" (optionally with
// "(AV:…)" parentheses or a "CVSS:2.0/" prefix). Errors name the problem
// (unknown metric, missing mandatory metric, duplicate metric, bad value).
//
// Metrics may appear in any order: the order carries no scoring meaning and
// rejecting reordered vectors would drop advisories written by tools that do
// not preserve it. Metric names and values are case-sensitive, as the
// specifications define them.
func Parse(vector string) (Score, error) {
	v := strings.TrimSpace(vector)
	if v == "" {
		return Score{}, fmt.Errorf("%w: empty vector", ErrSyntax)
	}
	if !strings.HasPrefix(v, "CVSS:") {
		if len(v) >= 2 && v[0] == '(' && v[len(v)-1] == ')' {
			v = v[1 : len(v)-1]
		}
		return parseV2(v)
	}
	prefix, body, _ := strings.Cut(v, "/")
	switch prefix {
	case "CVSS:2.0":
		return parseV2(body)
	case "CVSS:3.0", "CVSS:3.1":
		return parseV3(v, prefix[len("CVSS:"):], body)
	case "CVSS:4.0":
		return parseV4(v, body)
	}
	return Score{}, fmt.Errorf("%w %q", ErrVersion, prefix)
}

// metricDef lists the values a metric accepts; mandatory metrics must be
// present, the others default to "not defined".
type metricDef struct {
	values    []string
	mandatory bool
}

// parseMetrics splits "K:V/K:V/…" and validates each pair against defs.
func parseMetrics(body string, defs map[string]metricDef, order []string) (map[string]string, error) {
	if body == "" {
		return nil, fmt.Errorf("%w: no metrics", ErrSyntax)
	}
	got := make(map[string]string, len(defs))
	for part := range strings.SplitSeq(body, "/") {
		key, val, ok := strings.Cut(part, ":")
		if !ok || key == "" || val == "" {
			return nil, fmt.Errorf("%w: component %q is not METRIC:VALUE", ErrSyntax, part)
		}
		def, known := defs[key]
		if !known {
			return nil, fmt.Errorf("%w %q", ErrUnknownMetric, key)
		}
		if _, dup := got[key]; dup {
			return nil, fmt.Errorf("%w %q", ErrDuplicateMetric, key)
		}
		if !contains(def.values, val) {
			return nil, fmt.Errorf("%w %q for metric %s (want one of %s)",
				ErrBadValue, val, key, strings.Join(def.values, ", "))
		}
		got[key] = val
	}
	// Walking a fixed order keeps the reported missing metric deterministic.
	for _, key := range order {
		if _, ok := got[key]; !ok && defs[key].mandatory {
			return nil, fmt.Errorf("%w %s", ErrMissingMetric, key)
		}
	}
	return got, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// severity implements the v3.x/v4.0 qualitative rating scale. Scores are
// already rounded to one decimal, so the band edges are the published ones.
func severity(score float64) string {
	switch {
	case score == 0:
		return "none"
	case score < 4.0:
		return "low"
	case score < 7.0:
		return "medium"
	case score < 9.0:
		return "high"
	default:
		return "critical"
	}
}
