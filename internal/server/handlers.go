package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// healthz is liveness: the process serves HTTP.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// readyz is readiness: the database answers and has this binary's schema (Open
// refuses to start otherwise, so a missing table means someone dropped it since).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var n int
	err := s.st.DB().PingContext(ctx)
	if err == nil {
		err = s.st.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n)
	}
	if err == nil {
		_, err = s.st.Exec(ctx, `SELECT 1 FROM sessions WHERE 1 = 0`)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err != nil || n == 0 {
		s.log.Warn("not ready", "err", err)
		http.Error(w, "not ready: database unreachable or schema missing", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// whoami tells a client who it is and what it may do.
func (s *Server) whoami(w http.ResponseWriter, r *http.Request) {
	p := PrincipalFrom(r.Context())
	out := map[string]any{"actor": p.Actor()}
	var perms []string
	for perm := range p.perms {
		perms = append(perms, string(perm))
	}
	sort.Strings(perms)
	out["permissions"] = perms
	if p.User != nil {
		out["user"] = map[string]any{"id": p.User.ID, "name": p.User.Name, "email": p.User.Email, "role": p.User.Role, "method": p.Method}
	}
	if p.Token != nil {
		out["token"] = map[string]any{"id": p.Token.ID, "name": p.Token.Name, "scopes": p.Token.Scopes, "expires_at": p.Token.ExpiresAt}
	}
	writeJSON(w, http.StatusOK, out)
}

// revokeUserSessions signs a user out everywhere (a privileged action).
func (s *Server) revokeUserSessions(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.Error(w, "bad user id", http.StatusBadRequest)
		return
	}
	if _, err := s.st.GetUser(r.Context(), id); err != nil {
		if isNotFound(err) {
			http.Error(w, "no such user", http.StatusNotFound)
			return
		}
		s.log.Error("reading user", "request_id", RequestID(r.Context()), "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	object := "user:" + itoa(id)
	if err := s.Audit(r, "sessions.revoke", object, OutcomeSuccess, "all sessions"); err != nil {
		AuditFailed(w)
		return
	}
	n, err := s.st.RevokeUserSessions(r.Context(), id, s.now())
	if err != nil {
		_ = s.Audit(r, "sessions.revoke", object, OutcomeError, "not carried out")
		s.log.Error("revoking sessions", "request_id", RequestID(r.Context()), "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"revoked": n})
}

// listUsers is the user administration API.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.st.ListUsers(r.Context())
	if err != nil {
		s.log.Error("listing users", "request_id", RequestID(r.Context()), "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	out := []map[string]any{}
	for _, u := range users {
		out = append(out, map[string]any{"id": u.ID, "name": u.Name, "email": u.Email, "role": u.Role, "disabled": u.Disabled, "created_at": u.CreatedAt})
	}
	writeJSON(w, http.StatusOK, out)
}

func isNotFound(err error) bool { return err != nil && errors.Is(err, store.ErrNotFound) }
