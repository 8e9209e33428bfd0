package server

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// MethodPasswordTOTP names sessions started with a password and a TOTP code.
const MethodPasswordTOTP = "password+totp"

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, "")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "login", map[string]any{
		"Title": "Sign in", "Error": msg, "Next": safeNext(r.FormValue("next")), "CSRF": PreSessionCSRF(w, r),
		"Email": r.PostFormValue("email"), "SignInWith": s.signInWith,
	})
}

const loginFailed = "Sign-in failed: the address, password or code is wrong, or the account cannot sign in."

// login checks email, password and TOTP code. Every outcome is audited before anything
// else happens; failures count against the rate-limit buckets.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	code := r.PostFormValue("code")
	if email == "" || len(email) > 254 {
		s.renderLogin(w, r, http.StatusBadRequest, "Enter your email address.")
		return
	}
	object := "user:" + store.NormalizeEmail(email)
	u, cred, err := s.st.UserCredentials(ctx, email)
	exists := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Error("reading credentials", "request_id", RequestID(ctx), "err", err)
		s.renderLogin(w, r, http.StatusServiceUnavailable, "Sign-in is unavailable right now.")
		return
	}
	b := s.bucketsFor(ctx, r, email, u.ID)
	until, err := s.lockedUntil(ctx, b)
	if err != nil {
		s.log.Error("reading login throttle", "request_id", RequestID(ctx), "err", err)
		s.renderLogin(w, r, http.StatusServiceUnavailable, "Sign-in is unavailable right now.")
		return
	}
	if !until.IsZero() {
		if err := s.Audit(r, "login", object, OutcomeDenied, "rate limited"); err != nil {
			AuditFailed(w)
			return
		}
		s.metrics.login("throttled")
		wait := int(math.Ceil(until.Sub(s.now()).Seconds()))
		w.Header().Set("Retry-After", fmt.Sprint(wait))
		s.renderLogin(w, r, http.StatusTooManyRequests, fmt.Sprintf("Too many failed sign-ins. Try again in %s.", (time.Duration(wait)*time.Second).String()))
		return
	}
	reason := s.checkPasswordTOTP(r, u, cred, exists, password, code)
	if reason != "" {
		if err := s.Audit(r, "login", object, OutcomeFailure, reason); err != nil {
			AuditFailed(w)
			return
		}
		s.metrics.login("failure")
		if err := s.recordFailure(ctx, b); err != nil {
			s.log.Error("recording login failure", "request_id", RequestID(ctx), "err", err)
		}
		s.renderLogin(w, r, http.StatusUnauthorized, loginFailed)
		return
	}
	r = r.WithContext(withPrincipal(ctx, &Principal{User: &u}))
	if err := s.Audit(r, "login", fmt.Sprintf("user:%d", u.ID), OutcomeSuccess, MethodPasswordTOTP); err != nil {
		AuditFailed(w)
		return
	}
	if err := s.StartSession(w, r, u, MethodPasswordTOTP); err != nil {
		s.log.Error("starting session", "request_id", RequestID(ctx), "err", err)
		_ = s.Audit(r, "login", fmt.Sprintf("user:%d", u.ID), OutcomeError, "session could not be stored")
		s.renderLogin(w, r, http.StatusServiceUnavailable, "Sign-in is unavailable right now.")
		return
	}
	s.metrics.login("success")
	s.recordSuccess(ctx, w, r, b, u.ID)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// checkPasswordTOTP returns why the attempt fails, or "" if it succeeds. The reason goes
// to the audit log only; the user sees one message for all of them.
func (s *Server) checkPasswordTOTP(r *http.Request, u store.User, cred store.Credentials, exists bool, password, code string) string {
	if !exists || cred.PasswordHash == "" {
		VerifyPassword(dummyHash(), password) // same time as a real check
		if !exists {
			return "unknown account"
		}
		return "no password enrolled"
	}
	if !VerifyPassword(cred.PasswordHash, password) {
		return "wrong password"
	}
	step, ok := VerifyTOTP(cred.TOTPSecret, code, s.now())
	if !ok {
		return "wrong TOTP code"
	}
	fresh, err := s.st.UseTOTPStep(r.Context(), u.ID, step)
	if err != nil {
		s.log.Error("recording TOTP step", "request_id", RequestID(r.Context()), "err", err)
		return "TOTP step could not be recorded"
	}
	if !fresh {
		return "TOTP code replayed"
	}
	if u.Disabled {
		return "account disabled"
	}
	return ""
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p := PrincipalFrom(r.Context())
	if p.User == nil {
		http.Error(w, "logout ends a browser session; revoke tokens with posture admin token revoke", http.StatusBadRequest)
		return
	}
	if err := s.Audit(r, "logout", fmt.Sprintf("user:%d", p.User.ID), OutcomeSuccess, ""); err != nil {
		AuditFailed(w)
		return
	}
	if err := s.EndSession(w, r); err != nil {
		s.log.Error("ending session", "request_id", RequestID(r.Context()), "err", err)
		http.Error(w, "could not end the session; try again", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
