package versions

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

var allEcosystems = []string{"SEMVER", "npm", "crates.io", "Go", "PyPI", "Packagist", "RubyGems"}

// checkOrder asserts that classes, listed in ascending order, compare as listed:
// members of a class equal each other, and each member is below every member of every
// later class. Both the Version method and the package-level Compare are checked, in
// both directions.
func checkOrder(t *testing.T, eco string, classes [][]string) {
	t.Helper()
	type item struct {
		class int
		v     Version
	}
	var items []item
	for ci, class := range classes {
		for _, s := range class {
			v, err := Parse(eco, s)
			if err != nil {
				t.Errorf("Parse(%q, %q): %v", eco, s, err)
				continue
			}
			if v.String() != s {
				t.Errorf("Parse(%q, %q).String() = %q", eco, s, v.String())
			}
			items = append(items, item{ci, v})
		}
	}
	for _, a := range items {
		for _, b := range items {
			want := cmpInt(a.class, b.class)
			if got := a.v.Compare(b.v); got != want {
				t.Errorf("%s: %q.Compare(%q) = %d, want %d", eco, a.v, b.v, got, want)
			}
			got, err := Compare(eco, a.v.String(), b.v.String())
			if err != nil || got != want {
				t.Errorf("%s: Compare(%q, %q) = %d, %v; want %d", eco, a.v, b.v, got, err, want)
			}
		}
	}
}

func checkInvalid(t *testing.T, eco string, bad []string) {
	t.Helper()
	for _, s := range bad {
		v, err := Parse(eco, s)
		if err == nil {
			t.Errorf("Parse(%q, %q) = %#v, want error", eco, s, v)
			continue
		}
		if !strings.Contains(err.Error(), eco) || !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
			t.Errorf("Parse(%q, %q) error %q does not name the ecosystem and version", eco, s, err)
		}
		if _, err := Compare(eco, s, "1"); err == nil {
			t.Errorf("Compare(%q, %q, 1) accepted an invalid version", eco, s)
		}
		if _, err := Compare(eco, "1", s); err == nil {
			t.Errorf("Compare(%q, 1, %q) accepted an invalid version", eco, s)
		}
	}
}

func TestSupported(t *testing.T) {
	for _, eco := range allEcosystems {
		if !Supported(eco) {
			t.Errorf("Supported(%q) = false", eco)
		}
	}
	for _, eco := range []string{"", "pypi", "go", "NPM", "Maven", "Debian:12", "GIT", "ECOSYSTEM", "crates"} {
		if Supported(eco) {
			t.Errorf("Supported(%q) = true", eco)
		}
		if _, err := Parse(eco, "1.0.0"); !errors.Is(err, ErrUnknownEcosystem) {
			t.Errorf("Parse(%q) error = %v, want ErrUnknownEcosystem", eco, err)
		} else if !strings.Contains(err.Error(), fmt.Sprintf("%q", eco)) {
			t.Errorf("Parse(%q) error %q does not name the ecosystem", eco, err)
		}
		if _, err := Compare(eco, "1.0.0", "1.0.0"); !errors.Is(err, ErrUnknownEcosystem) {
			t.Errorf("Compare(%q) error = %v, want ErrUnknownEcosystem", eco, err)
		}
	}
}

func TestEmptyIsInvalidEverywhere(t *testing.T) {
	for _, eco := range allEcosystems {
		checkInvalid(t, eco, []string{"", " ", "\t\n"})
	}
}

// The npm, crates.io, Go and SEMVER orderings are one family and compare across it.
func TestSemverFamilyShared(t *testing.T) {
	a, _ := Parse("Go", "v1.2.3")
	b, _ := Parse("npm", "1.2.3")
	c, _ := Parse("SEMVER", "1.2.4")
	if a.Compare(b) != 0 || a.Compare(c) != -1 || c.Compare(b) != 1 {
		t.Errorf("semver family does not compare across its ecosystems")
	}
}

type foreign struct{}

func (foreign) Compare(Version) int { return 0 }
func (foreign) String() string      { return "x" }

// Versions of different families must not panic when compared, and must still order
// consistently, so that a sort over a mixed slice terminates with a stable result.
func TestCrossFamilyCompare(t *testing.T) {
	var vs []Version
	for _, eco := range []string{"npm", "PyPI", "Packagist", "RubyGems"} {
		for _, s := range []string{"1.0.0", "2.0.0"} {
			v, err := Parse(eco, s)
			if err != nil {
				t.Fatal(err)
			}
			vs = append(vs, v)
		}
	}
	others := append(slices.Clone(vs), nil, foreign{})
	for _, a := range vs {
		for _, b := range others {
			c := a.Compare(b)
			if _, ok := b.(foreign); ok || b == nil {
				// Ours sort above nil and below implementations we do not know.
				if want := map[bool]int{true: -1, false: 1}[ok]; c != want {
					t.Errorf("%q.Compare(%#v) = %d, want %d", a, b, c, want)
				}
				continue
			}
			if d := b.Compare(a); c != -d {
				t.Errorf("%T %q vs %T %q: %d and %d", a, a, b, b, c, d)
			}
			if rankOf(a) != rankOf(b) && c == 0 {
				t.Errorf("%T %q equals %T %q", a, a, b, b)
			}
		}
	}
	checkTransitive(t, "mixed", vs)
}

// checkTransitive asserts antisymmetry and transitivity over every pair and triple.
func checkTransitive(t *testing.T, name string, vs []Version) {
	t.Helper()
	n := len(vs)
	c := make([]int, n*n)
	for i, a := range vs {
		for j, b := range vs {
			c[i*n+j] = a.Compare(b)
		}
	}
	for i := range n {
		if c[i*n+i] != 0 {
			t.Errorf("%s: %q.Compare(itself) = %d", name, vs[i], c[i*n+i])
		}
		for j := range n {
			if c[i*n+j] != -c[j*n+i] {
				t.Errorf("%s: not antisymmetric: %q vs %q: %d, %d", name, vs[i], vs[j], c[i*n+j], c[j*n+i])
			}
			for k := range n {
				ij, jk, ik := c[i*n+j], c[j*n+k], c[i*n+k]
				switch {
				case ij <= 0 && jk <= 0 && ik > 0,
					ij >= 0 && jk >= 0 && ik < 0,
					ij == 0 && jk == 0 && ik != 0:
					t.Fatalf("%s: not transitive: %q ? %q = %d, %q ? %q = %d, %q ? %q = %d",
						name, vs[i], vs[j], ij, vs[j], vs[k], jk, vs[i], vs[k], ik)
				}
			}
		}
	}
}

// genVersion builds a random, mostly plausible version string for an ecosystem out of
// the pieces its syntax is made of, so that the property test exercises equalities and
// near-ties rather than random text that fails to parse.
func genVersion(r *rand.Rand, eco string) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	num := func() string { return pick("0", "1", "2", "10", "01", "00", "9", "18446744073709551616") }
	var b strings.Builder
	parts := func(sep string, n int, piece func() string) {
		for i := range n {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(piece())
		}
	}
	switch familyOf(eco) {
	case famSemver:
		b.WriteString(pick("", "v"))
		parts(".", 1+r.IntN(3), num)
		if r.IntN(2) == 0 {
			b.WriteString("-")
			parts(".", 1+r.IntN(3), func() string {
				return pick("0", "1", "2", "11", "alpha", "beta", "rc", "a1", "x-y", "20191109021931-daa7c04131f5")
			})
		}
		if r.IntN(4) == 0 {
			b.WriteString(pick("+incompatible", "+build.1", "+001"))
		}
	case famPyPI:
		if r.IntN(6) == 0 {
			// Legacy versions: must sort below every valid one, among themselves by
			// the setuptools key.
			b.WriteString(pick("1.0-SNAPSHOT", "foo", "1.0.0.final", "2.0 beta", "1_0", "1.0-rc-1", "1.0.dev-x"))
			return b.String()
		}
		b.WriteString(pick("", "v"))
		if r.IntN(5) == 0 {
			b.WriteString(pick("0!", "1!", "2!"))
		}
		parts(".", 1+r.IntN(4), num)
		if r.IntN(2) == 0 {
			b.WriteString(pick("", ".", "-", "_") + pick("a", "b", "rc", "alpha", "c", "pre", "PREVIEW") + pick("", "0", "1", "2", ".1"))
		}
		if r.IntN(3) == 0 {
			b.WriteString(pick(".post", "-", "post", ".r", "rev", "-post-") + pick("1", "2", "0"))
		}
		if r.IntN(3) == 0 {
			b.WriteString(pick(".dev", "dev", "-dev") + pick("", "0", "1", "3"))
		}
		if r.IntN(4) == 0 {
			b.WriteString("+")
			parts(pick(".", "-", "_"), 1+r.IntN(3), func() string { return pick("abc", "ABC", "5", "7", "05", "a5", "0") })
		}
	case famPackagist:
		switch r.IntN(8) {
		case 0:
			return pick("dev-master", "dev-feature", "master", "DEV-master", "1.x-dev", "2.0.*-dev", "1.0.x-dev")
		case 1:
			b.WriteString(pick("20230101", "2023-01-01", "20230101.1", "2023.01.01.1200", "202301011200"))
		default:
			b.WriteString(pick("", "v"))
			parts(".", 1+r.IntN(4), num)
		}
		if r.IntN(2) == 0 {
			b.WriteString(pick("", "-", ".", "_") + pick("alpha", "a", "beta", "b", "RC", "rc", "patch", "pl", "p", "stable") + pick("", "1", "2", ".1", "1.2", "10"))
		}
		if r.IntN(4) == 0 {
			b.WriteString(pick("-dev", ".dev", "dev"))
		}
		if r.IntN(6) == 0 {
			b.WriteString("+build.5")
		}
	case famRubyGems:
		parts(".", 1+r.IntN(4), func() string { return pick("0", "1", "2", "10", "00", "a", "b", "pre", "rc1", "1a", "beta2", "Z") })
		if r.IntN(3) == 0 {
			b.WriteString("-")
			parts(".", 1+r.IntN(2), func() string { return pick("1", "a", "pre", "x-1", "0") })
		}
		s := b.String()
		if !isDigit(s[0]) {
			return "1." + s
		}
		for i := 0; i < len(s) && s[i] != '.' && s[i] != '-'; i++ {
			if !isDigit(s[i]) {
				return "1." + s
			}
		}
	}
	return b.String()
}

func TestOrderingIsConsistent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, eco := range []string{"SEMVER", "PyPI", "Packagist", "RubyGems"} {
		seen := map[string]bool{}
		var vs []Version
		rejected := 0
		for len(vs) < 150 {
			s := genVersion(r, eco)
			if seen[s] {
				continue
			}
			seen[s] = true
			v, err := Parse(eco, s)
			if err != nil {
				// Some combinations are invalid (a Composer major number of more
				// than five digits); too many would mean a broken parser.
				if rejected++; rejected > 15 {
					t.Fatalf("generated %s version %q does not parse: %v", eco, s, err)
				}
				continue
			}
			vs = append(vs, v)
		}
		checkTransitive(t, eco, vs)
		// A sort must agree with the pairwise order.
		sorted := slices.Clone(vs)
		slices.SortStableFunc(sorted, func(a, b Version) int { return a.Compare(b) })
		for i := 1; i < len(sorted); i++ {
			if sorted[i-1].Compare(sorted[i]) > 0 {
				t.Errorf("%s: sort left %q before %q", eco, sorted[i-1], sorted[i])
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		"1.0.0", "v1.2.3-rc.1+build", "0.0.0-20191109021931-daa7c04131f5", "v2.0.0+incompatible", "1.2",
		"1!2.0a1.post2.dev3+local.7", "1.0-SNAPSHOT", "1.0.DEV", "1.0a.", "1.0+a_B-3",
		"v1.2.3-beta.1", "20230101-RC2", "dev-master", "1.x-dev", "1.0.0-patch1+meta", "2023-01-01.123",
		"1.0.a.10", "1.0-pre-1", "0.beta.1", "1.0.0.0.0.0.1",
	}
	for i, s := range seeds {
		f.Add(uint8(i), s, seeds[(i+1)%len(seeds)], seeds[(i+7)%len(seeds)])
	}
	f.Fuzz(func(t *testing.T, sel uint8, a, b, c string) {
		eco := allEcosystems[int(sel)%len(allEcosystems)]
		x, errX := Parse(eco, a)
		y, errY := Parse(eco, b)
		z, errZ := Parse(eco, c)
		if errX != nil {
			if x != nil {
				t.Fatalf("Parse(%q, %q) returned a version and an error", eco, a)
			}
			return
		}
		if x.String() != a {
			t.Fatalf("Parse(%q, %q).String() = %q", eco, a, x.String())
		}
		if got := x.Compare(x); got != 0 {
			t.Fatalf("%s %q.Compare(itself) = %d", eco, a, got)
		}
		if errY != nil {
			return
		}
		xy, yx := x.Compare(y), y.Compare(x)
		if xy != -yx || xy < -1 || xy > 1 {
			t.Fatalf("%s: %q vs %q: %d and %d", eco, a, b, xy, yx)
		}
		if got, err := Compare(eco, a, b); err != nil || got != xy {
			t.Fatalf("%s: Compare(%q, %q) = %d, %v; method says %d", eco, a, b, got, err, xy)
		}
		if errZ != nil {
			return
		}
		yz, xz := y.Compare(z), x.Compare(z)
		switch {
		case xy <= 0 && yz <= 0 && xz > 0, xy >= 0 && yz >= 0 && xz < 0, xy == 0 && yz == 0 && xz != 0:
			t.Fatalf("%s: not transitive: %q ? %q = %d, %q ? %q = %d, %q ? %q = %d", eco, a, b, xy, b, c, yz, a, c, xz)
		}
	})
}

var benchInputs = map[string][]string{
	"npm":       {"1.2.3", "4.17.21", "1.0.0-beta.2", "0.0.0-20191109021931-daa7c04131f5"},
	"Go":        {"v1.2.3", "v0.0.0-20191109021931-daa7c04131f5", "v2.0.0+incompatible", "1.20.0-rc.1"},
	"PyPI":      {"1.2.3", "2.0.0rc1", "1.0.post1.dev2", "1!2.0+local.1"},
	"Packagist": {"v1.2.3", "2.0.0-RC1", "1.0.0-beta2-dev", "20230101"},
	"RubyGems":  {"1.2.3", "7.0.4.3", "1.0.0.rc1", "2.0.0-pre.1"},
}

func BenchmarkParse(b *testing.B) {
	for _, eco := range []string{"npm", "Go", "PyPI", "Packagist", "RubyGems"} {
		in := benchInputs[eco]
		b.Run(eco, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := Parse(eco, in[i%len(in)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompare(b *testing.B) {
	for _, eco := range []string{"npm", "Go", "PyPI", "Packagist", "RubyGems"} {
		in := benchInputs[eco]
		b.Run(eco+"/strings", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := Compare(eco, in[i%len(in)], in[(i+1)%len(in)]); err != nil {
					b.Fatal(err)
				}
			}
		})
		vs := make([]Version, len(in))
		for i, s := range in {
			vs[i], _ = Parse(eco, s)
		}
		b.Run(eco+"/parsed", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				vs[i%len(vs)].Compare(vs[(i+1)%len(vs)])
			}
		})
	}
}
