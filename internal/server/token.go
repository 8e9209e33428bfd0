package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// tokenPrincipal authenticates "Authorization: Bearer pst_…". Every rejection is
// audited (a guessed or leaked token is what an investigator looks for).
func (s *Server) tokenPrincipal(w http.ResponseWriter, r *http.Request, header string) (*Principal, bool) {
	reject := func(object, detail string) (*Principal, bool) {
		if err := s.Audit(r, "token.reject", object, OutcomeFailure, detail); err != nil {
			AuditFailed(w)
			return nil, false
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="posture", error="invalid_token"`)
		http.Error(w, "invalid, expired or revoked token", http.StatusUnauthorized)
		return nil, false
	}
	scheme, secret, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return reject("token:?", "Authorization is not a Bearer token")
	}
	hash, err := ParseAPIToken(strings.TrimSpace(secret))
	if err != nil {
		return reject("token:?", "malformed token")
	}
	tok, err := s.st.TokenByHash(r.Context(), hash)
	if errors.Is(err, store.ErrNotFound) {
		return reject("token:?", "unknown token")
	}
	if err != nil {
		s.log.Error("reading token", "request_id", RequestID(r.Context()), "err", err)
		http.Error(w, "cannot check the token now", http.StatusServiceUnavailable)
		return nil, false
	}
	now := s.now()
	object := "token:" + itoa(tok.ID)
	switch {
	case !tok.RevokedAt.IsZero():
		return reject(object, "revoked token")
	case !now.Before(tok.ExpiresAt):
		return reject(object, "expired token")
	}
	if tok.LastUsedAt.IsZero() || now.Sub(tok.LastUsedAt) >= time.Minute {
		if err := s.st.TouchToken(r.Context(), tok.ID, now, time.Minute); err != nil {
			s.log.Warn("recording token use", "request_id", RequestID(r.Context()), "err", err)
		}
	}
	var lists [][]Permission
	for _, sc := range tok.Scopes {
		lists = append(lists, scopePermissions[sc])
	}
	return &Principal{Token: &tok, perms: permSet(lists...)}, true
}
