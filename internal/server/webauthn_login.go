package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/posture-dev/posture/internal/store"
)

// loginPage is the passkey (and single sign-on) sign-in page.
func (pk *passkeys) loginPage(w http.ResponseWriter, r *http.Request) {
	s := pk.s
	data := map[string]any{"Title": "Sign in with a passkey", "CSRF": PreSessionCSRF(w, r), "Next": safeNext(r.FormValue("next"))}
	if pk.oidc != nil {
		data["SSO"] = pk.oidc.cfg.DisplayName
	}
	s.render(w, r, http.StatusOK, "login-passkey", data)
}

// beginLogin issues a challenge. With an email address whose account has passkeys the
// challenge lists them (username-first, for authenticators that cannot discover
// credentials); otherwise the browser offers whichever passkey it holds for this site.
func (pk *passkeys) beginLogin(w http.ResponseWriter, r *http.Request) {
	s := pk.s
	body, err := readCeremonyJSON(w, r)
	if err != nil {
		identityJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	var in struct {
		Email string `json:"email"`
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			identityJSONError(w, http.StatusBadRequest, "the request is not the JSON this page sends")
			return
		}
	}
	var (
		assertion *protocol.CredentialAssertion
		sd        *webauthn.SessionData
		userID    int64
	)
	if email := strings.TrimSpace(in.Email); email != "" && len(email) <= 254 {
		u, err := s.st.UserByEmail(r.Context(), email)
		if err == nil && !u.Disabled {
			wu, err := pk.loadUser(r, u)
			if err != nil {
				pk.unavailable(w, r, "loading passkeys", err)
				return
			}
			if len(wu.creds) > 0 {
				assertion, sd, err = pk.wa.BeginLogin(wu, webauthn.WithUserVerification(protocol.VerificationRequired))
				if err != nil {
					pk.unavailable(w, r, "beginning passkey sign-in", err)
					return
				}
				userID = u.ID
			}
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			pk.unavailable(w, r, "reading user", err)
			return
		}
	}
	if assertion == nil {
		assertion, sd, err = pk.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
		if err != nil {
			pk.unavailable(w, r, "beginning passkey sign-in", err)
			return
		}
	}
	if err := pk.startCeremony(w, r, store.CeremonyLogin, userID, nil, sd); err != nil {
		pk.unavailable(w, r, "storing the challenge", err)
		return
	}
	writeJSON(w, http.StatusOK, assertion)
}

func (pk *passkeys) unavailable(w http.ResponseWriter, r *http.Request, what string, err error) {
	pk.s.log.Error(what, "request_id", RequestID(r.Context()), "err", err)
	identityJSONError(w, http.StatusServiceUnavailable, "passkeys are unavailable right now; try again")
}

// refuse audits a failed passkey step and answers it. Nothing has been written.
func (pk *passkeys) refuse(w http.ResponseWriter, r *http.Request, action, object string, status int, reason, msg string) {
	if err := pk.s.Audit(r, action, object, OutcomeFailure, "passkey: "+reason); err != nil {
		AuditFailed(w)
		return
	}
	if action == "login" {
		pk.s.metrics.login("failure")
	}
	identityJSONError(w, status, msg)
}

const passkeyLoginFailed = "Sign-in with this passkey failed. Try again, or sign in another way."

// finishLogin verifies an assertion against the challenge the browser holds. The
// challenge is deleted before anything else, so the same assertion never verifies
// twice, on any replica.
func (pk *passkeys) finishLogin(w http.ResponseWriter, r *http.Request) {
	s := pk.s
	ctx := r.Context()
	body, err := readCeremonyJSON(w, r)
	if err != nil {
		pk.refuse(w, r, "login", "passkey", http.StatusBadRequest, "bad request: "+err.Error(), "The request was not understood.")
		return
	}
	ch, sd, err := pk.takeCeremony(w, r, store.CeremonyLogin)
	if err != nil {
		if !errors.Is(err, errCeremony) {
			pk.unavailable(w, r, "reading the challenge", err)
			return
		}
		pk.refuse(w, r, "login", "passkey", http.StatusBadRequest, "replayed or unknown assertion: "+err.Error(), "This sign-in attempt has expired or was already used. Reload the page and try again.")
		return
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(body)
	if err != nil {
		pk.refuse(w, r, "login", "passkey", http.StatusBadRequest, "malformed assertion: "+webauthnReason(err), "The passkey response was not understood.")
		return
	}
	var wu *waUser
	var cred *webauthn.Credential
	if ch.UserID != 0 {
		u, err := s.st.GetUser(ctx, ch.UserID)
		if err == nil {
			wu, err = pk.loadUser(r, u)
		}
		if err != nil {
			pk.unavailable(w, r, "loading passkeys", err)
			return
		}
		cred, err = pk.wa.ValidateLogin(wu, sd, parsed)
		if err != nil {
			pk.refuse(w, r, "login", fmt.Sprintf("user:%d", u.ID), http.StatusUnauthorized, "verification failed: "+webauthnReason(err), passkeyLoginFailed)
			return
		}
	} else {
		var lookupErr error
		handler := func(rawID, userHandle []byte) (webauthn.User, error) {
			u, err := s.st.UserByWebAuthnHandle(ctx, userHandle)
			if err != nil {
				lookupErr = err
				return nil, err
			}
			wu, err = pk.loadUser(r, u)
			lookupErr = err
			return wu, err
		}
		_, cred, err = pk.wa.ValidatePasskeyLogin(handler, sd, parsed)
		if lookupErr != nil && !errors.Is(lookupErr, store.ErrNotFound) {
			pk.unavailable(w, r, "loading passkeys", lookupErr)
			return
		}
		if err != nil {
			object := "passkey"
			if wu != nil {
				object = fmt.Sprintf("user:%d", wu.u.ID)
			}
			pk.refuse(w, r, "login", object, http.StatusUnauthorized, "verification failed: "+webauthnReason(err), passkeyLoginFailed)
			return
		}
	}
	pk.completeLogin(w, r, wu, cred)
}

func (pk *passkeys) completeLogin(w http.ResponseWriter, r *http.Request, wu *waUser, cred *webauthn.Credential) {
	s := pk.s
	ctx := r.Context()
	object := fmt.Sprintf("user:%d", wu.u.ID)
	var rec *store.WebAuthnCredential
	for i := range wu.stored {
		if bytes.Equal(wu.stored[i].CredentialID, cred.ID) {
			rec = &wu.stored[i]
		}
	}
	switch {
	case rec == nil:
		pk.refuse(w, r, "login", object, http.StatusUnauthorized, "verified credential is not stored", passkeyLoginFailed)
		return
	case rec.CloneWarning:
		pk.refuse(w, r, "login", object, http.StatusUnauthorized, fmt.Sprintf("passkey %d is flagged as possibly cloned", rec.ID),
			"This passkey has been blocked because it may have been copied. Sign in another way and ask an administrator.")
		return
	case cred.Authenticator.CloneWarning:
		// The counter did not move forward: another copy of the private key has signed
		// since (or this assertion was captured and the challenge was somehow reused).
		// Block the credential; its owner has other ways in.
		if err := s.Audit(r, "login", object, OutcomeFailure, fmt.Sprintf("passkey: sign counter %d not above stored %d: possible cloned authenticator; passkey %d blocked", cred.Authenticator.SignCount, rec.SignCount, rec.ID)); err != nil {
			AuditFailed(w)
			return
		}
		if err := s.st.FlagWebAuthnClone(ctx, rec.ID); err != nil {
			s.log.Error("flagging passkey", "request_id", RequestID(ctx), "err", err)
		}
		s.metrics.login("failure")
		identityJSONError(w, http.StatusUnauthorized, "This passkey has been blocked because it may have been copied. Sign in another way and ask an administrator.")
		return
	case wu.u.Disabled:
		pk.refuse(w, r, "login", object, http.StatusUnauthorized, "account disabled", passkeyLoginFailed)
		return
	}
	ok, err := s.st.UseWebAuthnCredential(ctx, rec.ID, rec.SignCount, cred.Authenticator.SignCount, s.now())
	if err != nil {
		pk.unavailable(w, r, "recording passkey use", err)
		return
	}
	if !ok {
		pk.refuse(w, r, "login", object, http.StatusUnauthorized, fmt.Sprintf("passkey %d was used concurrently with the same counter", rec.ID), passkeyLoginFailed)
		return
	}
	r = r.WithContext(withPrincipal(ctx, &Principal{User: &wu.u}))
	if err := s.Audit(r, "login", object, OutcomeSuccess, MethodPasskey); err != nil {
		AuditFailed(w)
		return
	}
	if err := s.StartSession(w, r, wu.u, MethodPasskey); err != nil {
		s.log.Error("starting session", "request_id", RequestID(ctx), "err", err)
		_ = s.Audit(r, "login", object, OutcomeError, "session could not be stored")
		identityJSONError(w, http.StatusServiceUnavailable, "Sign-in is unavailable right now.")
		return
	}
	s.metrics.login("success")
	writeJSON(w, http.StatusOK, map[string]string{"redirect": safeNext(r.URL.Query().Get("next"))})
}
