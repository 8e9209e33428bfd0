package httpcheck

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/posture-dev/posture/internal/finding"
)

// badQueries are malformed inputs that make careless applications fail loudly: quotes
// for SQL, and PHP array syntax where a string is expected.
var badQueries = []string{
	"id=%27%22%3E%3C&posture=%00",
	"id%5B%5D=1&id%5Bx%5D%5B%5D=%27",
}

// provokeErrors sends deliberately malformed requests to the page's own path, where the
// application (not a static file) answers.
func (s *scan) provokeErrors(ctx context.Context, c *chain) {
	u := *s.start
	for _, r := range c.resps {
		if x, err := url.Parse(r.url); err == nil && sameHost(x, s.start) {
			u = *x
		}
	}
	s.parallel(ctx, len(badQueries), func(i int) {
		v := u
		v.RawQuery = badQueries[i]
		r, err := s.f.get(ctx, "", v.String(), probeBody)
		if err != nil {
			s.rep.undecided(ctlDebug, fmt.Sprintf("malformed request %s not answered: %v", v.String(), err))
			return
		}
		s.record(r, kindBad, i)
	})
}

// maxTraceScan bounds how much of each body the signatures read: error output sits at
// the top of an error page.
const maxTraceScan = 128 << 10

// checkTraces looks for stack traces and debug pages in the answers (SC-2).
func (s *scan) checkTraces(all []recorded) {
	scanned, bad := 0, 0
	for _, rec := range all {
		r := rec.r
		provoked := rec.kind == kindBad
		if provoked {
			bad++
		}
		body := r.body
		if len(body) > maxTraceScan {
			body = body[:maxTraceScan]
		}
		scanned++
		for _, sig := range s.rules.Signatures {
			if !sig.AnyStatus && !provoked && r.status < 400 {
				continue
			}
			where, ok := sig.match(body)
			if !ok {
				continue
			}
			ev := fmt.Sprintf("HTTP %d; %s", r.status, sig.Name)
			if where != "" {
				ev += " at " + where
			}
			s.rep.add(issue{
				control: ctlDebug, rule: "verbose-error", severity: "high", url: r.url, key: sig.ID, once: true,
				message:  fmt.Sprintf("The endpoint shows a %s to visitors: debugging output is on where the public reaches it, and it discloses code paths and data.", sig.Name),
				evidence: finding.Plain(finding.RedactURLsIn(ev)),
				fix:      "Turn error display off in production (PHP display_errors Off, DEBUG=False, no development error pages) and log errors instead.",
			})
		}
	}
	s.rep.note(ctlDebug, fmt.Sprintf("no stack traces in %d responses (%d to malformed requests)", scanned, bad))
}

// match reports whether every expression matches, with the "where" group if any has one.
func (sig *Signature) match(body []byte) (string, bool) {
	where := ""
	for _, re := range sig.all {
		m := re.FindSubmatch(body)
		if m == nil {
			return "", false
		}
		if i := re.SubexpIndex("where"); i > 0 && where == "" && m[i] != nil {
			where = strings.TrimSpace(string(m[i]))
		}
	}
	return truncate(where, maxQuoteLn), true
}
