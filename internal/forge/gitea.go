package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
)

// gitea speaks the Gitea API, which Forgejo shares.
type gitea struct {
	t           *transport
	owner, repo string
}

func (g *gitea) Kind() Kind { return Gitea }

func (g *gitea) prefix() string { return "/repos/" + seg(g.owner) + "/" + seg(g.repo) }

type giteaUser struct {
	Login string `json:"login"`
}

func (u *giteaUser) login() string {
	if u == nil {
		return ""
	}
	return u.Login
}

func (g *gitea) Repo(ctx context.Context) (*Repository, error) {
	var r struct {
		FullName      string `json:"full_name"`
		DefaultBranch string `json:"default_branch"`
		HTMLURL       string `json:"html_url"`
	}
	if _, err := g.t.get(ctx, g.prefix(), &r); err != nil {
		return nil, err
	}
	return &Repository{FullName: r.FullName, DefaultBranch: r.DefaultBranch, HTMLURL: r.HTMLURL}, nil
}

// giteaProtection is a branch protection rule. Fields that only some versions send are
// pointers, so that "absent" (an older server) is told apart from "false".
type giteaProtection struct {
	BranchName          string `json:"branch_name"`
	RuleName            string `json:"rule_name"`
	EnablePush          bool   `json:"enable_push"`
	EnablePushWhitelist bool   `json:"enable_push_whitelist"`
	// Gitea 1.22+: before it, protected branches refused every force-push.
	EnableForcePush          *bool `json:"enable_force_push"`
	EnableForcePushAllowlist *bool `json:"enable_force_push_allowlist"`
	RequiredApprovals        int64 `json:"required_approvals"`
	DismissStaleApprovals    bool  `json:"dismiss_stale_approvals"`
	IgnoreStaleApprovals     bool  `json:"ignore_stale_approvals"`
	// Forgejo names the admin switch apply_to_admins; Gitea 1.23+ block_admin_merge_override.
	ApplyToAdmins           *bool `json:"apply_to_admins"`
	BlockAdminMergeOverride *bool `json:"block_admin_merge_override"`
}

func (p giteaProtection) name() string {
	if p.RuleName != "" {
		return p.RuleName
	}
	return p.BranchName
}

func (g *gitea) Protection(ctx context.Context, branch string) (*Protection, error) {
	var rules []giteaProtection
	_, err := g.t.get(ctx, g.prefix()+"/branch_protections", &rules)
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.Status == http.StatusForbidden && !ae.RateLimited:
		return merge([]source{allUnknown("branch protection", "branch protection could not be read: "+Reason(err)+"; the token needs administrator access to the repository")}), nil
	case err != nil:
		return nil, err
	}
	rule, ok := matchGiteaRule(rules, branch)
	if !ok {
		none := Requirement{NotMet, "no branch protection rule matches " + branch}
		return merge([]source{{name: "branch protection", review: none, force: none, deletion: none, admins: absent, stale: absent}}), nil
	}
	name := fmt.Sprintf("branch protection rule %q", rule.name())
	s := source{name: name, exists: true}
	directPush := rule.EnablePush && !rule.EnablePushWhitelist
	switch {
	case rule.RequiredApprovals < 1:
		s.review = Requirement{NotMet, name + " requires 0 approving reviews"}
	case directPush:
		s.review = Requirement{NotMet, fmt.Sprintf("%s requires %d approving review%s to merge, but anyone with write access may push to the branch directly", name, rule.RequiredApprovals, plural(int(rule.RequiredApprovals)))}
	default:
		s.review = Requirement{Met, fmt.Sprintf("%s requires %d approving review%s", name, rule.RequiredApprovals, plural(int(rule.RequiredApprovals)))}
	}
	switch {
	case rule.EnableForcePush == nil:
		s.force = Requirement{Met, name + " protects the branch, and this server refuses force-pushes to protected branches"}
	case *rule.EnableForcePush && rule.EnablePush && rule.EnableForcePushAllowlist != nil && *rule.EnableForcePushAllowlist:
		s.force = Requirement{NotMet, name + " allows force-pushes by an allowlist"}
	case *rule.EnableForcePush && rule.EnablePush:
		s.force = Requirement{NotMet, name + " allows force-pushes"}
	default:
		s.force = Requirement{Met, name + " blocks force-pushes"}
	}
	// Gitea and Forgejo refuse to delete any protected branch.
	s.deletion = Requirement{Met, name + " protects the branch from deletion"}
	switch {
	case rule.ApplyToAdmins != nil && *rule.ApplyToAdmins:
		s.admins = Requirement{Met, name + " applies to administrators"}
	case rule.BlockAdminMergeOverride != nil && *rule.BlockAdminMergeOverride:
		s.admins = Requirement{Met, name + " blocks administrators from overriding it"}
	case rule.ApplyToAdmins != nil || rule.BlockAdminMergeOverride != nil:
		s.admins = Requirement{NotMet, name + " lets administrators merge without the required approvals"}
	default:
		s.admins = Requirement{Unknown, "the server does not say whether " + name + " binds administrators (neither apply_to_admins nor block_admin_merge_override is reported)"}
	}
	switch {
	case rule.RequiredApprovals < 1:
		s.stale = absent
	case rule.DismissStaleApprovals:
		s.stale = Requirement{Met, name + " dismisses stale approvals"}
	case rule.IgnoreStaleApprovals:
		s.stale = Requirement{Met, name + " does not count stale approvals"}
	default:
		s.stale = Requirement{NotMet, name + " keeps approvals when new commits are pushed (dismiss_stale_approvals is off)"}
	}
	return merge([]source{s}), nil
}

// matchGiteaRule picks the rule that applies to branch as Gitea does: a rule named
// exactly after it, else the first whose glob matches (the API lists rules in priority
// order).
func matchGiteaRule(rules []giteaProtection, branch string) (giteaProtection, bool) {
	for _, r := range rules {
		if r.name() == branch {
			return r, true
		}
	}
	for _, r := range rules {
		if ok, _ := doublestar.Match(r.name(), branch); ok {
			return r, true
		}
	}
	return giteaProtection{}, false
}

// giteaPageSize is Gitea's default maximum page size (MAX_RESPONSE_ITEMS); tests
// lower it to replay a two-page recording.
var giteaPageSize = 50

func (g *gitea) MergedPulls(ctx context.Context, base string, limit int) ([]PullRequest, error) {
	var out []PullRequest
	first := g.prefix() + "/pulls?state=closed&sort=recentupdate&limit=" + strconv.Itoa(giteaPageSize)
	err := g.t.paginate(ctx, first, func(next string) (string, bool, error) {
		var items []struct {
			Number   int        `json:"number"`
			Title    string     `json:"title"`
			User     *giteaUser `json:"user"`
			HTMLURL  string     `json:"html_url"`
			Merged   bool       `json:"merged"`
			MergedAt *time.Time `json:"merged_at"`
			Base     *struct {
				Ref string `json:"ref"`
			} `json:"base"`
		}
		n, err := g.t.get(ctx, next, &items)
		for _, p := range items {
			if !p.Merged || p.MergedAt == nil || p.Base == nil || p.Base.Ref != base {
				continue
			}
			out = append(out, PullRequest{Number: p.Number, Title: p.Title, Author: p.User.login(), MergedAt: *p.MergedAt, HTMLURL: p.HTMLURL})
			if len(out) == limit {
				return "", true, err
			}
		}
		return n, false, err
	})
	return out, err
}

func (g *gitea) Reviews(ctx context.Context, number int) ([]Review, error) {
	var out []Review
	first := g.prefix() + "/pulls/" + strconv.Itoa(number) + "/reviews?limit=" + strconv.Itoa(giteaPageSize)
	err := g.t.paginate(ctx, first, func(next string) (string, bool, error) {
		var items []struct {
			User      *giteaUser `json:"user"`
			State     string     `json:"state"`
			Dismissed bool       `json:"dismissed"`
		}
		n, err := g.t.get(ctx, next, &items)
		for _, r := range items {
			state := map[string]string{"APPROVED": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED", "PENDING": "PENDING"}[strings.ToUpper(r.State)]
			if state == "" {
				continue // a review request, not a review
			}
			if r.Dismissed {
				state = "DISMISSED"
			}
			out = append(out, Review{Reviewer: r.User.login(), State: state})
		}
		return n, false, err
	})
	return out, err
}
