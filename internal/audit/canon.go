package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"
	"time"
)

// The hash of an event covers a canonical encoding of every field: each one
// length-prefixed (4 bytes, big-endian), integers as 8 bytes, details sorted by key.
// JSON would do for storage but not for hashing: its key order and escaping are choices
// of the encoder, and a change in either would break every stored hash.
const (
	eventDomain      = "posture-audit-event-v1"
	checkpointDomain = "posture-audit-checkpoint-v1"
)

// zeroHash is the prev_hash of the first event.
var zeroHash = make([]byte, sha256.Size)

type encoder struct{ b []byte }

func (w *encoder) bytes(p []byte) {
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(len(p)))
	w.b = append(w.b, p...)
}
func (w *encoder) str(s string) { w.bytes([]byte(s)) }
func (w *encoder) int(n int64)  { w.b = binary.BigEndian.AppendUint64(w.b, uint64(n)) }

// canonicalEvent encodes e (with its Seq, Time and PrevHash) for hashing.
func canonicalEvent(e *Event) []byte {
	w := encoder{b: make([]byte, 0, 256)}
	w.str(eventDomain)
	w.int(e.Seq)
	w.bytes(e.PrevHash)
	w.int(e.Time.UTC().UnixMicro())
	w.str(e.Actor)
	w.str(e.Action)
	w.str(e.Object)
	w.str(string(e.Outcome))
	w.str(e.RequestID)
	w.str(e.Source)
	keys := make([]string, 0, len(e.Details))
	for k := range e.Details {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.int(int64(len(keys)))
	for _, k := range keys {
		w.str(k)
		w.str(e.Details[k])
	}
	return w.b
}

// eventHash is the SHA-256 of the canonical encoding.
func eventHash(e *Event) []byte {
	h := sha256.Sum256(canonicalEvent(e))
	return h[:]
}

// canonicalCheckpoint is the message a checkpoint's signature covers.
func canonicalCheckpoint(c *Checkpoint) []byte {
	w := encoder{}
	w.str(checkpointDomain)
	w.int(c.Seq)
	w.bytes(c.Hash)
	w.int(c.Time.UTC().UnixMicro())
	w.str(c.KeyID)
	w.str(c.Algorithm)
	return w.b
}

type decoder struct {
	b   []byte
	err error
}

var errCanonical = errors.New("audit: bad canonical encoding")

func (r *decoder) bytes() []byte {
	if r.err != nil || len(r.b) < 4 {
		r.err = errCanonical
		return nil
	}
	n := binary.BigEndian.Uint32(r.b)
	if uint64(n) > uint64(len(r.b)-4) {
		r.err = errCanonical
		return nil
	}
	p := r.b[4 : 4+n]
	r.b = r.b[4+n:]
	return p
}
func (r *decoder) str() string { return string(r.bytes()) }
func (r *decoder) int() int64 {
	if r.err != nil || len(r.b) < 8 {
		r.err = errCanonical
		return 0
	}
	n := int64(binary.BigEndian.Uint64(r.b))
	r.b = r.b[8:]
	return n
}

// decodeCanonicalEvent inverts canonicalEvent. The log never needs it (verify recomputes
// hashes from the stored columns); it exists so that a fuzz test can prove the encoding
// is unambiguous: every encoding decodes to exactly one event, which re-encodes to it.
func decodeCanonicalEvent(b []byte) (Event, error) {
	r := decoder{b: b}
	var e Event
	if r.str() != eventDomain {
		return e, errCanonical
	}
	e.Seq = r.int()
	e.PrevHash = r.bytes()
	e.Time = time.UnixMicro(r.int()).UTC()
	e.Actor = r.str()
	e.Action = r.str()
	e.Object = r.str()
	e.Outcome = Outcome(r.str())
	e.RequestID = r.str()
	e.Source = r.str()
	n := r.int()
	if r.err == nil && (n < 0 || n > int64(len(r.b)/8)) {
		return e, errCanonical
	}
	var last string
	for i := int64(0); i < n && r.err == nil; i++ {
		k, v := r.str(), r.str()
		if e.Details == nil {
			e.Details = map[string]string{}
		}
		// Keys must be strictly increasing, as the encoder writes them; anything else
		// would be a second encoding of the same details.
		if i > 0 && k <= last {
			return e, errCanonical
		}
		last = k
		e.Details[k] = v
	}
	if r.err != nil {
		return e, r.err
	}
	if len(r.b) != 0 {
		return e, errCanonical
	}
	return e, nil
}
