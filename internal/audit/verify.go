package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/store"
)

// ProblemKind classifies what verify found.
type ProblemKind string

// Problem kinds.
const (
	Modified  ProblemKind = "modified"
	Deleted   ProblemKind = "deleted"
	Inserted  ProblemKind = "inserted"
	Reordered ProblemKind = "reordered"
	// BadCheckpoint is a checkpoint whose signature does not verify.
	BadCheckpoint ProblemKind = "bad-checkpoint"
	// UnverifiedCheckpoint is signed by a key the verifier was not given: it proves
	// nothing, and verify does not pass what it could not check.
	UnverifiedCheckpoint ProblemKind = "unverified-checkpoint"
)

// Problem is one finding of Verify: events Seq..Through (Through == Seq for one event),
// numbered as they were originally written.
type Problem struct {
	Kind    ProblemKind `json:"kind"`
	Seq     int64       `json:"seq"`
	Through int64       `json:"through"`
	Detail  string      `json:"detail"`
}

func (p Problem) String() string { return p.Detail }

// Report is the result of Verify.
type Report struct {
	Events              int64 `json:"events"`
	FirstSeq            int64 `json:"first_seq"`
	LastSeq             int64 `json:"last_seq"`
	Checkpoints         int   `json:"checkpoints"`
	VerifiedCheckpoints int   `json:"verified_checkpoints"`
	// LastCheckpoint is the highest seq a verified checkpoint covers: events after it
	// are protected by the hash chain only (see docs/audit.md).
	LastCheckpoint int64 `json:"last_checkpoint"`
	// Anchor is the checkpoint the retained chain starts from after a purge (0: none).
	Anchor   int64     `json:"anchor"`
	Problems []Problem `json:"problems"`
}

// OK reports whether the log verified without any problem.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// WriteText writes the report for people.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "events:      %d (seq %d–%d)\n", r.Events, r.FirstSeq, r.LastSeq)
	if r.Anchor > 0 {
		fmt.Fprintf(w, "anchor:      checkpoint at seq %d (events before it were purged)\n", r.Anchor)
	}
	fmt.Fprintf(w, "checkpoints: %d, %d verified, latest covers seq %d\n", r.Checkpoints, r.VerifiedCheckpoints, r.LastCheckpoint)
	if r.OK() {
		fmt.Fprintln(w, "result:      OK: every hash, seq and checkpoint signature checks")
		if r.LastSeq > r.LastCheckpoint {
			fmt.Fprintf(w, "note:        events %d–%d are not yet covered by a signed checkpoint\n", r.LastCheckpoint+1, r.LastSeq)
		}
		return
	}
	fmt.Fprintf(w, "result:      FAILED: %d problem(s)\n", len(r.Problems))
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  %-22s %s\n", string(p.Kind)+":", p.Detail)
	}
}

// searchWindow is how far from its stored seq verify looks for the seq an event's hash
// was computed with, to tell a moved event from a modified one.
const searchWindow = 256

// maxSearches bounds that work when very many rows are damaged.
const maxSearches = 5000

// Verify walks the whole chain in one snapshot: it recomputes every event's hash,
// checks seq continuity and prev_hash links, checks every checkpoint's signature with
// ring and against the event it covers, and checks the chain head. It returns an error
// only when it could not read the log; what it found is in the Report.
func Verify(ctx context.Context, st *store.Store, ring keys.Ring) (*Report, error) {
	var rep *Report
	err := st.InReadTx(ctx, func(tx *store.Tx) error {
		v := &verifier{ring: ring, rep: &Report{}}
		var err error
		rep, err = v.run(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	return rep, nil
}

type verifier struct {
	ring keys.Ring
	rep  *Report

	cps      map[int64]*Checkpoint // verified checkpoints by seq
	cpHashes map[int64][]byte      // stored event hash at each verified checkpoint's seq

	// Per-row findings of the streaming pass, classified afterwards.
	gaps     [][2]int64
	moved    map[int64]int64 // stored seq → seq its hash was computed with
	modified []int64
	badLinks []int64 // rows whose prev_hash does not match an intact predecessor
	searches int

	purgeThrough int64 // highest through_seq of the intact audit.purge events
	anchorSeq    int64
	suppressed   map[int64]bool
}

func (v *verifier) run(ctx context.Context, tx *store.Tx) (*Report, error) {
	if err := v.loadCheckpoints(ctx, tx); err != nil {
		return nil, err
	}
	var h head
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&h.seq, &h.hash); err != nil {
		return nil, fmt.Errorf("read chain head: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT `+eventColumns+` FROM audit_events ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	v.moved = map[int64]int64{}
	var prev Event
	prevIntact := false
	first := true
	for rows.Next() {
		var e Event
		detailsErr, err := scanEvent(rows, &e)
		if err != nil {
			return nil, fmt.Errorf("read event: %w", err)
		}
		v.rep.Events++
		intact := detailsErr == nil && bytes.Equal(eventHash(&e), e.Hash)
		if first {
			v.rep.FirstSeq = e.Seq
			v.checkStart(&e)
			first = false
		} else if e.Seq > prev.Seq+1 {
			v.gaps = append(v.gaps, [2]int64{prev.Seq + 1, e.Seq - 1})
		} else if intact && prevIntact && !bytes.Equal(e.PrevHash, prev.Hash) {
			v.badLinks = append(v.badLinks, e.Seq)
		}
		if !intact {
			if orig, ok := v.originalSeq(&e, detailsErr); ok {
				v.moved[e.Seq] = orig
			} else {
				v.modified = append(v.modified, e.Seq)
			}
		} else if e.Action == purgeAction {
			if n, err := strconv.ParseInt(e.Details["through_seq"], 10, 64); err == nil {
				v.purgeThrough = max(v.purgeThrough, n)
			}
		}
		if _, ok := v.cps[e.Seq]; ok {
			v.cpHashes[e.Seq] = e.Hash
		}
		prev, prevIntact = e, intact
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	v.rep.LastSeq = prev.Seq
	v.classify()
	v.checkCheckpointsAgainstEvents()
	v.checkHead(h, prev, v.rep.Events > 0)
	sort.SliceStable(v.rep.Problems, func(i, j int) bool { return v.rep.Problems[i].Seq < v.rep.Problems[j].Seq })
	return v.rep, nil
}

func (v *verifier) loadCheckpoints(ctx context.Context, tx *store.Tx) error {
	rows, err := tx.Query(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("read checkpoints: %w", err)
	}
	defer rows.Close()
	v.cps, v.cpHashes = map[int64]*Checkpoint{}, map[int64][]byte{}
	for rows.Next() {
		c := &Checkpoint{}
		if err := scanCheckpoint(rows, c); err != nil {
			return fmt.Errorf("read checkpoint: %w", err)
		}
		v.rep.Checkpoints++
		err := v.ring.Verify(c.KeyID, c.Algorithm, canonicalCheckpoint(c), c.Signature)
		switch {
		case errors.Is(err, keys.ErrUnknownKey):
			v.add(UnverifiedCheckpoint, c.Seq, c.Seq, "checkpoint at seq %d is signed by key %q, which this verifier does not hold: cannot check it", c.Seq, c.KeyID)
		case err != nil:
			v.add(BadCheckpoint, c.Seq, c.Seq, "checkpoint at seq %d: signature does not verify with key %s (%v): the checkpoint was forged or altered", c.Seq, c.KeyID, err)
		default:
			v.rep.VerifiedCheckpoints++
			v.cps[c.Seq] = c
			v.rep.LastCheckpoint = max(v.rep.LastCheckpoint, c.Seq)
		}
	}
	return rows.Err()
}

// checkStart checks where the retained chain begins: at seq 1 from the zero hash, or
// just after a verified checkpoint that a recorded purge made the anchor.
func (v *verifier) checkStart(e *Event) {
	if e.Seq <= 1 {
		if !bytes.Equal(e.PrevHash, zeroHash) && bytes.Equal(eventHash(e), e.Hash) {
			v.add(Modified, e.Seq, e.Seq, "event %d replaced: the first event's prev_hash must be zero", e.Seq)
		}
		return
	}
	var anchor *Checkpoint
	for s, c := range v.cps {
		if s < e.Seq && (anchor == nil || s > anchor.Seq) {
			anchor = c
		}
	}
	if anchor == nil {
		v.add(Deleted, 1, e.Seq-1, "%s deleted: the log starts at seq %d and no signed checkpoint anchors it", span(1, e.Seq-1), e.Seq)
		return
	}
	v.rep.Anchor = anchor.Seq
	if anchor.Seq < e.Seq-1 {
		v.add(Deleted, anchor.Seq+1, e.Seq-1, "%s deleted: the retained log starts at seq %d but its anchor checkpoint is at seq %d", span(anchor.Seq+1, e.Seq-1), e.Seq, anchor.Seq)
		return
	}
	if !bytes.Equal(e.PrevHash, anchor.Hash) {
		// Reported by the event's own check when its content was changed; a rehashed
		// first event is caught here.
		if bytes.Equal(eventHash(e), e.Hash) {
			v.add(Modified, e.Seq, e.Seq, "event %d does not follow the anchor checkpoint at seq %d: it was replaced or inserted", e.Seq, anchor.Seq)
		}
	}
	v.anchorSeq = anchor.Seq
}

func (v *verifier) originalSeq(e *Event, detailsErr error) (int64, bool) {
	if detailsErr != nil || v.searches >= maxSearches {
		return 0, false
	}
	v.searches++
	c := *e
	for d := int64(1); d <= searchWindow; d++ {
		for _, s := range [2]int64{e.Seq - d, e.Seq + d} {
			if s < 1 {
				continue
			}
			c.Seq = s
			if bytes.Equal(eventHash(&c), e.Hash) {
				return s, true
			}
		}
	}
	return 0, false
}

// classify turns the per-row findings into problems named by original seq.
func (v *verifier) classify() {
	suppressed := map[int64]bool{}

	// Events moved in a cycle (5 holds 6's event and 6 holds 5's) were reordered.
	inCycle := map[int64]bool{}
	for s := range v.moved {
		if inCycle[s] {
			continue
		}
		cycle := []int64{s}
		for cur := v.moved[s]; cur != s; cur = v.moved[cur] {
			if _, ok := v.moved[cur]; !ok || len(cycle) > searchWindow {
				cycle = nil
				break
			}
			cycle = append(cycle, cur)
		}
		if cycle == nil {
			continue
		}
		sort.Slice(cycle, func(i, j int) bool { return cycle[i] < cycle[j] })
		for _, c := range cycle {
			inCycle[c] = true
			suppressed[c] = true
		}
		v.add(Reordered, cycle[0], cycle[len(cycle)-1], "events %s reordered: %s", joinSeqs(cycle), movedDetail(cycle, v.moved))
	}

	// Other moved events come in runs with one shift: renumbered to close a gap left by
	// deleted events (shift < 0) or to make room for inserted ones (shift > 0).
	var stored []int64
	for s := range v.moved {
		if !inCycle[s] {
			stored = append(stored, s)
		}
	}
	sort.Slice(stored, func(i, j int) bool { return stored[i] < stored[j] })
	for i := 0; i < len(stored); {
		s := stored[i]
		shift := s - v.moved[s]
		j := i + 1
		for j < len(stored) && stored[j] == stored[j-1]+1 && stored[j]-v.moved[stored[j]] == shift {
			j++
		}
		last := stored[j-1]
		for _, x := range stored[i:j] {
			suppressed[x] = true
		}
		if shift < 0 {
			n := -shift
			v.add(Deleted, s, s+n-1, "%s deleted (as originally numbered); the %d event(s) after were renumbered %d–%d to close the gap",
				span(s, s+n-1), j-i, s, last)
		} else {
			for x := s - shift; x < s; x++ {
				suppressed[x] = true
			}
			v.add(Inserted, s-shift, s-1, "%s inserted: the events originally numbered %d–%d now stand at %d–%d",
				span(s-shift, s-1), s-shift, last-shift, s, last)
		}
		i = j
	}

	for _, g := range v.gaps {
		v.add(Deleted, g[0], g[1], "%s deleted: seq jumps from %d to %d", span(g[0], g[1]), g[0]-1, g[1]+1)
		suppressed[g[1]+1] = true
	}
	for _, s := range v.modified {
		if !suppressed[s] {
			v.add(Modified, s, s, "event %d modified: its content does not match its hash", s)
			suppressed[s] = true
		}
	}
	for _, s := range v.badLinks {
		if !suppressed[s] && !suppressed[s-1] {
			v.add(Modified, s-1, s-1, "event %d modified and its hash recomputed: event %d's prev_hash does not match it", s-1, s)
		}
	}
	v.suppressed = suppressed
}

func (v *verifier) checkCheckpointsAgainstEvents() {
	var seqs []int64
	for s := range v.cps {
		seqs = append(seqs, s)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	prevCP := v.anchorSeq
	for _, s := range seqs {
		c := v.cps[s]
		switch {
		case s < v.anchorSeq:
			// Older than the anchor: left behind by a purge interrupted before it
			// removed them; harmless.
		case s == v.anchorSeq && v.rep.Anchor == s:
		case v.rep.Events == 0 || s > v.rep.LastSeq:
			from := v.rep.LastSeq + 1
			v.add(Deleted, from, s, "%s deleted: a signed checkpoint covers seq %d but the log ends at %d", span(from, s), s, v.rep.LastSeq)
		default:
			h, ok := v.cpHashes[s]
			if ok && !bytes.Equal(h, c.Hash) && !v.suppressed[s] {
				v.add(Modified, prevCP+1, s, "event %d is not the one the checkpoint at seq %d signed: events %d–%d were rewritten with recomputed hashes", s, s, prevCP+1, s)
			}
		}
		prevCP = s
	}
	if v.rep.Anchor > 0 && v.purgeThrough != v.rep.Anchor {
		v.add(Deleted, 1, v.rep.Anchor, "events 1–%d are gone but no intact audit.purge event records purging them (purges recorded through seq %d)", v.rep.Anchor, v.purgeThrough)
	}
}

func (v *verifier) checkHead(h head, last Event, any bool) {
	// When the last events were renumbered, the head is compared with the seq the last
	// event was written with: the renumbering is already reported.
	lastSeq := v.rep.LastSeq
	if orig, ok := v.moved[last.Seq]; ok {
		lastSeq = orig
	}
	switch {
	case !any && h.seq == 0:
	case h.seq > lastSeq:
		if v.rep.LastCheckpoint < h.seq || v.rep.LastCheckpoint <= v.rep.LastSeq {
			v.add(Deleted, lastSeq+1, h.seq, "%s deleted: the chain head is at seq %d but the log ends at %d", span(lastSeq+1, h.seq), h.seq, lastSeq)
		}
	case h.seq < lastSeq:
		v.add(Inserted, h.seq+1, lastSeq, "%s inserted after the chain head (seq %d)", span(h.seq+1, lastSeq), h.seq)
	case !bytes.Equal(h.hash, last.Hash) && !v.suppressed[last.Seq]:
		v.add(Modified, last.Seq, last.Seq, "event %d modified and its hash recomputed: it does not match the chain head", last.Seq)
	}
}

func (v *verifier) add(k ProblemKind, seq, through int64, format string, args ...any) {
	v.rep.Problems = append(v.rep.Problems, Problem{Kind: k, Seq: seq, Through: through, Detail: fmt.Sprintf(format, args...)})
}

func span(a, b int64) string {
	if a == b {
		return fmt.Sprintf("event %d", a)
	}
	return fmt.Sprintf("events %d–%d", a, b)
}

func joinSeqs(s []int64) string {
	if len(s) == 2 {
		return fmt.Sprintf("%d and %d", s[0], s[1])
	}
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, x)
	}
	return b.String()
}

func movedDetail(cycle []int64, moved map[int64]int64) string {
	var b bytes.Buffer
	for i, s := range cycle {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "seq %d holds event %d", s, moved[s])
	}
	return b.String()
}
