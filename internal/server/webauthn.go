package server

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/posture-dev/posture/internal/store"
)

// MethodPasskey names sessions started with a passkey.
const MethodPasskey = "passkey"

const (
	// webauthnCookie carries the id of the ceremony in progress between its two
	// requests; the ceremony itself (challenge, user handle) is in the database, so any
	// replica can finish it. SameSite=Strict: both requests are same-origin fetches.
	webauthnCookie = "__Host-posture_webauthn"
	// ceremonyTTL is how long a challenge may be answered: long enough to find the
	// security key, short enough that a stolen challenge is soon worthless.
	ceremonyTTL = 5 * time.Minute
	// passkeyRecentAuth: adding or removing a passkey needs a session this fresh, so a
	// stolen session cannot quietly plant a lasting credential.
	passkeyRecentAuth = 15 * time.Minute
	maxPasskeyName    = 64
)

// passkeys is WebAuthn sign-in, enrolment and registration for local accounts.
type passkeys struct {
	s  *Server
	wa *webauthn.WebAuthn
	// oidc, when configured, is offered on the passkey sign-in page too.
	oidc *oidcLogin
}

// newPasskeys configures the relying party for the server's public origin. The RP ID
// is the host name, which must be a domain ("localhost" counts), not an IP address:
// browsers refuse WebAuthn on IP origins.
func newPasskeys(publicURL *url.URL) (*passkeys, error) {
	host := publicURL.Hostname()
	if net.ParseIP(host) != nil {
		return nil, fmt.Errorf("passkeys: the public URL %s has an IP address; browsers allow WebAuthn only on a domain name (use localhost or a DNS name)", publicURL)
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          host,
		RPDisplayName: "posture",
		RPOrigins:     []string{publicURL.Scheme + "://" + publicURL.Host},
		// No attestation: posture does not restrict authenticator models, and asking
		// for attestation only adds a privacy prompt.
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			// A passkey replaces password and code, so it must be two factors itself:
			// possession of the key and the PIN or biometric that unlocks it.
			UserVerification: protocol.VerificationRequired,
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL},
			Registration: webauthn.TimeoutConfig{Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkeys: %w", err)
	}
	return &passkeys{wa: wa}, nil
}

// waUser adapts an account and its stored passkeys to go-webauthn.
type waUser struct {
	u      store.User
	handle []byte
	creds  []webauthn.Credential
	stored []store.WebAuthnCredential // same order as creds
}

func (w *waUser) WebAuthnID() []byte                         { return w.handle }
func (w *waUser) WebAuthnName() string                       { return w.u.Email }
func (w *waUser) WebAuthnDisplayName() string                { return w.u.Name }
func (w *waUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }

// loadUser reads an account's handle and passkeys. A missing handle is made up (random)
// but not stored: it is written with the first passkey, in that transaction.
func (pk *passkeys) loadUser(r *http.Request, u store.User) (*waUser, error) {
	ctx := r.Context()
	h, err := pk.s.st.WebAuthnHandle(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		h = make([]byte, 32)
		_, err = rand.Read(h)
	}
	if err != nil {
		return nil, err
	}
	stored, err := pk.s.st.WebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	wu := &waUser{u: u, handle: h}
	for _, c := range stored {
		var cred webauthn.Credential
		if err := json.Unmarshal(c.Data, &cred); err != nil {
			return nil, fmt.Errorf("passkey %d of user %d: %w", c.ID, u.ID, err)
		}
		cred.Authenticator.SignCount = c.SignCount
		cred.Authenticator.CloneWarning = c.CloneWarning
		wu.creds = append(wu.creds, cred)
		wu.stored = append(wu.stored, c)
	}
	return wu, nil
}

// startCeremony stores the session data of a ceremony and gives the browser its id.
func (pk *passkeys) startCeremony(w http.ResponseWriter, r *http.Request, purpose string, userID int64, enrolmentHash []byte, sd *webauthn.SessionData) error {
	data, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	id := newSecret()
	err = pk.s.st.PutWebAuthnChallenge(r.Context(), hashSecret(id), store.WebAuthnChallenge{
		Purpose: purpose, UserID: userID, EnrolmentHash: enrolmentHash, SessionData: data, ExpiresAt: pk.s.now().Add(ceremonyTTL),
	})
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: webauthnCookie, Value: id, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(ceremonyTTL.Seconds())})
	return nil
}

// errCeremony is a missing, spent, expired or foreign ceremony: the answer cannot be
// checked against any challenge this server issued, so it is refused as a replay.
var errCeremony = errors.New("no such WebAuthn challenge: unknown, already used or expired")

// takeCeremony removes the browser's ceremony from the database (a challenge is
// answered once at most) and checks that it is for purpose.
func (pk *passkeys) takeCeremony(w http.ResponseWriter, r *http.Request, purpose string) (store.WebAuthnChallenge, webauthn.SessionData, error) {
	var sd webauthn.SessionData
	c, err := r.Cookie(webauthnCookie)
	if err != nil {
		return store.WebAuthnChallenge{}, sd, errCeremony
	}
	clearCookie(w, webauthnCookie)
	hash, err := parseSecret(c.Value)
	if err != nil {
		return store.WebAuthnChallenge{}, sd, errCeremony
	}
	ch, err := pk.s.st.TakeWebAuthnChallenge(r.Context(), hash, pk.s.now())
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrExpired) {
		return ch, sd, errCeremony
	}
	if err != nil {
		return ch, sd, err
	}
	if ch.Purpose != purpose {
		return ch, sd, errCeremony
	}
	if err := json.Unmarshal(ch.SessionData, &sd); err != nil {
		return ch, sd, fmt.Errorf("webauthn session data: %w", err)
	}
	return ch, sd, nil
}

// maxWebAuthnBody bounds a ceremony's JSON: a real response is a few KiB.
const maxWebAuthnBody = 64 << 10

func readCeremonyJSON(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		return nil, fmt.Errorf("content type %q, want application/json", ct)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebAuthnBody))
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	return b, nil
}

// jsonError answers a ceremony request with a message the page shows.
func identityJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// webauthnReason turns a verification error into the audit detail: go-webauthn's
// details say which check failed and hold no secret.
func webauthnReason(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		s := pe.Type + ": " + pe.Details
		if pe.DevInfo != "" {
			s += " (" + pe.DevInfo + ")"
		}
		return clipDetail(s, 300)
	}
	return clipDetail(err.Error(), 300)
}

func clipDetail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// credentialRecord turns a verified new credential into its stored form.
func credentialRecord(userID int64, name string, cred *webauthn.Credential) (store.WebAuthnCredential, error) {
	data, err := json.Marshal(cred)
	if err != nil {
		return store.WebAuthnCredential{}, err
	}
	return store.WebAuthnCredential{UserID: userID, CredentialID: cred.ID, Name: name, Data: data, SignCount: cred.Authenticator.SignCount}, nil
}

func passkeyName(r *http.Request) string {
	n := []rune(r.URL.Query().Get("name"))
	if len(n) > maxPasskeyName {
		n = n[:maxPasskeyName]
	}
	if len(n) == 0 {
		return "passkey"
	}
	return string(n)
}
