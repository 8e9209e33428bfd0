// Package changecontrol checks that changes reach the deployed branch through review
// (CH-1) and that the forge enforces it (CH-2). The offline half reads git history and
// CODEOWNERS; the online half asks the forge (GitHub, Gitea, Forgejo) about branch
// protection and the reviews of merged pull requests, and only when given a token.
package changecontrol

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

// DefaultWindowDays is how far back change review looks unless configured.
const DefaultWindowDays = 90

// DefaultPullRequests is how many recently merged pull requests the online check reads.
const DefaultPullRequests = 30

// Options configure the change-control probes, from flags and .posture.yaml.
type Options struct {
	// WindowDays is how many days of the default branch's history are judged (0: 90).
	WindowDays int
	// MaxDirectShare is the share of direct pushes (0 to 1) tolerated before CH-1
	// fails; 0, the default, tolerates none.
	MaxDirectShare float64
	// IgnoreAuthors are globs ("*" and "?") on author name or e-mail of automation
	// whose commits are left out of the counts.
	IgnoreAuthors []string
	// Forge is "github" or "gitea" (Gitea and Forgejo share an API); empty means
	// guess from the origin remote's host.
	Forge string
	// APIURL is the forge's API root; empty means the public API for github.com and
	// https://HOST/api/v1 for Gitea.
	APIURL string
	// APIURLTrusted is set when APIURL came from the command line. One from
	// .posture.yaml, which the scanned repository controls, is only used on the origin
	// remote's own host, so that a repository cannot send the user's token elsewhere.
	APIURLTrusted bool
	// PullRequests is how many recently merged pull requests are checked for an
	// approval (0: 30).
	PullRequests int
	// Now is the scan's clock.
	Now func() time.Time
	// Getenv reads the environment (the forge token); nil means os.Getenv.
	Getenv func(string) string
	// HTTPClient talks to the forge; nil means a client with a 30-second timeout.
	HTTPClient *http.Client
}

// Validate reports settings that cannot be meant.
func (o Options) Validate() error {
	switch {
	case o.WindowDays < 0:
		return fmt.Errorf("change window must be a positive number of days, not %d", o.WindowDays)
	case o.MaxDirectShare < 0 || o.MaxDirectShare > 1:
		return fmt.Errorf("change_control.max_direct_share is a fraction between 0 and 1 (0.05 is 5%%), not %g", o.MaxDirectShare)
	case o.PullRequests < 0:
		return fmt.Errorf("change_control.pull_requests must not be negative")
	}
	switch o.Forge {
	case "", "github", "gitea", "forgejo":
	default:
		return fmt.Errorf("unknown forge %q (want github or gitea; Forgejo speaks the Gitea API)", o.Forge)
	}
	return nil
}

func (o Options) window() int {
	if o.WindowDays > 0 {
		return o.WindowDays
	}
	return DefaultWindowDays
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o Options) getenv(k string) string {
	if o.Getenv != nil {
		return o.Getenv(k)
	}
	return os.Getenv(k)
}

func (o Options) pullRequests() int {
	if o.PullRequests > 0 {
		return o.PullRequests
	}
	return DefaultPullRequests
}

func (o Options) ignored(name, email string) bool {
	for _, g := range o.IgnoreAuthors {
		if globMatch(g, name) || globMatch(g, email) {
			return true
		}
	}
	return false
}
