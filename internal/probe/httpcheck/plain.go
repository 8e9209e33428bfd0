package httpcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"syscall"

	"github.com/posture-dev/posture/internal/finding"
)

// checkPlainPort asks the plain-HTTP port of an https:// target's host for the same path
// and judges whether it moves the visitor to https.
func (s *scan) checkPlainPort(ctx context.Context) {
	addr := s.p.opt.PlainHTTPAddr
	if addr == "" {
		addr = net.JoinHostPort(s.start.Hostname(), "80")
	}
	u := &url.URL{Scheme: "http", Host: addr, Path: s.start.Path, RawPath: s.start.RawPath, RawQuery: s.start.RawQuery}
	// A port that drops packets must not hold the scan for every retry's timeout, and
	// must not count against the https side's patience: its own fetcher and one window.
	pctx, cancel := context.WithTimeout(ctx, s.p.n.Options().Timeout)
	defer cancel()
	var conns atomic.Int32
	pctx = httptrace.WithClientTrace(pctx, &httptrace.ClientTrace{
		ConnectDone: func(_, _ string, err error) {
			if err == nil {
				conns.Add(1)
			}
		},
	})
	f := newFetcher(s.p.n)
	defer f.close()
	c, err := s.follow(pctx, f, u, kindPlain, true)
	if err != nil {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			s.rep.note(ctlTLS, fmt.Sprintf("nothing listens on %s (connection refused)", u.Host))
		case ctx.Err() == nil && conns.Load() == 0 && timedOut(err):
			// A port that drops connection attempts serves nothing over plain HTTP.
			s.rep.note(ctlTLS, fmt.Sprintf("%s did not accept a connection within %v", u.Host, s.p.n.Options().Timeout))
		default:
			s.rep.undecided(ctlTLS, fmt.Sprintf("plain HTTP at %s not checked: %v", u, err))
		}
		return
	}
	s.judgePlain(u, c)
}

// judgePlain decides CR-1's plain-HTTP part from the answers to a plain-HTTP URL: the
// last plain answer must be a redirect whose next hop is https.
func (s *scan) judgePlain(start *url.URL, c *chain) {
	last := -1
	for i, r := range c.resps {
		if r.tls {
			break
		}
		last = i
	}
	if last < 0 {
		s.rep.undecided(ctlTLS, fmt.Sprintf("plain HTTP at %s not checked: no plain-HTTP answer", start))
		return
	}
	r := c.resps[last]
	if !isRedirect(r.status) || r.header.Get("Location") == "" {
		if r.status >= 200 && r.status < 300 {
			s.rep.add(issue{
				control: ctlTLS, rule: "plain-http-content", severity: "high", url: r.url, key: "plain-http",
				message:  fmt.Sprintf("%s answers %d with content over plain HTTP instead of redirecting to https://", r.url, r.status),
				evidence: finding.Plain(statusLine(r)),
				fix:      "Answer every plain-HTTP request with a 301 redirect to the same URL on https:// (nginx: return 301 https://$host$request_uri;).",
			})
			return
		}
		s.rep.note(ctlTLS, fmt.Sprintf("%s answers %d without content (no redirect to https)", r.url, r.status))
		return
	}
	var next *url.URL
	if last+1 < len(c.resps) {
		next, _ = url.Parse(c.resps[last+1].url)
	} else {
		next = c.next
	}
	switch {
	case next == nil:
		s.rep.undecided(ctlTLS, fmt.Sprintf("plain HTTP at %s not checked: %s", start, c.stop))
	case next.Scheme == "https":
		s.rep.note(ctlTLS, fmt.Sprintf("%s redirects to %s", r.url, redactedURL(next)))
	case c.stop != "" && !sameHost(next, start):
		s.rep.add(issue{
			control: ctlTLS, rule: "plain-http-content", severity: "high", url: r.url, key: "plain-http",
			message:  fmt.Sprintf("%s redirects to %s, which is plain HTTP too, instead of to https://", r.url, redactedURL(next)),
			evidence: finding.Plain(fmt.Sprintf("HTTP %d, Location: %s", r.status, redactedURL(next))),
			fix:      "Redirect plain-HTTP requests straight to https:// (nginx: return 301 https://$host$request_uri;).",
		})
	default:
		s.rep.undecided(ctlTLS, fmt.Sprintf("plain HTTP at %s not checked: %s", start, c.stop))
	}
}

// statusLine is the safe summary of a response: status, type and size, no content.
func statusLine(r *response) string {
	ct := r.contentType()
	if ct == "" {
		ct = "no content type"
	}
	size := itoa(len(r.body)) + " bytes"
	if r.truncated {
		size = "over " + size
	}
	return fmt.Sprintf("HTTP %d, %s, %s", r.status, ct, size)
}
