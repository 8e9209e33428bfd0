package changecontrol

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/githistory"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// ChangeReview judges, from git history alone, how many commits on the default branch
// arrived through review (CH-1).
type ChangeReview struct{ opt Options }

// NewChangeReview returns the probe with its options.
func NewChangeReview(opt Options) ChangeReview { return ChangeReview{opt: opt} }

func (ChangeReview) Name() string               { return "repo/change-review" }
func (ChangeReview) Controls() []string         { return []string{"CH-1"} }
func (ChangeReview) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (ChangeReview) Description() string {
	return "commits on the default branch arrived through merges, pull requests or recorded reviews, not direct pushes"
}

// maxListed bounds the direct pushes a finding names; the count says how many more.
const maxListed = 10

// Tally is what the history of the window showed.
type Tally struct {
	Branch      string
	WindowDays  int
	Counted     int // commits judged (initial, boundary and ignored ones left out)
	Merges      int
	PullReqs    int
	Trailers    int
	Direct      []githistory.BranchCommit // newest first
	Ignored     int
	Initial     bool
	Boundary    []githistory.BranchCommit
	NewestOnTip time.Time
}

// Share is the fraction of counted commits pushed directly.
func (t Tally) Share() float64 {
	if t.Counted == 0 {
		return 0
	}
	return float64(len(t.Direct)) / float64(t.Counted)
}

func (p ChangeReview) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	br, done, err := repoBranch(ctx, t, r)
	if done || err != nil {
		return r, err
	}
	tl, err := p.tally(ctx, t.Root, br)
	if err != nil {
		return nil, err
	}
	p.report(r, tl)
	return r, nil
}

// repoBranch finds the default branch of a repository target, or marks CH-1 (and
// says done) when there is no history to judge.
func repoBranch(ctx context.Context, t *target.Target, r *probe.Result) (githistory.Branch, bool, error) {
	if !isRepoRoot(t.Root) {
		r.MarkNotApplicable("CH-1", "not a git repository (no .git at the target's root): there is no history of changes to judge")
		return githistory.Branch{}, true, nil
	}
	br, err := githistory.DefaultBranch(ctx, t.Root)
	switch {
	case errors.Is(err, githistory.ErrNoBranch):
		r.MarkNotApplicable("CH-1", "the repository has no commits yet")
		return br, true, nil
	case errors.Is(err, githistory.ErrGitMissing):
		r.MarkUnknown("CH-1", "git is not installed, so the history of changes could not be read")
		return br, true, nil
	case err != nil:
		return br, true, fmt.Errorf("finding the default branch: %w", err)
	}
	return br, false, nil
}

func (p ChangeReview) tally(ctx context.Context, root string, br githistory.Branch) (Tally, error) {
	days := p.opt.window()
	since := p.opt.now().AddDate(0, 0, -days)
	log, err := githistory.FirstParentLog(ctx, root, br.Ref, since)
	if err != nil {
		return Tally{}, fmt.Errorf("reading the history of %s: %w", br.Name, err)
	}
	tl := Tally{Branch: br.Name, WindowDays: days, NewestOnTip: log.Newest}
	for _, c := range log.Commits {
		kind, _ := Classify(c, br.Name)
		switch {
		case kind == Initial:
			// The first commit creates the branch: there was nothing to open a pull
			// request against and no protection that could have applied, so it is
			// neither a reviewed change nor a bypassed review.
			tl.Initial = true
			continue
		case kind == Boundary:
			tl.Boundary = append(tl.Boundary, c)
			continue
		case p.opt.ignored(c.Author, c.Email):
			tl.Ignored++
			continue
		}
		tl.Counted++
		switch kind {
		case Merge:
			tl.Merges++
		case PullRequest:
			tl.PullReqs++
		case Trailer:
			tl.Trailers++
		default:
			tl.Direct = append(tl.Direct, c)
		}
	}
	return tl, nil
}

func (p ChangeReview) report(r *probe.Result, tl Tally) {
	window := fmt.Sprintf("in the last %d days", tl.WindowDays)
	if len(tl.Boundary) > 0 {
		oldest := tl.Boundary[len(tl.Boundary)-1]
		r.MarkUnknown("CH-1", fmt.Sprintf("shallow clone: history of %s before %s is missing, so the rest of the %d-day window could not be judged; fetch the full history (for example fetch-depth: 0)",
			tl.Branch, oldest.Date.Format(time.DateOnly), tl.WindowDays))
	}
	if tl.Counted == 0 {
		if len(tl.Boundary) > 0 {
			return
		}
		why := fmt.Sprintf("%s has no commits %s", tl.Branch, window)
		switch {
		case tl.Ignored > 0:
			why = fmt.Sprintf("%s has only commits by ignored authors (change_control.ignore_authors) %s", tl.Branch, window)
		case tl.Initial:
			why = fmt.Sprintf("%s has only its initial commit %s", tl.Branch, window)
		case !tl.NewestOnTip.IsZero():
			why += fmt.Sprintf(" (its newest is from %s)", tl.NewestOnTip.Format(time.DateOnly))
		}
		r.MarkNotApplicable("CH-1", why)
		return
	}
	n, m := len(tl.Direct), tl.Counted
	counts := fmt.Sprintf("%d merge commits, %d squash or rebase merges naming a pull request, %d with review trailers, %d direct", tl.Merges, tl.PullReqs, tl.Trailers, n)
	var notes []string
	if tl.Initial {
		notes = append(notes, "the initial commit is not counted")
	}
	if tl.Ignored > 0 {
		notes = append(notes, fmt.Sprintf("%d commits by ignored authors left out", tl.Ignored))
	}
	if len(notes) > 0 {
		counts += "; " + strings.Join(notes, "; ")
	}
	if n == 0 || tl.Share() <= p.opt.MaxDirectShare {
		msg := fmt.Sprintf("%d of %d commits on %s %s arrived through review (%s)", m-n, m, tl.Branch, window, counts)
		if n > 0 {
			msg += fmt.Sprintf("; %d direct pushes (%s) are within change_control.max_direct_share %s", n, percent(n, m), fmtShare(p.opt.MaxDirectShare))
		}
		r.Attest("CH-1", msg)
		return
	}
	var list []string
	for i, c := range tl.Direct {
		if i == maxListed {
			list = append(list, fmt.Sprintf("and %d more", n-maxListed))
			break
		}
		list = append(list, describe(c))
	}
	r.Add(finding.Finding{
		Control: "CH-1", Rule: "repo/change-review/direct-push",
		Message: fmt.Sprintf("%d of %d commits (%s) on %s %s were pushed directly without review: %s.",
			n, m, percent(n, m), tl.Branch, window, strings.Join(list, "; ")),
		Evidence: finding.Plain(counts),
		Fix: "Let changes reach " + tl.Branch + " only through reviewed pull requests (protect the branch, see CH-2); " +
			"a change reviewed outside the forge can carry a Reviewed-by trailer, and automation can be left out with change_control.ignore_authors.",
		Key: "direct-push@" + tl.Branch,
	})
}

// describe names a commit for a report line: short hash, date, author, subject.
func describe(c githistory.BranchCommit) string {
	subject := []rune(c.Subject())
	if len(subject) > 60 {
		subject = append(subject[:59], '…')
	}
	return fmt.Sprintf("%s %s %s %q", c.Hash[:min(7, len(c.Hash))], c.Date.Format(time.DateOnly), c.Author, string(subject))
}

func percent(n, m int) string {
	return fmt.Sprintf("%d%%", int(math.Round(100*float64(n)/float64(m))))
}

func fmtShare(f float64) string {
	return fmt.Sprintf("%g%%", math.Round(f*1000)/10)
}

// isRepoRoot reports whether dir is the root of a git work tree. As for the file
// inventory (internal/fileset), only a .git of its own makes it one: a directory
// inside another repository is not that repository, and its history is not its own.
func isRepoRoot(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, ".git"))
	return err == nil
}
