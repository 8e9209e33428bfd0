package secrets

import (
	"bytes"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/textpos"
	"github.com/posture-dev/posture/internal/textscan"
)

// Match is one secret found in one piece of content.
type Match struct {
	Rule   *Rule
	Secret string
	// Line and Column locate the secret (1-based); LineText is that line, for context.
	Line, Column int
	// Decoded says the secret was found inside a base64 or URL-encoded blob.
	Decoded string
}

// Scanner runs a rule set over content. It is safe for concurrent use.
type Scanner struct {
	rules     []*Rule
	fileRules []*Rule
	keywords  *textscan.Index
	kwRules   [][]int // keyword id → rules it gates
	multiline []bool  // by rule index
}

// NewScanner compiles the keyword prefilter for rules.
func NewScanner(rules []*Rule) *Scanner {
	s := &Scanner{}
	ids := map[string]int{}
	var keywords []string
	for _, r := range rules {
		if r.fileRe != nil {
			s.fileRules = append(s.fileRules, r)
			continue
		}
		ri := len(s.rules)
		s.rules = append(s.rules, r)
		s.multiline = append(s.multiline, r.Multiline)
		for _, k := range r.Keywords {
			id, ok := ids[k]
			if !ok {
				id = len(keywords)
				ids[k] = id
				keywords = append(keywords, k)
				s.kwRules = append(s.kwRules, nil)
			}
			s.kwRules[id] = append(s.kwRules[id], ri)
		}
	}
	s.keywords = textscan.NewIndex(keywords)
	return s
}

// Rules returns the rules the scanner runs.
func (s *Scanner) Rules() []*Rule { return append(append([]*Rule(nil), s.rules...), s.fileRules...) }

// ScanPath reports path-only rules (files whose presence is the problem).
func (s *Scanner) ScanPath(path string) []Match {
	var out []Match
	for _, r := range s.fileRules {
		if r.fileRe.MatchString(path) {
			out = append(out, Match{Rule: r, Secret: path})
		}
	}
	return out
}

// span is a byte range of the content a rule's pattern must be run on.
type span struct{ start, end int }

// Scan finds secrets in text content. Callers skip binary content (textscan.IsBinary) first.
func (s *Scanner) Scan(path string, data []byte) []Match {
	out := s.scan(path, data, "")
	for _, blob := range encodedBlobs(data) {
		for _, m := range s.scan(path, blob.decoded, blob.kind) {
			m.Line, m.Column = textpos.LineCol(data, blob.start)
			out = append(out, m)
		}
	}
	return dedupe(out)
}

func (s *Scanner) scan(path string, data []byte, decoded string) []Match {
	windows := map[int][]span{}
	// Rules limited to other files, or generic rules in test code, need no windows.
	skip := make([]bool, len(s.rules))
	isTest := textscan.IsTestPath(path)
	for ri, r := range s.rules {
		skip[ri] = !r.appliesTo(path) || r.Generic && isTest
	}
	s.keywords.Find(data, func(kw, end int) {
		for _, ri := range s.kwRules[kw] {
			if skip[ri] {
				continue
			}
			spans := windows[ri]
			if s.multiline[ri] {
				if len(spans) == 0 {
					windows[ri] = []span{{0, len(data)}}
				}
				continue
			}
			// Hits arrive in order: a hit inside the last window needs nothing (this keeps
			// minified files with thousands of hits on one line linear).
			n := len(spans)
			if n > 0 && end <= spans[n-1].end {
				continue
			}
			w := lineWindow(data, end-1)
			if n > 0 && w.start <= spans[n-1].end {
				spans[n-1].end = max(spans[n-1].end, w.end)
				continue
			}
			windows[ri] = append(spans, w)
		}
	})
	if len(windows) == 0 {
		return nil
	}
	order := make([]int, 0, len(windows))
	for ri := range windows {
		order = append(order, ri)
	}
	sort.Ints(order)
	var out []Match
	for _, ri := range order {
		r := s.rules[ri]
		for _, w := range windows[ri] {
			chunk := data[w.start:w.end]
			for _, loc := range r.re.FindAllSubmatchIndex(chunk, -1) {
				a, b := r.secretSpan(loc)
				if a < 0 {
					continue
				}
				secret := string(chunk[a:b])
				if !r.accepts(secret) {
					continue
				}
				line, col := textpos.LineCol(data, w.start+a)
				out = append(out, Match{Rule: r, Secret: secret, Line: line, Column: col, Decoded: decoded})
			}
		}
	}
	return out
}

// secretSpan picks the secret out of a match's submatch offsets.
func (r *Rule) secretSpan(loc []int) (int, int) {
	if r.SecretGroup > 0 || len(loc) == 2 {
		return loc[2*r.SecretGroup], loc[2*r.SecretGroup+1]
	}
	for g := 1; 2*g < len(loc); g++ {
		if loc[2*g] >= 0 {
			return loc[2*g], loc[2*g+1]
		}
	}
	return -1, -1
}

func (r *Rule) appliesTo(path string) bool {
	if len(r.pathRes) == 0 {
		return true
	}
	for _, re := range r.pathRes {
		if re.MatchString(path) {
			return true
		}
	}
	return false
}

// accepts applies the value filters: entropy, placeholders, the rule's allow-list, and for
// generic rules the test-value and reference filters.
func (r *Rule) accepts(secret string) bool {
	if secret == "" || isPlaceholder(secret) {
		return false
	}
	if r.Entropy > 0 && entropy(secret) < r.Entropy {
		return false
	}
	for _, a := range r.allowRe {
		if a.MatchString(secret) {
			return false
		}
	}
	return !r.Generic || !genericRejects(secret)
}

// lineWindow is the line holding offset i, extended to the next line when the line ends
// with the keyword's assignment still open ("password:" then the value on the next line).
func lineWindow(data []byte, i int) span {
	start := bytes.LastIndexByte(data[:i], '\n') + 1
	end := len(data)
	if e := bytes.IndexByte(data[i:], '\n'); e >= 0 {
		end = i + e + 1
		if tail := bytes.TrimRight(data[i:end], " \t\r\n"); len(tail) > 0 && (tail[len(tail)-1] == ':' || tail[len(tail)-1] == '=') {
			if e2 := bytes.IndexByte(data[end:], '\n'); e2 >= 0 {
				end += e2 + 1
			} else {
				end = len(data)
			}
		}
	}
	return span{start, end}
}

func dedupe(ms []Match) []Match {
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Line != ms[j].Line {
			return ms[i].Line < ms[j].Line
		}
		return ms[i].Column < ms[j].Column
	})
	seen := map[string]bool{}
	out := ms[:0]
	for i, m := range ms {
		k := m.Rule.ID + "\x00" + m.Secret
		if seen[k] || m.Rule.Generic && vendorCovers(ms, i) {
			continue
		}
		seen[k] = true
		out = append(out, m)
	}
	return out
}

// vendorCovers reports whether a vendor-format rule found the same secret (or one inside
// it) on the same line as generic match i: one credential is one finding, under the rule
// that knows what it is.
func vendorCovers(ms []Match, i int) bool {
	g := ms[i]
	for _, m := range ms {
		if !m.Rule.Generic && m.Line == g.Line && (strings.Contains(g.Secret, m.Secret) || strings.Contains(m.Secret, g.Secret)) {
			return true
		}
	}
	return false
}
