package governance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// ApprovalWindow is how soon after an emergency change a colleague must approve it.
const ApprovalWindow = 24 * time.Hour

// ChangeLookback is how far back emergency changes count for CH-3: an unapproved or
// late change fails the control for a year, then stays only in the register.
const ChangeLookback = 365 * 24 * time.Hour

// ChangeRecord is an emergency change as recorded.
type ChangeRecord struct {
	System     string
	Summary    string // what was changed outside the normal process
	Reason     string
	ChangedAt  time.Time
	ChangedBy  string // who made it; default the recorder
	IncidentID int64
}

// RecordChange writes an emergency change down.
func (s *Service) RecordChange(ctx context.Context, a Actor, c ChangeRecord) (int64, error) {
	const action = "change.record"
	object := "system:" + c.System
	if err := mustPerson(a); err != nil {
		return 0, s.deny(ctx, a, action, object, err)
	}
	sys, err := s.St.SystemByName(ctx, c.System)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return 0, s.deny(ctx, a, action, object, fmt.Errorf("system %q: %w", c.System, store.ErrNotFound))
		}
		return 0, err
	}
	now := s.now()
	c.Summary, c.Reason, c.ChangedBy = strings.TrimSpace(c.Summary), strings.TrimSpace(c.Reason), strings.TrimSpace(c.ChangedBy)
	if c.ChangedBy == "" {
		c.ChangedBy = Who(a.Name)
	}
	var bad error
	switch {
	case c.ChangedAt.IsZero():
		bad = invalid("when was the change made?")
	case c.ChangedAt.After(now.Add(5 * time.Minute)):
		bad = invalid("the change time is in the future")
	}
	for _, e := range []error{bad, checkLen("what changed", c.Summary, 8000, true), checkLen("reason", c.Reason, 8000, true)} {
		if e != nil {
			return 0, s.deny(ctx, a, action, object, e)
		}
	}
	var newID int64
	err = s.do(ctx, a, action, object, map[string]string{"changed_at": c.ChangedAt.UTC().Format(time.RFC3339), "incident": fmt.Sprint(c.IncidentID)}, func(tx *store.Tx) error {
		if c.IncidentID != 0 {
			if _, err := store.GovIncidentByID(ctx, tx, c.IncidentID); err != nil {
				return fmt.Errorf("incident %d: %w", c.IncidentID, err)
			}
		}
		var err error
		newID, err = tx.InsertGovChange(ctx, store.GovChange{SystemID: sys.ID, Summary: c.Summary, Reason: c.Reason, ChangedAt: c.ChangedAt.UTC(),
			ChangedBy: c.ChangedBy, RecordedBy: a.Name, RecorderID: a.UserID, RecordedAt: now, IncidentID: c.IncidentID})
		if err == nil && c.IncidentID != 0 {
			err = tx.AddIncidentLink(ctx, c.IncidentID, store.IncidentLink{Kind: "change", Ref: fmt.Sprint(newID)})
		}
		return err
	})
	return newID, err
}

// ApproveChange records a colleague's approval. The author — whoever recorded the
// change, or is named as having made it — cannot approve it. An approval after the
// window is recorded but the change stays late.
func (s *Service) ApproveChange(ctx context.Context, a Actor, changeID int64) error {
	const action = "change.approve"
	object := id("change", changeID)
	if err := mustPerson(a); err != nil {
		return s.deny(ctx, a, action, object, err)
	}
	now := s.now()
	return s.do(ctx, a, action, object, nil, func(tx *store.Tx) error {
		c, err := store.GovChangeByID(ctx, tx, changeID)
		if err != nil {
			return fmt.Errorf("change %d: %w", changeID, err)
		}
		if c.RecorderID == a.UserID || strings.EqualFold(strings.TrimSpace(c.ChangedBy), Who(a.Name)) {
			return fmt.Errorf("%w: the author of change %d cannot approve it; a colleague must", ErrForbidden, changeID)
		}
		return tx.ApproveGovChange(ctx, changeID, a.Name, a.UserID, now)
	})
}

// ChangeView is an emergency change with its state: pending (unapproved, within the
// window), approved, late (approved after the window) or unapproved (window passed).
type ChangeView struct {
	store.GovChange
	Status string
}

// Author and Approver are the people, for pages.
func (c ChangeView) Author() string { return Who(c.RecordedBy) }

// Approver is who approved it.
func (c ChangeView) Approver() string { return Who(c.ApprovedBy) }

// Deadline is when the approval is due.
func (c ChangeView) Deadline() time.Time { return c.ChangedAt.Add(ApprovalWindow) }

func changeStatus(c store.GovChange, now time.Time) string {
	deadline := c.ChangedAt.Add(ApprovalWindow)
	switch {
	case !c.ApprovedAt.IsZero() && c.ApprovedAt.After(deadline):
		return "late"
	case !c.ApprovedAt.IsZero():
		return "approved"
	case now.After(deadline):
		return "unapproved"
	}
	return "pending"
}

// Changes lists emergency changes of a system ("" for all), newest first.
func (s *Service) Changes(ctx context.Context, system string) ([]ChangeView, error) {
	sysID, err := s.systemID(ctx, system)
	if err != nil {
		return nil, err
	}
	list, err := store.GovChanges(ctx, s.St, sysID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]ChangeView, len(list))
	for i, c := range list {
		out[i] = ChangeView{GovChange: c, Status: changeStatus(c, now)}
	}
	return out, nil
}

// systemID is the id of the named system, or 0 (every system) for "".
func (s *Service) systemID(ctx context.Context, name string) (int64, error) {
	if name == "" {
		return 0, nil
	}
	sys, err := s.St.SystemByName(ctx, name)
	if err != nil {
		return 0, err
	}
	return sys.ID, nil
}
