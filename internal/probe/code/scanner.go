package code

import (
	"bytes"
	"regexp"
	"sort"

	"github.com/posture-dev/posture/internal/textscan"
)

// Match is one rule matching one line.
type Match struct {
	Rule *Rule
	// Line and Column locate the start of the match (1-based; the column in bytes).
	Line, Column int
	// Text is what the pattern matched; LineText the line it is on (on very long lines, the
	// part of it around the match), for evidence.
	Text, LineText string
	at             int // offset of Text in LineText
}

// Scanner runs a rule set over file content. It is safe for concurrent use.
type Scanner struct {
	rules   []*Rule
	index   *textscan.Index
	kwRules [][]int // keyword id → indexes of the rules it gates
}

// NewScanner builds the keyword prefilter over rules.
func NewScanner(rules []*Rule) *Scanner {
	s := &Scanner{rules: rules}
	ids := map[string]int{}
	var keywords []string
	for ri, r := range rules {
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
	s.index = textscan.NewIndex(keywords)
	return s
}

// Rules returns the rules the scanner runs.
func (s *Scanner) Rules() []*Rule { return append([]*Rule(nil), s.rules...) }

// wholeLine is the longest line a pattern runs on in full. On longer lines (generated
// tables, minified bundles) it runs on a window around each keyword hit instead, and a hit
// inside a window already taken adds nothing, so the work stays proportional to the
// line's length. A match that straddles two windows of such a line can be missed.
const (
	wholeLine = 2048
	hitWindow = 256
)

// candidate is a rule to try on bytes [start, end) of line n.
type candidate struct{ rule, n, start, end int }

// Scan returns the matches in content of language lang, in line order. Callers skip
// binary content first.
func (s *Scanner) Scan(lang Language, data []byte) []Match {
	applies := make([]bool, len(s.rules))
	anyRule := false
	for ri, r := range s.rules {
		applies[ri] = r.AppliesTo(lang)
		anyRule = anyRule || applies[ri]
	}
	if !anyRule {
		return nil
	}
	var (
		lines *lineIndex
		cands []candidate
		last  = make([]int, len(s.rules)) // 1 + index in cands of each rule's latest candidate
	)
	s.index.Find(data, func(kw, end int) {
		pos := end - 1
		n, ls, le := 0, 0, 0
		for _, ri := range s.kwRules[kw] {
			if !applies[ri] {
				continue
			}
			// Hits arrive in order: one inside the rule's latest span adds nothing.
			if li := last[ri]; li > 0 && pos < cands[li-1].end {
				continue
			}
			if n == 0 {
				if lines == nil {
					lines = newLineIndex(data)
				}
				n = lines.number(pos)
				ls, le = lines.bounds(n, len(data))
			}
			start, stop := ls, le
			if le-ls > wholeLine {
				start, stop = max(ls, pos-hitWindow), min(le, pos+hitWindow)
			}
			cands = append(cands, candidate{ri, n, start, stop})
			last[ri] = len(cands)
		}
	})
	if len(cands) == 0 {
		return nil
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].start != cands[j].start {
			return cands[i].start < cands[j].start
		}
		return cands[i].rule < cands[j].rule
	})
	var out []Match
	done := map[[2]int]bool{} // one match per rule and line, even when a long line has many windows
	for _, c := range cands {
		if done[[2]int{c.rule, c.n}] {
			continue
		}
		if m, ok := s.try(s.rules[c.rule], lang, data, lines, c); ok {
			out = append(out, m)
			done[[2]int{c.rule, c.n}] = true
		}
	}
	return out
}

// try runs one rule on one candidate span.
func (s *Scanner) try(r *Rule, lang Language, data []byte, lines *lineIndex, c candidate) (Match, bool) {
	ls, _ := lines.bounds(c.n, len(data))
	if isCommentLine(lang, data[ls:c.end]) {
		return Match{}, false
	}
	text := bytes.TrimSuffix(data[c.start:c.end], []byte("\r"))
	if r.notRe != nil && r.notRe.Match(text) {
		return Match{}, false
	}
	for _, loc := range r.re.FindAllIndex(text, -1) {
		matched := text[loc[0]:loc[1]]
		if allowed(r, matched) {
			continue
		}
		if r.nearRe != nil && !around(r.nearRe, data, lines, c.n, text, loc, r.NearLines, r.NearAfterLines) {
			return Match{}, false
		}
		if r.notNearRe != nil && around(r.notNearRe, data, lines, c.n, text, loc, r.NotNearLines, r.NotNearLines) {
			return Match{}, false
		}
		return Match{
			Rule: r, Line: c.n, Column: c.start - ls + loc[0] + 1,
			Text: string(matched), LineText: string(text), at: loc[0],
		}, true
	}
	return Match{}, false
}

func allowed(r *Rule, text []byte) bool {
	for _, a := range r.allowRe {
		if a.Match(text) {
			return true
		}
	}
	return false
}

// nearBytes bounds the context read on each side of a match and on each earlier line, so
// that on a minified bundle's single line "near" stays near.
const nearBytes = 200

// around reports whether re matches around the match on line n, on one of the before
// lines before it, or on one of the after lines after it. Commented lines count: a comment
// often names what a value is for.
func around(re *regexp.Regexp, data []byte, lines *lineIndex, n int, line []byte, loc []int, before, after int) bool {
	if re.Match(line[max(0, loc[0]-nearBytes):min(len(line), loc[1]+nearBytes)]) {
		return true
	}
	for k := n - 1; k >= max(1, n-before); k-- {
		prev := lines.text(data, k)
		if re.Match(prev[max(0, len(prev)-nearBytes):]) {
			return true
		}
	}
	for k := n + 1; k <= min(lines.count(), n+after); k++ {
		next := lines.text(data, k)
		if re.Match(next[:min(len(next), nearBytes)]) {
			return true
		}
	}
	return false
}

// lineIndex maps offsets to line numbers and back.
type lineIndex struct{ starts []int }

func newLineIndex(data []byte) *lineIndex {
	li := &lineIndex{starts: []int{0}}
	for i, c := range data {
		if c == '\n' {
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

// number is the 1-based line holding offset off.
func (li *lineIndex) number(off int) int {
	return sort.SearchInts(li.starts, off+1)
}

// bounds are the offsets of line n's first byte and of its newline (or the end of data).
func (li *lineIndex) bounds(n, size int) (start, end int) {
	start, end = li.starts[n-1], size
	if n < len(li.starts) {
		end = li.starts[n] - 1
	}
	return start, end
}

// text is line n without its line ending.
func (li *lineIndex) text(data []byte, n int) []byte {
	start, end := li.bounds(n, len(data))
	return bytes.TrimSuffix(data[start:end], []byte("\r"))
}

// count is the number of lines (a final line without a newline counts).
func (li *lineIndex) count() int { return len(li.starts) }
