package audit

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"
)

// The canonical encoding is frozen: stored hashes depend on it. This golden hash
// changes only if the encoding does, which would need a new domain string.
func TestEventHashIsStable(t *testing.T) {
	e := Event{Seq: 7, Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Actor: "user:1", Action: "token.create", Object: "token:9",
		Outcome: Success, RequestID: "r", Source: "127.0.0.1", Details: map[string]string{"b": "2", "a": "1"}, PrevHash: zeroHash}
	got := hex.EncodeToString(eventHash(&e))
	const want = "103a9af03e007988e113ac7d3f038c89f857a5bcc81cd8a1b74a219d21daa2ae"
	if got != want {
		t.Errorf("hash = %s, want %s", got, want)
	}
}

// Fields cannot bleed into each other: moving bytes between adjacent fields changes
// the encoding (JSON-free length prefixes), as does a different detail order.
func TestCanonicalEncodingIsUnambiguous(t *testing.T) {
	a := Event{Actor: "ab", Action: "c", Outcome: Success}
	b := Event{Actor: "a", Action: "bc", Outcome: Success}
	if bytes.Equal(canonicalEvent(&a), canonicalEvent(&b)) {
		t.Error("actor/action boundary is ambiguous")
	}
	c := Event{Details: map[string]string{"k": "v=1"}}
	d := Event{Details: map[string]string{"k=v": "1"}}
	if bytes.Equal(canonicalEvent(&c), canonicalEvent(&d)) {
		t.Error("detail key/value boundary is ambiguous")
	}
	// Round trip.
	e := Event{Seq: 3, Time: time.UnixMicro(1700000000123456).UTC(), Actor: "x", Action: "y", Object: "z", Outcome: Denied, RequestID: "r",
		Source: "s", Details: map[string]string{"a": "1", "b": ""}, PrevHash: zeroHash}
	got, err := decodeCanonicalEvent(canonicalEvent(&e))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(canonicalEvent(&got), canonicalEvent(&e)) {
		t.Errorf("round trip changed the event: %+v", got)
	}
}

// FuzzCanonicalEvent: whatever bytes decode as an event re-encode to exactly those
// bytes, so no two events share an encoding (and so a hash).
func FuzzCanonicalEvent(f *testing.F) {
	e := Event{Seq: 1, Time: time.UnixMicro(5), Actor: "a", Action: "b", Outcome: Success, Details: map[string]string{"k": "v"}, PrevHash: zeroHash}
	f.Add(canonicalEvent(&e))
	f.Add([]byte{})
	f.Add([]byte("\x00\x00\x00\x16posture-audit-event-v1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := decodeCanonicalEvent(b)
		if err != nil {
			return
		}
		if re := canonicalEvent(&ev); !bytes.Equal(re, b) {
			t.Fatalf("decode/encode not inverse:\n in %x\nout %x", b, re)
		}
	})
}
