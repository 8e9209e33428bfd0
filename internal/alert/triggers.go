package alert

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/store"
)

// NewFindings raises one KindNewFinding alert for a system's latest scan when it has
// critical or high findings the scan before it did not have. Call it after a scan is
// recorded (the scheduled scan job does; the upload handler should too). The key is the
// scan, so calling it twice for one scan alerts once.
func (n *Notifier) NewFindings(ctx context.Context, systemID int64, link string) (int, error) {
	st := n.q.Store()
	diff, err := st.FindingDiff(ctx, systemID)
	if err != nil {
		return 0, fmt.Errorf("alert: new findings of system %d: %w", systemID, err)
	}
	if diff.Latest == nil {
		return 0, nil
	}
	var hits []store.Finding
	top := "high"
	for _, f := range diff.New {
		if f.Status != store.FindingOpen || severityRank[f.Severity] < severityRank["high"] {
			continue
		}
		hits = append(hits, f)
		if f.Severity == "critical" {
			top = "critical"
		}
	}
	if len(hits) == 0 {
		return 0, nil
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Severity != hits[j].Severity {
			return severityRank[hits[i].Severity] > severityRank[hits[j].Severity]
		}
		return hits[i].Fingerprint < hits[j].Fingerprint
	})
	sys, err := st.GetSystem(ctx, systemID)
	if err != nil {
		return 0, err
	}
	var b strings.Builder
	for i, f := range hits {
		if i == 20 {
			fmt.Fprintf(&b, "… and %d more\n", len(hits)-20)
			break
		}
		fmt.Fprintf(&b, "- [%s] %s %s: %s (%s)\n", f.Severity, f.Control, f.Rule, f.Message, f.Location)
	}
	return n.Notify(ctx, Event{
		Kind: KindNewFinding, Key: fmt.Sprintf("scan:%d:new-findings", diff.Latest.ID), Severity: top,
		Subject: fmt.Sprintf("%d new critical/high finding(s) in %s", len(hits), sys.Name),
		Text:    b.String(), Link: link, SystemID: systemID,
		Fields: map[string]string{"system": sys.Name, "scan_id": fmt.Sprint(diff.Latest.ID), "new": fmt.Sprint(len(hits))},
	})
}

// PackExpiryWarning is how long before its review lapses a policy pack alerts.
const PackExpiryWarning = 30 * 24 * time.Hour

// PackExpiry raises KindPackExpiring when the pack's review lapses within
// PackExpiryWarning or has lapsed (PR-1): once per pack version and expiry date while
// expiring, and once more when expired.
func (n *Notifier) PackExpiry(ctx context.Context, p *policy.Pack, now time.Time) (int, error) {
	m := p.Metadata
	if m.Expires.IsZero() {
		return 0, nil
	}
	exp := m.Expires.String()
	switch {
	case p.Expired(now):
		return n.Notify(ctx, Event{Kind: KindPackExpiring, Key: "policy-pack:" + m.Name + ":" + m.Version + ":" + exp + ":expired", Severity: "high",
			Subject: fmt.Sprintf("policy pack %s %s expired on %s: review it (PR-1)", m.Name, m.Version, exp),
			Text:    "The policy's annual review has lapsed. Review the policy, load the new pack version and record the review.",
			Fields:  map[string]string{"pack": m.Name, "version": m.Version, "expires": exp}})
	case !m.Expires.EndsBefore(now.Add(PackExpiryWarning)):
		return 0, nil
	}
	return n.Notify(ctx, Event{Kind: KindPackExpiring, Key: "policy-pack:" + m.Name + ":" + m.Version + ":" + exp + ":expiring", Severity: "medium",
		Subject: fmt.Sprintf("policy pack %s %s expires on %s", m.Name, m.Version, exp),
		Text:    "The policy's annual review lapses soon. Schedule the review (PR-1).",
		Fields:  map[string]string{"pack": m.Name, "version": m.Version, "expires": exp}})
}
