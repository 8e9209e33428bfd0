package anonymize

import (
	"path"
	"testing"
)

// The row-rule index must pick the rule that trying the rules in order picks: the first
// that matches, whether it matched exactly or by a glob.
func TestRowIndexMatchesLinearOrder(t *testing.T) {
	pl := &plan{rows: []rowPlan{
		{conds: []condPlan{{col: 2, pats: []string{"billing_email", "shipping_email"}}}},
		{conds: []condPlan{{col: 2, pats: []string{"billing_*"}, glob: true}}},
		{conds: []condPlan{{col: 2, pats: []string{"billing_phone", "nickname"}}}},
		{conds: []condPlan{{col: 2, pats: []string{"_transient_*", "nickname"}, glob: true}}},
		{conds: []condPlan{{col: 2, pats: []string{"billing_email"}}}},
		{conds: []condPlan{{col: 2, pats: []string{"_note", "wc_*_x", "a[bc]", "widget_*"}, glob: true}}},
	}}
	pl.indexRows()
	if pl.exact == nil || pl.keyCol != 2 {
		t.Fatal("plan not indexed")
	}
	linear := func(v string) *rowPlan {
		for k := range pl.rows {
			if pl.rows[k].conds[0].match([]byte(v), false) {
				return &pl.rows[k]
			}
		}
		return nil
	}
	for _, v := range []string{"billing_email", "shipping_email", "billing_phone", "billing_city", "nickname", "_transient_x", "_transient_a/b", "other", "", "_note", "wc_1_x", "ab", "widget_", "widget_a/b", "widget"} {
		if got, want := pl.rowFor([]byte(v), false), linear(v); got != want {
			t.Errorf("%q: index picked rule %p, in order %p", v, got, want)
		}
	}
	if pl.rowFor([]byte("billing_email"), true) != nil {
		t.Error("a NULL key matched a rule")
	}
	// Rules on different columns are tried in order, without the index.
	mixed := &plan{rows: []rowPlan{{conds: []condPlan{{col: 1}}}, {conds: []condPlan{{col: 2}}}}}
	if mixed.indexRows(); mixed.exact != nil {
		t.Error("rules on two columns were indexed")
	}
}

// Prefix patterns match as path.Match does, slashes included.
func TestGlobPrefixMatchesPathMatch(t *testing.T) {
	for _, pat := range []string{"*", "a*", "_transient_*", "widget_*", "a/*"} {
		pl := &plan{rows: []rowPlan{{conds: []condPlan{{pats: []string{pat}, glob: true}}}}}
		pl.indexRows()
		g := pl.globs[0]
		if !g.simple {
			t.Fatalf("%q not taken as a prefix pattern", pat)
		}
		for _, v := range []string{"", "a", "ab", "a/b", "a/", "_transient_", "_transient_x/y", "widget_1", "b", "é*"} {
			want, _ := path.Match(pat, v)
			if got := g.match([]byte(v)); got != want {
				t.Errorf("%q on %q: %v, path.Match %v", pat, v, got, want)
			}
		}
	}
}
