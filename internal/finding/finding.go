// Package finding is the one model every probe reports in and every report reads:
// findings, their locations and evidence, statuses, and fingerprints.
package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/posture-dev/posture/internal/policy"
)

// Location says where a finding is. Repo findings use Path (slash-separated, relative to
// the target root) with Line and optionally Commit; endpoint findings use URL; host
// findings use Path as an absolute host path.
type Location struct {
	Path   string `json:"path,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Commit string `json:"commit,omitempty"`
	URL    string `json:"url,omitempty"`
}

func (l Location) String() string {
	switch {
	case l.URL != "":
		return l.URL
	case l.Path == "":
		return ""
	}
	s := l.Path
	if l.Line > 0 {
		s += ":" + strconv.Itoa(l.Line)
		if l.Column > 0 {
			s += ":" + strconv.Itoa(l.Column)
		}
	}
	if l.Commit != "" {
		c := l.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += " @" + c
	}
	return s
}

// Suppression records the approved deviation that silenced a finding (control ST-2).
type Suppression struct {
	Deviation  string      `json:"deviation"`
	Reason     string      `json:"reason"`
	ApprovedBy string      `json:"approved_by"`
	Expires    policy.Date `json:"expires"`
}

// Finding is one observed break of a control.
type Finding struct {
	Control  string          `json:"control"`
	Rule     string          `json:"rule"`
	Severity policy.Severity `json:"severity"`
	Target   string          `json:"target"`
	Location Location        `json:"location"`
	Message  string          `json:"message"`
	Evidence Evidence        `json:"evidence,omitzero"`
	Fix      string          `json:"fix"`
	// Key is what identifies this finding within its rule and file, independent of line
	// numbers (a constant's name, a matched value's hash). It feeds the fingerprint.
	Key         string `json:"-"`
	Fingerprint string `json:"fingerprint"`
	// Vulnerability is set on known-vulnerability findings only.
	Vulnerability *Vulnerability `json:"vulnerability,omitempty"`
	Suppressed    *Suppression   `json:"suppressed,omitempty"`
}

// Fingerprint derives the stable identity of a finding from its rule, the file it is in
// (or URL) and its key, plus an ordinal that separates identical findings in one file.
// Line numbers are left out on purpose so that moving code does not change it.
func Fingerprint(rule string, loc Location, key string, ordinal int) string {
	where := loc.Path
	if loc.URL != "" {
		where = loc.URL
	}
	h := sha256.New()
	fmt.Fprintf(h, "posture-fp-v1\x00%s\x00%s\x00%s\x00%d", rule, where, key, ordinal)
	return hex.EncodeToString(h.Sum(nil))[:32]
}
