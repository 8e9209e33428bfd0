// Package alert raises alerts and delivers them to webhooks (generic JSON or
// Slack-compatible, HMAC-signed) and by e-mail (SMTP with STARTTLS). Raising an alert
// only writes delivery rows and enqueues one job per delivery in the caller's
// transaction; the jobs deliver, retry with backoff and record every attempt, so a dead
// receiver never blocks or fails the action that raised the alert (docs/alerts.md).
package alert

import (
	"fmt"
	"strings"
	"time"
)

// Event kinds. Other packages raise the governance ones (docs/alerts.md says when).
const (
	KindNewFinding         = "finding.new"          // a new critical or high finding in a stored scan
	KindNewVulnerability   = "vulnerability.new"    // a stored SBOM matches a newly published advisory
	KindDeviationExpiring  = "deviation.expiring"   // an approved deviation ends within 14 days
	KindAttestationOverdue = "attestation.overdue"  // an attestation is past its cadence
	KindChangeUnapproved   = "change.unapproved"    // an emergency change has no approval after 24 h
	KindPackExpiring       = "policy-pack.expiring" // the policy pack's review lapses within 30 days (or has)
	KindTest               = "test"                 // sent on demand to check a channel
)

// Kinds lists the event kinds a channel may subscribe to.
var Kinds = []string{KindNewFinding, KindNewVulnerability, KindDeviationExpiring, KindAttestationOverdue, KindChangeUnapproved, KindPackExpiring, KindTest}

// Event is one alert, as every channel receives it.
type Event struct {
	Kind string `json:"kind"`
	// Key identifies the occurrence: an event raised again with the same key (a re-run
	// job, a second replica) is delivered once per channel. For example
	// "finding:<system>:<scan>:<fingerprint>" or "deviation:<id>:expiring:<date>".
	Key      string `json:"key"`
	Severity string `json:"severity"` // info, low, medium, high or critical
	Subject  string `json:"subject"`
	// Text is the plain-text body, without secrets.
	Text     string            `json:"text"`
	Link     string            `json:"link,omitempty"`
	SystemID int64             `json:"system_id,omitempty"`
	Fields   map[string]string `json:"fields,omitempty"`
	At       time.Time         `json:"at"`
}

var severityRank = map[string]int{"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

func (e *Event) validate() error {
	switch {
	case e.Kind == "" || len(e.Kind) > 64:
		return fmt.Errorf("alert: bad event kind %q", e.Kind)
	case e.Key == "" || len(e.Key) > 512:
		return fmt.Errorf("alert: event key must be 1–512 bytes")
	case strings.TrimSpace(e.Subject) == "":
		return fmt.Errorf("alert: event without a subject")
	}
	if _, ok := severityRank[e.Severity]; !ok {
		return fmt.Errorf("alert: bad severity %q", e.Severity)
	}
	if len(e.Subject) > 300 {
		e.Subject = e.Subject[:300]
	}
	if len(e.Text) > 16<<10 {
		e.Text = e.Text[:16<<10] + "…"
	}
	return nil
}
