package textscan

import (
	"bytes"
	"sort"
	"strings"
	"testing"
)

// naive is the obvious quadratic search the automaton must agree with.
func naive(keywords []string, data []byte) []string {
	var out []string
	lower := bytes.ToLower(data)
	for id, k := range keywords {
		for i := 0; i+len(k) <= len(lower); i++ {
			if string(lower[i:i+len(k)]) == k {
				out = append(out, itoaPair(id, i+len(k)))
			}
		}
	}
	sort.Strings(out)
	return out
}

func itoaPair(a, b int) string { return strings.Repeat("k", a+1) + "@" + strings.Repeat("e", b) }

func viaIndex(keywords []string, data []byte) []string {
	var out []string
	NewIndex(keywords).Find(data, func(kw, end int) { out = append(out, itoaPair(kw, end)) })
	sort.Strings(out)
	return out
}

func TestIndexAgreesWithNaiveSearch(t *testing.T) {
	cases := []struct {
		keywords []string
		data     string
	}{
		{[]string{"he", "she", "his", "hers"}, "ushers and HIS shE"},
		{[]string{"akia", "kia", "a"}, "AKIAAKIA kia"},
		{[]string{"ghp_", "gho_", "github"}, "GITHUB_TOKEN=ghp_abc gho_x"},
		{[]string{"aa", "aaa"}, "aaaaa"},
	}
	for _, c := range cases {
		if got, want := viaIndex(c.keywords, []byte(c.data)), naive(c.keywords, []byte(c.data)); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%v in %q:\n got %v\nwant %v", c.keywords, c.data, got, want)
		}
	}
}

func FuzzIndex(f *testing.F) {
	f.Add("akia,ghp_,pass", []byte("pass AKIA ghp_"))
	f.Add("a,ab,abc,b", []byte("ababcABC"))
	f.Fuzz(func(t *testing.T, kws string, data []byte) {
		var keywords []string
		for _, k := range strings.Split(strings.ToLower(kws), ",") {
			if k != "" && len(k) < 12 {
				keywords = append(keywords, k)
			}
		}
		if len(keywords) == 0 || len(keywords) > 20 || len(data) > 4096 {
			return
		}
		// The naive search lower-cases only ASCII, like the index.
		for _, k := range keywords {
			for _, r := range k {
				if r > 127 {
					return
				}
			}
		}
		for _, b := range data {
			if b > 127 {
				return
			}
		}
		if got, want := viaIndex(keywords, data), naive(keywords, data); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("mismatch for %q in %q", keywords, data)
		}
	})
}
