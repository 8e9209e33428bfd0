package httpcheck

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// maxRedirects is how many redirects are followed from one starting URL.
const maxRedirects = 5

// chain is the answers to one URL and the redirects followed from it.
type chain struct {
	resps []*response
	// stop says why following ended at a redirect ("" when the last answer is final).
	stop string
	// next is the redirect target that was not followed, if any.
	next *url.URL
}

// page is the final answer, or nil when following stopped at a redirect.
func (c *chain) page() *response {
	if c.stop != "" || len(c.resps) == 0 {
		return nil
	}
	return c.resps[len(c.resps)-1]
}

// follow requests start and follows its redirects: on the same host always, to another
// host only when netx allows it, at most maxRedirects, stopping at a loop. With
// upgradeStops, following stops at the first redirect to https (the plain-HTTP check
// needs only to see the upgrade). The error is that of the first request; a later
// failure ends the chain with the reason in stop.
func (s *scan) follow(ctx context.Context, f *fetcher, start *url.URL, kind respKind, upgradeStops bool) (*chain, error) {
	c := &chain{}
	cur := start
	visited := map[string]bool{cur.String(): true}
	trail := []string{cur.String()}
	for {
		r, err := f.get(ctx, "", cur.String(), 0)
		if err != nil {
			if len(c.resps) == 0 {
				return nil, err
			}
			c.stop = fmt.Sprintf("the redirect to %s failed: %v", cur, err)
			return c, nil
		}
		s.record(r, kind, len(c.resps))
		c.resps = append(c.resps, r)
		if !isRedirect(r.status) {
			return c, nil
		}
		loc := r.header.Get("Location")
		if loc == "" {
			// A 3xx without a Location is a final answer to a browser.
			return c, nil
		}
		next, err := cur.Parse(strings.TrimSpace(loc))
		if err != nil || (next.Scheme != "http" && next.Scheme != "https") || next.Host == "" {
			c.stop = fmt.Sprintf("%s redirects to %q, not an http(s) URL", cur, truncate(loc, 100))
			return c, nil
		}
		next.Fragment, next.RawFragment, next.User = "", "", nil
		c.next = next
		switch {
		case upgradeStops && next.Scheme == "https":
			c.stop = "upgraded"
			return c, nil
		case !sameHost(next, start) && !s.p.n.Options().FollowOtherHosts:
			c.stop = fmt.Sprintf("%s redirects to another host (%s), not followed without --follow-other-hosts", cur, next.Host)
			return c, nil
		case visited[next.String()]:
			c.stop = "redirect loop: " + strings.Join(append(trail, next.String()), " → ")
			return c, nil
		case len(c.resps) > maxRedirects:
			c.stop = fmt.Sprintf("more than %d redirects from %s", maxRedirects, start)
			return c, nil
		}
		c.next = nil
		visited[next.String()] = true
		trail = append(trail, next.String())
		cur = next
	}
}

// sameHost compares host names only: http://example.com to https://example.com:8443 is
// the same host, www.example.com is not.
func sameHost(a, b *url.URL) bool { return strings.EqualFold(a.Hostname(), b.Hostname()) }
