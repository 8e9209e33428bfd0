package versions

import "testing"

// semverOrder is ascending; each inner list is one equivalence class.
var semverOrder = [][]string{
	// Go pseudo-versions with no tagged ancestor sort below v0.0.0 itself.
	{"v0.0.0-20180101000000-aaaaaaaaaaaa"},
	{"v0.0.0-20191109021931-daa7c04131f5", "0.0.0-20191109021931-daa7c04131f5"},
	{"v0.0.0-20191109021931-daa7c04131f6"},
	{"0.0.0", "0", "v0", "0.0", "v0.0.0", "00.00.000", "0.0.0+build"},
	{"0.0.1-0"},
	{"0.0.1"},
	{"0.1.0-alpha"},
	{"0.1.0"},
	{"0.9.0"},
	{"0.10.0"},
	// Semantic Versioning 2.0.0 section 11's example chain.
	{"1.0.0-0"},
	{"1.0.0-1", "1.0.0-01"},
	{"1.0.0-2"},
	{"1.0.0-10"},
	{"1.0.0-18446744073709551616"},
	{"1.0.0-a"},
	{"1.0.0-alpha", "1.0.0-alpha+001", "v1.0.0-alpha"},
	{"1.0.0-alpha.1"},
	{"1.0.0-alpha.1.1"},
	{"1.0.0-alpha.beta"},
	{"1.0.0-alpha0"},
	{"1.0.0-alpha1"},
	{"1.0.0-beta"},
	{"1.0.0-beta.2"},
	{"1.0.0-beta.11"},
	{"1.0.0-beta.x-y"},
	{"1.0.0-rc.1"},
	{"1.0.0-x-y-z.--"},
	{"1.0.0", "v1.0.0", "1", "1.0", "v1", "1.0.0+20130313144700", "1.0.0+exp.sha.5114f85", "1.0.0+21AF26D3----117B344092BD", " 1.0.0 "},
	// vX.Y.(Z+1)-0.timestamp-hash: a commit after v1.0.0, before v1.0.1.
	{"v1.0.1-0.20191109021931-daa7c04131f5"},
	{"v1.0.1-0.20200101000000-bbbbbbbbbbbb"},
	{"1.0.1-alpha"},
	{"1.0.1"},
	// vX.Y.Z-pre.0.timestamp-hash: a commit after v1.2.3-pre.
	{"1.2.3-pre"},
	{"v1.2.3-pre.0.20191109021931-daa7c04131f5"},
	{"1.2.3-pre.1"},
	{"1.2.3"},
	{"1.9.0"},
	{"1.10.0"},
	{"1.11.0-rc.1"},
	{"1.11.0"},
	{"2.0.0-rc.1", "v2.0.0-rc.1+incompatible"},
	{"2.0.0", "v2.0.0+incompatible", "2", "2.0"},
	{"v2.0.1+incompatible"},
	{"2.1.0"},
	{"2.1.1"},
	{"10.0.0"},
	{"18446744073709551615.0.0"},
	{"18446744073709551616.0.0", "018446744073709551616.0.0"},
	{"18446744073709551616.1.0"},
}

func TestSemverOrder(t *testing.T) {
	for _, eco := range []string{"SEMVER", "npm", "crates.io", "Go"} {
		checkOrder(t, eco, semverOrder)
	}
}

func TestSemverInvalid(t *testing.T) {
	for _, eco := range []string{"SEMVER", "npm", "crates.io", "Go"} {
		checkInvalid(t, eco, []string{
			"v", "V1.2.3", "vv1", "a.b.c", "-1.2.3", "=1.2.3", "1.", "1..2", ".1", "1.2.",
			"1.2.3.4", "1.2.3-", "1.2.3+", "1.2.3-+", "1.2.3-a..b", "1.2.3-a.", "1.2.3-.a",
			"1.2.3-a_b", "1.2.3+a..b", "1.2.3+a+b", "1.2.3 4", "1.2.3-ä", "1.2.x", "1.2.3beta",
			"1.2.3-beta!", "latest", "*", "^1.2.3", ">=1.0.0", "1.0.0 - 2.0.0",
		})
	}
}
