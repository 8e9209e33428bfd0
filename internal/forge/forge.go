// Package forge reads what a code forge enforces on a repository: branch protection
// (classic rules and rulesets) and the reviews of merged pull requests. It speaks the
// GitHub REST API and the Gitea API (which Forgejo shares) over net/http, read-only.
// The token is sent only in the Authorization header and never appears in an error.
package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Kind names an API dialect.
type Kind string

const (
	GitHub Kind = "github"
	Gitea  Kind = "gitea" // Gitea and Forgejo
)

// Client is the little of a forge's API that change control needs.
type Client interface {
	Kind() Kind
	// Repo reads the repository: its default branch and web address.
	Repo(ctx context.Context) (*Repository, error)
	// Protection reads what protects branch, from every source the forge has.
	Protection(ctx context.Context, branch string) (*Protection, error)
	// MergedPulls lists up to limit pull requests merged into base, most recently
	// updated first.
	MergedPulls(ctx context.Context, base string, limit int) ([]PullRequest, error)
	// Reviews lists the reviews of a pull request.
	Reviews(ctx context.Context, number int) ([]Review, error)
}

// Repository is what the forge says about the repository.
type Repository struct {
	FullName      string
	DefaultBranch string
	HTMLURL       string
}

// State is whether a protection requirement holds.
type State int

const (
	// Unknown: the requirement could not be read (a token without permission).
	Unknown State = iota
	Met
	NotMet
)

func (s State) String() string { return [...]string{"unknown", "met", "not met"}[s] }

// Requirement is one protection the branch should have, and where it comes from or
// why it is missing.
type Requirement struct {
	State  State
	Detail string
}

// Protection is the combined protection of a branch.
type Protection struct {
	// Review: merging requires at least one approving review.
	Review Requirement
	// ForcePush: force-pushes are refused.
	ForcePush Requirement
	// Deletion: the branch cannot be deleted.
	Deletion Requirement
	// Admins: administrators are bound by the review requirement too.
	Admins Requirement
	// StaleApprovals: approvals are dismissed (or not counted) when new commits arrive.
	StaleApprovals Requirement
	// Sources names what protects the branch ("branch protection", "ruleset main (#42)").
	Sources []string
}

// Requirements lists the requirements in report order with a stable name each.
func (p *Protection) Requirements() []NamedRequirement {
	return []NamedRequirement{
		{"review", "require an approving review", p.Review},
		{"force-push", "block force-pushes", p.ForcePush},
		{"deletion", "block deletion", p.Deletion},
		{"admins", "bind administrators", p.Admins},
		{"stale-approvals", "dismiss stale approvals", p.StaleApprovals},
	}
}

// NamedRequirement pairs a requirement with its name.
type NamedRequirement struct {
	// Key is stable ("force-push"); Title completes "the branch does not …".
	Key, Title string
	Requirement
}

// PullRequest is a merged pull request.
type PullRequest struct {
	Number   int
	Title    string
	Author   string
	MergedAt time.Time
	HTMLURL  string
}

// Review is one review of a pull request.
type Review struct {
	Reviewer string
	// State is normalised to APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or
	// PENDING.
	State string
}

// Approved reports whether someone other than author approved, in reviews.
func Approved(author string, reviews []Review) (by string, ok bool) {
	for _, r := range reviews {
		if r.State == "APPROVED" && r.Reviewer != "" && !strings.EqualFold(r.Reviewer, author) {
			return r.Reviewer, true
		}
	}
	return "", false
}

// APIError is a response that was not a success.
type APIError struct {
	Method, Path string
	Status       int
	Message      string
	// RateLimited is set when the forge refused for rate limiting; Reset is when the
	// limit lifts (zero if not said).
	RateLimited bool
	Reset       time.Time
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	switch {
	case e.RateLimited && !e.Reset.IsZero():
		s += fmt.Sprintf(": rate limit exceeded until %s", e.Reset.UTC().Format(time.RFC3339))
	case e.RateLimited:
		s += ": rate limit exceeded"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Reason says in a sentence what the error means for the check.
func Reason(err error) string {
	var ae *APIError
	if !errors.As(err, &ae) {
		return err.Error()
	}
	switch {
	case ae.RateLimited:
		return "the forge's API rate limit is exhausted (" + ae.Error() + "); try again later or with a token that has a higher limit"
	case ae.Status == http.StatusUnauthorized:
		return "the forge rejected the token (" + ae.Error() + "); check that it is valid and not expired"
	case ae.Status == http.StatusForbidden:
		return "the token lacks permission (" + ae.Error() + ")"
	case ae.Status == http.StatusNotFound:
		return "not found, or not visible with this token (" + ae.Error() + ")"
	}
	return ae.Error()
}

// Config says how to reach a forge.
type Config struct {
	Kind Kind
	// APIURL is the API root: https://api.github.com, https://ghe.example/api/v3,
	// https://gitea.example/api/v1.
	APIURL string
	Token  string
	HTTP   *http.Client
}

// New returns a client for owner/repo.
func New(cfg Config, owner, repo string) (Client, error) {
	base, err := url.Parse(strings.TrimRight(cfg.APIURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("forge API URL %q: want an http(s) URL", cfg.APIURL)
	}
	if base.User != nil {
		return nil, fmt.Errorf("forge API URL must not carry credentials; give the token in the environment")
	}
	hc := cfg.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	t := &transport{base: base, token: cfg.Token, hc: hc, kind: cfg.Kind}
	switch cfg.Kind {
	case GitHub:
		return &github{t: t, owner: owner, repo: repo}, nil
	case Gitea:
		return &gitea{t: t, owner: owner, repo: repo}, nil
	}
	return nil, fmt.Errorf("unknown forge %q", cfg.Kind)
}

// combine merges what several sources say about one requirement: met if any source
// meets it, otherwise unknown if any source could not be read, otherwise not met. A
// source that does not speak to the requirement (not met, no detail) adds no words;
// none is said when no source speaks to it at all.
func combine(parts []Requirement, none string) Requirement {
	var unknown, notMet []string
	for _, p := range parts {
		switch {
		case p.State == Met:
			return p
		case p.State == Unknown:
			unknown = append(unknown, p.Detail)
		case p.Detail != "":
			notMet = append(notMet, p.Detail)
		}
	}
	if len(unknown) > 0 {
		return Requirement{Unknown, strings.Join(append(notMet, unknown...), "; ")}
	}
	if len(notMet) == 0 {
		return Requirement{NotMet, none}
	}
	return Requirement{NotMet, strings.Join(notMet, "; ")}
}
