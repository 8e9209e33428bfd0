// Package vulns is the known-vulnerability probe (VM-3): every package a repository's
// lockfiles pin is looked up in the offline OSV index and matched with the ecosystem's
// own version ordering.
package vulns

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/posture-dev/posture/internal/deps"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/osv"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
	"github.com/posture-dev/posture/internal/vulndb"
)

// MaxAge is how old the database may get before every scan warns about it.
const MaxAge = 7 * 24 * time.Hour

// Options configures the probe.
type Options struct {
	DBDir string
	Now   func() time.Time
}

// Probe matches locked dependencies against known vulnerabilities.
type Probe struct {
	opts Options
	once sync.Once
	db   *vulndb.DB
	err  error
	note string
}

// New returns the probe; the database is opened on first use and shared by all targets.
func New(opts Options) *Probe {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Probe{opts: opts}
}

func (*Probe) Name() string               { return "repo/vulnerable-dependencies" }
func (*Probe) Controls() []string         { return []string{"VM-3"} }
func (*Probe) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (*Probe) Description() string {
	return "no locked dependency has a known vulnerability in the offline OSV database"
}

func (p *Probe) open() {
	p.once.Do(func() {
		if p.opts.DBDir == "" {
			p.opts.DBDir = vulndb.DefaultDir()
		}
		db, err := vulndb.Open(p.opts.DBDir, p.opts.Now())
		switch {
		case errors.Is(err, vulndb.ErrNotFound):
			p.err = fmt.Errorf("no vulnerability database in %s: run `posture db update`, or `posture db import PATH` where there is no network", p.opts.DBDir)
			return
		case err != nil:
			p.err = err
			return
		}
		p.db = db
		if db.Rebuilt {
			p.note = fmt.Sprintf("the vulnerability database in %s was damaged and has been rebuilt from its archives", p.opts.DBDir)
		}
	})
}

// Close releases the database.
func (p *Probe) Close() error {
	if p.db != nil {
		return p.db.Close()
	}
	return nil
}

func (p *Probe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	res := &probe.Result{}
	lockfiles, errs := probe.Lockfiles(t)
	// A lockfile that cannot be parsed is a property of the target, not a failure of the
	// scan: VM-3 becomes unknown naming file and line, and every other lockfile is matched.
	var unreadable []string
	for _, err := range errs {
		// A parser may quote the line it stopped at, and a source URL there may carry a token.
		unreadable = append(unreadable, finding.RedactURLsIn(err.Error()))
	}
	if len(unreadable) > 0 {
		res.MarkUnknown("VM-3", summarize(len(unreadable), "lockfiles could not be read", unreadable))
	}
	total := 0
	for _, lf := range lockfiles {
		total += len(lf.Packages)
	}
	if total == 0 {
		if len(errs) == 0 {
			res.MarkNotApplicable("VM-3", "no lockfile or dependency manifest found")
		}
		return res, nil
	}
	p.open()
	if p.err != nil {
		res.MarkUnknown("VM-3", p.err.Error())
		return res, nil
	}
	if p.note != "" {
		res.Warnings = append(res.Warnings, p.note)
	}
	if p.db.Meta().DataTime().IsZero() {
		res.Warnings = append(res.Warnings, "VM-3: the vulnerability database's data date is unknown (imported records without a modified date); import them with `posture db import --as-of DATE`, or run `posture db update`")
	} else if age := p.opts.Now().Sub(p.db.Meta().DataTime()); age > MaxAge {
		res.Warnings = append(res.Warnings, fmt.Sprintf("VM-3: the vulnerability database is %d days old (data as of %s); run `posture db update` for current advisories",
			int(age.Hours()/24), p.db.Meta().DataTime().Format("2006-01-02")))
	}
	m := matcher{db: p.db, cache: map[string][]osv.Vulnerability{}}
	var unresolved, unmatched []string
	for _, lf := range lockfiles {
		for _, pkg := range lf.Packages {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			if strings.HasPrefix(pkg.Source, "path:") {
				continue // the project's own code from a local path, not a published package
			}
			if pkg.Version == "" {
				// Never the Source: a git URL may carry a token.
				unresolved = append(unresolved, strings.TrimSpace(pkg.Name+" "+pkg.Constraint)+" ("+pkg.Path+")")
				continue
			}
			fs, err := m.check(t.Name, pkg)
			if err != nil {
				if errors.Is(err, vulndb.ErrCorrupt) {
					return nil, err
				}
				unmatched = append(unmatched, err.Error())
			}
			for _, f := range fs {
				res.Add(f)
			}
		}
	}
	if len(unresolved) > 0 {
		res.MarkUnknown("VM-3", summarize(len(unresolved), "declared dependencies have no locked version to match (commit the lockfile)", unresolved))
	}
	if len(unmatched) > 0 {
		res.MarkUnknown("VM-3", summarize(len(unmatched), "packages could not be matched", unmatched))
	}
	return res, nil
}

func summarize(n int, what string, examples []string) string {
	sort.Strings(examples)
	if len(examples) > 3 {
		examples = append(examples[:3:3], "…")
	}
	return fmt.Sprintf("%d %s: %s", n, what, strings.Join(examples, "; "))
}

type matcher struct {
	db    *vulndb.DB
	mu    sync.Mutex
	cache map[string][]osv.Vulnerability
}

func (m *matcher) lookup(eco, name string) ([]osv.Vulnerability, error) {
	k := eco + "\x00" + osv.NormalizeName(eco, name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.cache[k]; ok {
		return v, nil
	}
	v, err := m.db.Lookup(eco, name)
	if err != nil {
		return nil, err
	}
	m.cache[k] = v
	return v, nil
}

// check returns one finding per group of aliased records affecting pkg.
func (m *matcher) check(targetName string, pkg deps.Package) ([]finding.Finding, error) {
	recs, err := m.lookup(pkg.Ecosystem, pkg.Name)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	q := osv.Query{Ecosystem: pkg.Ecosystem, Name: pkg.Name, Version: pkg.Version, Commit: pkg.Commit, Repo: pkg.Source}
	var hits []osv.Vulnerability
	fixedBy := map[string]string{}
	var firstErr error
	for _, v := range recs {
		for _, a := range v.Affected {
			mt, err := osv.Check(a, q)
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("%s %s against %s: %w", pkg.Name, pkg.Version, v.ID, err)
				}
				continue
			}
			if mt.Affected {
				hits = append(hits, v)
				fixedBy[v.ID] = mt.Fixed
				break
			}
		}
	}
	var out []finding.Finding
	for _, g := range osv.Group(hits) {
		out = append(out, m.finding(targetName, pkg, g, fixedBy))
	}
	return out, firstErr
}
