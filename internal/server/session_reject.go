package server

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// Rejected session cookies are audited (P6: stale or forged cookies are "rejected,
// audited"), but the client presenting one has proven nothing, so it must not be able
// to fill the audit log. Per minute and per replica, at most rejectPerClient events per
// client (its address; an IPv6 address counts as its /64, which one host usually holds)
// and rejectPerMinute in all are written. The rest are counted: in the metric
// posture_session_rejections_unaudited_total at once, and in one
// session.rejected.unaudited event written with the first rejection after the minute
// ends. This state is per process on purpose: it only bounds how much is written, N
// replicas write at most N times the bound, and a replica that restarts forgets
// nothing that matters.
const (
	rejectPerClient = 5
	rejectPerMinute = 100
)

type rejectLimiter struct {
	mu         sync.Mutex
	window     time.Time      // start of the current minute
	perClient  map[string]int // events written this minute; at most rejectPerMinute keys
	written    int
	suppressed int
}

// rejectSummary describes a minute in which events were not written.
type rejectSummary struct {
	window     time.Time
	suppressed int
}

// allow reports whether the rejection from client at now is to be audited, and the
// previous minute's summary when this is the first rejection since it ended.
func (l *rejectLimiter) allow(client string, now time.Time) (bool, *rejectSummary) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var sum *rejectSummary
	if w := now.Truncate(time.Minute); !w.Equal(l.window) {
		if l.suppressed > 0 {
			sum = &rejectSummary{window: l.window, suppressed: l.suppressed}
		}
		l.window, l.perClient, l.written, l.suppressed = w, map[string]int{}, 0, 0
	}
	if l.written >= rejectPerMinute || l.perClient[client] >= rejectPerClient {
		l.suppressed++
		return false, sum
	}
	l.perClient[client]++
	l.written++
	return true, sum
}

// rejectClient is the key a client's rejections are counted under.
func rejectClient(r *http.Request) string {
	a, err := netip.ParseAddr(clientAddr(r))
	if err != nil {
		return clientAddr(r)
	}
	if a = a.Unmap(); a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// rejectSession clears a session cookie that authenticates nothing and audits why,
// within the limits above. object names the session's user when the session exists;
// neither the cookie nor its hash is recorded. The audit event describes a refusal
// that has already happened, so a failure to write it is logged (auditEvent does) and
// changes nothing.
func (s *Server) rejectSession(w http.ResponseWriter, r *http.Request, object, reason string) {
	clearCookie(w, SessionCookie)
	s.metrics.sessionRejections.Add(1)
	ok, sum := s.rejects.allow(rejectClient(r), s.now())
	if sum != nil {
		e := Event{Time: s.now(), Actor: "anonymous", Action: "session.rejected.unaudited", Object: "session",
			Outcome: OutcomeDenied,
			Detail: fmt.Sprintf("%d rejected session cookies in the minute from %s not audited one by one (at most %d per client and %d in all per minute on this replica)",
				sum.suppressed, sum.window.UTC().Format(time.RFC3339), rejectPerClient, rejectPerMinute)}
		_ = s.auditEvent(r.Context(), e)
	}
	if !ok {
		s.metrics.sessionRejectionsUnaudited.Add(1)
		return
	}
	_ = s.Audit(r, "session.rejected", object, OutcomeDenied, reason)
}

func userObject(id int64) string { return "user:" + strconv.FormatInt(id, 10) }
