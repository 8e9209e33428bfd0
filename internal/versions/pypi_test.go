package versions

import "testing"

// pypiOrder is ascending; each inner list is one equivalence class. The expectations
// were cross-checked against packaging 21.3 (the last release with LegacyVersion).
var pypiOrder = [][]string{
	// Legacy (non-PEP 440) versions sort below every valid one, by the setuptools key:
	// text below numbers, "-" read as a "final-" marker, dev as "@".
	{"bar"},
	{"foo", "FOO"},
	{"1.0 beta"},
	{"1.0+"},
	{"1.0.dev1.post1"},
	{"1_0"},
	{"1.0a1b2"},
	{"1.0-RC-x"},
	{"1.0."},
	{"1.0.0.final"},
	{"1.0-"},
	{"1.0-final"},
	{"1.0-SNAPSHOT", "1.0.0-SNAPSHOT"},
	{"1.0.post1.a1"},
	{"2.0-SNAPSHOT"},
	{"99999999.0-foo"},
	// Valid versions.
	{"0.dev0", "0!0.dev0", "0.0.0.dev0", "0.0.dev"},
	{"0", "0.0", "0!0"},
	{"1.dev0", "1.0.dev", "1.0.dev0", "1.0-dev", "1.0dev", "1.0.DEV", "1.0.dev."},
	{"1.0.dev1", "1.0.dev-1", "1.0.dev.1", "1.0.dev01", "1.0-dev-1"},
	{"1.0.dev456"},
	{"1.0a.dev1"},
	{"1.0a", "1.0a0", "1.0a.", "1.0alpha", "1.0.a0", "1.0-alpha"},
	{"1.0a1.dev1"},
	{"1.0a1", "1.0alpha1", "1.0.a.1", "1.0-a-1", "1.0A1", "1.0_a1", "1.0alpha.1", "1.0.alpha_1", "1.0_a_1", "v1.0a1", "1.0a01"},
	{"1.0a1+local"},
	{"1.0a1.post1.dev1"},
	{"1.0a1.post1", "1.0a1-1", "1.0a1.r1"},
	{"1.0a2.dev456"},
	{"1.0a12.dev456"},
	{"1.0a12"},
	{"1.0b1.dev456"},
	{"1.0b1", "1.0beta1", "1.0-BETA-1"},
	{"1.0b2"},
	{"1.0b2.post345.dev456"},
	{"1.0b2.post345"},
	{"1.0rc", "1.0c", "1.0pre", "1.0.preview", "1.0rc0"},
	{"1.0rc1.dev456"},
	{"1.0rc1", "1.0c1", "1.0pre1", "1.0preview1", "1.0-rc.1", "1.0RC1", "1.0-pre-1", "1.0-preview-1", "1.0-rc-1"},
	{"1.0rc2"},
	{"1.0", "1.0.0", "1", "v1.0", "V1.0", "1.0.0.0", " 1.0 ", "0!1.0", "1.00", "\t1.0.0\n"},
	{"1.0+a"},
	{"1.0+a.b"},
	{"1.0+a.0"},
	{"1.0+a.1"},
	{"1.0+a.10"},
	{"1.0+abc", "1.0+ABC"},
	{"1.0+abc.5", "1.0+abc-5", "1.0+abc_5", "1.0+ABC.05"},
	{"1.0+abc.7"},
	{"1.0+b"},
	{"1.0+0"},
	{"1.0+1.a"},
	{"1.0+2"},
	{"1.0+5"},
	{"1.0.post.dev0", "1.0-r.dev"},
	{"1.0.post", "1.0.post0", "1.0-r", "1.0.post.", "1.0POST", "1.0-R", "1.0r"},
	{"1.0.post1.dev1"},
	{"1.0.post1", "1.0-1", "1.0post1", "1.0.r1", "1.0rev1", "1.0-post-1", "1.0_post_1", "1.0.post.1", "1.0-r1"},
	{"1.0.post1+x"},
	{"1.0.post2"},
	{"1.0.post456.dev34"},
	{"1.0.post456"},
	{"1.0.0.0.0.0.0.0.1"},
	{"1.0.1"},
	{"1.0.15"},
	{"1.0.99999999999999999999998"},
	{"1.0.99999999999999999999999"},
	{"1.1.dev1"},
	{"1.1", "1.01", "1.1.0"},
	{"1.2.3.4.5a6.post7.dev8+local.9"},
	{"2.0"},
	{"100000000.0"},
	// Epochs outrank everything else.
	{"1!0.1", "v1!0.1"},
	{"1!1.0.dev1"},
	{"1!1.0"},
	{"2!0.0.1"},
}

func TestPyPIOrder(t *testing.T) {
	checkOrder(t, "PyPI", pypiOrder)
}

func TestPyPILegacy(t *testing.T) {
	legacy := []string{
		"1.0.", "1.0a1b2", "1.0+", "1.0+a..b", "1.0+.a", "1.0+a.", "1.0++a", "1!", "!1", "1.0-",
		"1.0_", "a1.0", "1.0 beta", "1.0.0-SNAPSHOT", "foo", "1.0.dev1.post1", "1.0.post1.a1",
		"1.0.dev1-", "1.0a-.1", "1.0+a+b", "1 .0", "1.0+ä", "1_0", "v", "1.0-.", "-1",
	}
	valid, _ := Parse("PyPI", "0.dev0")
	for _, s := range legacy {
		v, err := Parse("PyPI", s)
		if err != nil {
			t.Errorf("Parse(PyPI, %q): %v", s, err)
			continue
		}
		if !v.(*pypiVersion).isLeg {
			t.Errorf("Parse(PyPI, %q) is not a legacy version", s)
		}
		if v.Compare(valid) != -1 {
			t.Errorf("legacy %q does not sort below every valid version", s)
		}
	}
}

func TestPyPIFields(t *testing.T) {
	for _, tc := range []struct {
		in                                    string
		epoch, release, pre, post, dev, local string
		preKind                               int8
		hasPost, hasDev                       bool
	}{
		{in: "1!2.3a4.post5.dev6+l.7", epoch: "1", release: "2.3", preKind: pepAlpha, pre: "4", hasPost: true, post: "5", hasDev: true, dev: "6", local: "l.7"},
		{in: "2.0-3", release: "2.0", hasPost: true, post: "3"},
		{in: "2.0.preview", release: "2.0", preKind: pepRC},
		{in: "2.0.r", release: "2.0", hasPost: true},
		{in: "2.0rc-9", release: "2.0", preKind: pepRC, pre: "9"},
		{in: "2.0c.dev", release: "2.0", preKind: pepRC, hasDev: true},
	} {
		v, err := Parse("PyPI", tc.in)
		if err != nil {
			t.Fatal(err)
		}
		p := v.(*pypiVersion)
		if p.isLeg || p.epoch != tc.epoch || p.release != tc.release || p.preKind != tc.preKind || p.preNum != tc.pre ||
			p.hasPost != tc.hasPost || p.postNum != tc.post || p.hasDev != tc.hasDev || p.devNum != tc.dev || p.local != tc.local {
			t.Errorf("Parse(PyPI, %q) = %+v", tc.in, *p)
		}
	}
}
