package changecontrol

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/forge"
	"github.com/posture-dev/posture/internal/githistory"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// forgeTarget is the forge repository a target's origin remote names, ready to ask.
type forgeTarget struct {
	client forge.Client
	remote forge.Remote
	// local is the default branch git knows, used when the forge does not say.
	local string
}

// notAsked explains why the forge was not asked. Configured says whether the user
// meant it to be (gave a token): then not asking is a failure to check, otherwise
// only the online half of a check is missing.
type notAsked struct {
	reason     string
	configured bool
}

// connect finds the forge and repository of a target and a token for it. It never
// sends anything: the first request is the caller's.
func (o Options) connect(ctx context.Context, t *target.Target) (*forgeTarget, *notAsked, error) {
	if !isRepoRoot(t.Root) {
		return nil, &notAsked{reason: "not a git repository (no .git at the target's root), so no remote names the forge that hosts it"}, nil
	}
	raw, err := githistory.RemoteURL(ctx, t.Root, "origin")
	if errors.Is(err, githistory.ErrGitMissing) {
		return nil, &notAsked{reason: "git is not installed, so the origin remote could not be read"}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading the origin remote: %w", err)
	}
	if raw == "" {
		return nil, &notAsked{reason: "the repository has no origin remote, so posture cannot tell which forge hosts it"}, nil
	}
	remote, err := forge.ParseRemote(raw)
	if err != nil {
		// The raw URL may carry credentials: say what is wrong, not what it is.
		return nil, &notAsked{reason: "the origin remote is not a forge repository URL: " + err.Error()}, nil
	}
	kind := forge.Kind(o.Forge)
	if kind == "forgejo" {
		kind = forge.Gitea
	}
	if kind == "" {
		k, ok := forge.Guess(remote.Host)
		if !ok {
			return nil, &notAsked{reason: fmt.Sprintf("origin is hosted at %s, which posture does not recognise: set change_control.forge (github or gitea) or --forge to check it", remote.Host)}, nil
		}
		kind = k
	}
	api := forge.DefaultAPIURL(kind, remote)
	if o.APIURL != "" {
		api = forge.NormaliseAPIURL(kind, o.APIURL)
		if !o.APIURLTrusted && !sameForgeHost(api, remote.Host) {
			// .posture.yaml is part of the repository being scanned: it must not be able
			// to send the user's token to a host of its choosing.
			return nil, &notAsked{configured: true, reason: fmt.Sprintf("change_control.api_url points at %s, not at origin's host %s; posture sends a forge token elsewhere only when --forge-url names it on the command line", hostOf(api), remote.Host)}, nil
		}
	}
	token, hint := o.token(kind, api)
	if token == "" {
		return nil, &notAsked{reason: "no forge token: set " + hint + " to check " + remote.String()}, nil
	}
	c, err := forge.New(forge.Config{Kind: kind, APIURL: api, Token: token, HTTP: o.HTTPClient}, remote.Owner, remote.Repo)
	if err != nil {
		return nil, &notAsked{configured: true, reason: err.Error()}, nil
	}
	local := ""
	if br, err := githistory.DefaultBranch(ctx, t.Root); err == nil {
		local = br.Name
	}
	return &forgeTarget{client: c, remote: remote, local: local}, nil, nil
}

// token picks the forge token from the environment. GITHUB_TOKEN and GH_TOKEN are
// github.com tokens and go to api.github.com only; POSTURE_FORGE_TOKEN is meant for
// whatever forge the scanned repository is on.
func (o Options) token(kind forge.Kind, api string) (token, hint string) {
	if v := o.getenv("POSTURE_FORGE_TOKEN"); v != "" {
		return v, ""
	}
	switch {
	case kind == forge.GitHub && hostOf(api) == "api.github.com":
		for _, k := range []string{"GITHUB_TOKEN", "GH_TOKEN"} {
			if v := o.getenv(k); v != "" {
				return v, ""
			}
		}
		return "", "GITHUB_TOKEN (or POSTURE_FORGE_TOKEN)"
	case kind == forge.GitHub:
		return "", "POSTURE_FORGE_TOKEN (GITHUB_TOKEN is only sent to api.github.com)"
	}
	for _, k := range []string{"GITEA_TOKEN", "FORGEJO_TOKEN"} {
		if v := o.getenv(k); v != "" {
			return v, ""
		}
	}
	return "", "GITEA_TOKEN (or POSTURE_FORGE_TOKEN)"
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// sameForgeHost reports whether an API URL is on the remote's host (or its api.
// subdomain, as GitHub's is).
func sameForgeHost(api, remoteHost string) bool {
	h := hostOf(api)
	strip := func(s string) string {
		if i := strings.LastIndexByte(s, ':'); i >= 0 && !strings.Contains(s[i:], "]") {
			return s[:i]
		}
		return s
	}
	a, r := strip(h), strip(strings.ToLower(remoteHost))
	return a == r || a == "api."+r
}

// BranchProtection asks the forge whether the default branch requires review and
// cannot be rewritten (CH-2).
type BranchProtection struct{ opt Options }

// NewBranchProtection returns the probe with its options.
func NewBranchProtection(opt Options) BranchProtection { return BranchProtection{opt: opt} }

func (BranchProtection) Name() string               { return "repo/branch-protection" }
func (BranchProtection) Controls() []string         { return []string{"CH-2"} }
func (BranchProtection) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (BranchProtection) Description() string {
	return "the forge protects the default branch: approving review required, no force-push or deletion, admins bound, stale approvals dismissed"
}

var protectionFix = map[string]string{
	"review":          "Require pull requests with at least one approving review before merging (branch protection or a ruleset), and do not let everyone push directly.",
	"force-push":      "Block force-pushes to the branch (branch protection: disallow force pushes; ruleset: block force pushes).",
	"deletion":        "Block deletion of the branch (branch protection: disallow deletions; ruleset: restrict deletions).",
	"admins":          "Apply the protection to administrators too (GitHub: include administrators / no admin bypass in rulesets; Gitea: block admin merge override; Forgejo: apply to admins).",
	"stale-approvals": "Dismiss (or stop counting) approvals when new commits are pushed, so that what is merged is what was approved.",
}

func (p BranchProtection) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	ft, na, err := p.opt.connect(ctx, t)
	if err != nil {
		return nil, err
	}
	if na != nil {
		// Never a pass: without asking the forge nothing is known about protection.
		r.MarkUnknown("CH-2", na.reason)
		return r, nil
	}
	repo, err := ft.client.Repo(ctx)
	if err != nil {
		r.MarkUnknown("CH-2", fmt.Sprintf("could not read %s from the forge: %s", ft.remote, forge.Reason(err)))
		return r, nil
	}
	branch := repo.DefaultBranch
	if branch == "" {
		branch = ft.local
	}
	prot, err := ft.client.Protection(ctx, branch)
	if err != nil {
		r.MarkUnknown("CH-2", fmt.Sprintf("could not read the protection of %s: %s", branch, forge.Reason(err)))
		return r, nil
	}
	where := finding.Location{URL: strings.TrimSuffix(repo.HTMLURL, "/") + "/settings/branches"}
	var met []string
	for _, req := range prot.Requirements() {
		switch req.State {
		case forge.Met:
			met = append(met, req.Detail)
		case forge.Unknown:
			r.MarkUnknown("CH-2", fmt.Sprintf("whether the protection of %s would %s could not be read: %s", branch, req.Title, req.Detail))
		case forge.NotMet:
			r.Add(finding.Finding{
				Control: "CH-2", Rule: "repo/branch-protection/" + req.Key, Location: where,
				Message: fmt.Sprintf("The protection of the default branch %s of %s does not %s: %s.", branch, repoName(repo, ft), req.Title, req.Detail),
				Fix:     protectionFix[req.Key],
				Key:     req.Key + "@" + branch,
			})
		}
	}
	if len(r.Findings) == 0 && len(r.Unknown) == 0 {
		r.Attest("CH-2", fmt.Sprintf("%s of %s: %s", branch, repoName(repo, ft), strings.Join(met, "; ")))
	}
	return r, nil
}

func repoName(repo *forge.Repository, ft *forgeTarget) string {
	if repo.FullName != "" {
		return repo.FullName
	}
	return ft.remote.Owner + "/" + ft.remote.Repo
}

// PullRequestApprovals asks the forge whether recently merged pull requests were
// approved by someone other than their author (the online half of CH-1).
type PullRequestApprovals struct{ opt Options }

// NewPullRequestApprovals returns the probe with its options.
func NewPullRequestApprovals(opt Options) PullRequestApprovals {
	return PullRequestApprovals{opt: opt}
}

func (PullRequestApprovals) Name() string               { return "repo/pr-approvals" }
func (PullRequestApprovals) Controls() []string         { return []string{"CH-1"} }
func (PullRequestApprovals) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (PullRequestApprovals) Description() string {
	return "recently merged pull requests were approved by someone other than their author"
}

func (p PullRequestApprovals) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	ft, na, err := p.opt.connect(ctx, t)
	if err != nil {
		return nil, err
	}
	if na != nil {
		why := na.reason + "; merged pull requests were not checked for approvals"
		if na.configured {
			r.MarkUnknown("CH-1", why)
		} else {
			// History and CODEOWNERS still judge CH-1 offline; this half only adds to them.
			r.MarkNotApplicable("CH-1", why)
		}
		return r, nil
	}
	repo, err := ft.client.Repo(ctx)
	if err != nil {
		r.MarkUnknown("CH-1", fmt.Sprintf("could not read %s from the forge: %s", ft.remote, forge.Reason(err)))
		return r, nil
	}
	branch := repo.DefaultBranch
	if branch == "" {
		branch = ft.local
	}
	prs, err := ft.client.MergedPulls(ctx, branch, p.opt.pullRequests())
	if err != nil {
		r.MarkUnknown("CH-1", fmt.Sprintf("could not list merged pull requests of %s: %s", repoName(repo, ft), forge.Reason(err)))
		return r, nil
	}
	if len(prs) == 0 {
		r.MarkNotApplicable("CH-1", fmt.Sprintf("no pull requests were merged into %s of %s", branch, repoName(repo, ft)))
		return r, nil
	}
	var unapproved []string
	for _, pr := range prs {
		reviews, err := ft.client.Reviews(ctx, pr.Number)
		if err != nil {
			r.MarkUnknown("CH-1", fmt.Sprintf("could not read the reviews of pull request #%d: %s", pr.Number, forge.Reason(err)))
			return r, nil
		}
		if _, ok := forge.Approved(pr.Author, reviews); !ok {
			title := []rune(pr.Title)
			if len(title) > 60 {
				title = append(title[:59], '…')
			}
			unapproved = append(unapproved, fmt.Sprintf("#%d %q by %s, merged %s", pr.Number, string(title), pr.Author, pr.MergedAt.UTC().Format(time.DateOnly)))
		}
	}
	if len(unapproved) == 0 {
		r.Attest("CH-1", fmt.Sprintf("all %d recently merged pull requests into %s were approved by someone other than their author", len(prs), branch))
		return r, nil
	}
	listed := unapproved
	if len(listed) > maxListed {
		listed = append(listed[:maxListed:maxListed], fmt.Sprintf("and %d more", len(unapproved)-maxListed))
	}
	r.Add(finding.Finding{
		Control: "CH-1", Rule: "repo/pr-approvals/unapproved",
		Location: finding.Location{URL: strings.TrimSuffix(repo.HTMLURL, "/") + "/pulls"},
		Message: fmt.Sprintf("%d of the %d most recently merged pull requests into %s of %s had no approval from anyone but their author: %s.",
			len(unapproved), len(prs), branch, repoName(repo, ft), strings.Join(listed, "; ")),
		Fix: "Require an approving review before merging (CH-2) and have someone other than the author review each change.",
		Key: "unapproved@" + branch,
	})
	return r, nil
}
