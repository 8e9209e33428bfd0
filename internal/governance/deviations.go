package governance

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/deviation"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/store"
)

// Deviation scopes.
const (
	ScopeSystem      = "system"      // every finding of the control on the system
	ScopeRepository  = "repository"  // every finding of the control on one repository of it
	ScopeFingerprint = "fingerprint" // one finding
)

// MaxDeviationDays bounds a requested expiry: twelve months from the request.
const MaxDeviationDays = 366

// ReminderDays is how long before its expiry a deviation's reminder alert goes out.
const ReminderDays = 14

// DeviationRequest is what an engineer asks for.
type DeviationRequest struct {
	System       string
	Control      string
	Scope        string
	Repository   string // for ScopeRepository
	Fingerprint  string // for ScopeFingerprint
	Reason       string
	Compensating string
	Expires      string // YYYY-MM-DD
}

var fingerprintRE = regexp.MustCompile(`^[0-9a-f]{16,64}$`)

// RequestDeviation records a request. It does not silence anything until someone
// other than the requester approves it.
func (s *Service) RequestDeviation(ctx context.Context, a Actor, r DeviationRequest) (int64, error) {
	return s.requestDeviation(ctx, a, r, "server")
}

func (s *Service) requestDeviation(ctx context.Context, a Actor, r DeviationRequest, origin string) (int64, error) {
	const action = "deviation.request"
	object := "system:" + r.System
	if err := mustPerson(a); err != nil {
		return 0, s.deny(ctx, a, action, object, err)
	}
	sys, err := s.St.SystemByName(ctx, r.System)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return 0, s.deny(ctx, a, action, object, fmt.Errorf("system %q: %w", r.System, store.ErrNotFound))
		}
		return 0, err
	}
	now := s.now()
	if err := s.checkRequest(&r, now); err != nil {
		return 0, s.deny(ctx, a, action, object, err)
	}
	var newID int64
	err = s.do(ctx, a, action, object, map[string]string{"control": r.Control, "scope": r.Scope, "expires": r.Expires, "origin": origin}, func(tx *store.Tx) error {
		var err error
		newID, err = tx.InsertGovDeviation(ctx, store.GovDeviation{SystemID: sys.ID, Control: r.Control, Scope: r.Scope, Repository: r.Repository,
			Fingerprint: r.Fingerprint, Reason: r.Reason, Compensating: r.Compensating, RequestedBy: a.Name, RequesterID: a.UserID,
			RequestedAt: now, ExpiresOn: r.Expires, Origin: origin})
		return err
	})
	return newID, err
}

func (s *Service) checkRequest(r *DeviationRequest, now time.Time) error {
	r.Control = strings.ToUpper(strings.TrimSpace(r.Control))
	r.Reason, r.Compensating = strings.TrimSpace(r.Reason), strings.TrimSpace(r.Compensating)
	r.Fingerprint = strings.ToLower(strings.TrimSpace(r.Fingerprint))
	r.Repository = strings.TrimSpace(r.Repository)
	pack := s.pack()
	switch {
	case r.Control == "ST-2":
		return invalid("ST-2 reports on deviations themselves and cannot be deviated from")
	case pack.Control(r.Control) == nil:
		return invalid("control %q is not in the policy pack", r.Control)
	}
	switch r.Scope {
	case ScopeSystem:
		r.Repository, r.Fingerprint = "", ""
	case ScopeRepository:
		r.Fingerprint = ""
		if r.Repository == "" {
			return invalid("a repository-scoped deviation names the repository")
		}
	case ScopeFingerprint:
		r.Repository = ""
		if !fingerprintRE.MatchString(r.Fingerprint) {
			return invalid("fingerprint: 16 to 64 hex digits, as reports print it")
		}
	default:
		return invalid("scope %q: system, repository or fingerprint", r.Scope)
	}
	if err := checkLen("reason", r.Reason, 8000, true); err != nil {
		return err
	}
	if err := checkLen("compensating measures", r.Compensating, 8000, true); err != nil {
		return err
	}
	exp, err := parseDay("expiry", r.Expires)
	if err != nil {
		return err
	}
	r.Expires = day(exp)
	today, _ := time.Parse(time.DateOnly, day(now))
	switch {
	case exp.Before(today):
		return invalid("the expiry %s has passed", r.Expires)
	case exp.After(today.AddDate(1, 0, 0)):
		return invalid("the expiry %s is more than twelve months away; every deviation ends within a year", r.Expires)
	}
	return nil
}

// DecideDeviation approves or rejects a request. The requester can never decide their
// own request — whatever their role — and an API token decides nothing.
func (s *Service) DecideDeviation(ctx context.Context, a Actor, devID int64, approve bool, note string) error {
	action := "deviation.reject"
	state := store.DeviationRejected
	if approve {
		action, state = "deviation.approve", store.DeviationApproved
	}
	object := id("deviation", devID)
	if err := mustPerson(a); err != nil {
		return s.deny(ctx, a, action, object, err)
	}
	if err := checkLen("note", note, 8000, !approve); err != nil {
		return s.deny(ctx, a, action, object, fmt.Errorf("%w (say why it is rejected)", err))
	}
	now := s.now()
	return s.do(ctx, a, action, object, nil, func(tx *store.Tx) error {
		d, err := store.GovDeviationByID(ctx, tx, devID)
		if err != nil {
			return fmt.Errorf("deviation %d: %w", devID, err)
		}
		if d.RequesterID == a.UserID {
			return fmt.Errorf("%w: %s requested deviation %d and cannot decide it; another approver must", ErrForbidden, Who(a.Name), devID)
		}
		if approve {
			exp, _ := time.Parse(time.DateOnly, d.ExpiresOn)
			if today, _ := time.Parse(time.DateOnly, day(now)); exp.Before(today) {
				return invalid("the requested expiry %s has passed; ask for a new deviation", d.ExpiresOn)
			}
		}
		return tx.DecideGovDeviation(ctx, devID, state, a.Name, a.UserID, now, strings.TrimSpace(note))
	})
}

// DeviationView is a deviation with its state at a moment: requested, rejected,
// active or expired.
type DeviationView struct {
	store.GovDeviation
	Status string
}

// Requester and Approver are the people, for pages.
func (d DeviationView) Requester() string { return Who(d.RequestedBy) }

// Decider is who approved or rejected it.
func (d DeviationView) Decider() string { return Who(d.DecidedBy) }

func deviationStatus(d store.GovDeviation, now time.Time) string {
	if d.State != store.DeviationApproved {
		return d.State
	}
	if d.ExpiresOn < day(now) {
		return "expired"
	}
	return "active"
}

// Deviations lists the register (one system, or all for ""), newest first.
func (s *Service) Deviations(ctx context.Context, system string) ([]DeviationView, error) {
	f := store.GovDeviationFilter{}
	if system != "" {
		sys, err := s.St.SystemByName(ctx, system)
		if err != nil {
			return nil, err
		}
		f.SystemID = sys.ID
	}
	list, err := store.GovDeviations(ctx, s.St, f)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]DeviationView, len(list))
	for i, d := range list {
		out[i] = DeviationView{GovDeviation: d, Status: deviationStatus(d, now)}
	}
	return out, nil
}

// Deviation reads one deviation.
func (s *Service) Deviation(ctx context.Context, devID int64) (DeviationView, error) {
	d, err := store.GovDeviationByID(ctx, s.St, devID)
	if err != nil {
		return DeviationView{}, err
	}
	return DeviationView{GovDeviation: d, Status: deviationStatus(d, s.now())}, nil
}

// ActiveDeviations returns the approved, unexpired deviations of a system in the form
// the engine applies (the repository file's), for `posture scan --server`. The engine
// judges them again at scan time, so a clock difference cannot stretch an expiry.
func (s *Service) ActiveDeviations(ctx context.Context, system, baseURL string) ([]deviation.Deviation, error) {
	list, err := s.Deviations(ctx, system)
	if err != nil {
		return nil, err
	}
	var out []deviation.Deviation
	for _, d := range list {
		if d.Status != "active" {
			continue
		}
		out = append(out, ToEngine(d.GovDeviation, baseURL))
	}
	return out, nil
}

// ToEngine converts a server deviation to the engine's form.
func ToEngine(d store.GovDeviation, baseURL string) deviation.Deviation {
	m := deviation.Match{}
	switch d.Scope {
	case ScopeFingerprint:
		m.Fingerprint = d.Fingerprint
	case ScopeRepository:
		m.All, m.Target = true, d.Repository
	default:
		m.All = true
	}
	on, _ := policy.ParseDate(day(d.DecidedAt))
	exp, _ := policy.ParseDate(d.ExpiresOn)
	return deviation.Deviation{
		ID: "SRV-" + strconv.FormatInt(d.ID, 10), Control: d.Control, Match: m, Reason: d.Reason,
		RequestedBy: Who(d.RequestedBy), ApprovedBy: Who(d.DecidedBy), ApprovedOn: on, Expires: exp,
		Source: strings.TrimSuffix(baseURL, "/") + "/deviations/" + strconv.FormatInt(d.ID, 10),
	}
}

// ImportDeviations turns a repository's deviations file into requests for a system:
// one request per entry, by the importing person, never an approval (whatever the file
// says about approvers). Entries that cannot become a request are reported, not fatal.
func (s *Service) ImportDeviations(ctx context.Context, a Actor, system string, file []byte) (ids []int64, problems []string, err error) {
	devs, err := deviation.Parse(deviation.File, file)
	if err != nil {
		return nil, nil, s.deny(ctx, a, "deviation.import", "system:"+system, invalid("%v", err))
	}
	now := s.now()
	for _, d := range devs {
		r := DeviationRequest{System: system, Control: d.Control, Reason: d.Reason,
			Compensating: "Imported from " + deviation.File + " (entry " + d.ID + ", requested by " + d.RequestedBy + "); compensating measures not stated in the file.",
			Expires:      d.Expires.String()}
		switch {
		case d.Match.Fingerprint != "":
			r.Scope, r.Fingerprint = ScopeFingerprint, d.Match.Fingerprint
		default:
			// A path glob has no server scope; the whole system is the honest widening,
			// and the approver sees that it was a path in the compensating text.
			r.Scope = ScopeSystem
			if d.Match.Path != "" {
				r.Compensating += " The file matched path " + d.Match.Path + "."
			}
		}
		if d.Expires.IsZero() || d.Expires.Time.After(now.AddDate(1, 0, 0)) {
			r.Expires = day(now.AddDate(0, 3, 0))
		}
		n, err := s.requestDeviation(ctx, a, r, "import")
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s (line %d): %v", orDash(d.ID), d.Line, err))
			continue
		}
		ids = append(ids, n)
	}
	return ids, problems, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
