package forge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// github speaks the GitHub REST API (github.com and GitHub Enterprise Server).
type github struct {
	t           *transport
	owner, repo string
}

func (g *github) Kind() Kind { return GitHub }

func (g *github) prefix() string { return "/repos/" + seg(g.owner) + "/" + seg(g.repo) }

type ghUser struct {
	Login string `json:"login"`
}

func (u *ghUser) login() string {
	if u == nil {
		return "" // a deleted account ("ghost") comes back as null
	}
	return u.Login
}

func (g *github) Repo(ctx context.Context) (*Repository, error) {
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

// source is what one protection mechanism (classic protection or one ruleset) says.
type source struct {
	name                                   string
	exists                                 bool
	review, force, deletion, admins, stale Requirement
}

// absent is a requirement a source does not speak to; it adds nothing to a report.
var absent = Requirement{State: NotMet}

func (g *github) Protection(ctx context.Context, branch string) (*Protection, error) {
	classic, err := g.classic(ctx, branch)
	if err != nil {
		return nil, err
	}
	rulesets, err := g.rulesets(ctx, branch)
	if err != nil {
		return nil, err
	}
	return merge(append([]source{classic}, rulesets...)), nil
}

// merge combines every source into the branch's protection: each requirement is met
// if any source meets it. Administrators count as bound when a source that requires
// review binds them (or, with no review requirement anywhere, any source that exists).
func merge(srcs []source) *Protection {
	p := &Protection{}
	var review, force, deletion, stale, admins []Requirement
	var reviewing, existing []source
	for _, s := range srcs {
		review, force, deletion, stale = append(review, s.review), append(force, s.force), append(deletion, s.deletion), append(stale, s.stale)
		if s.exists {
			p.Sources = append(p.Sources, s.name)
			existing = append(existing, s)
		}
		if s.review.State == Met {
			reviewing = append(reviewing, s)
		}
	}
	if len(reviewing) == 0 {
		reviewing = existing
	}
	if len(reviewing) == 0 {
		reviewing = srcs // only unreadable sources can make it unknown rather than not met
	}
	for _, s := range reviewing {
		admins = append(admins, s.admins)
	}
	const nothing = "nothing protects the branch"
	p.Review, p.ForcePush, p.Deletion = combine(review, nothing), combine(force, nothing), combine(deletion, nothing)
	p.StaleApprovals = combine(stale, "no review is required, so there are no approvals to dismiss")
	p.Admins = combine(admins, nothing)
	return p
}

func allUnknown(name, why string) source {
	r := Requirement{Unknown, why}
	return source{name: name, review: r, force: r, deletion: r, admins: r, stale: r}
}

func (g *github) classic(ctx context.Context, branch string) (source, error) {
	const name = "branch protection"
	var bp struct {
		RequiredPullRequestReviews *struct {
			DismissStaleReviews          bool `json:"dismiss_stale_reviews"`
			RequiredApprovingReviewCount int  `json:"required_approving_review_count"`
		} `json:"required_pull_request_reviews"`
		EnforceAdmins    *ghEnabled `json:"enforce_admins"`
		AllowForcePushes *ghEnabled `json:"allow_force_pushes"`
		AllowDeletions   *ghEnabled `json:"allow_deletions"`
	}
	_, err := g.t.get(ctx, g.prefix()+"/branches/"+branchPath(branch)+"/protection", &bp)
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		// GitHub answers 404 "Branch not protected" for a branch without a rule.
		none := Requirement{NotMet, "no branch protection rule"}
		return source{name: name, review: none, force: none, deletion: none, admins: absent, stale: absent}, nil
	case errors.As(err, &ae) && ae.Status == http.StatusForbidden && !ae.RateLimited:
		return allUnknown(name, "classic branch protection could not be read: "+Reason(err)+"; the token needs the Administration: read permission"), nil
	case err != nil:
		return source{}, err
	}
	s := source{name: name, exists: true}
	switch rpr := bp.RequiredPullRequestReviews; {
	case rpr == nil:
		s.review = Requirement{NotMet, "branch protection does not require pull request reviews"}
		s.stale = absent
	case rpr.RequiredApprovingReviewCount < 1:
		s.review = Requirement{NotMet, "branch protection requires pull requests but 0 approving reviews"}
		s.stale = absent
	default:
		s.review = Requirement{Met, fmt.Sprintf("branch protection requires %d approving review%s", rpr.RequiredApprovingReviewCount, plural(rpr.RequiredApprovingReviewCount))}
		if rpr.DismissStaleReviews {
			s.stale = Requirement{Met, "branch protection dismisses stale approvals"}
		} else {
			s.stale = Requirement{NotMet, "branch protection keeps approvals when new commits are pushed (dismiss_stale_reviews is off)"}
		}
	}
	if bp.AllowForcePushes != nil && bp.AllowForcePushes.Enabled {
		s.force = Requirement{NotMet, "branch protection allows force-pushes"}
	} else {
		s.force = Requirement{Met, "branch protection blocks force-pushes"}
	}
	if bp.AllowDeletions != nil && bp.AllowDeletions.Enabled {
		s.deletion = Requirement{NotMet, "branch protection allows deletion"}
	} else {
		s.deletion = Requirement{Met, "branch protection blocks deletion"}
	}
	if bp.EnforceAdmins != nil && bp.EnforceAdmins.Enabled {
		s.admins = Requirement{Met, "branch protection applies to administrators"}
	} else {
		s.admins = Requirement{NotMet, "branch protection exempts administrators (enforce_admins is off)"}
	}
	return s, nil
}

type ghEnabled struct {
	Enabled bool `json:"enabled"`
}

type ghRule struct {
	Type       string          `json:"type"`
	Parameters json.RawMessage `json:"parameters"`
	SourceType string          `json:"ruleset_source_type"`
	Source     string          `json:"ruleset_source"`
	RulesetID  int64           `json:"ruleset_id"`
}

type ghBypassActor struct {
	ActorID    *int64 `json:"actor_id"`
	ActorType  string `json:"actor_type"`
	BypassMode string `json:"bypass_mode"`
}

// repoAdminRole is the id of the built-in repository role "admin" in ruleset bypass
// lists (read 1, triage 2, write 4, maintain 2 in older docs; admin is 5 throughout).
const repoAdminRole = 5

func (g *github) rulesets(ctx context.Context, branch string) ([]source, error) {
	var rules []ghRule
	err := g.t.paginate(ctx, g.prefix()+"/rules/branches/"+branchPath(branch)+"?per_page=100", func(next string) (string, bool, error) {
		var page []ghRule
		n, err := g.t.get(ctx, next, &page)
		rules = append(rules, page...)
		return n, false, err
	})
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		return nil, nil // a GitHub Enterprise Server without rulesets
	case errors.As(err, &ae) && ae.Status == http.StatusForbidden && !ae.RateLimited:
		return []source{allUnknown("rulesets", "rulesets could not be read: "+Reason(err))}, nil
	case err != nil:
		return nil, err
	}
	var order []int64
	byID := map[int64][]ghRule{}
	for _, r := range rules {
		if _, seen := byID[r.RulesetID]; !seen {
			order = append(order, r.RulesetID)
		}
		byID[r.RulesetID] = append(byID[r.RulesetID], r)
	}
	var out []source
	for _, id := range order {
		s, err := g.ruleset(ctx, id, byID[id])
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// ruleset judges the rules one ruleset applies to the branch. Its bypass list comes
// from the ruleset itself, which only a token allowed to edit it can read in full.
func (g *github) ruleset(ctx context.Context, id int64, rules []ghRule) (source, error) {
	var rs struct {
		Name         string           `json:"name"`
		BypassActors *[]ghBypassActor `json:"bypass_actors"`
	}
	_, err := g.t.get(ctx, g.prefix()+"/rulesets/"+strconv.FormatInt(id, 10)+"?includes_parents=true", &rs)
	var ae *APIError
	detailsErr := ""
	switch {
	case errors.As(err, &ae) && (ae.Status == http.StatusNotFound || ae.Status == http.StatusForbidden) && !ae.RateLimited:
		detailsErr = Reason(err)
	case err != nil:
		return source{}, err
	}
	name := fmt.Sprintf("ruleset %q", rs.Name)
	if rs.Name == "" {
		name = fmt.Sprintf("ruleset #%d", id)
		if len(rules) > 0 && rules[0].Source != "" {
			name += " of " + rules[0].Source
		}
	}
	s := source{name: name, exists: true, review: absent, force: absent, deletion: absent, admins: absent, stale: absent}
	for _, r := range rules {
		switch r.Type {
		case "pull_request":
			var p struct {
				Count        int  `json:"required_approving_review_count"`
				DismissStale bool `json:"dismiss_stale_reviews_on_push"`
			}
			if len(r.Parameters) > 0 {
				if err := json.Unmarshal(r.Parameters, &p); err != nil {
					return source{}, fmt.Errorf("%s: pull_request rule: %w", name, err)
				}
			}
			if p.Count < 1 {
				s.review = Requirement{NotMet, name + " requires pull requests but 0 approving reviews"}
				continue
			}
			s.review = Requirement{Met, fmt.Sprintf("%s requires %d approving review%s", name, p.Count, plural(p.Count))}
			if p.DismissStale {
				s.stale = Requirement{Met, name + " dismisses stale approvals"}
			} else {
				s.stale = Requirement{NotMet, name + " keeps approvals when new commits are pushed (dismiss_stale_reviews_on_push is off)"}
			}
		case "non_fast_forward":
			s.force = Requirement{Met, name + " blocks force-pushes"}
		case "deletion":
			s.deletion = Requirement{Met, name + " blocks deletion"}
		}
	}
	switch {
	case detailsErr != "":
		s.admins = Requirement{Unknown, "who may bypass " + name + " could not be read: " + detailsErr}
	case rs.BypassActors == nil:
		s.admins = Requirement{Unknown, "who may bypass " + name + " is not shown to this token (it needs permission to edit rulesets)"}
	default:
		s.admins = Requirement{Met, name + " has no administrator bypass"}
		for _, a := range *rs.BypassActors {
			admin := a.ActorType == "OrganizationAdmin" || a.ActorType == "EnterpriseOwner" ||
				(a.ActorType == "RepositoryRole" && a.ActorID != nil && *a.ActorID == repoAdminRole)
			if admin {
				s.admins = Requirement{NotMet, fmt.Sprintf("%s lets administrators bypass it (%s, bypass mode %s)", name, a.ActorType, a.BypassMode)}
				break
			}
		}
	}
	return s, nil
}

type ghPull struct {
	Number   int        `json:"number"`
	Title    string     `json:"title"`
	User     *ghUser    `json:"user"`
	HTMLURL  string     `json:"html_url"`
	MergedAt *time.Time `json:"merged_at"`
	Base     struct {
		Ref string `json:"ref"`
	} `json:"base"`
}

func (g *github) MergedPulls(ctx context.Context, base string, limit int) ([]PullRequest, error) {
	var out []PullRequest
	q := "?state=closed&base=" + url.QueryEscape(base) + "&sort=updated&direction=desc&per_page=100"
	err := g.t.paginate(ctx, g.prefix()+"/pulls"+q, func(next string) (string, bool, error) {
		var page []ghPull
		n, err := g.t.get(ctx, next, &page)
		for _, p := range page {
			if p.MergedAt == nil || p.Base.Ref != base {
				continue // closed without merging
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

func (g *github) Reviews(ctx context.Context, number int) ([]Review, error) {
	var out []Review
	err := g.t.paginate(ctx, g.prefix()+"/pulls/"+strconv.Itoa(number)+"/reviews?per_page=100", func(next string) (string, bool, error) {
		var page []struct {
			User  *ghUser `json:"user"`
			State string  `json:"state"`
		}
		n, err := g.t.get(ctx, next, &page)
		for _, r := range page {
			state := r.State
			if state == "COMMENTED" || state == "CHANGES_REQUESTED" || state == "APPROVED" || state == "DISMISSED" || state == "PENDING" {
				out = append(out, Review{Reviewer: r.User.login(), State: state})
			}
		}
		return n, false, err
	})
	return out, err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
