package governance

import (
	"context"
	"fmt"
	"time"

	"github.com/posture-dev/posture/internal/alert"
	"github.com/posture-dev/posture/internal/store"
)

// SweepKind is the job kind under which a scheduler runs Sweep (daily is enough: the
// alert keys carry the date, so a re-run delivers nothing twice).
const SweepKind = "governance.sweep"

// Sweep raises the governance alerts (internal/alert kinds): deviations expiring within
// ReminderDays, overdue attestations, emergency changes still unapproved after the
// window. Each event's key names the record and the date it concerns, so running the
// sweep again — on another replica, or the next hour — raises nothing new. It returns
// how many events were raised.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	if s.Alerts == nil {
		return 0, nil
	}
	now := s.now()
	var events []alert.Event
	devs, err := store.GovDeviations(ctx, s.St, store.GovDeviationFilter{State: store.DeviationApproved})
	if err != nil {
		return 0, err
	}
	for _, d := range devs {
		exp, err := time.Parse(time.DateOnly, d.ExpiresOn)
		if err != nil || deviationStatus(d, now) != "active" || exp.Sub(now) > ReminderDays*24*time.Hour {
			continue
		}
		events = append(events, alert.Event{Kind: alert.KindDeviationExpiring, Key: fmt.Sprintf("deviation:%d:expiring:%s", d.ID, d.ExpiresOn), Severity: "medium",
			Subject: fmt.Sprintf("Deviation %d (%s on %s) expires on %s", d.ID, d.Control, d.System, d.ExpiresOn),
			Text:    fmt.Sprintf("The deviation from %s on system %s, approved by %s, ends on %s. Fix the findings it covers or request a new deviation.", d.Control, d.System, Who(d.DecidedBy), d.ExpiresOn),
			Link:    s.BaseURL + fmt.Sprintf("/deviations/%d", d.ID), SystemID: d.SystemID, At: now})
	}
	atts, err := store.GovAttestations(ctx, s.St, 0)
	if err != nil {
		return 0, err
	}
	latest := map[string]bool{}
	for _, a := range atts {
		k := fmt.Sprintf("%d/%s", a.SystemID, a.Control)
		if latest[k] {
			continue // only the latest attestation of a control on a system counts
		}
		latest[k] = true
		if v := attestationView(a, now); v.Overdue {
			events = append(events, alert.Event{Kind: alert.KindAttestationOverdue, Key: fmt.Sprintf("attestation:%d:overdue:%s", a.ID, v.Due), Severity: "medium",
				Subject: fmt.Sprintf("%s of %s is overdue (due %s)", a.Kind, a.System, v.Due),
				Text:    fmt.Sprintf("The last %s of system %s was performed on %s; %s fails until a new one is recorded.", a.Kind, a.System, a.PerformedOn, a.Control),
				Link:    s.BaseURL + "/attestations", SystemID: a.SystemID, At: now})
		}
	}
	changes, err := store.GovChanges(ctx, s.St, 0)
	if err != nil {
		return 0, err
	}
	for _, c := range changes {
		if changeStatus(c, now) == "unapproved" {
			events = append(events, alert.Event{Kind: alert.KindChangeUnapproved, Key: fmt.Sprintf("change:%d:unapproved", c.ID), Severity: "high",
				Subject: fmt.Sprintf("Emergency change %d on %s has no approval after 24 hours", c.ID, c.System),
				Text:    fmt.Sprintf("Change on %s at %s by %s: %s. CH-3 fails for %s until it is approved.", c.System, c.ChangedAt.Format(time.RFC3339), c.ChangedBy, c.Summary, c.System),
				Link:    s.BaseURL + "/changes", SystemID: c.SystemID, At: now})
		}
	}
	if len(events) == 0 {
		return 0, nil
	}
	n := 0
	err = s.St.InTx(ctx, func(tx *store.Tx) error {
		for _, e := range events {
			if _, err := s.Alerts.NotifyTx(ctx, tx, e); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
