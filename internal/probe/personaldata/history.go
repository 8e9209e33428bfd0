package personaldata

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/githistory"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// historyHit is the worst version of one path in history, and what else history says
// about it.
type historyHit struct {
	res      *result
	blob     githistory.Blob
	oldest   githistory.Commit // the first commit that put reportable data at this path
	versions int               // how many distinct versions hold reportable data
	atHead   bool
	inHead   bool
}

// worse orders two reportable versions of a file: high-risk data first, then more of it,
// then the older commit (the one that introduced the problem).
func worse(a *result, ab githistory.Blob, b *result, bb githistory.Blob) bool {
	ah, bh := a.total(true), b.total(true)
	if (ah > 0) != (bh > 0) {
		return ah > 0
	}
	at, bt := ah+a.total(false), bh+b.total(false)
	if at != bt {
		return at > bt
	}
	return older(ab.Introduced, bb.Introduced)
}

func older(a, b githistory.Commit) bool {
	if a.Hash == "" {
		return false
	}
	return b.Hash == "" || a.Date.Before(b.Date) || a.Date.Equal(b.Date) && a.Hash < b.Hash
}

// scanHistory reads every unique candidate blob reachable from the selected refs once.
func (p *Probe) scanHistory(ctx context.Context, t *target.Target) (map[string]*historyHit, int, []string, error) {
	opt := githistory.Options{MaxDepth: p.opt.History.MaxDepth, Refs: p.opt.History.Refs, MaxBlobSize: t.Files.MaxFileSize}
	if p.opt.History.Since != "" {
		d, err := policy.ParseDate(p.opt.History.Since)
		if err != nil {
			return nil, 0, nil, err
		}
		opt.Since = d.Time
	}
	head, err := githistory.HeadBlobs(ctx, t.Root)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("reading HEAD: %w", err)
	}
	limit := maxDecompressed(t.Files)
	var (
		mu   sync.Mutex
		seen int
		hits = map[string]*historyHit{}
	)
	stats, werr := githistory.Walk(ctx, t.Root, opt, func(b githistory.Blob, content []byte) error {
		if !t.Files.InScope(b.Path) || !p.candidate(b.Path) {
			return nil
		}
		res := p.scanOne(t.Files, b.Path, historyName(b), content, limit)
		mu.Lock()
		defer mu.Unlock()
		seen++
		if res == nil || !res.reportable(p.opt.MinMatches) {
			return nil
		}
		h := hits[b.Path]
		if h == nil {
			h = &historyHit{res: res, blob: b, oldest: b.Introduced}
			hits[b.Path] = h
		} else {
			if worse(res, b, h.res, h.blob) {
				h.res, h.blob = res, b
			}
			if older(b.Introduced, h.oldest) {
				h.oldest = b.Introduced
			}
		}
		h.versions++
		if oid, ok := head[b.Path]; ok {
			h.inHead = true
			if oid == b.OID {
				h.atHead = true
			}
		}
		return nil
	})
	for _, b := range stats.SkippedLarge {
		if t.Files.InScope(b.Path) && p.candidate(b.Path) {
			t.Files.Skip(historyName(b), fmt.Sprintf("blob larger than the %s size limit", fileset.HumanSize(t.Files.MaxFileSize)))
		}
	}
	var notes []string
	if stats.Shallow {
		notes = append(notes, "the repository is a shallow clone, so history older than its shallow boundary was not scanned")
	}
	if werr != nil {
		if !onlyObjectErrors(werr) || ctx.Err() != nil {
			return nil, seen, nil, werr
		}
		notes = append(notes, "some git objects could not be read: "+firstLine(werr.Error()))
	}
	return hits, seen, notes, nil
}

func historyName(b githistory.Blob) string {
	return fmt.Sprintf("%s@%.12s (git history)", b.Path, b.OID)
}

// merge makes one finding per path: a file reportable in the tree is reported where it
// is, saying since when history holds such data; a path reportable only in history (the
// file was deleted, or cleaned but not purged) is reported at the commit of its worst
// version.
func (p *Probe) merge(tree []treeHit, hist map[string]*historyHit) []finding.Finding {
	var out []finding.Finding
	inTree := map[string]bool{}
	for _, th := range tree {
		inTree[th.path] = true
		f := toFinding(th.path, th.res)
		if h, ok := hist[th.path]; ok && h.oldest.Hash != "" {
			f.Message += " Personal data was first committed here in " + introduced(h.oldest)
			if h.versions > 1 {
				f.Message += fmt.Sprintf("; %d versions in history hold it", h.versions)
			}
			f.Message += "."
		}
		out = append(out, f)
	}
	paths := make([]string, 0, len(hist))
	for path := range hist {
		if !inTree[path] {
			paths = append(paths, path)
		}
	}
	sort.Strings(paths)
	for _, path := range paths {
		h := hist[path]
		f := toFinding(path, h.res)
		f.Location.Commit = h.blob.Introduced.Hash
		present := "the file is no longer at HEAD, but every clone still holds it"
		switch {
		case h.atHead:
			present = "still present at HEAD"
		case h.inHead:
			present = "the version at HEAD no longer holds it, but every clone still holds this one"
		}
		f.Message += fmt.Sprintf(" Found in git history: %s; %s.", introduced(h.blob.Introduced), present)
		f.Fix = "Purge the file from history (git filter-repo), force-push and have every clone re-cloned: deleting it in a new commit leaves it readable in every clone. If it came from production, handle it as a personal-data incident."
		out = append(out, f)
	}
	return out
}

func introduced(c githistory.Commit) string {
	if c.Hash == "" {
		return "an object reachable from a ref but not introduced by any commit"
	}
	return fmt.Sprintf("commit %.12s by %s on %s", c.Hash, c.Author, c.Date.UTC().Format(time.DateOnly))
}

// runStaged scans only what is staged for the next commit: the pre-commit hook mode.
func (p *Probe) runStaged(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	r.MarkNotApplicable("CD-2", "judged on the working tree's data files, not on staged changes")
	limit := maxDecompressed(t.Files)
	var mu sync.Mutex
	err := githistory.Staged(ctx, t.Root, func(b githistory.Blob, content []byte) error {
		if !t.Files.InScope(b.Path) || !p.candidate(b.Path) {
			return nil
		}
		res := p.scanOne(t.Files, b.Path, b.Path, content, limit)
		if res == nil || !res.reportable(p.opt.MinMatches) {
			return nil
		}
		mu.Lock()
		r.Add(toFinding(b.Path, res))
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(r.Findings, func(i, j int) bool { return r.Findings[i].Location.Path < r.Findings[j].Location.Path })
	return r, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// onlyObjectErrors reports whether every error joined in err names one unreadable blob:
// then the rest of history was read.
func onlyObjectErrors(err error) bool {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var oe *githistory.ObjectError
		if !errors.As(e, &oe) {
			return false
		}
	}
	return len(errs) > 0
}
