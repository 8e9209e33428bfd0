package pii

import (
	"strings"
)

// The anonymisation marker is how `posture anonymize` (P8) labels what it wrote, and how
// the CD-1 scan recognises it. Its forms, documented in docs/personal-data.md:
//
//	SQL dump:  a comment line "-- posture-anonymized: v1 key-id=<hex>" within the first
//	           MarkerWindow bytes (mysqldump's own header comes first)
//	JSON:      a top-level key "_posture_anonymized": "posture-anonymized: v1 key-id=<hex>"
//	CSV, TSV and anything else: a sibling file "<name>.posture-anonymized" whose first
//	           line is "posture-anonymized: v1 key-id=<hex>"
//
// key-id names the anonymisation key (hex, 8 to 64 digits) so that a re-run with the same
// key can be recognised; it is not the key. Later key=value fields are optional and
// readers ignore those they do not know: tool= (the anonymiser and its version), rules=
// (a hash of the rule set) and date= (YYYY-MM-DD), as in
//
//	-- posture-anonymized: v1 key-id=3f2a… tool=posture/1.4.0 rules=9c1e… date=2026-11-29
const (
	MarkerTag        = "posture-anonymized"
	MarkerVersion    = "v1"
	MarkerFileSuffix = ".posture-anonymized"
	// MarkerWindow is how far into a dump the SQL marker may stand.
	MarkerWindow = 16 << 10
)

// Marker is a parsed anonymisation marker.
type Marker struct {
	Version string
	KeyID   string
	// Tool, Rules and Date are the optional fields; "" when absent.
	Tool, Rules, Date string
}

// MarkerLine is the marker text for keyID, as the anonymiser writes it.
func MarkerLine(keyID string) string {
	return MarkerTag + ": " + MarkerVersion + " key-id=" + keyID
}

// Line is the marker text with the optional fields that are set. Spaces in a field would
// split it, so they are replaced.
func (m Marker) Line() string {
	s := MarkerLine(m.KeyID)
	for _, f := range [][2]string{{"tool", m.Tool}, {"rules", m.Rules}, {"date", m.Date}} {
		if f[1] != "" {
			s += " " + f[0] + "=" + strings.Join(strings.Fields(f[1]), "_")
		}
	}
	return s
}

// SQLMarker is the marker as a SQL comment line.
func SQLMarker(keyID string) string { return "-- " + MarkerLine(keyID) }

// ParseMarker reads a marker from a line of text (a SQL comment, a JSON value, a marker
// file's first line), tolerating the comment prefix and surrounding space.
func ParseMarker(line string) (Marker, bool) {
	s := strings.TrimSpace(line)
	s = strings.TrimSpace(strings.TrimPrefix(s, "--"))
	s = strings.TrimSpace(strings.TrimPrefix(s, "#"))
	rest, ok := strings.CutPrefix(s, MarkerTag+":")
	if !ok {
		return Marker{}, false
	}
	fields := strings.Fields(rest)
	if len(fields) < 2 || fields[0] != MarkerVersion {
		return Marker{}, false
	}
	id, ok := strings.CutPrefix(fields[1], "key-id=")
	if !ok || len(id) < 8 || len(id) > 64 {
		return Marker{}, false
	}
	for i := 0; i < len(id); i++ {
		if !isDigit(id[i]) && (id[i] < 'a' || id[i] > 'f') {
			return Marker{}, false
		}
	}
	m := Marker{Version: fields[0], KeyID: id}
	for _, f := range fields[2:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		switch k {
		case "tool":
			m.Tool = v
		case "rules":
			m.Rules = v
		case "date":
			m.Date = v
		}
	}
	return m, true
}

// findMarker looks for a marker line in free text.
func findMarker(text []byte) (Marker, bool) {
	s := string(text)
	for {
		i := strings.Index(s, MarkerTag+":")
		if i < 0 {
			return Marker{}, false
		}
		line := s[i:]
		if j := strings.IndexAny(line, "\r\n"); j >= 0 {
			line = line[:j]
		}
		if m, ok := ParseMarker(line); ok {
			return m, true
		}
		s = s[i+1:]
	}
}
