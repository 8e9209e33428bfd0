package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/posture-dev/posture/internal/store"
)

// MethodOIDC names sessions started through an OpenID Connect issuer.
const MethodOIDC = "oidc"

const (
	// oidcCookie binds a sign-in to the browser that began it: the callback must come
	// with the cookie whose hash was stored with the state. SameSite=Lax because the
	// callback is a top-level navigation from the issuer's site.
	oidcCookie = "__Host-posture_oidc"
	// oidcTTL is how long the user has at the issuer (password, MFA) before the state
	// expires.
	oidcTTL = 10 * time.Minute
)

// OIDCConfig configures sign-in with one OpenID Connect issuer (Google Workspace, Okta,
// Entra ID, Dex, Keycloak, …).
type OIDCConfig struct {
	// Issuer is the issuer URL; its /.well-known/openid-configuration is fetched.
	Issuer       string
	ClientID     string
	ClientSecret string
	// AllowedDomains, if not empty, are the only email domains that may sign in.
	// Provisioning accounts or linking existing ones by address needs at least one.
	AllowedDomains []string
	// AutoProvision creates an unknown user's account at first sign-in: a viewer, or the
	// role its groups give when RoleGroups is set.
	AutoProvision bool
	// DisplayName labels the sign-in button ("Sign in with Okta"); default "single sign-on".
	DisplayName string
	// RoleGroups, if not empty, hand role management to the issuer: at every OIDC
	// sign-in the account's role becomes that of the first entry whose group the ID
	// token lists, and an identity in none of the groups is refused. Local sign-ins
	// (passkey, password) keep the stored role, so a break-glass admin still works
	// when the issuer's groups are wrong.
	RoleGroups []GroupRole
	// GroupsClaim is the ID token claim that lists the groups; default "groups" (Okta,
	// Keycloak, Dex, Entra ID with group claims configured).
	GroupsClaim string
	// GroupsScope is the extra scope requested when RoleGroups is set, for issuers
	// that list groups only when asked ("groups" for Okta and Dex); empty requests
	// none (Entra ID puts configured group claims in every token).
	GroupsScope string
	// HTTPClient talks to the issuer; nil is a client with a 10 s timeout. Tests use
	// it to trust a test issuer's certificate.
	HTTPClient *http.Client
}

// oidcLogin is the OIDC relying party.
type oidcLogin struct {
	s           *Server
	cfg         OIDCConfig
	redirectURL string

	// The issuer's metadata is fetched on first use and kept: it is public, the same
	// on every replica, and a server that starts while the issuer is unreachable should
	// still serve everything else.
	mu       sync.Mutex
	provider *oidc.Provider
}

func newOIDCLogin(cfg OIDCConfig, publicURL *url.URL) (*oidcLogin, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, errors.New("oidc: the issuer and client ID are required")
	}
	iu, err := url.Parse(cfg.Issuer)
	if err != nil || iu.Host == "" || (iu.Scheme != "https" && !isLoopbackHost(iu.Hostname())) {
		return nil, fmt.Errorf("oidc: issuer %q must be an https URL", cfg.Issuer)
	}
	if cfg.AutoProvision && len(cfg.AllowedDomains) == 0 {
		return nil, errors.New("oidc: automatic provisioning needs at least one allowed email domain, else anyone with an account at the issuer would get in")
	}
	for i, d := range cfg.AllowedDomains {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if d == "" || strings.ContainsAny(d, "@/ ") {
			return nil, fmt.Errorf("oidc: allowed domain %q is not a domain", cfg.AllowedDomains[i])
		}
		cfg.AllowedDomains[i] = d
	}
	if cfg.DisplayName == "" {
		cfg.DisplayName = "single sign-on"
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	if err := checkRoleGroups(cfg.RoleGroups); err != nil {
		return nil, err
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &oidcLogin{cfg: cfg, redirectURL: publicURL.Scheme + "://" + publicURL.Host + "/login/oidc/callback"}, nil
}

// isLoopbackHost allows a plain-HTTP issuer on loopback only, for a local test issuer.
func isLoopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}

func (o *oidcLogin) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, o.cfg.HTTPClient)
}

func (o *oidcLogin) getProvider(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	// Not the request's context: the provider keeps it to fetch signing keys later.
	p, err := oidc.NewProvider(o.clientContext(context.WithoutCancel(ctx)), o.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery at %s: %w", o.cfg.Issuer, err)
	}
	o.provider = p
	return p, nil
}

func (o *oidcLogin) oauth2Config(p *oidc.Provider) *oauth2.Config {
	scopes := []string{oidc.ScopeOpenID, "email", "profile"}
	if len(o.cfg.RoleGroups) > 0 && o.cfg.GroupsScope != "" {
		scopes = append(scopes, o.cfg.GroupsScope)
	}
	return &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: o.redirectURL, Scopes: scopes}
}

// start sends the browser to the issuer. A GET so that it can be a plain link (the
// CSP's form-action 'self' would stop a form from being redirected to the issuer);
// starting a sign-in changes nothing a forged request could abuse, because the
// callback only completes in the browser holding the cookie set here.
func (o *oidcLogin) start(w http.ResponseWriter, r *http.Request) {
	s := o.s
	p, err := o.getProvider(r.Context())
	if err != nil {
		s.log.Error("oidc discovery", "request_id", RequestID(r.Context()), "err", err)
		o.page(w, r, http.StatusServiceUnavailable, "Single sign-on is unavailable", "The identity provider cannot be reached right now. Try again later or sign in another way.")
		return
	}
	state, browser, nonce := newSecret(), newSecret(), newSecret()
	verifier := oauth2.GenerateVerifier()
	err = s.st.PutOIDCState(r.Context(), hashSecret(state), store.OIDCState{
		BrowserHash: hashSecret(browser), Nonce: nonce, Verifier: verifier,
		Next: safeNext(r.URL.Query().Get("next")), ExpiresAt: s.now().Add(oidcTTL),
	})
	if err != nil {
		s.log.Error("storing oidc state", "request_id", RequestID(r.Context()), "err", err)
		o.page(w, r, http.StatusServiceUnavailable, "Single sign-on is unavailable", "Sign-in is unavailable right now.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: browser, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(oidcTTL.Seconds())})
	http.Redirect(w, r, o.oauth2Config(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusSeeOther)
}

func (o *oidcLogin) page(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	o.s.render(w, r, status, "message", map[string]any{"Title": title, "Message": msg, "Link": "/login"})
}

// deny audits a refused callback and answers it. Nothing has been written.
func (o *oidcLogin) deny(w http.ResponseWriter, r *http.Request, object string, status int, reason, msg string) {
	if err := o.s.Audit(r, "login", object, OutcomeFailure, "oidc: "+reason); err != nil {
		AuditFailed(w)
		return
	}
	o.s.metrics.login("failure")
	o.page(w, r, status, "Sign-in failed", msg)
}

const oidcFailed = "Single sign-on did not complete. Start again from the sign-in page."

// idClaims are the ID token claims posture uses.
type idClaims struct {
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	Name          string `json:"name"`
}

// callback completes a sign-in: state bound to this browser and single-use, code
// exchanged with the PKCE verifier, ID token verified (signature, issuer, audience,
// expiry) by go-oidc, nonce compared, then the account is found by (issuer, subject).
func (o *oidcLogin) callback(w http.ResponseWriter, r *http.Request) {
	s := o.s
	ctx := r.Context()
	q := r.URL.Query()
	stateHash, err := parseSecret(q.Get("state"))
	if err != nil {
		o.deny(w, r, "oidc", http.StatusBadRequest, "callback without a valid state parameter", oidcFailed)
		return
	}
	st, err := s.st.TakeOIDCState(ctx, stateHash, s.now())
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrExpired) {
			s.log.Error("reading oidc state", "request_id", RequestID(ctx), "err", err)
			o.page(w, r, http.StatusServiceUnavailable, "Single sign-on is unavailable", "Sign-in is unavailable right now.")
			return
		}
		o.deny(w, r, "oidc", http.StatusBadRequest, "unknown, used or expired state", oidcFailed)
		return
	}
	c, err := r.Cookie(oidcCookie)
	clearCookie(w, oidcCookie)
	if err != nil || subtle.ConstantTimeCompare(hashSecret(c.Value), st.BrowserHash) != 1 {
		o.deny(w, r, "oidc", http.StatusBadRequest, "state belongs to another browser (missing or wrong binding cookie)", oidcFailed)
		return
	}
	if e := q.Get("error"); e != "" {
		o.deny(w, r, "oidc", http.StatusUnauthorized, "issuer returned error "+quoteDetail(clipDetail(e, 64)), "The identity provider did not sign you in.")
		return
	}
	code := q.Get("code")
	if code == "" || len(code) > 4096 {
		o.deny(w, r, "oidc", http.StatusBadRequest, "callback without a code", oidcFailed)
		return
	}
	p, err := o.getProvider(ctx)
	if err != nil {
		s.log.Error("oidc discovery", "request_id", RequestID(ctx), "err", err)
		o.page(w, r, http.StatusServiceUnavailable, "Single sign-on is unavailable", "The identity provider cannot be reached right now.")
		return
	}
	tok, err := o.oauth2Config(p).Exchange(o.clientContext(ctx), code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		o.deny(w, r, "oidc", http.StatusUnauthorized, "code exchange refused: "+exchangeReason(err), oidcFailed)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		o.deny(w, r, "oidc", http.StatusUnauthorized, "token response without an ID token", oidcFailed)
		return
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID, Now: s.now}).Verify(ctx, raw)
	if err != nil {
		o.deny(w, r, "oidc", http.StatusUnauthorized, "ID token rejected: "+clipDetail(err.Error(), 200), oidcFailed)
		return
	}
	object := "oidc:" + idt.Subject
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		o.deny(w, r, object, http.StatusUnauthorized, "ID token nonce does not match the sign-in's", oidcFailed)
		return
	}
	var cl idClaims
	var all map[string]any
	if err := idt.Claims(&cl); err != nil || idt.Claims(&all) != nil {
		o.deny(w, r, object, http.StatusUnauthorized, "ID token claims unreadable", oidcFailed)
		return
	}
	email := store.NormalizeEmail(cl.Email)
	switch {
	case email == "":
		o.deny(w, r, object, http.StatusForbidden, "ID token has no email", "The identity provider did not give an email address.")
		return
	case cl.EmailVerified == nil || !*cl.EmailVerified:
		o.deny(w, r, object, http.StatusForbidden, "email "+email+" not verified by the issuer", "Your email address is not verified at the identity provider.")
		return
	case !o.domainAllowed(email):
		o.deny(w, r, object, http.StatusForbidden, "email domain of "+email+" not allowed", "Accounts of this email domain may not sign in here.")
		return
	}
	role, group := store.RoleViewer, ""
	if len(o.cfg.RoleGroups) > 0 {
		var ok bool
		if role, group, ok = roleFromGroups(o.cfg.RoleGroups, claimStrings(all[o.cfg.GroupsClaim])); !ok {
			o.deny(w, r, object, http.StatusForbidden, email+" is in none of the groups mapped to a role (claim "+quoteDetail(o.cfg.GroupsClaim)+")",
				"Your account at the identity provider is not in a group that may use posture. Ask an administrator.")
			return
		}
	}
	o.signIn(w, r, idt.Issuer, idt.Subject, email, cl.Name, st.Next, role, group)
}

func quoteDetail(s string) string { return fmt.Sprintf("%q", s) }

// shortName keeps a display name from the issuer within the store's limit, on a
// character boundary.
func oidcShortName(n string) string {
	r := []rune(strings.ToValidUTF8(strings.TrimSpace(n), ""))
	if len(r) > 100 {
		r = r[:100]
	}
	return string(r)
}

// exchangeReason keeps the OAuth error code of a refused exchange, not the body.
func exchangeReason(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return re.ErrorCode
		}
		if re.Response != nil {
			return re.Response.Status
		}
	}
	return clipDetail(err.Error(), 120)
}

func (o *oidcLogin) domainAllowed(email string) bool {
	if len(o.cfg.AllowedDomains) == 0 {
		return true
	}
	_, domain, ok := strings.Cut(email, "@")
	return ok && slices.Contains(o.cfg.AllowedDomains, domain)
}

// signIn finds, links or creates the account of a verified identity and starts the
// session.
// role is the account's role for a new account, and for every account when the
// issuer manages roles (group is then the group that gave it).
func (o *oidcLogin) signIn(w http.ResponseWriter, r *http.Request, issuer, subject, email, name, next string, role store.Role, group string) {
	s := o.s
	ctx := r.Context()
	u, err := s.st.UserByOIDC(ctx, issuer, subject)
	switch {
	case err == nil:
		if err := s.st.TouchOIDC(ctx, issuer, subject, email); err != nil {
			s.log.Warn("recording oidc sign-in", "request_id", RequestID(ctx), "err", err)
		}
	case !errors.Is(err, store.ErrNotFound):
		s.log.Error("reading oidc identity", "request_id", RequestID(ctx), "err", err)
		o.page(w, r, http.StatusServiceUnavailable, "Single sign-on is unavailable", "Sign-in is unavailable right now.")
		return
	default:
		var ok bool
		if u, ok = o.linkOrProvision(w, r, issuer, subject, email, name, role, group); !ok {
			return
		}
	}
	object := fmt.Sprintf("user:%d", u.ID)
	if u.Disabled {
		o.deny(w, r, object, http.StatusForbidden, "account disabled", "This account is disabled.")
		return
	}
	r = r.WithContext(withPrincipal(ctx, &Principal{User: &u}))
	if group != "" && u.Role != role {
		if !o.syncRole(w, r, &u, role, group) {
			return
		}
	}
	if err := s.Audit(r, "login", object, OutcomeSuccess, MethodOIDC+" "+issuer); err != nil {
		AuditFailed(w)
		return
	}
	if err := s.StartSession(w, r, u, MethodOIDC); err != nil {
		s.log.Error("starting session", "request_id", RequestID(ctx), "err", err)
		_ = s.Audit(r, "login", object, OutcomeError, "session could not be stored")
		o.page(w, r, http.StatusServiceUnavailable, "Single sign-on is unavailable", "Sign-in is unavailable right now.")
		return
	}
	s.metrics.login("success")
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// linkOrProvision handles an identity seen for the first time. An account an admin
// made for this address (and not yet linked to this issuer) is linked: the issuer has
// verified the address and the domain is one the admin allowed. Otherwise the account
// is created as a viewer when provisioning is on, and refused when it is off.
func (o *oidcLogin) linkOrProvision(w http.ResponseWriter, r *http.Request, issuer, subject, email, name string, role store.Role, group string) (store.User, bool) {
	s := o.s
	ctx := r.Context()
	object := "oidc:" + subject
	if len(o.cfg.AllowedDomains) > 0 {
		u, err := s.st.UserByEmail(ctx, email)
		if err == nil {
			if err := s.Audit(r, "oidc.link", fmt.Sprintf("user:%d", u.ID), OutcomeSuccess, issuer+" subject "+subject); err != nil {
				AuditFailed(w)
				return u, false
			}
			if err := s.st.LinkOIDC(ctx, issuer, subject, u.ID, email); err != nil {
				_ = s.Audit(r, "oidc.link", fmt.Sprintf("user:%d", u.ID), OutcomeError, "not linked: "+clipDetail(err.Error(), 200))
				if errors.Is(err, store.ErrConflict) {
					o.deny(w, r, object, http.StatusForbidden, "email "+email+" belongs to an account linked to another subject", "This email address belongs to an account that signs in with another identity.")
					return u, false
				}
				s.log.Error("linking oidc identity", "request_id", RequestID(ctx), "err", err)
				o.page(w, r, http.StatusServiceUnavailable, "Single sign-on is unavailable", "Sign-in is unavailable right now.")
				return u, false
			}
			return u, true
		}
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("reading user", "request_id", RequestID(ctx), "err", err)
			o.page(w, r, http.StatusServiceUnavailable, "Single sign-on is unavailable", "Sign-in is unavailable right now.")
			return store.User{}, false
		}
	}
	if !o.cfg.AutoProvision {
		o.deny(w, r, object, http.StatusForbidden, "no account for "+email+" and provisioning is off", "There is no posture account for "+email+". Ask an administrator to create one.")
		return store.User{}, false
	}
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	detail := string(role) + " via " + issuer + " subject " + subject
	if group != "" {
		detail += " (group " + quoteDetail(clipDetail(group, 100)) + ")"
	}
	if err := s.Audit(r, "user.provision", "email:"+email, OutcomeSuccess, detail); err != nil {
		AuditFailed(w)
		return store.User{}, false
	}
	u, err := s.st.ProvisionOIDCUser(ctx, store.UserInput{Name: oidcShortName(name), Email: email, Role: role}, issuer, subject)
	if err != nil {
		_ = s.Audit(r, "user.provision", "email:"+email, OutcomeError, "not created: "+clipDetail(err.Error(), 200))
		if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrConflict) {
			o.page(w, r, http.StatusForbidden, "Sign-in failed", "An account could not be created for this identity. Ask an administrator.")
			return u, false
		}
		s.log.Error("provisioning user", "request_id", RequestID(ctx), "err", err)
		o.page(w, r, http.StatusServiceUnavailable, "Single sign-on is unavailable", "Sign-in is unavailable right now.")
		return u, false
	}
	return u, true
}
