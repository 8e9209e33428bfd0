package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/posture-dev/posture/internal/store"
)

// accountPage shows how the signed-in user can sign in: passkeys and linked single
// sign-on identities, with buttons to add and remove passkeys.
func (id *identity) accountPage(w http.ResponseWriter, r *http.Request) {
	s := id.s
	p := PrincipalFrom(r.Context())
	if p.User == nil {
		http.Error(w, "the account page is for people signed in with a browser", http.StatusBadRequest)
		return
	}
	data := map[string]any{"Title": "Your account", "Account": p.User, "Method": p.Method, "CSRF": p.CSRFToken(), "Notice": r.URL.Query().Get("notice") != ""}
	if id.passkeys != nil {
		creds, err := s.st.WebAuthnCredentials(r.Context(), p.User.ID)
		if err != nil {
			s.log.Error("listing passkeys", "request_id", RequestID(r.Context()), "err", err)
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		data["PasskeysEnabled"] = true
		data["Passkeys"] = creds
	}
	links, err := s.st.OIDCIdentities(r.Context(), p.User.ID)
	if err != nil {
		s.log.Error("listing identities", "request_id", RequestID(r.Context()), "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	data["Identities"] = links
	s.render(w, r, http.StatusOK, "account", data)
}

// recentlySignedIn reports whether the request's session began within
// passkeyRecentAuth; changing sign-in methods needs it.
func (s *Server) recentlySignedIn(r *http.Request, p *Principal) (bool, error) {
	if p.sessionHash == nil {
		return false, nil
	}
	se, _, err := s.st.SessionUser(r.Context(), p.sessionHash)
	if err != nil {
		return false, err
	}
	return s.now().Sub(se.CreatedAt) < passkeyRecentAuth, nil
}

const signInAgain = "For your safety, adding or removing a passkey needs a recent sign-in: sign out, sign in again and retry within 15 minutes."

func (pk *passkeys) accountBegin(w http.ResponseWriter, r *http.Request) {
	p := PrincipalFrom(r.Context())
	if p.User == nil {
		identityJSONError(w, http.StatusBadRequest, "passkeys belong to people signed in with a browser")
		return
	}
	if ok, err := pk.s.recentlySignedIn(r, p); err != nil || !ok {
		if err != nil {
			pk.unavailable(w, r, "reading session", err)
			return
		}
		identityJSONError(w, http.StatusForbidden, signInAgain)
		return
	}
	pk.beginRegistration(w, r, *p.User, store.CeremonyRegister, nil)
}

func (pk *passkeys) accountFinish(w http.ResponseWriter, r *http.Request) {
	s := pk.s
	p := PrincipalFrom(r.Context())
	if p.User == nil {
		identityJSONError(w, http.StatusBadRequest, "passkeys belong to people signed in with a browser")
		return
	}
	object := fmt.Sprintf("user:%d", p.User.ID)
	if ok, err := s.recentlySignedIn(r, p); err != nil || !ok {
		if err != nil {
			pk.unavailable(w, r, "reading session", err)
			return
		}
		pk.refuse(w, r, "passkey.add", object, http.StatusForbidden, "session not recent enough", signInAgain)
		return
	}
	cred, handle := pk.verifyRegistration(w, r, *p.User, store.CeremonyRegister, "passkey.add", nil)
	if cred == nil {
		return
	}
	rec, err := credentialRecord(p.User.ID, passkeyName(r), cred)
	if err != nil {
		pk.unavailable(w, r, "encoding passkey", err)
		return
	}
	if err := s.Audit(r, "passkey.add", object, OutcomeSuccess, "name "+strconv.Quote(rec.Name)); err != nil {
		AuditFailed(w)
		return
	}
	if _, err := s.st.AddWebAuthnCredential(r.Context(), handle, rec); err != nil {
		_ = s.Audit(r, "passkey.add", object, OutcomeError, "not stored: "+clipDetail(err.Error(), 200))
		if isStoreConflict(err) {
			identityJSONError(w, http.StatusConflict, "This passkey is registered already.")
			return
		}
		pk.unavailable(w, r, "storing passkey", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"redirect": "/account?notice=added", "message": "Passkey added."})
}

func (pk *passkeys) accountDelete(w http.ResponseWriter, r *http.Request) {
	s := pk.s
	p := PrincipalFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if p.User == nil || err != nil || id <= 0 {
		http.Error(w, "bad passkey id", http.StatusBadRequest)
		return
	}
	object := fmt.Sprintf("user:%d/passkey:%d", p.User.ID, id)
	if ok, err := s.recentlySignedIn(r, p); err != nil || !ok {
		if err != nil {
			s.log.Error("reading session", "request_id", RequestID(r.Context()), "err", err)
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := s.Audit(r, "passkey.remove", object, OutcomeDenied, "session not recent enough"); err != nil {
			AuditFailed(w)
			return
		}
		s.render(w, r, http.StatusForbidden, "message", map[string]any{"Title": "Sign in again", "Message": signInAgain, "Link": "/account"})
		return
	}
	if err := s.Audit(r, "passkey.remove", object, OutcomeSuccess, ""); err != nil {
		AuditFailed(w)
		return
	}
	if err := s.st.DeleteWebAuthnCredential(r.Context(), p.User.ID, id); err != nil {
		_ = s.Audit(r, "passkey.remove", object, OutcomeError, "not removed")
		if isNotFound(err) {
			http.Error(w, "no such passkey", http.StatusNotFound)
			return
		}
		s.log.Error("removing passkey", "request_id", RequestID(r.Context()), "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func isStoreConflict(err error) bool { return err != nil && errors.Is(err, store.ErrConflict) }
