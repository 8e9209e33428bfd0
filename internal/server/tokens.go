package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// The API tokens page: what `posture admin token` does, for admins in the browser.
// A token is shown once, on the page that answers its creation; only its hash is kept.

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) {
	toks, err := s.st.ListTokens(r.Context())
	if err != nil {
		s.unavailable(w, r, true, "listing tokens", err)
		return
	}
	s.page(w, r, "tokens", "API tokens", map[string]any{"Nav": "tokens", "Tokens": toks, "Scopes": Scopes(),
		"Now": s.now(), "CSRF": PrincipalFrom(r.Context()).CSRFToken()})
}

// tokenCreateForm creates a token from the form: name, scopes, days until it expires.
func (s *Server) tokenCreateForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, true, http.StatusBadRequest, "Not created", "unreadable form")
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	scopes, scopeErr := NormalizeScopes(r.PostForm["scope"])
	days, err := strconv.Atoi(r.PostForm.Get("days"))
	object := "token:" + clipDetail(name, 100)
	reject := func(msg string) { s.auditedReject(w, r, true, "token.create", object, http.StatusBadRequest, msg) }
	switch {
	case name == "" || len(name) > 100:
		reject("a name of 1 to 100 characters is required")
		return
	case scopeErr != nil:
		reject(scopeErr.Error())
		return
	case len(scopes) == 0:
		reject("choose at least one scope")
		return
	case err != nil || days < 1 || time.Duration(days)*24*time.Hour > MaxTokenLife:
		reject("the token must expire in 1 to 366 days")
		return
	}
	if err := s.Audit(r, "token.create", object, OutcomeSuccess, "scopes "+strings.Join(scopes, " ")); err != nil {
		AuditFailed(w)
		return
	}
	secret, hash := NewAPIToken()
	tok, err := s.st.CreateToken(r.Context(), store.TokenInput{Hash: hash, Name: name, Scopes: scopes,
		CreatedBy: PrincipalFrom(r.Context()).Actor(), ExpiresAt: s.now().Add(time.Duration(days) * 24 * time.Hour)})
	if err != nil {
		_ = s.Audit(r, "token.create", object, OutcomeError, "not stored")
		s.unavailable(w, r, true, "creating token", err)
		return
	}
	// The page holds the secret: it must not be cached anywhere.
	w.Header().Set("Cache-Control", "no-store")
	s.page(w, r, "token-created", "API token created", map[string]any{"Nav": "tokens", "Token": tok, "Secret": secret})
}

// tokenRevokeForm revokes a token at once.
func (s *Server) tokenRevokeForm(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, true, http.StatusBadRequest, "Not revoked", "bad token id")
		return
	}
	object := "token:" + itoa(id)
	if _, err := s.st.GetToken(r.Context(), id); isNotFound(err) {
		s.fail(w, r, true, http.StatusNotFound, "Not revoked", "no such token")
		return
	} else if err != nil {
		s.unavailable(w, r, true, "reading token", err)
		return
	}
	if err := s.Audit(r, "token.revoke", object, OutcomeSuccess, ""); err != nil {
		AuditFailed(w)
		return
	}
	if err := s.st.RevokeToken(r.Context(), id, s.now()); err != nil {
		_ = s.Audit(r, "token.revoke", object, OutcomeError, "not carried out")
		s.unavailable(w, r, true, "revoking token", err)
		return
	}
	http.Redirect(w, r, "/tokens", http.StatusSeeOther)
}
