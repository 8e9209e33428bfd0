// Package code finds insecure constructs in application code and service configuration.
//
// Code rules are data: rules/*.yaml, embedded. Each rule names its control, the languages
// it reads, keywords that gate it, a one-line RE2 pattern and optional context and
// exclusion patterns; its true positives and near misses live in testdata/cases/, keyed by
// rule ID, and the test suite runs every one. They are kept out of the rules so that the
// rules ship no insecure samples and posture's own scan reads no fixtures as code.
//
// Service configuration (php.ini, redis.conf, MySQL/MariaDB option files, WordPress
// development configs) is parsed, not pattern-matched: see services.go.
package code

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
	"github.com/posture-dev/posture/internal/textscan"
)

// Rules is the probe that runs the code rules.
type Rules struct {
	once    sync.Once
	scanner *Scanner
	err     error
}

// New returns the code-rules probe. Rules are compiled on first use, so a scan that
// selects none of its controls does not pay for them.
func New() *Rules { return &Rules{} }

func (p *Rules) init() {
	p.once.Do(func() {
		rules, err := DefaultRules()
		if err != nil {
			p.err = fmt.Errorf("embedded code rules: %w", err)
			return
		}
		p.scanner = NewScanner(rules)
	})
}

func (p *Rules) Name() string               { return "code/rules" }
func (p *Rules) Controls() []string         { return append([]string(nil), ruleControls...) }
func (p *Rules) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (p *Rules) Description() string {
	p.init()
	if p.err != nil {
		return "code rules (not usable: " + p.err.Error() + ")"
	}
	return fmt.Sprintf("%d line rules over Go, PHP, JavaScript/TypeScript, Python, dotenv and configuration files (test code and vendored dependencies are not read)", len(p.scanner.Rules()))
}

// Scanner exposes the compiled rules, for tests and benchmarks.
func (p *Rules) Scanner() (*Scanner, error) { p.init(); return p.scanner, p.err }

// examined says whether a path is the repository's own code in a language rules read.
func examined(path string) (Language, bool) {
	l, ok := languageOf(path)
	if !ok || textscan.IsTestPath(path) || textscan.IsThirdParty(path) {
		return "", false
	}
	return l, true
}

// controlsFor lists the controls that have a rule reading language l.
func (s *Scanner) controlsFor(l Language) []string {
	var out []string
	for _, r := range s.rules {
		if r.AppliesTo(l) && !slices.Contains(out, r.Control) {
			out = append(out, r.Control)
		}
	}
	return out
}

func (p *Rules) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	p.init()
	if p.err != nil {
		return nil, p.err
	}
	r := &probe.Result{}
	checked := map[string]bool{}
	var files []fileset.File
	for _, f := range t.Files.Files() {
		if l, ok := examined(f.Path); ok {
			files = append(files, f)
			for _, c := range p.scanner.controlsFor(l) {
				checked[c] = true
			}
		}
	}
	// Files the inventory could not read would otherwise be silently passed over.
	for _, s := range t.Files.Skipped() {
		if _, inScope := t.Files.Lookup(s.Path); inScope {
			continue
		}
		if l, ok := examined(s.Path); ok {
			for _, c := range p.scanner.controlsFor(l) {
				r.MarkUnknown(c, s.Path+": "+s.Reason)
			}
		}
	}
	for _, c := range ruleControls {
		if !checked[c] && r.Unknown[c] == "" {
			r.MarkNotApplicable(c, "no source or configuration file that a "+c+" code rule reads")
		}
	}

	type result struct {
		matches []Match
		path    string
		err     error
		lang    Language
	}
	jobs := make(chan fileset.File)
	results := make(chan result)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				l, _ := examined(f.Path)
				data, err := t.Files.Read(f)
				res := result{path: f.Path, err: err, lang: l}
				if err == nil && !textscan.IsBinary(data) {
					res.matches = p.scanner.Scan(l, data)
				}
				results <- res
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, f := range files {
			select {
			case jobs <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	byPath := map[string]result{}
	for res := range results {
		byPath[res.path] = res
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Files in inventory order, so findings and reasons are reproducible.
	for _, f := range files {
		res := byPath[f.Path]
		if res.err != nil {
			for _, c := range p.scanner.controlsFor(res.lang) {
				r.MarkUnknown(c, res.err.Error())
			}
			continue
		}
		for _, m := range res.matches {
			r.Add(toFinding(f.Path, m))
		}
	}
	return r, nil
}

func toFinding(path string, m Match) finding.Finding {
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(m.LineText), " ")))
	return finding.Finding{
		Control:  m.Rule.Control,
		Rule:     "code/" + m.Rule.ID,
		Severity: m.Rule.Severity,
		Location: finding.Location{Path: path, Line: m.Line, Column: m.Column},
		Message:  m.Rule.Message,
		Evidence: evidence(m),
		Fix:      m.Rule.Fix,
		// The line's content, not its number: moving code keeps the fingerprint.
		Key: m.Rule.ID + ":" + hex.EncodeToString(sum[:8]),
	}
}
