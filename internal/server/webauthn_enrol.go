package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/posture-dev/posture/internal/store"
)

// PasskeyEnroller enrols a passkey on an enrolment link (method "passkey").
type PasskeyEnroller struct{ pk *passkeys }

// Title implements Enroller.
func (*PasskeyEnroller) Title() string {
	return "Passkey (this computer or phone, or a security key)"
}

// ServeEnrol implements Enroller. GET shows the page; its script POSTs ?step=begin for
// the creation options and ?step=finish with the new credential.
func (pe *PasskeyEnroller) ServeEnrol(w http.ResponseWriter, r *http.Request, e *Enrolment) {
	pk := pe.pk
	if r.Method != http.MethodPost {
		pk.s.render(w, r, http.StatusOK, "enrol-passkey", map[string]any{"Title": "Enrol a passkey", "User": e.User, "Token": e.Secret, "Method": e.Method, "CSRF": e.CSRF})
		return
	}
	switch r.URL.Query().Get("step") {
	case "begin":
		pk.beginRegistration(w, r, e.User, store.CeremonyEnrol, e.hash)
	case "finish":
		pk.finishEnrol(w, r, e)
	default:
		identityJSONError(w, http.StatusBadRequest, "unknown step")
	}
}

// beginRegistration issues creation options for a new passkey of u.
func (pk *passkeys) beginRegistration(w http.ResponseWriter, r *http.Request, u store.User, purpose string, enrolmentHash []byte) {
	if _, err := readCeremonyJSON(w, r); err != nil {
		identityJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	wu, err := pk.loadUser(r, u)
	if err != nil {
		pk.unavailable(w, r, "loading passkeys", err)
		return
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range wu.creds {
		exclude = append(exclude, c.Descriptor())
	}
	creation, sd, err := pk.wa.BeginRegistration(wu, webauthn.WithExclusions(exclude), webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired))
	if err != nil {
		pk.unavailable(w, r, "beginning passkey registration", err)
		return
	}
	if err := pk.startCeremony(w, r, purpose, u.ID, enrolmentHash, sd); err != nil {
		pk.unavailable(w, r, "storing the challenge", err)
		return
	}
	writeJSON(w, http.StatusOK, creation)
}

// verifyRegistration checks a new credential against the browser's ceremony, which
// must be for purpose, user u and (for enrolment) the same link. It answers the request
// itself on failure and returns nil.
func (pk *passkeys) verifyRegistration(w http.ResponseWriter, r *http.Request, u store.User, purpose, action string, enrolmentHash []byte) (*webauthn.Credential, []byte) {
	object := fmt.Sprintf("user:%d", u.ID)
	body, err := readCeremonyJSON(w, r)
	if err != nil {
		pk.refuse(w, r, action, object, http.StatusBadRequest, "bad request: "+err.Error(), "The request was not understood.")
		return nil, nil
	}
	ch, sd, err := pk.takeCeremony(w, r, purpose)
	if err == nil && (ch.UserID != u.ID || !bytes.Equal(ch.EnrolmentHash, enrolmentHash)) {
		err = errCeremony
	}
	if err != nil {
		if !errors.Is(err, errCeremony) {
			pk.unavailable(w, r, "reading the challenge", err)
			return nil, nil
		}
		pk.refuse(w, r, action, object, http.StatusBadRequest, "replayed or unknown registration: "+err.Error(), "This registration has expired or was already used. Reload the page and try again.")
		return nil, nil
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(body)
	if err != nil {
		pk.refuse(w, r, action, object, http.StatusBadRequest, "malformed registration: "+webauthnReason(err), "The passkey response was not understood.")
		return nil, nil
	}
	wu, err := pk.loadUser(r, u)
	if err != nil {
		pk.unavailable(w, r, "loading passkeys", err)
		return nil, nil
	}
	// The handle is the one offered to the authenticator at begin (possibly made up
	// then, for a first passkey).
	wu.handle = sd.UserID
	cred, err := pk.wa.CreateCredential(wu, sd, parsed)
	if err != nil {
		pk.refuse(w, r, action, object, http.StatusBadRequest, "registration not verified: "+webauthnReason(err), "The passkey could not be verified. Try again; your authenticator must ask for your PIN or biometric.")
		return nil, nil
	}
	return cred, sd.UserID
}

func (pk *passkeys) finishEnrol(w http.ResponseWriter, r *http.Request, e *Enrolment) {
	s := pk.s
	cred, handle := pk.verifyRegistration(w, r, e.User, store.CeremonyEnrol, "enrol", e.hash)
	if cred == nil {
		return
	}
	rec, err := credentialRecord(e.User.ID, passkeyName(r), cred)
	if err != nil {
		pk.unavailable(w, r, "encoding passkey", err)
		return
	}
	err = e.Complete(r, func(ctx context.Context, tx *store.Tx, userID int64) error {
		rec.UserID = userID
		_, err := store.AddWebAuthnCredential(ctx, tx, handle, rec, s.now())
		return err
	})
	switch {
	case errors.Is(err, ErrAuditUnavailable):
		AuditFailed(w)
	case errors.Is(err, ErrEnrolmentUsed):
		identityJSONError(w, http.StatusGone, "This enrolment link was used or expired meanwhile.")
	case errors.Is(err, store.ErrConflict):
		identityJSONError(w, http.StatusConflict, "This passkey is registered already.")
	case err != nil:
		pk.unavailable(w, r, "storing enrolment", err)
	default:
		writeJSON(w, http.StatusOK, map[string]string{"redirect": "/login/passkey", "message": "Your passkey is registered. Sign in with it now."})
	}
}
