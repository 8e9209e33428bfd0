package server

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// Cookie names. The __Host- prefix makes browsers refuse the cookie unless it is
// Secure, has Path=/ and no Domain, so a sibling subdomain cannot set or overwrite it.
const (
	SessionCookie   = "__Host-posture_session"
	deviceCookie    = "__Host-posture_device"
	preSessionCSRF  = "__Host-posture_csrf"
	touchInterval   = time.Minute
	deviceCookieAge = 365 * 24 * time.Hour
)

// sessionPrincipal returns the principal of a valid session cookie, or nil. An invalid
// cookie (unknown, expired, revoked, disabled user) is cleared and audited
// (rejectSession).
func (s *Server) sessionPrincipal(w http.ResponseWriter, r *http.Request) *Principal {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil
	}
	hash, err := parseSecret(c.Value)
	if err != nil {
		s.rejectSession(w, r, "session", "malformed session cookie")
		return nil
	}
	se, u, err := s.st.SessionUser(r.Context(), hash)
	if errors.Is(err, store.ErrNotFound) {
		s.rejectSession(w, r, "session", "unknown session (forged, or purged after it ended)")
		return nil
	} else if err != nil {
		s.log.Warn("reading session", "request_id", RequestID(r.Context()), "err", err)
		clearCookie(w, SessionCookie)
		return nil
	}
	now := s.now()
	if why := s.sessionDead(se, u, now); why != "" {
		s.rejectSession(w, r, userObject(u.ID), why)
		return nil
	}
	if now.Sub(se.LastSeenAt) >= touchInterval {
		if err := s.st.TouchSession(r.Context(), hash, now, touchInterval); err != nil {
			s.log.Warn("touching session", "request_id", RequestID(r.Context()), "err", err)
		}
	}
	return &Principal{User: &u, Method: se.Method, perms: permSet(rolePermissions[u.Role]), sessionHash: hash, csrf: csrfToken(c.Value)}
}

// sessionDead says why a session authenticates nothing, "" if it does.
func (s *Server) sessionDead(se store.Session, u store.User, now time.Time) string {
	switch {
	case !se.RevokedAt.IsZero():
		return "session signed out or revoked"
	case u.Disabled:
		return "session of a disabled user"
	case !now.Before(se.ExpiresAt):
		return "session past its absolute timeout"
	case now.Sub(se.LastSeenAt) >= s.cfg.IdleTimeout:
		return "session past its idle timeout"
	}
	return ""
}

// csrfToken derives a session's CSRF token from its ID. The store keeps only the ID's
// SHA-256, from which this cannot be computed, so any replica can check the token
// without storing it and a database reader cannot forge it.
func csrfToken(sessionID string) string {
	h := sha256.Sum256([]byte("posture csrf v1\x00" + sessionID))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// StartSession signs a user in: it revokes the session the browser presented, if any
// (rotation: a session ID planted before sign-in is worthless after it), creates a new
// one and sets its cookie. method names how the user authenticated. Identity
// providers call this after they have verified the user and recorded the login with
// Audit.
func (s *Server) StartSession(w http.ResponseWriter, r *http.Request, u store.User, method string) error {
	now := s.now()
	if c, err := r.Cookie(SessionCookie); err == nil {
		if old, err := parseSecret(c.Value); err == nil {
			if err := s.st.RevokeSession(r.Context(), old, now); err != nil {
				return err
			}
		}
	}
	id := newSecret()
	se := store.Session{IDHash: hashSecret(id), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.AbsoluteTimeout), Method: method}
	if err := s.st.CreateSession(r.Context(), se); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.AbsoluteTimeout.Seconds())})
	return nil
}

// EndSession revokes the request's session and clears its cookie.
func (s *Server) EndSession(w http.ResponseWriter, r *http.Request) error {
	clearCookie(w, SessionCookie)
	if p := PrincipalFrom(r.Context()); p != nil && p.sessionHash != nil {
		return s.st.RevokeSession(r.Context(), p.sessionHash, s.now())
	}
	return nil
}

func clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
