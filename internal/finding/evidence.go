package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// Evidence is what a probe saw. Secret evidence is redacted when it is created, so the
// raw value never enters a Finding and cannot reach any report or log.
type Evidence struct {
	Text     string `json:"text"`
	Redacted bool   `json:"redacted,omitempty"`
}

// IsZero lets encoders omit empty evidence.
func (e Evidence) IsZero() bool { return e.Text == "" }

// maxEvidence bounds evidence so a minified line cannot bloat every report.
const maxEvidence = 200

// Plain is evidence that is safe to show: a config line, a header, a constant.
func Plain(s string) Evidence {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	if len(s) > maxEvidence {
		cut := maxEvidence
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return Evidence{Text: s}
}

// Secret redacts a secret value to a short prefix and a hash: enough to recognise it
// ("is this the key we rotated?"), not enough to use it.
func Secret(value string) Evidence {
	return Evidence{Text: Redact(value), Redacted: true}
}

// Redact keeps at most four leading characters (fewer for short values) and a SHA-256
// prefix of the whole value.
func Redact(value string) string {
	sum := sha256.Sum256([]byte(value))
	keep := min(4, utf8.RuneCountInString(value)/4)
	prefix := string([]rune(value)[:keep])
	return prefix + "…(redacted, sha256:" + hex.EncodeToString(sum[:])[:12] + ")"
}
