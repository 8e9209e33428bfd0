package httpcheck

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/posture-dev/posture/internal/finding"
)

// maxSkew is the clock difference SC-1 tolerates. Date has one-second resolution, so
// anything under a couple of seconds is noise.
const maxSkew = 5 * time.Second

// checkClock compares the first Date header of the target's answers with the scanner's
// clock at the moment the answer arrived.
func (s *scan) checkClock(c *chain) {
	for _, r := range c.resps {
		v := r.header.Get("Date")
		if v == "" {
			continue
		}
		d, err := http.ParseTime(v)
		if err != nil {
			s.rep.undecided(ctlClock, fmt.Sprintf("%s: the Date header %q is not an HTTP date", r.url, truncate(v, 60)))
			return
		}
		skew := d.Sub(r.received)
		ev := fmt.Sprintf("Date: %s; scanner clock %s; skew %s", v, r.received.UTC().Format(time.RFC3339), fmtSkew(skew))
		if skew > maxSkew || skew < -maxSkew {
			s.rep.add(issue{
				control: ctlClock, rule: "clock-skew", severity: "medium", url: r.url, key: "date",
				message:  fmt.Sprintf("The server's clock is %s the scanner's by %s (over 5 s): logs, tokens and certificates that depend on time go wrong.", aheadBehind(skew), fmtSkew(abs(skew))),
				evidence: finding.Plain(ev),
				fix:      "Synchronise the server's clock with NTP (chrony or systemd-timesyncd) and check that the service is running.",
			})
			return
		}
		s.rep.note(ctlClock, fmt.Sprintf("Date header %s from the scanner clock (%s)", fmtSkew(abs(skew)), r.url))
		return
	}
	s.rep.undecided(ctlClock, s.start.String()+": the server sends no Date header")
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func aheadBehind(d time.Duration) string {
	if d > 0 {
		return "ahead of"
	}
	return "behind"
}

func fmtSkew(d time.Duration) string {
	sec := d.Seconds()
	if math.Abs(sec) >= 100 {
		return d.Round(time.Second).String()
	}
	return fmt.Sprintf("%.1f s", sec)
}
