package anonymize

import "testing"

// The row-rule index must pick the rule that trying the rules in order picks: the first
// that matches, whether it matched exactly or by a glob.
func TestRowIndexMatchesLinearOrder(t *testing.T) {
	pl := &plan{rows: []rowPlan{
		{conds: []condPlan{{col: 2, pats: []string{"billing_email", "shipping_email"}}}},
		{conds: []condPlan{{col: 2, pats: []string{"billing_*"}, glob: true}}},
		{conds: []condPlan{{col: 2, pats: []string{"billing_phone", "nickname"}}}},
		{conds: []condPlan{{col: 2, pats: []string{"_transient_*", "nickname"}, glob: true}}},
		{conds: []condPlan{{col: 2, pats: []string{"billing_email"}}}},
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
	for _, v := range []string{"billing_email", "shipping_email", "billing_phone", "billing_city", "nickname", "_transient_x", "other", ""} {
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
