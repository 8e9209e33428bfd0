package server

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Event is one audit record. Actor, Action, Object and Outcome are what LG-1 asks for;
// the auditor adds the chain hash.
type Event struct {
	Time      time.Time `json:"time"`
	Actor     string    `json:"actor"`   // Principal.Actor(), or "anonymous"
	Action    string    `json:"action"`  // e.g. "login", "logout", "token.use", "enrol", "sessions.revoke"
	Object    string    `json:"object"`  // what was acted on, e.g. "user:3", "route:GET /metrics"
	Outcome   string    `json:"outcome"` // OutcomeSuccess, OutcomeFailure, OutcomeDenied, OutcomeError
	RequestID string    `json:"request_id"`
	// Client is the peer address, for the investigator; it grants nothing.
	Client string `json:"client"`
	// Detail is free text without secrets (the reason for a failure).
	Detail string `json:"detail,omitempty"`
}

// Outcomes of audited actions.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeDenied  = "denied"
	OutcomeError   = "error"
)

// Auditor records events durably. Append returns only once the event is stored; an
// error means it is not, and the server then refuses the action (fail closed).
type Auditor interface {
	Append(ctx context.Context, e Event) error
}

// ErrAuditUnavailable is returned (and answered with 503) when an event could not be
// recorded, so the action it describes was not carried out.
var ErrAuditUnavailable = errors.New("audit log unavailable: action refused")

// Audit records an event for request r, filling in time, actor, request ID and client.
// Handlers must call it BEFORE the action they record and abandon the action if it
// returns an error (answer with AuditFailed).
func (s *Server) Audit(r *http.Request, action, object, outcome, detail string) error {
	e := Event{
		Time: s.now(), Actor: PrincipalFrom(r.Context()).Actor(), Action: action, Object: object,
		Outcome: outcome, RequestID: RequestID(r.Context()), Client: r.RemoteAddr, Detail: detail,
	}
	return s.auditEvent(r.Context(), e)
}

func (s *Server) auditEvent(ctx context.Context, e Event) error {
	if err := s.cfg.Auditor.Append(ctx, e); err != nil {
		s.metrics.auditFailures.Add(1)
		s.log.Error("audit append failed; refusing the action", "action", e.Action, "object", e.Object, "request_id", e.RequestID, "err", err)
		return errors.Join(ErrAuditUnavailable, err)
	}
	return nil
}

// AuditFailed answers a request whose audit event could not be written.
func AuditFailed(w http.ResponseWriter) {
	http.Error(w, "the audit log is unavailable, so the action was not carried out; try again later", http.StatusServiceUnavailable)
}
