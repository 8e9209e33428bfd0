package versions

import "testing"

// rubygemsOrder is ascending; each inner list is one equivalence class.
var rubygemsOrder = [][]string{
	// All-zero leading numbers vanish, leaving the text first.
	{"0.0.beta", "0.beta", "0.0.0.beta"},
	{"0.beta.1", "0.0.beta.1", "0.beta1", "0.0.0.beta.1.0"},
	{"0", "0.0", "0.0.0", " 0 ", "00"},
	{"0.1"},
	{"0.9"},
	// Text compares bytewise, so capitals sort before lower case.
	{"1.0.RC1"},
	{"1.0.Z"},
	{"1.a", "1.0.a", "1.0.0.a", "1.0.a.0", "1.0a"},
	{"1.0.a.1", "1.0.a1", "1.a1", "1.0.a.01", "1.0.0.a.1"},
	{"1.0.a.2", "1.0.a2"},
	// A missing segment is the number 0, which outranks text.
	{"1.0.a10b"},
	{"1.0.a10"},
	{"1.0.b1"},
	{"1.0.b.2", "1.0.b2"},
	{"1.0.b10"},
	// "-" reads as ".pre.".
	{"1.0-alpha", "1.0.pre.alpha", "1-alpha", "1.0.0-alpha"},
	{"1.0-beta-1", "1.0.pre.beta.pre.1"},
	{"1.0--"},
	{"1.0.pre", "1.0.0.pre", "1.pre"},
	{"1.0-1.a"},
	{"1.0-1", "1.0.0.pre.1", "1.pre1", "1.0.0-1", "1-1", "1.0-01"},
	{"1.0-1.1"},
	{"1.0-2"},
	{"1.0.rc1"},
	{"1.0.x"},
	{"1", "1.0", "1.0.0", " 1.0.0 ", "1.00", "01", "1.0.0.0.0", "\t1\n"},
	{"1.0.0.1", "1.0.0.1.0"},
	{"1.0.1.a"},
	{"1.0.1"},
	{"1.1.a"},
	{"1.1"},
	{"1.8.2.a9"},
	{"1.8.2.a10"},
	{"1.8.2.b"},
	{"1.8.2"},
	{"1.9"},
	{"1.10"},
	// From RubyGems' own tests.
	{"5.a"},
	{"5.0.0.rc2"},
	{"5.x"},
	{"5", "5.0.0"},
	{"7.0.4.3"},
	{"7.0.8"},
	{"18446744073709551616"},
	{"18446744073709551617", "018446744073709551617.0"},
}

func TestRubyGemsOrder(t *testing.T) {
	checkOrder(t, "RubyGems", rubygemsOrder)
}

func TestRubyGemsInvalid(t *testing.T) {
	checkInvalid(t, "RubyGems", []string{
		"a", "a1", "1a", "1a.0", ".1", "1.", "1..2", "1.0-", "1.0-.a", "1.0.-a", "1-a.", "1 0", "1.0_1",
		"1.0+build", "v1.0", "-1", "1.0.ä", "1,0", "1.0.0-a..b", "= 1.0", "~> 1.0", ">= 1.0", "1.0 2.0",
	})
}
