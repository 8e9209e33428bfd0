// Package personaldata is the CD-1 probe: it looks for live customer data in a
// repository's dumps, exports, fixtures and backups, in the working tree and in every blob
// of git history. Detection is internal/pii's; this package picks the files, applies the
// thresholds and turns what one file holds into one finding with counts and redacted
// samples, never the data itself. docs/personal-data.md is the user's side of it.
package personaldata

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/pii"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// Options tune the probe; the zero value uses the defaults.
type Options struct {
	// MinMatches is how many contact details (e-mail addresses, phone numbers, postal
	// addresses together) make a file worth reporting; 0 means DefaultMinMatches. One
	// card number, IBAN, national ID or password hash is always enough.
	MinMatches int
	// AllowPaths are regexes on slash paths whose files are not examined, added to the
	// defaults (documentation, manifests, installed dependencies).
	AllowPaths []string
	History    HistoryOptions
}

// HistoryOptions bound the git history scan; scan flags set them for CR-4 and CD-1 alike.
type HistoryOptions struct {
	Disabled bool
	Since    string // YYYY-MM-DD
	MaxDepth int
	Refs     []string
	Staged   bool
}

// DefaultMinMatches keeps a fixture with a maintainer's address or two quiet.
const DefaultMinMatches = 3

// defaultAllowPaths are files where people's contact details are expected and are not
// customer data: documentation names its authors, maintainers and security contacts;
// package manifests and lockfiles name package authors; installed dependencies are other
// people's code and data.
var defaultAllowPaths = []string{
	`(?i)(?:^|/)(?:AUTHORS|CONTRIBUTORS|MAINTAINERS|CODEOWNERS|SECURITY|CHANGELOG|CHANGES|HISTORY|README|NOTICE|LICENSE|COPYING|CREDITS|THANKS|\.mailmap)(?:\.[a-z]+)?$`,
	`(?i)\.(?:md|markdown|rst|adoc|asciidoc)$`,
	`(?:^|/)(?:package\.json|package-lock\.json|npm-shrinkwrap\.json|composer\.json|composer\.lock|bower\.json|yarn\.lock|pnpm-lock\.yaml|Pipfile\.lock|poetry\.lock|Gemfile\.lock|Cargo\.lock|go\.sum|\.all-contributorsrc|publiccode\.ya?ml|CITATION\.cff)$`,
	`(?:^|/)(?:node_modules|vendor|bower_components|third_party|\.venv|site-packages|\.git)/`,
}

// dataDirs hold test and seed data; any text file in them is a candidate, whatever its
// extension says.
var dataDirs = map[string]bool{
	"fixtures": true, "fixture": true, "testdata": true, "test-data": true, "test_data": true, "seeds": true,
	"seed": true, "dumps": true, "dump": true, "backups": true, "backup": true, "exports": true, "export": true,
	"sample-data": true, "sampledata": true, "mock-data": true, "mocks": true,
}

// sourceExts are program text: in a data directory they are code that builds fixtures
// (often with a faker library), not the data, and they are CR-4's and the code rules'
// business.
var sourceExts = map[string]bool{
	".go": true, ".php": true, ".js": true, ".mjs": true, ".cjs": true, ".ts": true, ".tsx": true, ".jsx": true,
	".py": true, ".rb": true, ".java": true, ".kt": true, ".c": true, ".h": true, ".cc": true, ".cpp": true,
	".rs": true, ".sh": true, ".css": true, ".scss": true, ".html": true, ".htm": true, ".twig": true,
	".vue": true, ".svelte": true, ".swift": true, ".cs": true, ".pl": true, ".lua": true, ".ex": true,
	".exs": true, ".erl": true, ".tf": true, ".toml": true, ".ini": true, ".cfg": true, ".conf": true,
	".lock": true, ".sum": true, ".mod": true, ".png": true, ".jpg": true, ".jpeg": true, ".gif": true,
	".svg": true, ".ico": true, ".woff": true, ".woff2": true, ".ttf": true, ".pdf": true, ".zip": true,
	".golden": true, ".snap": true, ".po": true, ".pot": true, ".mo": true, ".s": true, ".asm": true,
	".test": true, ".tcl": true, ".inc": true, ".patch": true, ".diff": true, ".dockerfile": true,
}

// backupExts mark copies of something, often a database.
var backupExts = []string{".bak", ".backup", ".old", ".orig", ".dump", ".sql.gz"}

// Probe finds personal data in a repository's data files and history (CD-1).
type Probe struct {
	opt        Options
	once       sync.Once
	allowPaths []*regexp.Regexp
	err        error
}

// New returns the probe. Invalid options make every run fail with the reason, and so
// CD-1 unknown, rather than scanning with less than was asked for.
func New(opt Options) *Probe { return &Probe{opt: opt} }

func (p *Probe) init() {
	p.once.Do(func() {
		if p.opt.MinMatches < 0 {
			p.err = fmt.Errorf("personal_data.min_matches must not be negative")
			return
		}
		if p.opt.MinMatches == 0 {
			p.opt.MinMatches = DefaultMinMatches
		}
		for _, s := range append(append([]string(nil), defaultAllowPaths...), p.opt.AllowPaths...) {
			re, err := regexp.Compile(s)
			if err != nil {
				p.err = fmt.Errorf("personal_data allow path %q: %w", s, err)
				return
			}
			p.allowPaths = append(p.allowPaths, re)
		}
	})
}

func (p *Probe) Name() string               { return "personal-data" }
func (p *Probe) Controls() []string         { return []string{"CD-1", "CD-2"} }
func (p *Probe) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (p *Probe) Description() string {
	return "personal data (e-mail addresses at real domains, phone numbers, postal addresses, Luhn-valid cards, IBANs, national IDs, password hashes, WordPress and WooCommerce rows) in dumps, exports, fixtures and backups, in the working tree and every blob of git history"
}

// candidate says whether a path is a data file worth reading.
func (p *Probe) candidate(name string) bool {
	for _, re := range p.allowPaths {
		if re.MatchString(name) {
			return false
		}
	}
	if _, ok := pii.FormatFor(name); ok {
		return true
	}
	lower := strings.ToLower(name)
	for _, ext := range backupExts {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	ext := path.Ext(lower)
	if strings.HasSuffix(lower, ".gz") {
		ext = path.Ext(strings.TrimSuffix(lower, ".gz"))
	}
	if sourceExts[ext] || strings.HasSuffix(lower, "_test.go") {
		return false
	}
	for _, dir := range strings.Split(path.Dir(lower), "/") {
		if dataDirs[dir] {
			return true
		}
	}
	return false
}

// maxDecompressed bounds what one compressed file may expand to.
func maxDecompressed(fs *fileset.Set) int64 {
	limit := fs.MaxFileSize
	if limit <= 0 {
		limit = fileset.DefaultMaxFileSize
	}
	return 16 * limit
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
	tree, examined, marked, err := p.scanTree(ctx, t)
	if err != nil {
		return nil, err
	}
	judgeAnonymised(r, examined, marked, tree, p.opt.MinMatches)
	var hist map[string]*historyHit
	if !p.opt.History.Disabled && isGitRepo(t.Root) {
		var seen int
		var notes []string
		hist, seen, notes, err = p.scanHistory(ctx, t)
		examined += seen
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			r.MarkUnknown("CD-1", "git history could not be scanned: "+err.Error())
			r.Incomplete = append(r.Incomplete, "git history could not be scanned: "+err.Error())
		}
		for _, n := range notes {
			r.MarkUnknown("CD-1", n)
		}
	}
	for _, f := range p.merge(tree, hist) {
		r.Add(f)
	}
	if examined == 0 && len(r.Findings) == 0 && len(r.Unknown) == 0 {
		r.MarkNotApplicable("CD-1", "no dumps, data exports, fixtures or backups in the working tree or its history")
	}
	return r, nil
}

// treeHit is a reportable file of the working tree.
type treeHit struct {
	path string
	res  *result
}

// scanTree returns the reportable files, how many files were examined, and how many of
// those carry posture anonymize's marker.
func (p *Probe) scanTree(ctx context.Context, t *target.Target) ([]treeHit, int, int, error) {
	var files []fileset.File
	for _, f := range t.Files.Files() {
		if p.candidate(f.Path) {
			files = append(files, f)
		}
	}
	jobs := make(chan fileset.File)
	var (
		mu     sync.Mutex
		hits   []treeHit
		marked int
		wg     sync.WaitGroup
	)
	limit := maxDecompressed(t.Files)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				data, err := t.Files.Read(f)
				if err != nil {
					continue // recorded by the inventory as not examined
				}
				res := p.scanOne(t.Files, f.Path, f.Path, data, limit)
				if res != nil && res.marker == nil {
					res.marker = readMarkerFile(t.Root, f.Path)
				}
				if res == nil {
					continue
				}
				mu.Lock()
				if res.marker != nil {
					marked++
				}
				if res.reportable(p.opt.MinMatches) {
					hits = append(hits, treeHit{f.Path, res})
				}
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, 0, 0, err
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].path < hits[j].path })
	return hits, len(files), marked, nil
}

// scanOne scans one file or blob (name picks the format; where names it in the list of
// what was not examined); content that cannot be read as text is recorded there.
func (p *Probe) scanOne(fs *fileset.Set, name, where string, data []byte, limit int64) *result {
	res, err := scanContent(name, data, limit)
	switch {
	case errors.Is(err, errBinary):
		if _, ok := pii.FormatFor(name); ok || strings.HasSuffix(strings.ToLower(name), ".gz") {
			fs.Skip(where, "binary content where a data file was expected; personal data not checked")
		}
		return nil
	case err != nil:
		fs.Skip(where, err.Error())
		return nil
	}
	if res.truncated != "" {
		fs.Skip(where, res.truncated)
	}
	return res
}

// readMarkerFile reads the sibling "<file>.posture-anonymized" marker of a CSV or other
// file that cannot carry one inside.
func readMarkerFile(root, rel string) *pii.Marker {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)+pii.MarkerFileSuffix))
	if err != nil {
		return nil
	}
	line, _, _ := strings.Cut(string(data[:min(len(data), 512)]), "\n")
	if m, ok := pii.ParseMarker(line); ok {
		return &m
	}
	return nil
}

// toFinding turns a reportable result into the file's one finding.
func toFinding(where string, res *result) finding.Finding {
	what := formatNames[res.format]
	msg := fmt.Sprintf("%s with personal data: %s.", upperFirst(what), res.summary())
	fix := "Remove the file from the repository and from its history (git filter-repo), and use synthetic or anonymised data instead (posture anonymize); if it came from production, handle it as a personal-data incident."
	if res.marker != nil {
		msg = fmt.Sprintf("%s marked as anonymised by posture (key-id %s) still holds real-looking personal data: %s.", upperFirst(what), res.marker.KeyID, res.summary())
		fix = "The anonymisation missed these values, or the file was edited after it: regenerate it with posture anonymize from a source you are allowed to use, and check why the values survived."
	}
	e := finding.Plain(res.evidence())
	e.Redacted = true
	return finding.Finding{
		Control:  "CD-1",
		Rule:     "personal-data/data-file",
		Severity: res.severity(),
		Location: finding.Location{Path: where},
		Message:  msg,
		Evidence: e,
		Fix:      fix,
		Key:      "personal-data",
	}
}

// isGitRepo reports whether root is the top of a git work tree; a subdirectory's
// history would be the whole repository's.
func isGitRepo(root string) bool {
	_, err := os.Stat(filepath.Join(root, ".git"))
	return err == nil
}
