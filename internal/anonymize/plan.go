package anonymize

import (
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
	return pl, nil
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

// rewriteRow writes one captured row with the plan's actions applied.
func (p *proc) rewriteRow(pl *plan, table string, capt []byte, vals []valSpan, copyData bool) error {
	p.stats.Rows++
	p.stats.Tables[table]++
	decode, lit := p.decode, p.sqlLiteral
	if copyData {
		decode = func(capt []byte, v valSpan, dst []byte) ([]byte, bool) {
			return unescapeCopy(dst, capt[v.start:v.end])
		}
		lit = copyLiteral
	}
	if len(vals) != len(pl.acts) {
		p.warnAt("a row of %s has %d values where %d columns were expected; left unchanged", table, len(vals), len(pl.acts))
		return p.out.write(capt)
	}
	var row *rowPlan
	p.conds = p.conds[:0]
	p.condBuf = p.condBuf[:0]
	for k := range pl.rows {
		rp := &pl.rows[k]
		ok := true
		for _, c := range rp.conds {
			v, null := p.condValue(decode, capt, vals, c.col)
			if !c.match(v, null) {
				ok = false
				break
			}
		}
		if ok {
			row = rp
			break
		}
	}
	last := 0
	changed := false
	for i, v := range vals {
		a := pl.acts[i]
		if row != nil && row.acts[i] != nil {
			a = row.acts[i]
		}
		if a == nil || a.Op == OpKeep {
			continue
		}
		val, null := decode(capt, v, p.scratch)
		p.scratch = val[:0]
		out, outNull, ok := p.apply(a, val, null, pl.limits[i], pl.names[i])
		if !ok {
			continue
		}
		changed = true
		p.changed++
		s, e := v.start, v.end
		if v.qs >= 0 && !v.hex {
			s, e = v.qs, v.qe // keep a _charset introducer
		}
		if err := p.out.write(capt[last:s]); err != nil {
			return err
		}
		buf := lit(p.litBuf[:0], out, outNull)
		p.litBuf = buf[:0]
		if err := p.out.write(buf); err != nil {
			return err
		}
		last = e
	}
	if changed {
		p.stats.RowsChanged++
	}
	return p.out.write(capt[last:])
}

// decodedCond is a column's decoded value, kept for the row while its rules are tried.
type decodedCond struct {
	col, start, end int
	null            bool
}

// condValue decodes a column that row rules test, once per row: the rules of a key/value
// table (twenty or so for wp_usermeta) all test the same key column.
func (p *proc) condValue(decode func([]byte, valSpan, []byte) ([]byte, bool), capt []byte, vals []valSpan, col int) ([]byte, bool) {
	for _, d := range p.conds {
		if d.col == col {
			return p.condBuf[d.start:d.end], d.null
		}
	}
	start := len(p.condBuf)
	v, null := decode(capt, vals[col], p.condBuf[start:])
	p.condBuf = append(p.condBuf[:start], v...)
	p.conds = append(p.conds, decodedCond{col: col, start: start, end: len(p.condBuf), null: null})
	return p.condBuf[start:], null
}
