package osv

import (
	"strings"
	"testing"
)

func rng(typ string, evs ...string) Range {
	r := Range{Type: typ}
	for _, e := range evs {
		k, v, _ := strings.Cut(e, "=")
		switch k {
		case "i":
			r.Events = append(r.Events, Event{Introduced: v})
		case "f":
			r.Events = append(r.Events, Event{Fixed: v})
		case "l":
			r.Events = append(r.Events, Event{LastAffected: v})
		case "x":
			r.Events = append(r.Events, Event{Limit: v})
		}
	}
	return r
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name      string
		eco       string
		ranges    []Range
		versions  []string
		version   string
		affected  bool
		fixed     string
		wantError bool
	}{
		{"before fix", "npm", []Range{rng("SEMVER", "i=0", "f=1.2.3")}, nil, "1.2.2", true, "1.2.3", false},
		{"at fix", "npm", []Range{rng("SEMVER", "i=0", "f=1.2.3")}, nil, "1.2.3", false, "", false},
		{"prerelease of fix is affected", "npm", []Range{rng("SEMVER", "i=0", "f=1.2.3")}, nil, "1.2.3-rc.1", true, "1.2.3", false},
		{"before introduced", "npm", []Range{rng("SEMVER", "i=1.0.0", "f=1.2.3")}, nil, "0.9.9", false, "", false},
		{"last affected included", "npm", []Range{rng("SEMVER", "i=1.0.0", "l=1.5.0")}, nil, "1.5.0", true, "", false},
		{"after last affected", "npm", []Range{rng("SEMVER", "i=1.0.0", "l=1.5.0")}, nil, "1.5.1", false, "", false},
		{"second interval", "npm", []Range{rng("SEMVER", "i=1.0.0", "f=1.1.0", "i=2.0.0", "f=2.2.0")}, nil, "2.1.0", true, "2.2.0", false},
		{"between intervals", "npm", []Range{rng("SEMVER", "i=1.0.0", "f=1.1.0", "i=2.0.0", "f=2.2.0")}, nil, "1.5.0", false, "", false},
		{"events out of order", "npm", []Range{rng("SEMVER", "f=2.2.0", "i=2.0.0", "f=1.1.0", "i=1.0.0")}, nil, "1.0.5", true, "1.1.0", false},
		{"limit bounds the range", "npm", []Range{rng("SEMVER", "i=0", "x=2.0.0")}, nil, "2.1.0", false, "", false},
		{"below limit", "npm", []Range{rng("SEMVER", "i=0", "x=2.0.0")}, nil, "1.9.0", true, "", false},
		{"open range", "npm", []Range{rng("SEMVER", "i=0")}, nil, "99.0.0", true, "", false},
		{"explicit version list", "npm", nil, []string{"1.3.0", "1.3.1"}, "1.3.1", true, "", false},
		{"not in version list", "npm", nil, []string{"1.3.0"}, "1.3.2", false, "", false},
		{"pep440 equal spelling in list", "PyPI", nil, []string{"1.0"}, "1.0.0", true, "", false},
		{"pep440 ecosystem range", "PyPI", []Range{rng("ECOSYSTEM", "i=0", "f=2.0.post1")}, nil, "2.0", true, "2.0.post1", false},
		{"pep440 dev release before fix", "PyPI", []Range{rng("ECOSYSTEM", "i=1.0", "f=1.5")}, nil, "1.5.dev3", true, "1.5", false},
		{"composer stability", "Packagist", []Range{rng("ECOSYSTEM", "i=0", "f=5.4.2")}, nil, "5.4.2-RC1", true, "5.4.2", false},
		{"rubygems prerelease", "RubyGems", []Range{rng("ECOSYSTEM", "i=0", "f=7.0.4")}, nil, "7.0.4.rc1", true, "7.0.4", false},
		{"go with v prefix", "Go", []Range{rng("SEMVER", "i=0", "f=0.17.0")}, nil, "v0.16.0", true, "0.17.0", false},
		{"go pseudo-version", "Go", []Range{rng("SEMVER", "i=0", "f=0.0.0-20220412211240-33da011f77ad")}, nil, "v0.0.0-20210921155107-089bfa567519", true, "0.0.0-20220412211240-33da011f77ad", false},
		{"earliest fix across ranges", "npm", []Range{rng("SEMVER", "i=0", "f=3.0.0"), rng("ECOSYSTEM", "i=0", "f=2.5.0")}, nil, "2.0.0", true, "2.5.0", false},
		{"unreadable event is an error", "npm", []Range{rng("SEMVER", "i=0", "f=not a version!")}, nil, "1.0.0", false, "", true},
		{"unreadable event in another range still matches", "npm", []Range{rng("SEMVER", "i=0", "f=bad!!"), rng("SEMVER", "i=0", "f=2.0.0")}, nil, "1.0.0", true, "2.0.0", false},
		{"git range ignored for registry package", "npm", []Range{rng("GIT", "i=abc", "f=def")}, nil, "1.0.0", false, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Affected{Package: Package{Ecosystem: c.eco, Name: "p"}, Ranges: c.ranges, Versions: c.versions}
			m, err := Check(a, Query{Ecosystem: c.eco, Name: "p", Version: c.version})
			if (err != nil) != c.wantError {
				t.Fatalf("error = %v, want error %v", err, c.wantError)
			}
			if m.Affected != c.affected || m.Fixed != c.fixed {
				t.Errorf("got affected=%v fixed=%q, want %v %q", m.Affected, m.Fixed, c.affected, c.fixed)
			}
		})
	}
}

func TestCheckGitCommit(t *testing.T) {
	a := Affected{Package: Package{Ecosystem: "npm", Name: "p"}, Ranges: []Range{{Type: "GIT", Repo: "https://github.com/o/r", Events: []Event{{Introduced: "aaaa1111"}, {Fixed: "bbbb2222"}}}}}
	m, err := Check(a, Query{Ecosystem: "npm", Name: "p", Commit: "AAAA1111", Repo: "git+ssh://git@github.com/o/r.git"})
	if err != nil || !m.Affected {
		t.Fatalf("pinned vulnerable commit not matched: %v %v", m, err)
	}
	m, _ = Check(a, Query{Ecosystem: "npm", Name: "p", Commit: "aaaa1111", Repo: "https://github.com/other/r"})
	if m.Affected {
		t.Fatal("commit of another repository matched")
	}
}

func TestGroupMergesAliases(t *testing.T) {
	vs := []Vulnerability{
		{ID: "PYSEC-2021-1", Aliases: []string{"CVE-2021-1"}},
		{ID: "GHSA-aaaa-bbbb-cccc", Aliases: []string{"CVE-2021-1"}},
		{ID: "GHSA-zzzz-yyyy-xxxx"},
		{ID: "CVE-2021-9", Aliases: []string{"GHSA-zzzz-yyyy-xxxx"}},
		{ID: "OSV-2020-5"},
	}
	gs := Group(vs)
	if len(gs) != 3 {
		t.Fatalf("got %d groups, want 3: %+v", len(gs), gs)
	}
	id, aliases := IDs(gs[0])
	if id != "GHSA-aaaa-bbbb-cccc" || strings.Join(aliases, ",") != "PYSEC-2021-1,CVE-2021-1" {
		t.Errorf("primary %s aliases %v", id, aliases)
	}
}

func TestNormalizeName(t *testing.T) {
	for _, c := range []struct{ eco, in, want string }{
		{"PyPI", "Django", "django"},
		{"PyPI", "zope.interface", "zope-interface"},
		{"PyPI", "Foo__Bar-.baz", "foo-bar-baz"},
		{"Packagist", "Symfony/HTTP-Kernel", "symfony/http-kernel"},
		{"npm", "@Scope/Name", "@Scope/Name"},
		{"Debian:12", "openssl", "openssl"},
	} {
		if got := NormalizeName(c.eco, c.in); got != c.want {
			t.Errorf("%s %q: got %q want %q", c.eco, c.in, got, c.want)
		}
	}
}
