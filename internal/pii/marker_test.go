package pii

import "testing"

// The extended marker keeps the v1 form: old readers see key-id where they expect it,
// and ParseMarker reads the optional fields while still accepting the old line.
func TestMarkerFields(t *testing.T) {
	m := Marker{KeyID: "0123456789abcdef", Tool: "posture/1.2.3", Rules: "9c1e44", Date: "2026-11-29"}
	line := "-- " + m.Line()
	if line != "-- posture-anonymized: v1 key-id=0123456789abcdef tool=posture/1.2.3 rules=9c1e44 date=2026-11-29" {
		t.Fatalf("line %q", line)
	}
	got, ok := ParseMarker(line)
	if !ok || got != (Marker{Version: "v1", KeyID: m.KeyID, Tool: m.Tool, Rules: m.Rules, Date: m.Date}) {
		t.Fatalf("ParseMarker = %+v, %v", got, ok)
	}
	old, ok := ParseMarker(SQLMarker("0123456789abcdef"))
	if !ok || old.KeyID != "0123456789abcdef" || old.Tool != "" {
		t.Fatalf("old form: %+v, %v", old, ok)
	}
	if got, ok := findMarker([]byte("x\n" + line + "\nINSERT")); !ok || got.Rules != "9c1e44" {
		t.Fatalf("findMarker = %+v, %v", got, ok)
	}
	if (Marker{KeyID: "0123456789abcdef", Tool: "posture dev"}).Line() != "posture-anonymized: v1 key-id=0123456789abcdef tool=posture_dev" {
		t.Fatal("spaces in a field must not split it")
	}
}
