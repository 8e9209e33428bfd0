package forge

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/forge/forgetest"
)

const token = "ghp_TESTTOKEN0123456789abcdefABCDEF0123"

func client(t *testing.T, kind Kind, scenario string) (Client, *forgetest.Server) {
	t.Helper()
	auth := "Bearer " + token
	base := ""
	if kind == Gitea {
		auth, base = "token "+token, "/api/v1"
	}
	srv := forgetest.Serve(t, filepath.Join("testdata", string(kind), scenario+".json"), auth)
	owner := "acme"
	if kind == Gitea {
		owner = "owner"
	}
	c, err := New(Config{Kind: kind, APIURL: srv.URL + base, Token: token, HTTP: srv.Client()}, owner, "widget")
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

// states renders a protection as "review=met force-push=not met …" for comparison.
func states(p *Protection) string {
	var out []string
	for _, r := range p.Requirements() {
		out = append(out, r.Key+"="+r.State.String())
	}
	return strings.Join(out, " ")
}

func TestGitHubProtection(t *testing.T) {
	cases := []struct {
		scenario, want string
		details        []string // substrings of the requirements' details, in order
		sources        []string
	}{
		{"protected", "review=met force-push=met deletion=met admins=met stale-approvals=met",
			[]string{"branch protection requires 2 approving reviews", "branch protection blocks force-pushes", "blocks deletion", "applies to administrators", "dismisses stale"},
			[]string{"branch protection"}},
		{"unprotected", "review=not met force-push=not met deletion=not met admins=not met stale-approvals=not met",
			[]string{"no branch protection rule", "no branch protection rule", "no branch protection rule", "nothing protects the branch", "no review is required"}, nil},
		{"ruleset-only", "review=met force-push=met deletion=met admins=met stale-approvals=met",
			[]string{`ruleset "Protect main" requires 1 approving review`, `ruleset "Protect main" blocks force-pushes`, `ruleset "Protect main" blocks deletion`, "has no administrator bypass", "dismisses stale"},
			[]string{`ruleset "Protect main"`}},
		{"admin-bypass", "review=met force-push=met deletion=met admins=not met stale-approvals=met",
			[]string{"", "", "", `ruleset "Protect main" lets administrators bypass it (RepositoryRole, bypass mode always)`, ""}, nil},
		{"stale-kept", "review=met force-push=met deletion=met admins=met stale-approvals=not met",
			[]string{"requires 1 approving review", "", "", "", "keeps approvals when new commits are pushed"}, nil},
		{"no-reviews", "review=not met force-push=not met deletion=not met admins=not met stale-approvals=not met",
			[]string{"does not require pull request reviews", "allows force-pushes", "allows deletion", "exempts administrators", "no review is required"}, nil},
		{"forbidden", "review=unknown force-push=unknown deletion=unknown admins=unknown stale-approvals=unknown",
			[]string{"token lacks permission (GET /repos/acme/widget/branches/main/protection: 403 Forbidden: Resource not accessible by personal access token); the token needs the Administration: read permission"}, nil},
		// A requirement met by either mechanism is met: the ruleset covers what the
		// unreadable classic protection might have said.
		{"forbidden-ruleset", "review=met force-push=met deletion=met admins=met stale-approvals=met", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			cl, _ := client(t, GitHub, c.scenario)
			p, err := cl.Protection(context.Background(), "main")
			if err != nil {
				t.Fatal(err)
			}
			if got := states(p); got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			for i, d := range c.details {
				if got := p.Requirements()[i].Detail; !strings.Contains(got, d) {
					t.Errorf("%s detail %q lacks %q", p.Requirements()[i].Key, got, d)
				}
			}
			if c.sources != nil && !slices.Equal(p.Sources, c.sources) {
				t.Errorf("sources %q", p.Sources)
			}
		})
	}
}

func TestGitHubRateLimited(t *testing.T) {
	cl, _ := client(t, GitHub, "rate-limited")
	_, err := cl.Repo(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || !ae.RateLimited || !ae.Reset.Equal(time.Unix(1751289600, 0)) {
		t.Fatalf("err = %v", err)
	}
	if r := Reason(err); !strings.HasPrefix(r, "the forge's API rate limit is exhausted") || !strings.Contains(r, "until 2025-06-30T13:20:00Z") {
		t.Errorf("reason %q", r)
	}
}

func TestGitHubPullsPaginationAndApprovals(t *testing.T) {
	cl, srv := client(t, GitHub, "pulls")
	ctx := context.Background()
	prs, err := cl.MergedPulls(ctx, "main", 30)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pr := range prs {
		reviews, err := cl.Reviews(ctx, pr.Number)
		if err != nil {
			t.Fatal(err)
		}
		by, ok := Approved(pr.Author, reviews)
		got = append(got, fmt.Sprintf("#%d %s %v %s", pr.Number, pr.Author, ok, by))
	}
	want := []string{"#12 dana true rui", "#10 fay false ", "#7 gus true mia"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// The second page came from the recorded Link header, not a guessed URL.
	if reqs := srv.Requests(); !slices.Contains(reqs, "/repositories/1296269/pulls?state=closed&base=main&sort=updated&direction=desc&per_page=100&page=2") {
		t.Errorf("requests %q", reqs)
	}
	// A limit stops reading early.
	prs, err = cl.MergedPulls(ctx, "main", 1)
	if err != nil || len(prs) != 1 || prs[0].Number != 12 {
		t.Errorf("limit 1: %+v %v", prs, err)
	}
}

func TestGiteaProtection(t *testing.T) {
	cases := []struct{ scenario, want, detail string }{
		{"protected", "review=met force-push=met deletion=met admins=met stale-approvals=met", `branch protection rule "main" requires 1 approving review`},
		{"weak", "review=not met force-push=not met deletion=met admins=not met stale-approvals=not met", "anyone with write access may push to the branch directly"},
		{"unprotected", "review=not met force-push=not met deletion=not met admins=not met stale-approvals=not met", "no branch protection rule matches main"},
		{"forbidden", "review=unknown force-push=unknown deletion=unknown admins=unknown stale-approvals=unknown", "user should be an owner or a collaborator with admin write of a repository"},
		{"forgejo", "review=met force-push=met deletion=met admins=not met stale-approvals=met", "this server refuses force-pushes to protected branches"},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			cl, _ := client(t, Gitea, c.scenario)
			p, err := cl.Protection(context.Background(), "main")
			if err != nil {
				t.Fatal(err)
			}
			if got := states(p); got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			var all []string
			for _, r := range p.Requirements() {
				all = append(all, r.Detail)
			}
			if !strings.Contains(strings.Join(all, "|"), c.detail) {
				t.Errorf("details %q lack %q", all, c.detail)
			}
		})
	}
}

func TestGiteaPulls(t *testing.T) {
	old := giteaPageSize
	giteaPageSize = 2 // the recording was made with limit=2, to have two pages
	defer func() { giteaPageSize = old }()
	cl, srv := client(t, Gitea, "pulls")
	ctx := context.Background()
	repo, err := cl.Repo(ctx)
	if err != nil || repo.DefaultBranch != "main" || repo.FullName != "owner/widget" {
		t.Fatalf("repo %+v %v", repo, err)
	}
	prs, err := cl.MergedPulls(ctx, "main", 30)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pr := range prs {
		reviews, err := cl.Reviews(ctx, pr.Number)
		if err != nil {
			t.Fatal(err)
		}
		by, ok := Approved(pr.Author, reviews)
		got = append(got, fmt.Sprintf("#%d %s %v %s", pr.Number, pr.Author, ok, by))
	}
	want := []string{"#3 dev false ", "#2 dev false ", "#1 dev true rev"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if reqs := srv.Requests(); !slices.Contains(reqs, "/api/v1/repos/owner/widget/pulls?limit=2&page=2&sort=recentupdate&state=closed") {
		t.Errorf("requests %q", reqs)
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	for _, sc := range []struct {
		kind     Kind
		scenario string
	}{{GitHub, "forbidden"}, {GitHub, "rate-limited"}, {Gitea, "forbidden"}} {
		cl, _ := client(t, sc.kind, sc.scenario)
		_, err := cl.Repo(context.Background())
		text := fmt.Sprint(err)
		if sc.scenario != "rate-limited" {
			p, err := cl.Protection(context.Background(), "main")
			text += fmt.Sprint(err, *p)
		}
		if strings.Contains(text, token) || strings.Contains(text, "TESTTOKEN") {
			t.Errorf("%s/%s: token in %s", sc.kind, sc.scenario, text)
		}
	}
}

func TestBadTokenAndForeignLinks(t *testing.T) {
	srv := forgetest.Serve(t, filepath.Join("testdata", "github", "protected.json"), "Bearer right")
	cl, _ := New(Config{Kind: GitHub, APIURL: srv.URL, Token: "wrong", HTTP: srv.Client()}, "acme", "widget")
	_, err := cl.Repo(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 401 || !strings.HasPrefix(Reason(err), "the forge rejected the token") {
		t.Errorf("bad token: %v", err)
	}
	tr := &transport{base: mustURL(t, "https://api.github.com"), kind: GitHub}
	for _, link := range []string{"https://evil.example/repos/x", "http://api.github.com/repos/x", "https://user:pw@api.github.com/x"} {
		if _, err := tr.resolve(link); err == nil {
			t.Errorf("followed %s", link)
		}
	}
	tr.base = mustURL(t, "https://git.example/api/v1")
	if _, err := tr.resolve("https://git.example/other/api"); err == nil {
		t.Error("followed a link outside the API root")
	}
}

func TestParseLink(t *testing.T) {
	got := ParseLink(`<https://api.github.com/repositories/1/pulls?page=2>; rel="next", <https://api.github.com/repositories/1/pulls?page=5>; rel="last"`)
	if got["next"] != "https://api.github.com/repositories/1/pulls?page=2" || got["last"] != "https://api.github.com/repositories/1/pulls?page=5" {
		t.Errorf("github: %q", got)
	}
	// Gitea separates links with "," and no space.
	got = ParseLink(`<http://g/api/v1/x?page=2>; rel="next",<http://g/api/v1/x?page=3>; rel="last"`)
	if got["next"] != "http://g/api/v1/x?page=2" || got["last"] != "http://g/api/v1/x?page=3" {
		t.Errorf("gitea: %q", got)
	}
	got = ParseLink(`<http://a/b?x=1,2>; rel="prev next"; title="t", junk, <http://c>;rel=last`)
	if got["next"] != "http://a/b?x=1,2" || got["prev"] != "http://a/b?x=1,2" || got["last"] != "http://c" {
		t.Errorf("odd: %q", got)
	}
	if len(ParseLink("")) != 0 || len(ParseLink("<unterminated")) != 0 {
		t.Error("garbage parsed")
	}
}

func FuzzParseLink(f *testing.F) {
	f.Add(`<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"`)
	f.Add(`<a>;rel=next,<b>;rel="last"`)
	f.Add(`,,<>; rel=""; rel=next`)
	f.Fuzz(func(t *testing.T, h string) {
		for rel, u := range ParseLink(h) {
			if rel == "" || strings.ContainsAny(u, "<>") {
				t.Fatalf("ParseLink(%q): %q → %q", h, rel, u)
			}
		}
	})
}

func TestParseRemote(t *testing.T) {
	cases := []struct{ in, host, web, owner, repo string }{
		{"https://github.com/acme/widget.git", "github.com", "https://github.com", "acme", "widget"},
		{"https://x-access-token:ghs_secret@github.com/acme/widget", "github.com", "https://github.com", "acme", "widget"},
		{"git@github.com:acme/widget.git", "github.com", "https://github.com", "acme", "widget"},
		{"ssh://git@github.com/acme/widget.git", "github.com", "https://github.com", "acme", "widget"},
		{"ssh://git@git.example:2222/team/app.git", "git.example", "https://git.example", "team", "app"},
		{"http://gitea.local:3000/team/app.git", "gitea.local:3000", "http://gitea.local:3000", "team", "app"},
		{"https://example.com/gitea/team/app/", "example.com", "https://example.com/gitea", "team", "app"},
		{"codeberg.org:forgejo/forgejo", "codeberg.org", "https://codeberg.org", "forgejo", "forgejo"},
	}
	for _, c := range cases {
		r, err := ParseRemote(c.in)
		if err != nil || r.Host != c.host || r.WebBase != c.web || r.Owner != c.owner || r.Repo != c.repo {
			t.Errorf("ParseRemote(%q) = %+v, %v", c.in, r, err)
		}
		if strings.Contains(fmt.Sprint(r), "secret") {
			t.Errorf("credentials kept: %+v", r)
		}
	}
	for _, bad := range []string{"", "/srv/git/app.git", "../app", "file:///srv/app.git", "https://github.com/onlyowner", "./a:b"} {
		if r, err := ParseRemote(bad); err == nil {
			t.Errorf("ParseRemote(%q) = %+v", bad, r)
		}
	}
	if _, err := ParseRemote("https://user:hunter2@[::1"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("credentials in the error: %v", err)
	}
}

func TestAPIURLs(t *testing.T) {
	gh, _ := ParseRemote("git@github.com:acme/widget.git")
	ghe, _ := ParseRemote("https://ghe.corp/acme/widget")
	gt, _ := ParseRemote("https://example.com/gitea/team/app")
	if DefaultAPIURL(GitHub, gh) != "https://api.github.com" || DefaultAPIURL(GitHub, ghe) != "https://ghe.corp/api/v3" || DefaultAPIURL(Gitea, gt) != "https://example.com/gitea/api/v1" {
		t.Error("default API URLs")
	}
	if NormaliseAPIURL(Gitea, "https://codeberg.org/") != "https://codeberg.org/api/v1" || NormaliseAPIURL(Gitea, "https://g/api/v1") != "https://g/api/v1" ||
		NormaliseAPIURL(GitHub, "https://api.github.com") != "https://api.github.com" || NormaliseAPIURL(GitHub, "https://ghe.corp") != "https://ghe.corp/api/v3" {
		t.Error("normalised API URLs")
	}
}

func FuzzParseRemote(f *testing.F) {
	f.Add("https://u:p@github.com/a/b.git")
	f.Add("git@host:a/b")
	f.Add("ssh://git@h:22/x/y/z.git")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRemote(s)
		if err != nil {
			return
		}
		if r.Owner == "" || r.Repo == "" || r.Host == "" || strings.Contains(r.Owner, "/") || strings.Contains(r.Repo, "/") {
			t.Fatalf("ParseRemote(%q) = %+v", s, r)
		}
	})
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
