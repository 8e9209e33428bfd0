package changecontrol

import (
	"testing"

	"github.com/posture-dev/posture/internal/githistory"
)

func TestClassify(t *testing.T) {
	one := []string{"a"}
	two := []string{"a", "b"}
	cases := []struct {
		name    string
		parents []string
		msg     string
		want    Kind
	}{
		{"github squash", one, "Add login form (#123)\n\n* wip\n* more", PullRequest},
		{"gitea squash", one, "Fix typo (#7)", PullRequest},
		{"github rebase merge message", one, "Merge pull request #42 from acme/topic", PullRequest},
		{"bitbucket", one, "Merged in feature/login (pull request #12)\n\nAdd login", PullRequest},
		{"azure devops", one, "Merged PR 381: Update pipeline", PullRequest},
		{"gitlab squash", one, "Add export\n\nSee merge request acme/web!12", PullRequest},
		{"gitlab nested group", one, "Add export\n\nCloses #3\n\nSee merge request group/sub/proj!1234\n", PullRequest},
		{"merge commit", two, "Merge branch 'feature' into 'main'", Merge},
		{"pull merge of main", two, "Merge branch 'main' of github.com:acme/app", Direct},
		{"pull merge of main into main", two, "Merge branch 'main' of https://github.com/acme/app into main", Direct},
		{"remote-tracking merge", two, "Merge remote-tracking branch 'origin/main'", Direct},
		{"merging another branch's pull", two, "Merge branch 'release' of github.com:acme/app", Merge},
		{"reviewed-by", one, "Fix race\n\nDetails.\n\nReviewed-by: Rui Reviewer <rui@example.com>", Trailer},
		{"approved-by lower case", one, "Fix race\n\napproved-by: Rui <rui@example.com>", Trailer},
		{"reviewed-on gerrit", one, "Fix race\n\nChange-Id: I1234\nReviewed-on: https://review.example.com/c/1234\nSigned-off-by: A <a@example.com>", Trailer},
		{"trailer not in last paragraph", one, "Fix race\n\nReviewed-by: Rui <rui@example.com>\n\nMore text after.", Direct},
		{"subject alone is no trailer", one, "Reviewed-by: Rui <rui@example.com>", Direct},
		{"self review by e-mail", one, "Fix\n\nReviewed-by: Someone <Author@Example.com>", Direct},
		{"self review by name", one, "Fix\n\nReviewed-by: Ann Author", Direct},
		{"empty trailer", one, "Fix\n\nReviewed-by:", Direct},
		{"issue reference is not a pull request", one, "Fix crash, see #123", Direct},
		{"hash in words", one, "Bump to version (#beta)", Direct},
		{"plain", one, "update README", Direct},
		{"initial", nil, "Initial commit", Initial},
	}
	for _, c := range cases {
		got, why := Classify(githistory.BranchCommit{Parents: c.parents, Message: c.msg, Author: "Ann Author", Email: "author@example.com"}, "main")
		if got != c.want || why == "" {
			t.Errorf("%s: got %v (%s), want %v", c.name, got, why, c.want)
		}
	}
	if got, _ := Classify(githistory.BranchCommit{Boundary: true, Message: "x (#1)"}, "main"); got != Boundary {
		t.Errorf("boundary: %v", got)
	}
}

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"dependabot[bot]", "dependabot[bot]", true},
		{"dependabot[bot]", "dependabotb", false},
		{"*[bot]", "renovate[bot]", true},
		{"*@users.noreply.github.com", "1+x@USERS.noreply.github.com", true},
		{"ci-?", "ci-1", true},
		{"ci-?", "ci-12", false},
		{"*", "", true},
		{"", "", true},
		{"", "x", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
	}
	for _, c := range cases {
		if got := globMatch(c.pattern, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.pattern, c.s, got)
		}
	}
}

func FuzzClassify(f *testing.F) {
	f.Add("Add login (#1)\n\nReviewed-by: R <r@e>", 1, "main")
	f.Add("Merge branch 'main' of x", 2, "main")
	f.Add("x\n\nSee merge request a/b!1", 1, "dev")
	f.Fuzz(func(t *testing.T, msg string, parents int, branch string) {
		ps := make([]string, max(0, min(parents, 4)))
		k, why := Classify(githistory.BranchCommit{Parents: ps, Message: msg, Author: "A", Email: "a@e"}, branch)
		if why == "" || k < Direct || k > Boundary {
			t.Fatalf("Classify(%q) = %v %q", msg, k, why)
		}
		if len(ps) > 1 && k != Merge && k != Direct {
			t.Fatalf("a merge classified as %v", k)
		}
	})
}

func FuzzGlobMatch(f *testing.F) {
	f.Add("*[bot]", "renovate[bot]")
	f.Add("a*?*b", "a-x-b")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		got := globMatch(pattern, s)
		if pattern == s && !got {
			t.Fatalf("%q does not match itself", s)
		}
		if globMatch("*", s) != true {
			t.Fatalf("* does not match %q", s)
		}
		_ = got
	})
}
