package changecontrol

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/githistory"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
	"github.com/posture-dev/posture/internal/testutil"
)

// now is the fixed clock of these tests: the 90-day window starts 2025-04-01 12:00 UTC.
var now = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

func day(month time.Month, d int) time.Time { return time.Date(2025, month, d, 10, 0, 0, 0, time.UTC) }

var maintainer = testutil.Person{Name: "Mia Maintainer", Email: "mia@example.com"}

// mixedHistory is the acceptance repository: an initial commit and two direct pushes
// before the window, then 19 commits in it: 6 merge commits, 5 squash merges with
// "(#n)" subjects, 3 commits with review trailers and 5 direct pushes by different
// authors on different days. It returns the direct pushes' ids, newest first.
func mixedHistory(t *testing.T, extra func(g *testutil.GitRepo)) (*testutil.GitRepo, []string) {
	g := testutil.NewGitRepo(t, "")
	g.Commit(testutil.Person{Name: "Alice Founder", Email: "alice@example.com"}, day(time.January, 1), "Initial commit")
	old := testutil.Person{Name: "Olga Old", Email: "olga@example.com"}
	g.Commit(old, day(time.February, 1), "old direct one")
	g.Commit(old, day(time.March, 15), "old direct two")

	var direct []string
	merge := func(n int, d time.Time) {
		g.MergeBranch(maintainer, d, fmt.Sprintf("feature-%d", n), fmt.Sprintf("Merge pull request #%d from acme/feature-%d", n, n))
	}
	squash := func(n int, d time.Time) { g.Commit(maintainer, d, fmt.Sprintf("Add widget %d (#%d)", n, 100+n)) }
	trailer := func(key string, d time.Time) {
		g.Commit(maintainer, d, "Tune the cache\n\nMeasured on staging.\n\n"+key+": Rui Reviewer <rui@example.com>")
	}
	push := func(name, email, subject string, d time.Time) {
		direct = append([]string{g.Commit(testutil.Person{Name: name, Email: email}, d, subject)}, direct...)
	}
	merge(1, day(time.April, 2))
	squash(1, day(time.April, 3))
	push("Dana Direct", "dana@example.com", "hotfix: bump timeout", day(time.April, 4))
	trailer("Reviewed-by", day(time.April, 6))
	merge(2, day(time.April, 8))
	squash(2, day(time.April, 10))
	merge(3, day(time.April, 12))
	push("Erik Eager", "erik@example.com", "quick fix for login", day(time.April, 15))
	trailer("Approved-by", day(time.April, 20))
	squash(3, day(time.April, 25))
	merge(4, day(time.May, 1))
	push("Fay Fast", "fay@example.com", "update README", day(time.May, 5))
	squash(4, day(time.May, 10))
	trailer("Reviewed-by", day(time.May, 15))
	merge(5, day(time.May, 20))
	push("Gus Quick", "gus@example.com", "tweak config", day(time.June, 1))
	squash(5, day(time.June, 10))
	merge(6, day(time.June, 15))
	push("Hana Hurry", "hana@example.com", "revert broken deploy", day(time.June, 25))
	if extra != nil {
		extra(g)
	}
	return g, direct
}

func repoTarget(dir string) *target.Target {
	return &target.Target{Kind: policy.KindRepo, Name: dir, Root: dir}
}

func run(t *testing.T, p probe.Probe, dir string) *probe.Result {
	t.Helper()
	r, err := p.Run(context.Background(), repoTarget(dir))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestAcceptanceMixedHistory is the acceptance test of the change-control report:
// exact counts and the exact list of direct pushes.
func TestAcceptanceMixedHistory(t *testing.T) {
	g, direct := mixedHistory(t, nil)
	p := NewChangeReview(Options{Now: func() time.Time { return now }})

	tl, err := p.tally(context.Background(), g.Dir, githistory.Branch{Name: "main", Ref: "refs/heads/main"})
	if err != nil {
		t.Fatal(err)
	}
	if tl.Counted != 19 || tl.Merges != 6 || tl.PullReqs != 5 || tl.Trailers != 3 || len(tl.Direct) != 5 || tl.Ignored != 0 || tl.Initial {
		t.Fatalf("tally = counted %d merges %d prs %d trailers %d direct %d ignored %d initial %v",
			tl.Counted, tl.Merges, tl.PullReqs, tl.Trailers, len(tl.Direct), tl.Ignored, tl.Initial)
	}

	r := run(t, p, g.Dir)
	if len(r.Findings) != 1 || len(r.Unknown) != 0 || len(r.NotApplicable) != 0 {
		t.Fatalf("result = %+v", r)
	}
	f := r.Findings[0]
	want := "5 of 19 commits (26%) on main in the last 90 days were pushed directly without review: " +
		direct[0][:7] + ` 2025-06-25 Hana Hurry "revert broken deploy"; ` +
		direct[1][:7] + ` 2025-06-01 Gus Quick "tweak config"; ` +
		direct[2][:7] + ` 2025-05-05 Fay Fast "update README"; ` +
		direct[3][:7] + ` 2025-04-15 Erik Eager "quick fix for login"; ` +
		direct[4][:7] + ` 2025-04-04 Dana Direct "hotfix: bump timeout".`
	if f.Message != want {
		t.Errorf("message\n got %s\nwant %s", f.Message, want)
	}
	if f.Evidence.Text != "6 merge commits, 5 squash or rebase merges naming a pull request, 3 with review trailers, 5 direct" {
		t.Errorf("evidence %q", f.Evidence.Text)
	}
	if f.Control != "CH-1" || f.Rule != "repo/change-review/direct-push" || f.Key != "direct-push@main" {
		t.Errorf("finding %+v", f)
	}
}

func TestIgnoredAuthorsAndAllowance(t *testing.T) {
	bot := testutil.Person{Name: "dependabot[bot]", Email: "49699333+dependabot[bot]@users.noreply.github.com"}
	g, _ := mixedHistory(t, func(g *testutil.GitRepo) {
		g.Commit(bot, day(time.June, 26), "Bump x from 1 to 2")
		g.Commit(bot, day(time.June, 27), "Bump y from 1 to 2")
	})
	clock := func() time.Time { return now }

	r := run(t, NewChangeReview(Options{Now: clock}), g.Dir)
	if len(r.Findings) != 1 || !strings.HasPrefix(r.Findings[0].Message, "7 of 21 commits (33%)") {
		t.Fatalf("bots counted: %+v", r.Findings)
	}
	r = run(t, NewChangeReview(Options{Now: clock, IgnoreAuthors: []string{"dependabot[bot]"}}), g.Dir)
	if len(r.Findings) != 1 || !strings.HasPrefix(r.Findings[0].Message, "5 of 19 commits (26%)") ||
		!strings.HasSuffix(r.Findings[0].Evidence.Text, "; 2 commits by ignored authors left out") {
		t.Fatalf("bots ignored by name: %+v", r.Findings)
	}
	r = run(t, NewChangeReview(Options{Now: clock, IgnoreAuthors: []string{"*@USERS.noreply.github.com"}}), g.Dir)
	if len(r.Findings) != 1 || !strings.HasPrefix(r.Findings[0].Message, "5 of 19 commits") {
		t.Fatalf("bots ignored by e-mail glob: %+v", r.Findings)
	}

	r = run(t, NewChangeReview(Options{Now: clock, IgnoreAuthors: []string{"dependabot*"}, MaxDirectShare: 0.3}), g.Dir)
	want := "14 of 19 commits on main in the last 90 days arrived through review (6 merge commits, 5 squash or rebase merges naming a pull request, 3 with review trailers, 5 direct; 2 commits by ignored authors left out); 5 direct pushes (26%) are within change_control.max_direct_share 30%"
	if len(r.Findings) != 0 || r.Evidence["CH-1"] != want {
		t.Fatalf("allowance: findings %+v evidence\n got %s\nwant %s", r.Findings, r.Evidence["CH-1"], want)
	}
}

func TestWindowOption(t *testing.T) {
	g, _ := mixedHistory(t, nil)
	// 40 days back from June 30 reaches May 21: two direct pushes, a squash and a merge.
	r := run(t, NewChangeReview(Options{Now: func() time.Time { return now }, WindowDays: 40}), g.Dir)
	if len(r.Findings) != 1 || !strings.HasPrefix(r.Findings[0].Message, "2 of 4 commits (50%) on main in the last 40 days") {
		t.Fatalf("%+v", r.Findings)
	}
}

func TestInitialCommitNotCounted(t *testing.T) {
	g := testutil.NewGitRepo(t, "")
	g.Commit(maintainer, day(time.June, 1), "Initial commit")
	r := run(t, NewChangeReview(Options{Now: func() time.Time { return now }}), g.Dir)
	if len(r.Findings) != 0 || r.NotApplicable["CH-1"] != "main has only its initial commit in the last 90 days" {
		t.Fatalf("only initial: %+v", r)
	}
	g.Commit(maintainer, day(time.June, 2), "Add parser (#1)")
	g.MergeBranch(maintainer, day(time.June, 3), "x", "Merge pull request #2 from acme/x")
	r = run(t, NewChangeReview(Options{Now: func() time.Time { return now }}), g.Dir)
	want := "2 of 2 commits on main in the last 90 days arrived through review (1 merge commits, 1 squash or rebase merges naming a pull request, 0 with review trailers, 0 direct; the initial commit is not counted)"
	if len(r.Findings) != 0 || r.Evidence["CH-1"] != want {
		t.Fatalf("got %+v\nwant %s", r, want)
	}
}

func TestNotApplicable(t *testing.T) {
	clock := Options{Now: func() time.Time { return now }}
	if r := run(t, NewChangeReview(clock), t.TempDir()); !strings.HasPrefix(r.NotApplicable["CH-1"], "not a git repository") {
		t.Errorf("plain directory: %+v", r)
	}
	g := testutil.NewGitRepo(t, "")
	if r := run(t, NewChangeReview(clock), g.Dir); r.NotApplicable["CH-1"] != "the repository has no commits yet" {
		t.Errorf("empty repository: %+v", r)
	}
	g.Commit(maintainer, day(time.January, 1), "Initial commit")
	g.Commit(maintainer, day(time.January, 2), "direct")
	if r := run(t, NewChangeReview(clock), g.Dir); r.NotApplicable["CH-1"] != "main has no commits in the last 90 days (its newest is from 2025-01-02)" {
		t.Errorf("quiet branch: %+v", r)
	}
	sub := filepath.Join(g.Dir, "changes")
	if r := run(t, NewChangeReview(clock), sub); !strings.HasPrefix(r.NotApplicable["CH-1"], "not a git repository (no .git at the target's root)") {
		t.Errorf("subdirectory: %+v", r)
	}
}

func TestDefaultBranchFromOrigin(t *testing.T) {
	upstream, _ := mixedHistory(t, nil)
	clone := filepath.Join(t.TempDir(), "clone")
	upstream.Git(maintainer, now, "clone", "-q", upstream.Dir, clone)
	c := testutil.OpenGitRepo(t, clone)
	// Local work that was never pushed, on a feature branch checked out: neither is
	// what the forge holds.
	c.Git(maintainer, now, "checkout", "-q", "-b", "topic")
	c.Commit(maintainer, day(time.June, 29), "local experiment")
	br, err := githistory.DefaultBranch(context.Background(), clone)
	if err != nil || br.Name != "main" || br.Ref != "refs/remotes/origin/main" {
		t.Fatalf("branch = %+v, %v", br, err)
	}
	r := run(t, NewChangeReview(Options{Now: func() time.Time { return now }}), clone)
	if len(r.Findings) != 1 || !strings.HasPrefix(r.Findings[0].Message, "5 of 19 commits") {
		t.Fatalf("%+v", r.Findings)
	}
}

func TestShallowClone(t *testing.T) {
	upstream, direct := mixedHistory(t, nil)
	clone := filepath.Join(t.TempDir(), "clone")
	upstream.Git(maintainer, now, "clone", "-q", "--depth", "3", "file://"+upstream.Dir, clone)
	r := run(t, NewChangeReview(Options{Now: func() time.Time { return now }}), clone)
	// The three newest first-parent commits: a direct push, a merge and the squash
	// before it, which is the shallow boundary and so not judged.
	if !strings.HasPrefix(r.Unknown["CH-1"], "shallow clone: history of main before 2025-06-10 is missing") {
		t.Errorf("unknown = %q", r.Unknown["CH-1"])
	}
	if len(r.Findings) != 1 || !strings.HasPrefix(r.Findings[0].Message, "1 of 2 commits (50%)") || !strings.Contains(r.Findings[0].Message, direct[0][:7]) {
		t.Fatalf("%+v", r.Findings)
	}
}

func TestSyncMergeIsDirect(t *testing.T) {
	g := testutil.NewGitRepo(t, "")
	g.Commit(maintainer, day(time.June, 1), "Initial commit")
	g.MergeBranch(maintainer, day(time.June, 2), "other", "Merge branch 'main' of github.com:acme/app")
	g.MergeBranch(maintainer, day(time.June, 3), "other2", "Merge remote-tracking branch 'origin/main'")
	g.MergeBranch(maintainer, day(time.June, 4), "other3", "Merge branch 'release' of github.com:acme/app")
	r := run(t, NewChangeReview(Options{Now: func() time.Time { return now }}), g.Dir)
	if len(r.Findings) != 1 || !strings.HasPrefix(r.Findings[0].Message, "2 of 3 commits (67%)") {
		t.Fatalf("%+v", r.Findings)
	}
}

func TestMain(m *testing.M) {
	// The tests' own git commands must not see a hook's repository variables.
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"} {
		os.Unsetenv(k)
	}
	os.Exit(m.Run())
}
