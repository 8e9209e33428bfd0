package httpcheck

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"sync"

	"github.com/posture-dev/posture/internal/target"
)

// respKind says why a request was sent; checks over every response use it for order and
// to know which answers were provoked on purpose.
type respKind int

const (
	kindMain respKind = iota
	kindPlain
	kindBaseline
	kindPath
	kindBad
)

// scan is the work on one target.
type scan struct {
	p     *httpProbe
	rules *Rules
	t     *target.Target
	f     *fetcher
	rep   *reporter
	start *url.URL

	mu    sync.Mutex
	resps []recorded
}

type recorded struct {
	r     *response
	kind  respKind
	order int
}

func newScan(p *httpProbe, rules *Rules, t *target.Target) *scan {
	return &scan{p: p, rules: rules, t: t, f: newFetcher(p.n), rep: newReporter()}
}

func (s *scan) record(r *response, kind respKind, order int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resps = append(s.resps, recorded{r: r, kind: kind, order: order})
}

// all returns every response in a stable order, so that a problem every response shows is
// reported at the same URL on every run.
func (s *scan) all() []recorded {
	s.mu.Lock()
	out := append([]recorded(nil), s.resps...)
	s.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		if a.order != b.order {
			return a.order < b.order
		}
		return a.r.url < b.r.url
	})
	return out
}

func (s *scan) run(ctx context.Context) {
	start := *s.t.URL
	if start.User != nil {
		// Credentials in the target URL would be sent as basic authentication, and the
		// checks are about what answers without them.
		s.rep.warn(fmt.Sprintf("%s: credentials in the URL are not sent; the HTTP checks look at what answers without them", redactedURL(s.t.URL)))
		start.User = nil
	}
	start.Fragment, start.RawFragment = "", ""
	if start.Path == "" {
		start.Path = "/"
	}
	s.start = &start

	var wg sync.WaitGroup
	if start.Scheme == "https" {
		wg.Go(func() { s.checkPlainPort(ctx) })
	}
	main, err := s.follow(ctx, s.f, s.start, kindMain, false)
	if err != nil {
		reason := fmt.Sprintf("%s: %v", s.start, err)
		for _, c := range controls {
			s.rep.undecided(c, reason)
		}
		wg.Wait()
		return
	}
	if cerr := s.f.certificateError(); cerr != nil {
		s.rep.warn(fmt.Sprintf("%s: the certificate did not verify (%v); the HTTP checks ran without verifying it (the TLS checks judge the certificate)", s.start.Host, cerr))
	}
	if start.Scheme == "http" {
		s.judgePlain(s.start, main)
	}
	s.checkHSTS(main)
	s.checkClock(main)
	page := main.page()
	if page != nil {
		s.checkPage(page)
		s.checkCompression(ctx, page)
	} else {
		s.rep.undecided(ctlOWASP, "security headers of the page not checked: "+main.stop)
	}
	origin := s.origin(main)
	base := s.learnNotFound(ctx, origin)
	s.probePaths(ctx, origin, base)
	s.provokeErrors(ctx, main)
	wg.Wait()
	s.checkEveryResponse()
}

// origin is where paths are probed: the scheme and host of the last answer from the
// target's own host (so an http:// target that moves to https:// is probed over https).
func (s *scan) origin(c *chain) *url.URL {
	o := &url.URL{Scheme: s.start.Scheme, Host: s.start.Host}
	for _, r := range c.resps {
		u, err := url.Parse(r.url)
		if err == nil && sameHost(u, s.start) {
			o = &url.URL{Scheme: u.Scheme, Host: u.Host}
		}
	}
	return o
}

// parallel runs fn for each of n items with the probe's concurrency.
func (s *scan) parallel(ctx context.Context, n int, fn func(i int)) {
	sem := make(chan struct{}, s.p.opt.Concurrency)
	var wg sync.WaitGroup
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(i)
		})
	}
	wg.Wait()
}

func redactedURL(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}
