package cvss

import (
	"errors"
	"math"
	"strings"
	"testing"
)

type scoreCase struct {
	vector string
	base   float64
	sev    string
}

func checkScores(t *testing.T, version string, cases []scoreCase) {
	t.Helper()
	for _, tc := range cases {
		got, err := Parse(tc.vector)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.vector, err)
			continue
		}
		if got.Version != version || got.Base != tc.base || got.Severity != tc.sev {
			t.Errorf("Parse(%q) = {%s %v %s}, want {%s %v %s}",
				tc.vector, got.Version, got.Base, got.Severity, version, tc.base, tc.sev)
		}
	}
}

// Every expected value below was also checked out of tree against the
// ae-cvss-calculator npm package (v1.0.13), which agrees with this package
// on 418,889 vectors: every v2/v3.0/v3.1/v4.0 base vector plus random
// vectors with temporal, threat, environmental and supplemental metrics.

func TestParseV2(t *testing.T) {
	checkScores(t, "2.0", []scoreCase{
		// CVSS v2 guide, section 3.3 examples.
		{"AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8, "high"},   // CVE-2002-0392
		{"AV:N/AC:L/Au:N/C:C/I:C/A:C", 10, "high"},    // CVE-2003-0818
		{"AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2, "medium"}, // CVE-2003-0062
		// Common NVD v2 vectors.
		{"AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "high"},
		{"AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, "medium"},
		{"AV:N/AC:L/Au:S/C:N/I:N/A:P", 4.0, "medium"},
		{"AV:N/AC:M/Au:N/C:P/I:P/A:P", 6.8, "medium"},
		{"AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2, "high"},
		{"AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0, "medium"},
		{"AV:N/AC:H/Au:N/C:P/I:N/A:N", 2.6, "low"},
		{"AV:A/AC:M/Au:M/C:N/I:P/A:N", 1.9, "low"},
		// No impact: f(Impact)=0. v2 has no "none" band.
		{"AV:L/AC:L/Au:N/C:N/I:N/A:N", 0, "low"},
		// Temporal metrics are validated, the base score is unchanged (the
		// temporal score would be 6.4).
		{"AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C", 7.8, "high"},
		// Decorations OSV and NVD use.
		{"(AV:N/AC:L/Au:N/C:P/I:P/A:P)", 7.5, "high"},
		{"CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "high"},
		{"Au:N/AV:N/AC:L/C:P/I:P/A:P", 7.5, "high"},
	})
}

func TestParseV3(t *testing.T) {
	// CVSS v3.1 "Examples" document (FIRST), one vector per CVE.
	checkScores(t, "3.1", []scoreCase{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "medium"},   // CVE-2013-1937 phpMyAdmin XSS
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4, "medium"},   // CVE-2013-0375 MySQL SQLi
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1, "low"},      // CVE-2014-3566 POODLE
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9, "critical"}, // CVE-2012-1516 VMware guest escape
		{"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2, "medium"},   // CVE-2009-0783 Tomcat
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8, "high"},     // CVE-2012-0384 Cisco IOS
		{"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8, "high"},     // CVE-2015-1098 Apple iWork
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, "high"},     // CVE-2014-0160 Heartbleed
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical"}, // CVE-2014-6271 Shellshock
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8, "medium"},   // CVE-2008-1447 DNS poisoning
		{"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8, "medium"},   // CVE-2014-2005 Sophos
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8, "medium"},   // CVE-2010-0467 Joomla
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N", 5.8, "medium"},   // CVE-2012-1342 Cisco ACL bypass
		{"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H", 9.3, "critical"}, // CVE-2013-6014 Juniper
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4, "medium"},   // CVE-2014-9253 DokuWiki
		{"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8, "high"},     // CVE-2011-1265 Bluetooth
		{"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 4.6, "medium"},   // CVE-2014-2019 iOS
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8, "high"},     // CVE-2015-0970 SearchBlox CSRF
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4, "high"},     // CVE-2014-0224 OpenSSL CCS
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N", 6.8, "medium"},   // CVE-2016-0128 Badlock
		// Bounds and band edges.
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10, "critical"},
		{"CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L", 1.8, "low"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0, "none"},
		// Temporal and environmental metrics are validated but do not
		// change the base score (the environmental score here is 5.5).
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:H/IR:H/AR:H/MAV:L/MAC:H/MPR:H/MUI:R/MS:C/MC:L/MI:L/MA:L", 9.8, "critical"},
		{"CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H", 9.8, "critical"},
	})
	checkScores(t, "3.0", []scoreCase{
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical"},
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "medium"},
		{"CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H", 9.3, "critical"},
		{"CVSS:3.0/AV:L/AC:H/PR:L/UI:N/S:C/C:H/I:H/A:N", 7.5, "high"},
	})
}

// TestRoundup checks the two Roundup definitions. No v3 base vector scores
// differently under them (all 2,592 were compared), so they are tested
// directly with the cases from Appendix A of the v3.1 specification.
func TestRoundup(t *testing.T) {
	for _, tc := range []struct{ in, v30, v31 float64 }{
		{4.02, 4.1, 4.1},
		{4.00, 4.0, 4.0},
		{4.000000000000001, 4.1, 4.0},   // the float artefact v3.1 fixed
		{0.30000000000000004, 0.4, 0.3}, // what 0.1+0.2 gives at run time
		{9.99, 10, 10},
	} {
		if got := roundup30(tc.in); got != tc.v30 {
			t.Errorf("roundup30(%v) = %v, want %v", tc.in, got, tc.v30)
		}
		if got := roundup31(tc.in); got != tc.v31 {
			t.Errorf("roundup31(%v) = %v, want %v", tc.in, got, tc.v31)
		}
	}
}

func TestParseV4(t *testing.T) {
	checkScores(t, "4.0", []scoreCase{
		// Brief / FIRST calculator default example.
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "critical"},

		// Red Hat "cvss" Python library, tests/vectors_simple4 (scores
		// produced with FIRST's v4.0 calculator).
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:H/SA:L", 9.2, "critical"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:H/SI:N/SA:L", 7.8, "high"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:L/SA:N", 6.9, "medium"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:H/SI:L/SA:H", 7.9, "high"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:N/VA:L/SC:N/SI:H/SA:N", 8.3, "high"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:L/VI:N/VA:N/SC:L/SI:N/SA:L", 5.3, "medium"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.6, "high"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N", 5.1, "medium"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:H/SI:N/SA:N", 8.3, "high"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:H", 6.3, "medium"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:H/VI:L/VA:L/SC:L/SI:L/SA:L", 7.0, "high"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:A/VC:H/VI:H/VA:H/SC:H/SI:N/SA:H", 9.3, "critical"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:P/VC:L/VI:L/VA:N/SC:L/SI:N/SA:N", 4.8, "medium"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:A/VC:N/VI:N/VA:N/SC:H/SI:H/SA:H", 6.2, "medium"},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:N/SA:H", 9.5, "critical"},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:L/VI:L/VA:N/SC:H/SI:N/SA:N", 4.9, "medium"},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:N/SA:N", 2.1, "low"},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:N/VI:N/VA:N/SC:N/SI:L/SA:N", 2.3, "low"},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:N/VI:L/VA:L/SC:L/SI:N/SA:N", 1.8, "low"},
		{"CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:L/SI:H/SA:L", 9.4, "critical"},
		{"CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:A/VC:L/VI:L/VA:L/SC:H/SI:H/SA:H", 5.2, "medium"},
		{"CVSS:4.0/AV:N/AC:H/AT:N/PR:H/UI:A/VC:N/VI:N/VA:N/SC:N/SI:H/SA:N", 4.0, "medium"},
		{"CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:N/VI:L/VA:N/SC:L/SI:H/SA:L", 7.0, "high"},
		{"CVSS:4.0/AV:P/AC:L/AT:N/PR:H/UI:N/VC:H/VI:L/VA:H/SC:N/SI:N/SA:H", 6.8, "medium"},
		{"CVSS:4.0/AV:P/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:N/SI:H/SA:N", 4.1, "medium"},
		{"CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:N/VC:L/VI:L/VA:L/SC:L/SI:N/SA:H", 2.0, "low"},
		{"CVSS:4.0/AV:P/AC:L/AT:P/PR:L/UI:P/VC:N/VI:N/VA:N/SC:L/SI:N/SA:L", 1.0, "low"},
		{"CVSS:4.0/AV:P/AC:H/AT:N/PR:N/UI:A/VC:L/VI:N/VA:L/SC:N/SI:N/SA:H", 1.8, "low"},
		{"CVSS:4.0/AV:P/AC:H/AT:N/PR:H/UI:A/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0, "none"},
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:H/SI:H/SA:H", 7.2, "high"},
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:N/UI:A/VC:H/VI:L/VA:H/SC:N/SI:L/SA:N", 4.6, "medium"},
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:L/UI:N/VC:H/VI:H/VA:L/SC:H/SI:H/SA:L", 7.1, "high"},

		// Red Hat "cvss" tests/vectors_threat4: E lowers the score, X = A.
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A", 7.3, "high"},
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P", 5.9, "medium"},
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U", 4.1, "medium"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/E:A", 0, "none"},
		// Red Hat "cvss" tests/vectors_security4: security requirements.
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:H/IR:H/AR:H", 7.3, "high"},
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:H/IR:M/AR:L", 7.1, "high"},
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:M/IR:M/AR:M", 5.5, "medium"},
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:L/IR:L/AR:L", 5.4, "medium"},
		// Red Hat "cvss" tests/test_cvss4.py (JSON schema cases).
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 8.7, "high"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N/AR:L", 7.9, "high"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/MSI:H", 7.7, "high"},
		// test_cvss4.py severity cases (full BTE vectors with supplemental
		// metrics interleaved out of order there and here); the severity
		// comes from that file, the exact score from ae-cvss-calculator.
		{"CVSS:4.0/AV:A/AC:H/AT:N/PR:H/UI:A/VC:H/VI:N/VA:H/SC:L/SI:N/AU:N/SA:H/S:P/R:I/V:D/RE:M/U:Red/MAV:N/MAC:L/MAT:N/MPR:N/MUI:N/MVC:H/MVI:H/MVA:H/MSC:H/MSI:S/MSA:S/CR:H/IR:H/AR:H/E:U", 9.5, "critical"},
		{"CVSS:4.0/AV:L/AC:H/AT:P/PR:N/UI:P/VC:H/VI:N/VA:N/SC:N/SI:N/AU:N/SA:N/S:P/R:A/V:D/RE:L/U:Red/MAV:L/MAC:L/MAT:N/MPR:L/MUI:A/MVC:L/MVI:N/MVA:H/MSC:H/MSI:L/MSA:N/CR:H/IR:L/AR:L/E:P", 3.5, "low"},
		{"CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:P/VC:N/VI:L/VA:L/SC:H/SI:N/AU:Y/SA:N/S:N/R:I/V:C/RE:M/U:Amber/MAV:L/MAC:H/MAT:P/MPR:N/MUI:P/MVC:L/MVI:N/MVA:H/MSC:H/MSI:H/MSA:S/CR:M/IR:M/AR:M/E:A", 7.4, "high"},
		{"CVSS:4.0/AV:L/AC:H/AT:N/PR:N/UI:N/VC:L/VI:N/VA:H/SC:L/SI:H/AU:N/SA:H/S:P/R:U/V:C/RE:H/U:Red/MAV:L/MAC:L/MAT:P/MPR:L/MUI:P/MVC:N/MVI:N/MVA:N/MSC:N/MSI:N/MSA:N/CR:H/IR:H/AR:H/E:P", 0, "none"},

		// Modified metrics override base ones (scores: FIRST calculator
		// semantics, checked with ae-cvss-calculator).
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MSI:S", 10, "critical"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/MSA:S", 8.9, "high"},
		{"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MAV:N/MPR:N", 9.3, "critical"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MVC:N/MVI:N/MVA:N", 0, "none"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P", 8.9, "high"},
		// Supplemental metrics never change the score.
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P/AU:Y/R:U/V:C/RE:H/U:Red", 9.3, "critical"},
		// The interpolation gives 8.549999… here; the current FIRST
		// calculator adds 1e-6 before rounding and publishes 8.6 (an older
		// calculator, and some libraries, say 8.5).
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H", 8.6, "high"},
	})
}

// TestV4MacrovectorTops checks a property the specification states: a
// highest-severity vector of a macrovector scores exactly that
// macrovector's table value (distance 0 in every EQ).
func TestV4MacrovectorTops(t *testing.T) {
	if len(v4Lookup) != 270 {
		t.Fatalf("lookup table has %d entries, want 270", len(v4Lookup))
	}
	for key, want := range v4Lookup {
		var eq [6]int
		for i := range key {
			eq[i] = int(key[i] - '0')
		}
		top := v4Partial(strings.Join([]string{
			v4MaxEQ1[eq[0]][0], v4MaxEQ2[eq[1]][0], v4MaxEQ3EQ6[eq[2]][eq[5]][0],
			v4MaxEQ4[eq[3]][0], v4MaxEQ5[eq[4]][0],
		}, "/"))
		vec := "CVSS:4.0"
		for _, m := range []string{"AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA", "E", "CR", "IR", "AR"} {
			v := top[m]
			if (m == "SI" || m == "SA") && v == "S" {
				// Safety exists only as a modified metric.
				vec += "/" + m + ":H/M" + m + ":S"
				continue
			}
			vec += "/" + m + ":" + v
		}
		s, err := Parse(vec)
		if err != nil {
			t.Fatalf("%s: %v", vec, err)
		}
		if got := v4Macro(effectiveV4(mustMetrics(t, vec))); macroKey(got) != key {
			t.Errorf("%s: macrovector %s, want %s", vec, macroKey(got), key)
		}
		if s.Base != want {
			t.Errorf("%s (macrovector %s) = %v, want %v", vec, key, s.Base, want)
		}
	}
}

func mustMetrics(t *testing.T, vec string) map[string]string {
	t.Helper()
	m, err := parseMetrics(strings.TrimPrefix(vec, "CVSS:4.0/"), v4Defs, v4Order)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestV4AllBaseVectors sweeps all 104,976 v4 base vectors: no NaN, no
// out-of-range score, severity consistent. The exact values were compared
// with an independent calculator out of tree.
func TestV4AllBaseVectors(t *testing.T) {
	if testing.Short() {
		t.Skip("exhaustive sweep")
	}
	vals := [][]string{{"N", "A", "L", "P"}, {"L", "H"}, {"N", "P"}, {"N", "L", "H"}, {"N", "P", "A"},
		{"H", "L", "N"}, {"H", "L", "N"}, {"H", "L", "N"}, {"H", "L", "N"}, {"H", "L", "N"}, {"H", "L", "N"}}
	names := []string{"AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"}
	idx := make([]int, len(vals))
	n := 0
	for {
		var b strings.Builder
		b.WriteString("CVSS:4.0")
		for i, j := range idx {
			b.WriteString("/" + names[i] + ":" + vals[i][j])
		}
		s, err := Parse(b.String())
		if err != nil || math.IsNaN(s.Base) || s.Base < 0 || s.Base > 10 || s.Severity != severity(s.Base) {
			t.Fatalf("%s: %+v %v", b.String(), s, err)
		}
		n++
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(vals[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			break
		}
	}
	if n != 104976 {
		t.Fatalf("swept %d vectors", n)
	}
}

func TestVectorNormalisation(t *testing.T) {
	for in, want := range map[string]string{
		"  (AV:N/AC:L/Au:N/C:P/I:P/A:P)\n":               "AV:N/AC:L/Au:N/C:P/I:P/A:P",
		"CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P":            "AV:N/AC:L/Au:N/C:P/I:P/A:P",
		" CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H ": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	} {
		s, err := Parse(in)
		if err != nil || s.Vector != want {
			t.Errorf("Parse(%q).Vector = %q, %v; want %q", in, s.Vector, err, want)
		}
	}
}

func TestSeverityBands(t *testing.T) {
	for _, tc := range []struct {
		score  float64
		v3, v2 string
	}{
		{0, "none", "low"}, {0.1, "low", "low"}, {3.9, "low", "low"},
		{4.0, "medium", "medium"}, {6.9, "medium", "medium"},
		{7.0, "high", "high"}, {8.9, "high", "high"},
		{9.0, "critical", "high"}, {10, "critical", "high"},
	} {
		if got := severity(tc.score); got != tc.v3 {
			t.Errorf("severity(%v) = %s, want %s", tc.score, got, tc.v3)
		}
		if got := v2Severity(tc.score); got != tc.v2 {
			t.Errorf("v2Severity(%v) = %s, want %s", tc.score, got, tc.v2)
		}
	}
}

func TestParseErrors(t *testing.T) {
	const v31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
	const v40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
	for _, tc := range []struct {
		in      string
		want    error
		mention string
	}{
		{"", ErrSyntax, "empty"},
		{"   ", ErrSyntax, "empty"},
		{"CVSS:5.0/AV:N", ErrVersion, "CVSS:5.0"},
		{"CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ErrVersion, "CVSS:3.2"},
		{"CVSS:3.1", ErrSyntax, "no metrics"},
		{"CVSS:3.1/", ErrSyntax, "no metrics"},
		{v31 + "/", ErrSyntax, `""`},
		{"CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ErrSyntax, `""`},
		{"CVSS:3.1/AV/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ErrSyntax, `"AV"`},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", ErrMissingMetric, "A"},
		{"CVSS:3.1/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ErrMissingMetric, "AV"},
		{v31 + "/A:H", ErrDuplicateMetric, `"A"`},
		{"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ErrBadValue, `"X" for metric AV`},
		{v31 + "/E:Z", ErrBadValue, `"Z" for metric E`},
		{v31 + "/FOO:1", ErrUnknownMetric, `"FOO"`},
		{v31 + "/AT:N", ErrUnknownMetric, `"AT"`}, // a v4 metric in a v3 vector
		{"CVSS:3.0/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ErrBadValue, `"n"`},
		{"CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", ErrMissingMetric, "AT"},
		{v40 + "/JJ:H", ErrUnknownMetric, `"JJ"`},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:J", ErrBadValue, `"J" for metric SA`},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SI:H", ErrDuplicateMetric, `"SI"`},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N", ErrBadValue, `"S" for metric SI`},
		{v40 + "/U:red", ErrBadValue, `"red"`},
		{v40 + "/S:U", ErrBadValue, `"U" for metric S`}, // v3 scope is v4 safety
		{v40 + "/MS:C", ErrUnknownMetric, `"MS"`},
		{"AV:N/AC:L/Au:N/C:P/I:P", ErrMissingMetric, "A"},
		{"AV:N/AC:L/Au:X/C:P/I:P/A:P", ErrBadValue, `"X" for metric Au`},
		{"AV:N/AC:L/Au:N/C:P/I:P/A:P/E:X", ErrBadValue, `"X" for metric E`},
		{"(AV:N/AC:L/Au:N/C:P/I:P/A:P", ErrUnknownMetric, `"(AV"`},
		{"cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ErrUnknownMetric, `"cvss"`},
		{"not a vector", ErrSyntax, "not a vector"},
	} {
		_, err := Parse(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("Parse(%q) error = %v, want %v", tc.in, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("Parse(%q) error %q does not mention %s", tc.in, err, tc.mention)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N/E:P/MS:U",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
		"CVSS:4.0/AV:A/AC:H/AT:N/PR:H/UI:A/VC:H/VI:N/VA:H/SC:L/SI:N/SA:H/E:U/CR:H/MSI:S/MSA:S/U:Red",
		"(AV:N/AC:L/Au:N/C:P/I:P/A:P)",
		"CVSS:2.0/AV:L/AC:H/Au:M/C:N/I:N/A:N/CDP:LM",
		"CVSS:3.1/AV:N//",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Parse(in)
		if err != nil {
			return
		}
		if math.IsNaN(s.Base) || s.Base < 0 || s.Base > 10 {
			t.Fatalf("Parse(%q).Base = %v", in, s.Base)
		}
		if d := s.Base*10 - math.Round(s.Base*10); math.Abs(d) > 1e-9 {
			t.Fatalf("Parse(%q).Base = %v has more than one decimal", in, s.Base)
		}
		want := severity(s.Base)
		switch s.Version {
		case "2.0":
			want = v2Severity(s.Base)
		case "3.0", "3.1", "4.0":
		default:
			t.Fatalf("Parse(%q).Version = %q", in, s.Version)
		}
		if s.Severity != want {
			t.Fatalf("Parse(%q) = %v %q, want severity %q", in, s.Base, s.Severity, want)
		}
	})
}
