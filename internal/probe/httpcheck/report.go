package httpcheck

import (
	"strings"
	"sync"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
)

// reporter gathers one target's findings, what each pass rests on, and what could not be
// checked. It is safe for concurrent use.
type reporter struct {
	mu       sync.Mutex
	res      *probe.Result
	seen     map[string]bool
	evidence map[string][]string
	unknown  map[string][]string
	warned   map[string]bool
}

func newReporter() *reporter {
	return &reporter{
		res: &probe.Result{}, seen: map[string]bool{},
		evidence: map[string][]string{}, unknown: map[string][]string{}, warned: map[string]bool{},
	}
}

// issue is one finding before it becomes a finding.Finding.
type issue struct {
	control  string
	rule     string
	severity policy.Severity
	url      string
	key      string
	message  string
	evidence finding.Evidence
	fix      string
	// once makes the finding once per target rather than once per URL (a header every
	// response carries is one problem).
	once bool
}

func (rp *reporter) add(is issue) {
	id := is.rule + "\x00" + is.key
	if !is.once {
		id += "\x00" + is.url
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.seen[id] {
		return
	}
	rp.seen[id] = true
	rp.res.Add(finding.Finding{
		Control: is.control, Rule: "http/" + is.rule, Severity: is.severity, Key: is.key,
		Location: finding.Location{URL: is.url},
		Message:  is.message, Evidence: is.evidence, Fix: is.fix,
	})
}

// note records part of what a pass of control rests on.
func (rp *reporter) note(control, text string) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.evidence[control] = append(rp.evidence[control], text)
}

// undecided records that part of control could not be checked.
func (rp *reporter) undecided(control, reason string) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	for _, r := range rp.unknown[control] {
		if r == reason {
			return
		}
	}
	rp.unknown[control] = append(rp.unknown[control], reason)
}

func (rp *reporter) warn(w string) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if !rp.warned[w] {
		rp.warned[w] = true
		rp.res.Warnings = append(rp.res.Warnings, w)
	}
}

func (rp *reporter) failed(control string) bool {
	for _, f := range rp.res.Findings {
		if f.Control == control {
			return true
		}
	}
	return false
}

// maxReasons keeps an unknown reason readable when many requests failed alike.
const maxReasons = 4

func (rp *reporter) finish() *probe.Result {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	for _, c := range controls {
		if u := rp.unknown[c]; len(u) > 0 {
			reasons := u
			if len(u) > maxReasons {
				reasons = append(append([]string(nil), u[:maxReasons]...), "and "+itoa(len(u)-maxReasons)+" more")
			}
			rp.res.MarkUnknown(c, strings.Join(reasons, "; "))
			continue
		}
		if e := rp.evidence[c]; len(e) > 0 {
			rp.res.Attest(c, strings.Join(e, "; "))
		} else if !rp.failed(c) {
			// Nothing checked and nothing found must never read as a pass.
			rp.res.MarkUnknown(c, "not checked")
		}
	}
	return rp.res
}
