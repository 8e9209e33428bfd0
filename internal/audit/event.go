// Package audit is posture serve's tamper-evident audit log: every login, token use,
// privileged action and configuration change becomes an Event, appended durably before
// the action happens (fail closed), hash-chained, and covered by signed checkpoints so
// that `posture audit verify` can tell which event was modified, reordered, inserted or
// deleted.
//
// The package does not decide who may read the log: the server allows only the auditor
// and admin roles to call Export, Read and Verify (docs/audit.md).
package audit

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Outcome is how a privileged request ended.
type Outcome string

// Outcomes.
const (
	Success Outcome = "success"
	Failure Outcome = "failure"
	// Denied is a request refused by authentication or authorisation.
	Denied Outcome = "denied"
	// Error is an action that was allowed but could not be completed.
	Error Outcome = "error"
)

// Event is one audit record. Callers fill Actor, Action, Object, Outcome, RequestID,
// Source and Details; the log sets Seq, Time, PrevHash and Hash.
type Event struct {
	Seq int64 `json:"seq"`
	// Time comes from the log's clock (UTC, microseconds), never from the caller.
	Time time.Time `json:"time"`
	// Actor is who acted: "user:<id>", "token:<id>", "system", or for a failed login the
	// name that was tried ("login:<name>").
	Actor string `json:"actor"`
	// Action is what was attempted, dotted: "session.login", "token.create",
	// "system.update", "audit.purge".
	Action string `json:"action"`
	// Object is what it was done to: "system:42", "user:7".
	Object    string  `json:"object"`
	Outcome   Outcome `json:"outcome"`
	RequestID string  `json:"request_id"`
	// Source is where the request came from (client address, or "cli"); never the body.
	Source string `json:"source"`
	// Details is a small map of extra facts; values under secret-looking keys are
	// replaced by "[REDACTED]" before anything is stored.
	Details  map[string]string `json:"details,omitempty"`
	PrevHash []byte            `json:"prev_hash"`
	Hash     []byte            `json:"hash"`
}

// Limits keep one event small: a hostile client controls some fields (a login name, a
// request ID), and the audit log must not become the way to fill the disk.
const (
	maxField      = 512
	maxDetails    = 32
	maxDetailKey  = 64
	maxDetailVal  = 1024
	truncatedMark = "…[truncated]"
	redacted      = "[REDACTED]"
)

// ErrInvalidEvent is returned for an event missing its actor, action or outcome.
var ErrInvalidEvent = errors.New("audit: invalid event")

// prepare checks the fields a caller must set and makes the event safe to store:
// valid UTF-8 without NUL (PostgreSQL text refuses both), bounded lengths, secrets
// redacted. Fields an attacker controls are cleaned rather than refused, so that a
// malformed login name is still audited.
func prepare(e Event) (Event, error) {
	if e.Actor == "" || e.Action == "" {
		return e, fmt.Errorf("%w: actor and action are required", ErrInvalidEvent)
	}
	switch e.Outcome {
	case Success, Failure, Denied, Error:
	default:
		return e, fmt.Errorf("%w: outcome %q (want success, failure, denied or error)", ErrInvalidEvent, e.Outcome)
	}
	e.Seq, e.Time, e.PrevHash, e.Hash = 0, time.Time{}, nil, nil
	e.Actor = clean(e.Actor, maxField)
	e.Action = clean(e.Action, maxField)
	e.Object = clean(e.Object, maxField)
	e.RequestID = clean(e.RequestID, maxField)
	e.Source = clean(e.Source, maxField)
	if len(e.Details) > 0 {
		d := make(map[string]string, min(len(e.Details), maxDetails))
		for k, v := range e.Details {
			k = clean(k, maxDetailKey)
			if k == "" {
				continue
			}
			if len(d) == maxDetails {
				d["details_dropped"] = "true"
				break
			}
			if isSecretKey(k) {
				v = redacted
			}
			d[k] = clean(v, maxDetailVal)
		}
		e.Details = d
	} else {
		e.Details = nil
	}
	return e, nil
}

func clean(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	if len(s) > n {
		cut := n - len(truncatedMark)
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + truncatedMark
	}
	return s
}

// isSecretKey reports whether a detail's key names something that must never be
// stored: a password, a token (but not a token's id or name), a cookie, a key.
func isSecretKey(k string) bool {
	k = strings.ToLower(strings.NewReplacer("-", "_", " ", "_", ".", "_").Replace(k))
	for _, w := range []string{"password", "passwd", "passphrase", "secret", "authorization", "cookie", "private_key", "credential", "otp", "totp", "session"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	if strings.Contains(k, "token") || strings.HasSuffix(k, "key") {
		return !(strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_name") || strings.HasSuffix(k, "_prefix"))
	}
	return false
}
