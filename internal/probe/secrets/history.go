package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/githistory"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/target"
)

// historyHit is a secret found in a blob of history.
type historyHit struct {
	hit
	blob githistory.Blob
}

// scanHistory reads every unique blob reachable from the selected refs once and returns
// what the rules find in it, plus the secret hashes present in HEAD's tree.
func (p *Probe) scanHistory(ctx context.Context, t *target.Target) (hits []historyHit, atHead map[string]bool, notes []string, err error) {
	p.init()
	opt := githistory.Options{MaxDepth: p.opt.History.MaxDepth, Refs: p.opt.History.Refs, MaxBlobSize: t.Files.MaxFileSize}
	if p.opt.History.Since != "" {
		d, err := policy.ParseDate(p.opt.History.Since)
		if err != nil {
			return nil, nil, nil, err
		}
		opt.Since = d.Time
	}
	head, err := githistory.HeadBlobs(ctx, t.Root)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading HEAD: %w", err)
	}
	headOIDs := map[string]bool{}
	for _, oid := range head {
		headOIDs[oid] = true
	}
	var mu sync.Mutex
	atHead = map[string]bool{}
	stats, werr := githistory.Walk(ctx, t.Root, opt, func(b githistory.Blob, content []byte) error {
		if !t.Files.InScope(b.Path) || p.allowedPath(b.Path) {
			return nil
		}
		var found []historyHit
		for _, h := range p.scanContent(b.Path, content) {
			found = append(found, historyHit{h, b})
		}
		if len(found) == 0 {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		hits = append(hits, found...)
		if headOIDs[b.OID] {
			for _, h := range found {
				atHead[h.hash] = true
			}
		}
		return nil
	})
	for _, b := range stats.SkippedLarge {
		t.Files.Skip(fmt.Sprintf("%s@%.12s (git history)", b.Path, b.OID), fmt.Sprintf("blob larger than the %s size limit", fileset.HumanSize(t.Files.MaxFileSize)))
	}
	if stats.Shallow {
		notes = append(notes, "the repository is a shallow clone, so history older than its shallow boundary was not scanned")
	}
	if werr != nil {
		if !onlyObjectErrors(werr) || ctx.Err() != nil {
			return nil, nil, nil, werr
		}
		notes = append(notes, "some git objects could not be read: "+firstLine(werr.Error()))
	}
	return hits, atHead, notes, nil
}

// mergeHistory folds history into the working-tree findings. A secret still in the tree is
// reported once, where it is now, saying which commit introduced it; a secret only in
// history is reported at the commit that introduced it, with whether HEAD still holds it.
func mergeHistory(tree []hit, hist []historyHit, atHead map[string]bool) []finding.Finding {
	// The oldest introduction of each secret, per path and overall.
	oldest := map[string]historyHit{}
	oldestByPath := map[string]historyHit{}
	for _, h := range hist {
		if o, ok := oldest[h.hash]; !ok || older(h.blob.Introduced, o.blob.Introduced) {
			oldest[h.hash] = h
		}
		k := h.hash + "\x00" + h.path
		if o, ok := oldestByPath[k]; !ok || older(h.blob.Introduced, o.blob.Introduced) {
			oldestByPath[k] = h
		}
	}
	var out []finding.Finding
	inTree := map[string]bool{}
	for _, t := range tree {
		f := t.finding
		inTree[t.hash] = true
		if h, ok := oldest[t.hash]; ok && h.blob.Introduced.Hash != "" {
			f.Message += " " + introduced(h.blob.Introduced) + "."
		}
		out = append(out, f)
	}
	keys := make([]string, 0, len(oldestByPath))
	for k := range oldestByPath {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h := oldestByPath[k]
		if inTree[h.hash] {
			continue
		}
		f := h.finding
		f.Location.Commit = h.blob.Introduced.Hash
		present := "no longer at HEAD but still in the history anyone with a clone can read"
		if atHead[h.hash] {
			present = "still present at HEAD"
		}
		f.Message += fmt.Sprintf(" Found in git history: %s; %s.", introduced(h.blob.Introduced), present)
		f.Fix = "Revoke and rotate this credential; it stays readable in every clone until history is rewritten, so rotation, not deletion, is the fix."
		out = append(out, f)
	}
	return out
}

func older(a, b githistory.Commit) bool {
	if a.Hash == "" {
		return false
	}
	return b.Hash == "" || a.Date.Before(b.Date)
}

func introduced(c githistory.Commit) string {
	if c.Hash == "" {
		return "reachable from a ref but not introduced by any commit"
	}
	return fmt.Sprintf("introduced in commit %.12s by %s <%s> on %s", c.Hash, c.Author, c.Email, c.Date.UTC().Format(time.DateOnly))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// isGitRepo reports whether root is the top of a git work tree (not a subdirectory of
// one: scanning a subdirectory's history would mean scanning the whole repository's).
func isGitRepo(root string) bool {
	_, err := os.Stat(filepath.Join(root, ".git"))
	return err == nil
}

// onlyObjectErrors reports whether every error joined in err names one unreadable blob:
// then the rest of history was read. Any other error (git log failing part-way) means
// history was not fully walked.
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
