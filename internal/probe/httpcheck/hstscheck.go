package httpcheck

import (
	"fmt"
	"net/url"

	"github.com/posture-dev/posture/internal/finding"
)

// checkHSTS judges the Strict-Transport-Security header of the last https answer from the
// target's host. Browsers honour the first header only, so only that one is read.
func (s *scan) checkHSTS(c *chain) {
	var r *response
	for _, x := range c.resps {
		u, err := url.Parse(x.url)
		if x.tls && err == nil && sameHost(u, s.start) {
			r = x
		}
	}
	if r == nil {
		if s.start.Scheme == "http" && c.stop != "" {
			s.rep.undecided(ctlTLS, "HSTS not checked: no https:// answer from "+s.start.Hostname()+" ("+c.stop+")")
		} else if s.start.Scheme == "http" {
			s.rep.undecided(ctlTLS, "HSTS not checked: "+s.start.Hostname()+" never moved to https://")
		}
		return
	}
	const fix = "Send Strict-Transport-Security: max-age=63072000; includeSubDomains on every https response (nginx: add_header Strict-Transport-Security \"max-age=63072000; includeSubDomains\" always;)."
	vals := r.header.Values("Strict-Transport-Security")
	if len(vals) == 0 {
		s.rep.add(issue{
			control: ctlTLS, rule: "hsts-missing", severity: "medium", url: r.url, key: "hsts",
			message:  "The https response has no Strict-Transport-Security header, so a browser's first plain-HTTP request can be intercepted and downgraded.",
			evidence: finding.Plain(fmt.Sprintf("HTTP %d without Strict-Transport-Security", r.status)),
			fix:      fix,
		})
		return
	}
	h, err := ParseHSTS(vals[0])
	if err != nil {
		s.rep.add(issue{
			control: ctlTLS, rule: "hsts-invalid", severity: "medium", url: r.url, key: "hsts",
			message:  fmt.Sprintf("The Strict-Transport-Security header is malformed (%v), so browsers ignore it.", err),
			evidence: finding.Plain("Strict-Transport-Security: " + vals[0]),
			fix:      fix,
		})
		return
	}
	sub := "without includeSubDomains"
	if h.IncludeSubDomains {
		sub = "with includeSubDomains"
	}
	if h.MaxAge < minHSTSAge {
		s.rep.add(issue{
			control: ctlTLS, rule: "hsts-short", severity: "medium", url: r.url, key: "hsts",
			message:  fmt.Sprintf("HSTS max-age is %d s (%s), under the 180 days required; browsers forget the https-only rule too soon.", h.MaxAge, days(h.MaxAge)),
			evidence: finding.Plain("Strict-Transport-Security: " + vals[0]),
			fix:      fix,
		})
		return
	}
	s.rep.note(ctlTLS, fmt.Sprintf("HSTS max-age %d (%s) %s", h.MaxAge, days(h.MaxAge), sub))
}
