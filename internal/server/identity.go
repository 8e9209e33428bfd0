package server

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
)

// IdentityConfig turns on sign-in methods beyond password and TOTP.
type IdentityConfig struct {
	// PublicURL is the server's origin as browsers reach it, e.g.
	// "https://posture.example.com" or "https://localhost:8443". The passkey relying
	// party (its host) and the OIDC redirect URL (PublicURL/login/oidc/callback) derive
	// from it.
	PublicURL string
	// Passkeys enables WebAuthn: enrolment (method "passkey"), sign-in at
	// /login/passkey and adding passkeys at /account.
	Passkeys bool
	// OIDC, if set, enables sign-in through an OpenID Connect issuer at /login/oidc.
	OIDC *OIDCConfig
}

// identity holds the sign-in methods of one server.
type identity struct {
	s        *Server
	passkeys *passkeys
	oidc     *oidcLogin
}

func init() {
	// The identity routes are public because they are how one signs in. They are
	// allowed here, next to their handlers, rather than in router.go's list, and only
	// take effect when NewWithIdentity registers them.
	for _, p := range []string{
		"GET /login/passkey", "POST /login/passkey/begin", "POST /login/passkey/finish",
		"GET /login/oidc", "GET /login/oidc/callback",
	} {
		publicRoutes[p] = true
	}
}

// CheckIdentityConfig reports what NewWithIdentity would refuse in ic, without a
// server: serve checks its flags before it opens the data directory.
func CheckIdentityConfig(ic IdentityConfig) error {
	_, _, err := identityParts(ic)
	return err
}

// identityParts builds the OIDC relying party and the passkey service ic asks for.
func identityParts(ic IdentityConfig) (*oidcLogin, *passkeys, error) {
	if !ic.Passkeys && ic.OIDC == nil {
		return nil, nil, nil
	}
	u, err := url.Parse(ic.PublicURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, nil, fmt.Errorf("server: public URL %q must be https://host[:port] with no path", ic.PublicURL)
	}
	var o *oidcLogin
	if ic.OIDC != nil {
		if o, err = newOIDCLogin(*ic.OIDC, u); err != nil {
			return nil, nil, err
		}
	}
	var pk *passkeys
	if ic.Passkeys {
		if pk, err = newPasskeys(u); err != nil {
			return nil, nil, err
		}
	}
	return o, pk, nil
}

// NewWithIdentity is New with passkeys and/or OIDC sign-in added to the route table and
// the enrolment methods.
func NewWithIdentity(cfg Config, ic IdentityConfig) (*Server, error) {
	id := &identity{}
	routes := []Route{{"GET", "/account", PermSignedIn, id.accountPage, 0}}
	enrollers := maps.Clone(cfg.Enrollers)
	if enrollers == nil {
		enrollers = map[string]Enroller{}
	}
	o, pk, err := identityParts(ic)
	if err != nil {
		return nil, err
	}
	if o != nil {
		id.oidc = o
		routes = append(routes,
			Route{"GET", "/login/oidc", PermPublic, o.start, 0},
			Route{"GET", "/login/oidc/callback", PermPublic, o.callback, 0})
	}
	if pk != nil {
		pk.oidc = id.oidc
		id.passkeys = pk
		enrollers["passkey"] = &PasskeyEnroller{pk: pk}
		routes = append(routes,
			Route{"GET", "/login/passkey", PermPublic, pk.loginPage, 0},
			Route{"POST", "/login/passkey/begin", PermPublic, pk.beginLogin, 0},
			Route{"POST", "/login/passkey/finish", PermPublic, pk.finishLogin, 0},
			Route{"POST", "/account/passkeys/begin", PermSignedIn, pk.accountBegin, 0},
			Route{"POST", "/account/passkeys/finish", PermSignedIn, pk.accountFinish, 0},
			Route{"POST", "/account/passkeys/{id}/delete", PermSignedIn, pk.accountDelete, 0})
	}
	cfg.Routes = append(slices.Clone(cfg.Routes), routes...)
	cfg.Enrollers = enrollers
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if id.passkeys != nil {
		s.signInWith = append(s.signInWith, signInLink{"/login/passkey", "Sign in with a passkey"})
	}
	if id.oidc != nil {
		s.signInWith = append(s.signInWith, signInLink{"/login/oidc", "Sign in with " + id.oidc.cfg.DisplayName})
	}
	// The handlers were bound before the server existed; they reach it through these.
	id.s = s
	if id.passkeys != nil {
		id.passkeys.s = s
	}
	if id.oidc != nil {
		id.oidc.s = s
	}
	return s, nil
}
