package httpcheck

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/posture-dev/posture/internal/finding"
)

// probe is one request for one rule's path.
type probeReq struct {
	rule *Rule
	path string
}

type probeOut struct {
	r   *response
	err error
}

// probePaths requests every rule's paths from origin and reports the answers that pass
// the rule's content confirmation and do not look like the site's not-found answer.
func (s *scan) probePaths(ctx context.Context, origin *url.URL, base *baseline) {
	var reqs []probeReq
	for _, r := range s.rules.Paths {
		for _, p := range r.Paths {
			reqs = append(reqs, probeReq{rule: r, path: p})
		}
	}
	outs := make([]probeOut, len(reqs))
	s.parallel(ctx, len(reqs), func(i int) {
		u := *origin
		u.Path = reqs[i].path
		r, err := s.f.get(ctx, reqs[i].rule.Method, u.String(), probeBody)
		if err == nil {
			s.record(r, kindPath, 0)
		}
		outs[i] = probeOut{r: r, err: err}
	})
	asked := map[string]int{}
	failed := map[string][]string{}
	logins := 0
	found := map[string]int{}
	for i, q := range reqs {
		ctl := q.rule.Control
		o := outs[i]
		switch {
		case o.r == nil && o.err == nil:
			o.err = errors.New("not requested (scan cancelled)")
			if ctx.Err() != nil {
				o.err = fmt.Errorf("not requested: %w", ctx.Err())
			}
			fallthrough
		case o.err != nil:
			failed[ctl] = append(failed[ctl], fmt.Sprintf("%s: %v", q.path, o.err))
			continue
		}
		asked[ctl]++
		if base.matches(o.r, q.path) {
			continue
		}
		ev, ok := q.rule.confirm(o.r)
		if !ok {
			if q.rule.LoginPageOK && o.r.status == 200 && IsLoginPage(o.r.body) {
				logins++
			}
			continue
		}
		found[ctl]++
		s.rep.add(issue{
			control: ctl, rule: q.rule.ID, severity: q.rule.Severity, url: o.r.url, key: q.path,
			message: q.rule.Message, evidence: finding.Plain(ev), fix: q.rule.Fix,
		})
	}
	for _, ctl := range pathControls {
		if errs := failed[ctl]; len(errs) > 0 {
			s.rep.undecided(ctl, fmt.Sprintf("%d of %d paths on %s not checked: %s", len(errs), len(errs)+asked[ctl], origin, strings.Join(firstN(errs, 3), "; ")))
		}
	}
	nf := "no not-found baseline: content checks only"
	if base.learned > 0 {
		nf = fmt.Sprintf("not-found baseline from %d random paths: status %s", base.learned, statusList(base.statuses))
	}
	if n := asked[ctlOWASP]; n > 0 && found[ctlOWASP] == 0 {
		s.rep.note(ctlOWASP, fmt.Sprintf("none of %d sensitive paths exposed on %s (%s)", n, origin, nf))
	}
	if n := asked[ctlAdmin]; n > 0 && found[ctlAdmin] == 0 {
		extra := ""
		if logins > 0 {
			extra = fmt.Sprintf(", %d answered with a login form", logins)
		}
		s.rep.note(ctlAdmin, fmt.Sprintf("none of %d administration paths on %s answered with content without credentials%s", n, origin, extra))
	}
}

func firstN(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(append([]string(nil), xs[:n]...), fmt.Sprintf("and %d more", len(xs)-n))
}

func statusList(m map[int]bool) string {
	var out []string
	for st := 100; st < 600; st++ {
		if m[st] {
			out = append(out, itoa(st))
		}
	}
	return strings.Join(out, ", ")
}
