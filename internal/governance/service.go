// Package governance keeps the records half of the policy cannot be read off a
// repository or a port (P7): deviations approved by a second person (ST-2), emergency
// changes approved by a colleague (CH-3, CH-4), incidents (VM-5), attestations with
// encrypted evidence (CR-5, CD-3, SC-3, SC-4, SC-6, SC-7, VM-4 and any record control),
// and policy pack reviews (PR-1). It decides who may do what and what is overdue; the
// store only keeps rows. Every change commits together with its audit event
// (audit.Log.Do), and every refusal is audited too.
package governance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/alert"
	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/store"
)

// Auditor is what the service needs of the audit log: *audit.Log.
type Auditor interface {
	// Do runs fn and appends the event in one transaction.
	Do(ctx context.Context, e audit.Event, fn func(tx *store.Tx) error) error
	// Append records an event on its own (refusals, which change nothing).
	Append(ctx context.Context, e audit.Event) error
}

// Alerter raises alert events inside the caller's transaction: *alert.Notifier.
type Alerter interface {
	NotifyTx(ctx context.Context, tx *store.Tx, e alert.Event) (int, error)
}

// Service is the governance domain over one store.
type Service struct {
	St    *store.Store
	Audit Auditor
	// Keys wraps the data key of each evidence file (the file provider by default).
	Keys keys.Wrapper
	// EvidenceDir holds the encrypted evidence files (DATA/evidence).
	EvidenceDir string
	// Alerts, if set, receives the reminder and overdue events of Sweep.
	Alerts Alerter
	// Pack is the policy pack in force on the server; nil means the embedded default.
	Pack func() *policy.Pack
	Now  func() time.Time
	// BaseURL, if set, makes links in alerts absolute (https://posture.example.com).
	BaseURL string
}

// Actor is who acts: a person (UserID set) or a machine.
type Actor struct {
	UserID int64
	// Name is the audit actor string, "user:7:alice@example.com" or "token:3:ci".
	Name string
	// RequestID and Source (client address) go into the audit event.
	RequestID, Source string
}

// Who is the human part of an actor string: the e-mail address of "user:7:alice@x".
func Who(actor string) string {
	if strings.HasPrefix(actor, "user:") || strings.HasPrefix(actor, "token:") {
		if parts := strings.SplitN(actor, ":", 3); len(parts) == 3 {
			return parts[2]
		}
	}
	return actor
}

// Errors the server maps to statuses. Invalid input is store.ErrInvalid (400), a
// missing record store.ErrNotFound (404), a decided one store.ErrConflict (409).
var (
	// ErrForbidden: the actor may not do this to this record (the requester approving
	// their own deviation, the author approving their own change). 403.
	ErrForbidden = errors.New("forbidden")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", store.ErrInvalid, fmt.Sprintf(format, args...))
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) pack() *policy.Pack {
	if s.Pack != nil {
		if p := s.Pack(); p != nil {
			return p
		}
	}
	p, err := policy.Default()
	if err != nil {
		panic(err) // the embedded pack is validated by its own tests
	}
	return p
}

func (s *Service) event(a Actor, action, object string, outcome audit.Outcome, details map[string]string) audit.Event {
	name := a.Name
	if name == "" {
		name = "anonymous"
	}
	return audit.Event{Actor: name, Action: action, Object: object, Outcome: outcome, RequestID: a.RequestID, Source: a.Source, Details: details}
}

// do commits fn with a success event; when fn fails for a reason of the request
// (invalid, forbidden, not found, conflict), that failure is audited on its own.
func (s *Service) do(ctx context.Context, a Actor, action, object string, details map[string]string, fn func(tx *store.Tx) error) error {
	err := s.Audit.Do(ctx, s.event(a, action, object, audit.Success, details), fn)
	if err == nil {
		return nil
	}
	s.refused(ctx, a, action, object, err)
	return err
}

// refused audits a refusal (denied for ErrForbidden, failure for bad input). An error
// of the database is not the requester's doing and is left to the caller's log; if
// the refusal itself cannot be audited, nothing happened anyway.
func (s *Service) refused(ctx context.Context, a Actor, action, object string, err error) {
	outcome := audit.Failure
	switch {
	case errors.Is(err, ErrForbidden):
		outcome = audit.Denied
	case errors.Is(err, store.ErrInvalid), errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConflict):
	default:
		return
	}
	msg := err.Error()
	if len(msg) > 900 {
		msg = msg[:900]
	}
	_ = s.Audit.Append(ctx, s.event(a, action, object, outcome, map[string]string{"reason": msg}))
}

// deny audits and returns a refusal decided before any transaction.
func (s *Service) deny(ctx context.Context, a Actor, action, object string, err error) error {
	s.refused(ctx, a, action, object, err)
	return err
}

func mustPerson(a Actor) error {
	if a.UserID == 0 {
		return fmt.Errorf("%w: only a signed-in person may do this, not an API token", ErrForbidden)
	}
	return nil
}

// checkLen rejects empty or oversized free text early, with the field's name.
func checkLen(field, v string, max int, required bool) error {
	switch {
	case required && strings.TrimSpace(v) == "":
		return invalid("%s is required", field)
	case len(v) > max:
		return invalid("%s is longer than %d bytes", field, max)
	}
	return nil
}

// day is a calendar date, YYYY-MM-DD, in UTC.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func parseDay(field, v string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, invalid("%s %q is not a date (YYYY-MM-DD)", field, v)
	}
	return t, nil
}

func id(prefix string, n int64) string { return fmt.Sprintf("%s:%d", prefix, n) }
