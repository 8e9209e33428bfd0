package anonymize

import (
	"fmt"
	"slices"

	"github.com/posture-dev/posture/internal/pii"
)

// job is one stretch of the output: the bytes the tokenizer read (pass-through text and
// captured rows) and the rows in it that a worker rewrites. Jobs are written strictly in
// the order the tokenizer made them, so the output is the same whatever the number of
// workers.
type job struct {
	raw  []byte
	rows []rowOp
	vals []valSpan
	out  []byte
	done chan struct{}

	// What rewriting the rows did, merged into the run's Stats in job order. warns keeps
	// each distinct message once, at its first occurrence, with its count: that merges
	// into the run's bounded warning set exactly as warning one at a time would.
	warns          []warnCount
	warnIndex      map[string]int
	rowsChanged    int64
	changed        int64
	serialFailures int64
}

type warnCount struct {
	msg string
	n   int64
}

// rowOp is a row of a table with rules: its bytes in raw, its values in vals (positions
// relative to the row), the plan, and the dialect it was read in.
type rowOp struct {
	start, end int
	v0, v1     int
	pl         *plan
	copyData   bool
	bs, pg     bool
}

func (j *job) warn(msg string) {
	if i, ok := j.warnIndex[msg]; ok {
		j.warns[i].n++
		return
	}
	if j.warnIndex == nil {
		j.warnIndex = map[string]int{}
	}
	j.warnIndex[msg] = len(j.warns)
	j.warns = append(j.warns, warnCount{msg, 1})
}

// maxJobBuffer is the capacity above which a job's buffers are dropped after use rather
// than kept: a huge row must not pin its memory for the rest of the run.
const maxJobBuffer = 4 << 20

func (j *job) reset() {
	if cap(j.raw) > maxJobBuffer {
		j.raw = nil
	}
	if cap(j.out) > maxJobBuffer {
		j.out = nil
	}
	if cap(j.vals) > maxJobBuffer/32 {
		j.vals = nil
	}
	j.raw, j.out, j.rows, j.vals = j.raw[:0], j.out[:0], j.rows[:0], j.vals[:0]
	j.warns = j.warns[:0]
	clear(j.warnIndex)
	j.rowsChanged, j.changed, j.serialFailures = 0, 0, 0
}

// worker rewrites the rows of jobs. Each has its own faker (HMAC state) and buffers; the
// rules, plans and key are shared and read-only.
type worker struct {
	fk     *faker
	bs, pg bool
	job    *job

	scratch []byte
	litBuf  []byte
	matches []pii.Match
	hints   map[string]pii.Hint
	conds   []decodedCond
	condBuf []byte
}

func newWorker(key []byte) *worker { return &worker{fk: newFaker(key)} }

func (w *worker) warn(format string, args ...any) {
	w.job.warn(fmt.Sprintf(format, args...))
}

// process fills j.out: the pass-through bytes as they are, the rows rewritten.
func (w *worker) process(j *job) {
	w.job = j
	// Fakes are about as long as what they replace: room for the rows and some more.
	j.out = slices.Grow(j.out, len(j.raw)+len(j.raw)/8)
	last := 0
	for i := range j.rows {
		op := &j.rows[i]
		j.out = append(j.out, j.raw[last:op.start]...)
		w.bs, w.pg = op.bs, op.pg
		w.rewriteRow(op.pl, j.raw[op.start:op.end], j.vals[op.v0:op.v1], op.copyData)
		last = op.end
	}
	j.out = append(j.out, j.raw[last:]...)
	w.job = nil
}

// rewriteRow appends one captured row to the job's output with the plan's actions
// applied. The tokenizer has checked that the row has one value per column.
func (w *worker) rewriteRow(pl *plan, capt []byte, vals []valSpan, copyData bool) {
	j := w.job
	decode, lit := w.decode, w.sqlLiteral
	if copyData {
		decode = func(capt []byte, v valSpan, dst []byte) ([]byte, bool) {
			return unescapeCopy(dst, capt[v.start:v.end])
		}
		lit = copyLiteral
	}
	var row *rowPlan
	w.conds = w.conds[:0]
	w.condBuf = w.condBuf[:0]
	if pl.exact != nil {
		v, null := decode(capt, vals[pl.keyCol], w.condBuf)
		w.condBuf = v[:0]
		row = pl.rowFor(v, null)
	}
	for k := 0; pl.exact == nil && k < len(pl.rows); k++ {
		rp := &pl.rows[k]
		ok := true
		for _, c := range rp.conds {
			v, null := w.condValue(decode, capt, vals, c.col)
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
		val, null := decode(capt, v, w.scratch)
		w.scratch = val[:0]
		out, outNull, ok := w.apply(a, val, null, pl.limits[i], pl.names[i])
		if !ok {
			continue
		}
		changed = true
		j.changed++
		s, e := v.start, v.end
		if v.qs >= 0 && !v.hex {
			s, e = v.qs, v.qe // keep a _charset introducer
		}
		j.out = append(j.out, capt[last:s]...)
		buf := lit(w.litBuf[:0], out, outNull)
		w.litBuf = buf[:0]
		j.out = append(j.out, buf...)
		last = e
	}
	if changed {
		j.rowsChanged++
	}
	j.out = append(j.out, capt[last:]...)
}

// decodedCond is a column's decoded value, kept for the row while its rules are tried.
type decodedCond struct {
	col, start, end int
	null            bool
}

// condValue decodes a column that row rules test, once per row: the rules of a key/value
// table (twenty or so for wp_usermeta) all test the same key column.
func (w *worker) condValue(decode func([]byte, valSpan, []byte) ([]byte, bool), capt []byte, vals []valSpan, col int) ([]byte, bool) {
	for _, d := range w.conds {
		if d.col == col {
			return w.condBuf[d.start:d.end], d.null
		}
	}
	start := len(w.condBuf)
	v, null := decode(capt, vals[col], w.condBuf[start:])
	w.condBuf = append(w.condBuf[:start], v...)
	w.conds = append(w.conds, decodedCond{col: col, start: start, end: len(w.condBuf), null: null})
	return w.condBuf[start:], null
}
