package versions

import (
	"fmt"
	"strings"
	"testing"
)

// packagistOrder is ascending; each inner list is one equivalence class (the same
// normalised form, or forms version_compare finds equal).
var packagistOrder = [][]string{
	// Branches: below every version, by name.
	{"dev-"},
	{"dev-bugfix"},
	{"dev-feature/x+y"},
	{"dev-master", "master", "DEV-master", " dev-master ", "Dev-master"},
	{"dev-trunk", "trunk"},
	// Versions.
	{"0.0.0.0-dev", "0-dev", "v0.0-dev", "0.0.0dev", "0.0.0.0.dev", "0.0.0.-dev", "0--dev", "0-.dev"},
	{"0.0.0-alpha"},
	{"0", "0.0.0.0", "v0", "0.0"},
	{"1.0.0-dev", "1.0-dev", "1-dev", "1.0.0.0-dev", "1.0.0.dev", "1.0.0_dev", "1.0.0-DEV", "1.0.0dev"},
	{"1.0.0-alpha-dev", "1.0.0-alphadev", "1.0.0.alpha.dev", "1.0.0-a-dev"},
	{"1.0.0-alpha", "1.0.0-a", "1.0.0alpha", "1.0.0.a", "1.0.0_alpha", "1.0.0-ALPHA", "v1.0.0-alpha", "1.0-alpha"},
	{"1.0.0-alpha1-dev", "1.0.0-a1.dev"},
	{"1.0.0-alpha1", "1.0.0-a1", "1.0.0-alpha.1", "1.0.0-alpha-1", "1.0.0-a.1", "1.0.0-alpha01", "1.0.0-Alpha1"},
	{"1.0.0-alpha1.1", "1.0.0-alpha1-1", "1.0.0-alpha.1.1"},
	{"1.0.0-alpha2"},
	{"1.0.0-alpha10"},
	{"1.0.0-beta-dev"},
	{"1.0.0-beta", "1.0.0-b", "1.0.0b", "1.0.0-BETA", "1.0.0.beta"},
	{"1.0.0-beta2-dev"},
	{"1.0.0-beta2", "1.0.0-b2", "1.0.0-beta.2", "1.0.0-beta-2", "1.0.0beta2", "1.0.0-beta2+build.7"},
	{"1.0.0-RC-dev"},
	{"1.0.0-RC", "1.0.0-rc", "1.0.0RC"},
	{"1.0.0-RC1-dev"},
	{"1.0.0-RC1", "1.0.0-rc1", "1.0.0-RC.1", "1.0.0rc1", "1.0.0-rc-1", "1.0-RC1"},
	{
		"1.0.0", "1.0", "1", "v1.0.0", "V1", "1.0.0.0", "1.0.0-stable", "1.0.0.stable", "1.0.0-stable1",
		"1.0.0-stable-dev", "1.0.0+build", " 1.0.0 ", "1.0.0-", "1.0.0_", "1.0.", "1.0.0+a+b", "1.0.0-STABLE",
	},
	{"1.0.0-patch-dev"},
	{"1.0.0-patch", "1.0.0-p", "1.0.0-pl", "1.0.0.p", "1.0.0pl"},
	{"1.0.0-patch1-dev"},
	{"1.0.0-patch1", "1.0.0-p1", "1.0.0-pl1", "1.0.0-p.1", "1.0.0-patch.1"},
	{"1.0.0-patch2"},
	{"1.0.0.1"},
	{"1.0.1-dev"},
	{"1.0.1", "1.0.01"},
	{"1.2.3", "1.2.3.0", "v1.2.3"},
	{"1.10.0"},
	{"1.x-dev", "1.X-dev", "1.*-dev", "v1.x.x-dev", "1.x.dev", "1.xdev", "1.9999999.9999999.9999999-dev"},
	{"2.0.0-dev"},
	{"2.0.0"},
	{"2.0.1"},
	{"2.0.5.x-dev"},
	{"2.0.x-dev", "2.0.*-dev", "2.0.x.x-dev"},
	{"2.1.0"},
	// Date versions keep their numbers as written, so they compare part by part with
	// classical ones exactly as PHP's version_compare does.
	{"2023-01-01-beta"},
	{"2023-01-01", "2023:01:01", "2023.01-01", "2023-01-01-"},
	{"2023.1.1"},
	{"2023-01-01-12-30-45"},
	{"2023-01-02"},
	{"99999.0.0"},
	{"100000", "v100000"},
	{"123456.1"},
	{"20230101", "v20230101"},
	{"20230101.1"},
	{"20230101-patch1"},
	{"202301011230"},
	{"18446744073709551616-dev"},
}

func TestPackagistOrder(t *testing.T) {
	checkOrder(t, "Packagist", packagistOrder)
}

func TestPackagistInvalid(t *testing.T) {
	checkInvalid(t, "Packagist", []string{
		"v", "abc", "dev", "-dev", "feature-dev", "1.0.0.0.0", "1.2.3.4.5", "123456789.0.0.0",
		"1.0.0-gamma", "1.0.0-alpha1a", "1.0.0-beta.", "1.0.0-RC1.", "1.0.0-beta1-beta2", "1.0.0-dev-dev",
		"1.0.0-dev.1", "1.0.0 as 2.0.0", "1.0.0@dev", "1.0.0+", "+1.0", "1.0.x", "x.1", "1:2",
		"2023-01-01T12:00", "v 1.0", "1..0", "1.0.0-patch1.", "1,0",
		"2023-1-1", "2023-1", "2023-01-1-01", "2023-01-01-12-30-45-10-20-30", "1.0.0-b-2-", "^1.0", "~1.0", "*",
		"1.0.0+build meta",
	})
}

// Composer's normalised spellings, written out, must read as the version they came from.
func TestPackagistNormalisedForms(t *testing.T) {
	for in, norm := range map[string]string{
		"1.2-p.5+foo":     "1.2.0.0-patch5",
		"v1.0.0-beta2":    "1.0.0.0-beta2",
		"1.x-dev":         "1.9999999.9999999.9999999-dev",
		"1.0.0-RC.1-dev":  "1.0.0.0-RC1-dev",
		"1.0.0-alpha1.2":  "1.0.0.0-alpha1.2",
		"2.0.0.1-stable":  "2.0.0.1",
		"1.0-pl3-dev":     "1.0.0.0-patch3-dev",
		"20230101-beta.2": "20230101-beta2",
	} {
		c, err := Compare("Packagist", in, norm)
		if err != nil || c != 0 {
			t.Errorf("Compare(Packagist, %q, %q) = %d, %v; want equal", in, norm, c, err)
		}
	}
}

// More parts than the inline buffer holds must still be compared in full.
func TestPackagistManyParts(t *testing.T) {
	long := "1.0.0-beta" + strings.Repeat(".1", 12)
	classes := [][]string{
		{long},
		{long + ".1-dev"},
		{long + ".1"},
		{long + ".2"},
		{"1.0.0-beta" + strings.Repeat(".1", 11) + ".2"},
		{"2023.01.01.01.01.01.123-beta1.2.3.4-dev"},
		{"2023.01.01.01.01.01.123-beta1.2.3.4"},
		{"2023.01.01.01.01.01.123"},
	}
	checkOrder(t, "Packagist", classes)
	v, _ := Parse("Packagist", long+".1")
	if p := v.(*composerVersion); p.n != 4+1+13 || len(p.more) != p.n-len(p.toks) {
		t.Errorf("%q has %d parts (%d spilled)", long, p.n, len(p.more))
	}
}

func TestDateShape(t *testing.T) {
	for d, want := range map[string]bool{
		"20230101": true, "2023-01-01": true, "2023:01:01": true, "202301": true, "2023.01": true,
		"2023": false, "20231": false, "2023-1": false, "2023--01": false, "2023-01-": false,
		"2023.01.01.01.01.01.01": true, "2023.01.01.01.01.01.01.1": true, "2023.01.01.01.01.01.01.123": true,
		"2023.01.01.01.01.01.01.1234": false, "2023.01.01.01.01.01.01.01.01": false, "2023.01.1": true,
		"20230101123456789012": false, "2023.01.01.12345": true,
		"2023.01.1.1": false, "20230101123": true, "2023010112345": true, "20230101123456789": true,
		"202301011234567890": true, "2023010112345678901": true, "a023": false, "2023-01-1-01": false,
	} {
		if got := dateShape(d); got != want {
			t.Errorf("dateShape(%q) = %v, want %v", d, got, want)
		}
	}
}

func ExampleCompare() {
	c, err := Compare("Packagist", "v2.0.0-RC1", "2.0")
	fmt.Println(c, err)
	// Output: -1 <nil>
}
