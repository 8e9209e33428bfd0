package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/posture-dev/posture/internal/store"
)

// Enroller registers a credential (a password and TOTP, a passkey) for the user an
// enrolment link was made for. The server has already checked the link when
// ServeEnrol runs; the enroller verifies the new credential and then calls
// Enrolment.Complete, which spends the link and stores the credential atomically.
type Enroller interface {
	// Title names the method on the enrolment page ("Password and authenticator app").
	Title() string
	// ServeEnrol handles GET (show the form) and POST (verify and Complete) of
	// /enrol?method=NAME for this method.
	ServeEnrol(w http.ResponseWriter, r *http.Request, e *Enrolment)
}

// Enrolment is a checked, unspent enrolment link.
type Enrolment struct {
	User store.User
	// Secret is the link's secret, to carry in the form's "token" field.
	Secret string
	// Method is the enroller's name, to carry in the form's "method" field.
	Method string
	// CSRF is the value for the form's CSRFField.
	CSRF string

	s    *Server
	hash []byte
}

// ErrEnrolmentUsed means the link was spent or expired between the check and Complete.
var ErrEnrolmentUsed = errors.New("the enrolment link has expired or was already used")

// Complete audits the enrolment and then, in one transaction, spends the link and runs
// storeCredential. If the audit event cannot be written nothing is stored.
func (e *Enrolment) Complete(r *http.Request, storeCredential func(ctx context.Context, tx *store.Tx, userID int64) error) error {
	object := fmt.Sprintf("user:%d", e.User.ID)
	if err := e.s.Audit(r, "enrol", object, OutcomeSuccess, e.Method); err != nil {
		return err
	}
	err := e.s.st.ConsumeEnrolment(r.Context(), e.hash, e.s.now(), func(tx *store.Tx, userID int64) error {
		return storeCredential(r.Context(), tx, userID)
	})
	if err != nil {
		_ = e.s.Audit(r, "enrol", object, OutcomeError, "not stored: "+err.Error())
		if errors.Is(err, store.ErrExpired) {
			return ErrEnrolmentUsed
		}
		return err
	}
	return nil
}

func (s *Server) enrol(w http.ResponseWriter, r *http.Request) {
	secret := r.FormValue("token")
	hash, err := parseSecret(secret)
	var u store.User
	if err == nil {
		u, err = s.st.PeekEnrolment(r.Context(), hash, s.now())
	}
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrExpired) && !errors.Is(err, errMalformed) {
			s.log.Error("reading enrolment", "request_id", RequestID(r.Context()), "err", err)
			http.Error(w, "enrolment is unavailable right now", http.StatusServiceUnavailable)
			return
		}
		if r.Method == http.MethodPost {
			if err := s.Audit(r, "enrol", "enrolment:?", OutcomeFailure, "invalid, expired or used link"); err != nil {
				AuditFailed(w)
				return
			}
		}
		s.render(w, r, http.StatusNotFound, "message", map[string]any{"Title": "Enrolment link not valid",
			"Message": "This enrolment link is invalid, has expired or was already used. Ask an administrator for a new one (posture admin bootstrap for the first admin, the Users page for everyone else)."})
		return
	}
	method := r.FormValue("method")
	en, ok := s.enrollers[method]
	if !ok {
		names := make([]string, 0, len(s.enrollers))
		for n := range s.enrollers {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) == 1 {
			method, en = names[0], s.enrollers[names[0]]
		} else {
			var methods []map[string]string
			for _, n := range names {
				methods = append(methods, map[string]string{"Name": n, "Title": s.enrollers[n].Title()})
			}
			s.render(w, r, http.StatusOK, "enrol-choose", map[string]any{"Title": "Enrol", "User": u, "Token": secret, "Methods": methods})
			return
		}
	}
	en.ServeEnrol(w, r, &Enrolment{User: u, Secret: secret, Method: method, CSRF: PreSessionCSRF(w, r), s: s, hash: hash})
}

// PasswordTOTPEnroller is the built-in method: a password (argon2id) and an
// authenticator app (RFC 6238 TOTP).
type PasswordTOTPEnroller struct{ s *Server }

// Title implements Enroller.
func (*PasswordTOTPEnroller) Title() string { return "Password and authenticator app (TOTP)" }

// ServeEnrol implements Enroller.
func (p *PasswordTOTPEnroller) ServeEnrol(w http.ResponseWriter, r *http.Request, e *Enrolment) {
	s := p.s
	if r.Method != http.MethodPost {
		p.form(w, r, e, NewTOTPSecret(), http.StatusOK, "")
		return
	}
	secret, err := ParseTOTPSecretText(r.PostFormValue("totp_secret"))
	if err != nil {
		p.form(w, r, e, NewTOTPSecret(), http.StatusBadRequest, "The form was damaged; start again with this new secret.")
		return
	}
	password := r.PostFormValue("password")
	switch {
	case password != r.PostFormValue("password_confirm"):
		p.form(w, r, e, secret, http.StatusBadRequest, "The two passwords differ.")
		return
	case len(password) < MinPasswordLength:
		p.form(w, r, e, secret, http.StatusBadRequest, fmt.Sprintf("Choose a password of at least %d characters.", MinPasswordLength))
		return
	}
	step, ok := VerifyTOTP(secret, r.PostFormValue("code"), s.now())
	if !ok {
		p.form(w, r, e, secret, http.StatusBadRequest, "The code does not match: check that the authenticator app has the secret below and that its clock is right.")
		return
	}
	hash, err := HashPassword(password)
	if err != nil {
		p.form(w, r, e, secret, http.StatusBadRequest, err.Error())
		return
	}
	err = e.Complete(r, func(ctx context.Context, tx *store.Tx, userID int64) error {
		return store.SetPasswordTOTP(ctx, tx, userID, hash, secret)
	})
	switch {
	case errors.Is(err, ErrAuditUnavailable):
		AuditFailed(w)
		return
	case errors.Is(err, ErrEnrolmentUsed):
		s.render(w, r, http.StatusGone, "message", map[string]any{"Title": "Enrolment link not valid", "Message": "This enrolment link was used or expired meanwhile."})
		return
	case err != nil:
		s.log.Error("storing enrolment", "request_id", RequestID(r.Context()), "err", err)
		http.Error(w, "enrolment could not be stored; try again", http.StatusServiceUnavailable)
		return
	}
	// The code just shown must not also sign in.
	if _, err := s.st.UseTOTPStep(r.Context(), e.User.ID, step); err != nil {
		s.log.Warn("recording TOTP step", "err", err)
	}
	s.render(w, r, http.StatusOK, "message", map[string]any{"Title": "Enrolled",
		"Message": "Your password and authenticator app are registered. Sign in with them now.", "Link": "/login"})
}

func (p *PasswordTOTPEnroller) form(w http.ResponseWriter, r *http.Request, e *Enrolment, secret []byte, status int, msg string) {
	p.s.render(w, r, status, "enrol-password", map[string]any{
		"Title": "Enrol", "User": e.User, "Token": e.Secret, "Method": e.Method, "CSRF": e.CSRF, "Error": msg,
		"Secret": TOTPSecretText(secret), "URI": TOTPURI("posture", e.User.Email, secret), "MinLength": MinPasswordLength,
	})
}
