package secrets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
	"github.com/posture-dev/posture/internal/textscan"
)

// Options tune the secrets probe; the zero value scans the working tree and full history
// with the embedded rules.
type Options struct {
	// ExtraRules are added to (or, with the same ID, replace) the embedded rules.
	ExtraRules []*Rule
	// AllowPaths are regexes on slash paths whose files are not scanned (added to the
	// defaults: vendored code and lockfiles).
	AllowPaths []string
	// AllowValues are regexes; a secret matching one is not reported.
	AllowValues []string
	History     HistoryOptions
}

// HistoryOptions bound the git history scan.
type HistoryOptions struct {
	Disabled bool
	Since    string // YYYY-MM-DD
	MaxDepth int
	Refs     []string
	Staged   bool // only what is staged for the next commit (pre-commit hook)
}

// defaultAllowPaths are files whose credentials-shaped content is not the repository's:
// dependency lockfiles (integrity hashes) and installed third-party code.
var defaultAllowPaths = append([]string{
	`(?:^|/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|composer\.lock|go\.sum|Cargo\.lock|poetry\.lock|Pipfile\.lock|uv\.lock|Gemfile\.lock|bun\.lockb?)$`,
}, textscan.ThirdPartyPatterns()...)

// Probe finds secrets in a repository's files and history (CR-4).
type Probe struct {
	once        sync.Once
	scanner     *Scanner
	allowPaths  []*regexp.Regexp
	allowValues []*regexp.Regexp
	opt         Options
	err         error
}

// New returns the probe. The rules are compiled on first use, so a scan that does not
// select CR-4 does not pay for them. Invalid options make every run fail with the reason
// (and so CR-4 unknown), rather than silently scanning with less.
func New(opt Options) *Probe {
	return &Probe{opt: opt}
}

func (p *Probe) init() {
	p.once.Do(func() {
		rules, err := DefaultRules()
		if err != nil {
			p.err = fmt.Errorf("embedded secret rules: %w", err)
			return
		}
		rules = mergeRules(rules, p.opt.ExtraRules)
		p.scanner = NewScanner(rules)
		for _, s := range append(append([]string(nil), defaultAllowPaths...), p.opt.AllowPaths...) {
			re, err := regexp.Compile(s)
			if err != nil {
				p.err = fmt.Errorf("secrets allow path %q: %w", s, err)
				return
			}
			p.allowPaths = append(p.allowPaths, re)
		}
		for _, s := range p.opt.AllowValues {
			re, err := regexp.Compile(s)
			if err != nil {
				p.err = fmt.Errorf("secrets allow value %q: %w", s, err)
				return
			}
			p.allowValues = append(p.allowValues, re)
		}
	})
}

func mergeRules(base, extra []*Rule) []*Rule {
	if len(extra) == 0 {
		return base
	}
	byID := map[string]int{}
	for i, r := range base {
		byID[r.ID] = i
	}
	out := append([]*Rule(nil), base...)
	for _, r := range extra {
		if i, ok := byID[r.ID]; ok {
			out[i] = r
			continue
		}
		out = append(out, r)
	}
	return out
}

func (p *Probe) Name() string               { return "secrets" }
func (p *Probe) Controls() []string         { return []string{"CR-4"} }
func (p *Probe) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (p *Probe) Description() string {
	p.init()
	if p.err != nil {
		return "secret rules over the working tree and git history (not usable: " + p.err.Error() + ")"
	}
	return fmt.Sprintf("%d secret rules over the working tree and every blob in git history", len(p.scanner.Rules()))
}

// Scanner exposes the compiled rules, for benchmarks and the quality corpus.
func (p *Probe) Scanner() *Scanner { p.init(); return p.scanner }

func (p *Probe) allowedPath(path string) bool {
	for _, re := range p.allowPaths {
		if re.MatchString(path) {
			return true
		}
	}
	return false
}

func (p *Probe) allowedValue(secret string) bool {
	for _, re := range p.allowValues {
		if re.MatchString(secret) {
			return true
		}
	}
	return false
}

// Run scans the working tree, then (in a git repository) the history.
func (p *Probe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	p.init()
	if p.err != nil {
		return nil, p.err
	}
	r := &probe.Result{}
	if p.opt.History.Staged {
		return p.runStaged(ctx, t)
	}
	tree, err := p.scanTree(ctx, t.Files)
	if err != nil {
		return nil, err
	}
	var hist []historyHit
	atHead := map[string]bool{}
	switch {
	case p.opt.History.Disabled || !isGitRepo(t.Root):
	default:
		var notes []string
		hist, atHead, notes, err = p.scanHistory(ctx, t)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// The tree was scanned; history was not: never a pass for CR-4.
			r.MarkUnknown("CR-4", "git history could not be scanned: "+err.Error())
			r.Incomplete = append(r.Incomplete, "git history could not be scanned: "+err.Error())
		}
		for _, n := range notes {
			r.MarkUnknown("CR-4", n)
		}
	}
	for _, f := range mergeHistory(tree, hist, atHead) {
		r.Add(f)
	}
	return r, nil
}

// hit is a secret found in one place, before it becomes a finding.
type hit struct {
	finding finding.Finding
	hash    string // sha256 of the secret, to match tree and history
	path    string
}

// scanTree reads every file in scope on a bounded pool. Binary files are skipped by
// content, not by name; files over the size limit were already left out by the inventory.
func (p *Probe) scanTree(ctx context.Context, fs *fileset.Set) ([]hit, error) {
	p.init()
	jobs := make(chan fileset.File)
	var (
		mu   sync.Mutex
		hits []hit
		wg   sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				// A read failure is recorded by the inventory as not examined; the
				// file's name alone can still be checked (nil content).
				data, _ := fs.Read(f)
				found := p.scanContent(f.Path, data)
				mu.Lock()
				hits = append(hits, found...)
				mu.Unlock()
			}
		}()
	}
	for _, f := range fs.Files() {
		if ctx.Err() != nil {
			break
		}
		if !p.allowedPath(f.Path) {
			jobs <- f
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return hits, nil
}

// scanContent applies the path rules and, for text, the content rules to one file or blob.
func (p *Probe) scanContent(path string, data []byte) []hit {
	p.init()
	var out []hit
	for _, m := range p.scanner.ScanPath(path) {
		out = append(out, p.toHit(path, m, nil))
	}
	if data == nil || textscan.IsBinary(data) {
		return out
	}
	for _, m := range p.scanner.Scan(path, data) {
		if !p.allowedValue(m.Secret) {
			out = append(out, p.toHit(path, m, data))
		}
	}
	return out
}

// toHit turns a match into a finding whose evidence shows the line with the secret
// replaced by its redaction, so context survives and the secret does not.
func (p *Probe) toHit(path string, m Match, data []byte) hit {
	sum := sha256.Sum256([]byte(m.Secret))
	h := hex.EncodeToString(sum[:])
	f := finding.Finding{
		Control:  "CR-4",
		Rule:     "secrets/" + m.Rule.ID,
		Severity: m.Rule.Severity,
		Location: finding.Location{Path: path, Line: m.Line, Column: m.Column},
		Message:  m.Rule.Description,
		Fix:      "Revoke and rotate this credential, move it to managed secret storage (Vault, 1Password, AWS Secrets Manager) and load it at runtime.",
		Key:      m.Rule.ID + ":" + h[:16],
	}
	switch {
	case m.Rule.fileRe != nil:
		f.Fix = "Remove the key store from the repository (and its history), rotate the keys it holds, and keep it in managed secret storage."
		f.Evidence = finding.Plain(path)
		f.Key = m.Rule.ID
	case m.Decoded != "":
		f.Message += " (found inside " + m.Decoded + "-encoded data)"
		f.Evidence = finding.Secret(m.Secret)
	default:
		f.Evidence = redactedLine(data, m)
	}
	return hit{finding: f, hash: h, path: path}
}

// redactedLine is the secret's line, cut to a window around the secret on long lines, with
// every occurrence of the secret redacted. Multi-line secrets (key blocks) and secrets
// found in decoded data show only the redaction.
func redactedLine(data []byte, m Match) finding.Evidence {
	if data == nil || strings.Contains(m.Secret, "\n") {
		return finding.Secret(m.Secret)
	}
	line := lineAt(data, m.Line)
	if i := strings.Index(line, m.Secret); i > 80 {
		line = "…" + line[i-60:]
	}
	text := strings.ReplaceAll(line, m.Secret, finding.Redact(m.Secret))
	if strings.Contains(text, m.Secret) {
		return finding.Secret(m.Secret)
	}
	e := finding.Plain(text)
	e.Redacted = true
	return e
}

func lineAt(data []byte, n int) string {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return ""
		}
		data = data[j+1:]
	}
	if j := bytes.IndexByte(data, '\n'); j >= 0 {
		data = data[:j]
	}
	return strings.TrimRight(string(data), "\r")
}
