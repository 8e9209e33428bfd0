package anonymize

import (
	"bytes"
	"fmt"
	"path"
	"strings"
)

// plan is the rules of a table compiled against the columns of one INSERT or COPY.
type plan struct {
	table    string
	truncate bool
	names    []string
	limits   []colLimit
	// acts is the table-wide action of each column (nil: keep).
	acts []*Action
	rows []rowPlan
	// When every row rule tests the same one column (meta_key, option_name), exact maps
	// each exact pattern to the first rule naming it and globs lists the rules with glob
	// patterns, so that finding a row's rule is one lookup instead of a try of each.
	keyCol int
	exact  map[string]int
	globs  []globPat
}

// globPat is one glob pattern of row rule k. Patterns of the form "literal*", the common
// kind, are matched by prefix.
type globPat struct {
	k      int
	pat    string
	prefix string
	simple bool
}

func (g *globPat) match(v []byte) bool {
	if g.simple {
		// As path.Match: * does not match a slash.
		return len(v) >= len(g.prefix) && string(v[:len(g.prefix)]) == g.prefix && bytes.IndexByte(v[len(g.prefix):], '/') < 0
	}
	ok, _ := path.Match(g.pat, string(v))
	return ok
}

type rowPlan struct {
	conds []condPlan
	acts  []*Action
}

type condPlan struct {
	col  int
	pats []string
	glob bool
}

// noPlan caches "no rules for this table".
var noPlan = &plan{}

// planFor compiles the rules for a table and its columns (the INSERT's column list, or
// CREATE TABLE's). nil means the table has no rules.
func (p *proc) planFor(table string, cols []string, explicit bool) (*plan, error) {
	key := table
	if explicit {
		key = table + "\x00" + strings.Join(cols, "\x00")
	}
	if pl, ok := p.plans[key]; ok {
		if pl == noPlan {
			return nil, nil
		}
		return pl, nil
	}
	pl, err := p.compile(table, cols, explicit)
	if err != nil {
		return nil, err
	}
	if len(p.plans) < 10000 {
		if pl == nil {
			p.plans[key] = noPlan
		} else {
			p.plans[key] = pl
		}
	}
	return pl, nil
}

func (p *proc) compile(table string, cols []string, explicit bool) (*plan, error) {
	trs := p.rules.tablesFor(table)
	if len(trs) == 0 {
		return nil, nil
	}
	pl := &plan{table: table}
	info := p.tables[table]
	if !explicit && info != nil {
		cols = info.cols
	}
	for _, tr := range trs {
		if tr.Truncate {
			pl.truncate = true
		}
	}
	if pl.truncate {
		return pl, nil
	}
	if len(cols) == 0 {
		return nil, p.in.errorf("table %s has rules (%s) but its columns are unknown: the dump has no CREATE TABLE before its rows and no column list (use mysqldump --complete-insert, or include the schema)", table, trs[0].pos)
	}
	pl.names = cols
	pl.acts = make([]*Action, len(cols))
	pl.limits = make([]colLimit, len(cols))
	index := map[string]int{}
	for i, c := range cols {
		index[strings.ToLower(c)] = i
		if info != nil {
			for j, ic := range info.cols {
				if strings.EqualFold(ic, c) && j < len(info.limit) {
					pl.limits[i] = info.limit[j]
				}
			}
		}
	}
	col := func(tr *TableRule, name, pos string) (int, error) {
		if i, ok := index[strings.ToLower(name)]; ok {
			return i, nil
		}
		if tr.Strict {
			return -1, fmt.Errorf("%s: rule for column %s of table %s: the dump's %s has no such column (it has %s)", pos, name, tr.Name, table, strings.Join(cols, ", "))
		}
		p.warn("preset rule for %s.%s skipped: the dump's table has no such column", table, name)
		return -1, nil
	}
	for _, tr := range trs {
		for _, cr := range tr.Columns {
			i, err := col(tr, cr.Column, cr.pos)
			if err != nil {
				return nil, err
			}
			if i >= 0 {
				a := cr.Action
				pl.acts[i] = &a
			}
		}
	}
	// Later rule files' row rules are tried first, so a user's file overrides a preset.
	for k := len(trs) - 1; k >= 0; k-- {
		tr := trs[k]
	rows:
		for _, rr := range tr.Rows {
			rp := rowPlan{acts: make([]*Action, len(cols))}
			for _, c := range rr.When {
				i, err := col(tr, c.Column, c.pos)
				if err != nil {
					return nil, err
				}
				if i < 0 {
					continue rows
				}
				cp := condPlan{col: i, pats: c.Patterns}
				for _, pat := range c.Patterns {
					if strings.ContainsAny(pat, "*?[\\") {
						cp.glob = true
					}
				}
				rp.conds = append(rp.conds, cp)
			}
			for _, cr := range rr.Columns {
				i, err := col(tr, cr.Column, cr.pos)
				if err != nil {
					return nil, err
				}
				if i >= 0 {
					a := cr.Action
					rp.acts[i] = &a
				}
			}
			pl.rows = append(pl.rows, rp)
		}
	}
	pl.indexRows()
	return pl, nil
}

// indexRows builds exact and globs when the row rules allow it.
func (pl *plan) indexRows() {
	if len(pl.rows) == 0 {
		return
	}
	col := -1
	for _, rp := range pl.rows {
		if len(rp.conds) != 1 || col >= 0 && rp.conds[0].col != col {
			return
		}
		col = rp.conds[0].col
	}
	pl.keyCol = col
	pl.exact = map[string]int{}
	for k, rp := range pl.rows {
		for _, pat := range rp.conds[0].pats {
			// A pattern without glob characters matches only itself, in path.Match too.
			if !strings.ContainsAny(pat, "*?[\\") {
				if _, ok := pl.exact[pat]; !ok {
					pl.exact[pat] = k
				}
				continue
			}
			g := globPat{k: k, pat: pat}
			if lit, ok := strings.CutSuffix(pat, "*"); ok && !strings.ContainsAny(lit, "*?[\\") {
				g.prefix, g.simple = lit, true
			}
			pl.globs = append(pl.globs, g)
		}
	}
}

// rowFor is the first row rule that a row whose key column holds v (null) matches, nil
// for none; only for plans with an index.
func (pl *plan) rowFor(v []byte, null bool) *rowPlan {
	if null {
		return nil
	}
	best := len(pl.rows)
	if k, ok := pl.exact[string(v)]; ok {
		best = k
	}
	for i := range pl.globs {
		g := &pl.globs[i]
		if g.k >= best {
			break
		}
		if g.match(v) {
			best = g.k
			break
		}
	}
	if best == len(pl.rows) {
		return nil
	}
	return &pl.rows[best]
}

// match reports whether a decoded value satisfies a condition.
func (c *condPlan) match(v []byte, null bool) bool {
	if null {
		return false
	}
	for _, pat := range c.pats {
		if !c.glob {
			if string(v) == pat {
				return true
			}
			continue
		}
		if ok, _ := path.Match(pat, string(v)); ok {
			return true
		}
	}
	return false
}
