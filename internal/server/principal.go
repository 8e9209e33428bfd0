package server

import (
	"context"
	"fmt"

	"github.com/posture-dev/posture/internal/store"
)

// Principal is who a request acts for: a signed-in user (through a session cookie) or
// a machine (through an API token).
type Principal struct {
	// User is set for a session; Token for an API token.
	User  *store.User
	Token *store.APIToken
	// Method is how the session was established (password+totp, passkey, oidc); empty
	// for tokens.
	Method string

	perms       map[Permission]bool
	sessionHash []byte
	csrf        string
}

// Actor names the principal in audit events and logs, never with a secret.
func (p *Principal) Actor() string {
	switch {
	case p == nil:
		return "anonymous"
	case p.User != nil:
		return fmt.Sprintf("user:%d:%s", p.User.ID, p.User.Email)
	case p.Token != nil:
		return fmt.Sprintf("token:%d:%s", p.Token.ID, p.Token.Name)
	}
	return "anonymous"
}

// Can reports whether the principal holds perm.
func (p *Principal) Can(perm Permission) bool {
	return p != nil && (perm == PermPublic || p.perms[perm])
}

// CSRFToken is the token state-changing forms of this session must carry, in the field
// named CSRFField or the header CSRFHeader. Empty for API tokens, which need none.
func (p *Principal) CSRFToken() string {
	if p == nil {
		return ""
	}
	return p.csrf
}

type ctxKey int

const (
	principalKey ctxKey = iota
	requestInfoKey
)

// PrincipalFrom returns the principal of an authenticated request, nil on public routes
// reached without credentials.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey).(*Principal)
	return p
}

func withPrincipal(ctx context.Context, p *Principal) context.Context {
	if ri := requestInfoFrom(ctx); ri != nil {
		ri.actor = p.Actor()
	}
	return context.WithValue(ctx, principalKey, p)
}

// requestInfo is filled in as a request goes through the middleware, for the log line
// written when it ends.
type requestInfo struct {
	id    string
	actor string
}

func requestInfoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestInfoKey).(*requestInfo)
	return ri
}

// RequestID returns the ID the server gave the request (also in the X-Request-ID
// response header, the log line and audit events).
func RequestID(ctx context.Context) string {
	if ri := requestInfoFrom(ctx); ri != nil {
		return ri.id
	}
	return ""
}
