package changecontrol

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/forge/forgetest"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/testutil"
)

const secret = "ghp_PROBETOKEN0123456789abcdefABCDEF01"

// forgeRepo is a repository whose origin is remote.
func forgeRepo(t *testing.T, remote string) string {
	g := testutil.NewGitRepo(t, "")
	g.Commit(maintainer, day(time.June, 1), "Initial commit")
	if remote != "" {
		g.Git(maintainer, now, "remote", "add", "origin", remote)
	}
	return g.Dir
}

func env(kv ...string) func(string) string {
	return func(k string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1]
			}
		}
		return ""
	}
}

// replay serves a recorded scenario of internal/forge/testdata in place of origin.
func replay(t *testing.T, kind, scenario, origin string) *forgetest.Server {
	auth := "Bearer " + secret
	if kind == "gitea" {
		auth = "token " + secret
	}
	return forgetest.ServeAs(t, filepath.Join("..", "..", "forge", "testdata", kind, scenario+".json"), auth, origin)
}

func githubOptions(srv *forgetest.Server) Options {
	return Options{Now: func() time.Time { return now }, Getenv: env("GITHUB_TOKEN", secret), HTTPClient: srv.Client()}
}

func rules(r *probe.Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Rule)
	}
	return out
}

func TestBranchProtectionGitHub(t *testing.T) {
	dir := forgeRepo(t, "git@github.com:acme/widget.git")
	cases := []struct {
		scenario string
		findings []string
		unknown  string
		evidence string
	}{
		{"protected", nil, "", "main of acme/widget: branch protection requires 2 approving reviews; branch protection blocks force-pushes; branch protection blocks deletion; branch protection applies to administrators; branch protection dismisses stale approvals"},
		{"unprotected", []string{"repo/branch-protection/review", "repo/branch-protection/force-push", "repo/branch-protection/deletion", "repo/branch-protection/admins", "repo/branch-protection/stale-approvals"}, "", ""},
		{"ruleset-only", nil, "", `main of acme/widget: ruleset "Protect main" requires 1 approving review; ruleset "Protect main" blocks force-pushes`},
		{"admin-bypass", []string{"repo/branch-protection/admins"}, "", ""},
		{"stale-kept", []string{"repo/branch-protection/stale-approvals"}, "", ""},
		{"forbidden", nil, "whether the protection of main would require an approving review could not be read: classic branch protection could not be read: the token lacks permission", ""},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			srv := replay(t, "github", c.scenario, "https://api.github.com")
			r := run(t, NewBranchProtection(githubOptions(srv)), dir)
			if got := rules(r); !slices.Equal(got, c.findings) {
				t.Errorf("findings %q, want %q", got, c.findings)
			}
			if !strings.HasPrefix(r.Unknown["CH-2"], c.unknown) || (c.unknown == "") != (r.Unknown["CH-2"] == "") {
				t.Errorf("unknown %q, want %q", r.Unknown["CH-2"], c.unknown)
			}
			if !strings.HasPrefix(r.Evidence["CH-2"], c.evidence) || (c.evidence == "") != (r.Evidence["CH-2"] == "") {
				t.Errorf("evidence %q, want %q", r.Evidence["CH-2"], c.evidence)
			}
		})
	}
	srv := replay(t, "github", "admin-bypass", "https://api.github.com")
	f := run(t, NewBranchProtection(githubOptions(srv)), dir).Findings[0]
	if f.Message != `The protection of the default branch main of acme/widget does not bind administrators: ruleset "Protect main" lets administrators bypass it (RepositoryRole, bypass mode always).` ||
		f.Location.URL != "https://github.com/acme/widget/settings/branches" || f.Key != "admins@main" {
		t.Errorf("finding %+v", f)
	}
}

func TestBranchProtectionRateLimited(t *testing.T) {
	dir := forgeRepo(t, "https://github.com/acme/widget")
	srv := replay(t, "github", "rate-limited", "https://api.github.com")
	r := run(t, NewBranchProtection(githubOptions(srv)), dir)
	if !strings.Contains(r.Unknown["CH-2"], "rate limit is exhausted") || len(r.Findings) != 0 {
		t.Errorf("%+v", r)
	}
}

func TestPullRequestApprovals(t *testing.T) {
	dir := forgeRepo(t, "https://github.com/acme/widget.git")
	srv := replay(t, "github", "pulls", "https://api.github.com")
	r := run(t, NewPullRequestApprovals(githubOptions(srv)), dir)
	if len(r.Findings) != 1 || len(r.Unknown) != 0 {
		t.Fatalf("%+v", r)
	}
	want := `1 of the 3 most recently merged pull requests into main of acme/widget had no approval from anyone but their author: #10 "Fix login redirect" by fay, merged 2025-06-25.`
	if f := r.Findings[0]; f.Message != want || f.Rule != "repo/pr-approvals/unapproved" {
		t.Errorf("got  %s\nwant %s", f.Message, want)
	}
}

func TestGiteaProbes(t *testing.T) {
	dir := forgeRepo(t, "https://gitea.example.com/owner/widget.git")
	opts := func(srv *forgetest.Server) Options {
		return Options{Forge: "gitea", Getenv: env("GITEA_TOKEN", secret), HTTPClient: srv.Client()}
	}
	srv := replay(t, "gitea", "protected", "https://gitea.example.com")
	r := run(t, NewBranchProtection(opts(srv)), dir)
	if len(r.Findings) != 0 || len(r.Unknown) != 0 || !strings.Contains(r.Evidence["CH-2"], `branch protection rule "main" blocks administrators from overriding it`) {
		t.Errorf("protected: %+v", r)
	}
	srv = replay(t, "gitea", "weak", "https://gitea.example.com")
	if got := rules(run(t, NewBranchProtection(opts(srv)), dir)); !slices.Equal(got, []string{"repo/branch-protection/review", "repo/branch-protection/force-push", "repo/branch-protection/admins", "repo/branch-protection/stale-approvals"}) {
		t.Errorf("weak: %q", got)
	}
	// Forgejo is the same API; "forgejo" selects it.
	o := opts(replay(t, "gitea", "forgejo", "https://gitea.example.com"))
	o.Forge = "forgejo"
	if got := rules(run(t, NewBranchProtection(o), dir)); !slices.Equal(got, []string{"repo/branch-protection/admins"}) {
		t.Errorf("forgejo: %q", got)
	}

	srv = replay(t, "gitea", "pulls-onepage", "https://gitea.example.com")
	r = run(t, NewPullRequestApprovals(opts(srv)), dir)
	if len(r.Findings) != 1 || !strings.HasPrefix(r.Findings[0].Message, `2 of the 3 most recently merged pull requests into main of owner/widget had no approval from anyone but their author: #3 "Add feature 3" by dev`) {
		t.Errorf("pulls: %+v", r)
	}
}

func TestForgeNotAsked(t *testing.T) {
	cases := []struct {
		name, remote string
		opt          Options
		ch2, ch1na   string
		ch1unknown   bool
	}{
		{"no token", "git@github.com:acme/widget.git", Options{},
			"no forge token: set GITHUB_TOKEN (or POSTURE_FORGE_TOKEN) to check github.com/acme/widget", "no forge token", false},
		{"no origin", "", Options{Getenv: env("GITHUB_TOKEN", secret)},
			"the repository has no origin remote", "the repository has no origin remote", false},
		{"unknown host", "https://git.corp.example/team/app.git", Options{Getenv: env("GITHUB_TOKEN", secret)},
			"origin is hosted at git.corp.example, which posture does not recognise: set change_control.forge (github or gitea) or --forge to check it", "origin is hosted at", false},
		{"github token stays on github.com", "https://ghe.corp.example/team/app.git", Options{Forge: "github", Getenv: env("GITHUB_TOKEN", secret)},
			"no forge token: set POSTURE_FORGE_TOKEN (GITHUB_TOKEN is only sent to api.github.com) to check ghe.corp.example/team/app", "no forge token", false},
		{"config api_url elsewhere", "git@github.com:acme/widget.git", Options{APIURL: "https://collector.example/api/v3", Getenv: env("GITHUB_TOKEN", secret)},
			"change_control.api_url points at collector.example, not at origin's host github.com", "", true},
		{"local remote", "/srv/git/app.git", Options{Getenv: env("GITHUB_TOKEN", secret)},
			"the origin remote is not a forge repository URL", "the origin remote is not a forge repository URL", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := forgeRepo(t, c.remote)
			// Any request at all fails the test: nothing may be sent in these cases.
			srv := forgetest.Serve(t, filepath.Join("..", "..", "forge", "testdata", "github", "protected.json"), "never")
			c.opt.HTTPClient = srv.Client()
			r := run(t, NewBranchProtection(c.opt), dir)
			if !strings.HasPrefix(r.Unknown["CH-2"], c.ch2) || len(r.Findings) != 0 || len(r.Evidence) != 0 {
				t.Errorf("CH-2: %+v", r)
			}
			r = run(t, NewPullRequestApprovals(c.opt), dir)
			if c.ch1unknown && r.Unknown["CH-1"] == "" || !c.ch1unknown && !strings.HasPrefix(r.NotApplicable["CH-1"], c.ch1na) {
				t.Errorf("CH-1: %+v", r)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
	// An API URL elsewhere is used when the command line names it.
	dir := forgeRepo(t, "https://gitea.example.com/owner/widget.git")
	srv := replay(t, "gitea", "protected", "https://mirror.example")
	o := Options{Forge: "gitea", APIURL: "https://mirror.example", APIURLTrusted: true, Getenv: env("GITEA_TOKEN", secret), HTTPClient: srv.Client()}
	if r := run(t, NewBranchProtection(o), dir); r.Evidence["CH-2"] == "" || len(srv.Requests()) == 0 {
		t.Errorf("trusted api url: %+v", r)
	}
}

func TestTokenNeverReported(t *testing.T) {
	dir := forgeRepo(t, "https://x-access-token:"+secret+"@github.com/acme/widget.git")
	for _, sc := range []string{"protected", "unprotected", "forbidden", "rate-limited", "admin-bypass", "pulls"} {
		srv := replay(t, "github", sc, "https://api.github.com")
		var p probe.Probe = NewBranchProtection(githubOptions(srv))
		if sc == "pulls" {
			p = NewPullRequestApprovals(githubOptions(srv))
		}
		{
			r, err := p.Run(context.Background(), repoTarget(dir))
			text := fmt.Sprintf("%v %+v", err, r)
			if strings.Contains(text, secret) || strings.Contains(text, "PROBETOKEN") {
				t.Errorf("%s %s: token in %s", sc, p.Name(), text)
			}
		}
	}
}
