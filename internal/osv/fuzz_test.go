package osv

import (
	"slices"
	"strings"
	"testing"
)

// Range evaluation takes versions from untrusted records and lockfiles: whatever they
// hold, Check must not panic, and a reported fix must be one of the record's own events.
func FuzzCheck(f *testing.F) {
	f.Add("npm", "i=0,f=1.2.3", "1.0.0")
	f.Add("PyPI", "i=1.0,l=1.5.post2,x=2", "1.5.post1")
	f.Add("Packagist", "f=5.4.2,i=5.0.0-RC1", "5.4.1")
	f.Add("RubyGems", "i=0,f=7.0.4.rc1", "7.0.4.a")
	f.Add("Go", "i=0,f=0.0.0-20220906165146-f3363e06e74c", "v0.0.0-20210101000000-abcdefabcdef")
	f.Fuzz(func(t *testing.T, eco, events, version string) {
		var fixes []string
		r := Range{Type: "ECOSYSTEM"}
		for _, e := range strings.Split(events, ",") {
			k, v, _ := strings.Cut(e, "=")
			switch k {
			case "i":
				r.Events = append(r.Events, Event{Introduced: v})
			case "f":
				r.Events = append(r.Events, Event{Fixed: v})
				fixes = append(fixes, v)
			case "l":
				r.Events = append(r.Events, Event{LastAffected: v})
			case "x":
				r.Events = append(r.Events, Event{Limit: v})
			}
		}
		a := Affected{Package: Package{Ecosystem: eco, Name: "p"}, Ranges: []Range{r, {Type: "SEMVER", Events: r.Events}}, Versions: []string{version}}
		m, err := Check(a, Query{Ecosystem: eco, Name: "p", Version: version})
		if err == nil && m.Fixed != "" && !slices.Contains(fixes, m.Fixed) {
			t.Fatalf("fix %q is not an event of the record %v", m.Fixed, fixes)
		}
	})
}
