package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a signed-in browser. The server keeps the session ID in a cookie and the
// store only its SHA-256, so the table is no use to someone who reads it.
type Session struct {
	IDHash     []byte
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	RevokedAt  time.Time // zero while the session is live
	Method     string
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se Session) error {
	_, err := s.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, method) VALUES (?, ?, ?, ?, ?, ?)`,
		se.IDHash, se.UserID, s.dialect.TimeValue(se.CreatedAt), s.dialect.TimeValue(se.LastSeenAt), s.dialect.TimeValue(se.ExpiresAt), se.Method)
	if err != nil {
		return fmt.Errorf("create session for user %d: %w", se.UserID, s.classify(err))
	}
	return nil
}

// SessionUser returns a session and its user, revoked or not: the caller decides, with
// its own clock, whether the session is still valid.
func (s *Store) SessionUser(ctx context.Context, idHash []byte) (Session, User, error) {
	var se Session
	var revoked nullTime
	var u User
	var role string
	err := s.QueryRow(ctx, `SELECT s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at, s.method,
		u.id, u.name, u.email, u.role, u.disabled, u.created_at, u.password_hash IS NOT NULL, u.totp_secret IS NOT NULL
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`, idHash).
		Scan(&se.UserID, TimeScanner(&se.CreatedAt), TimeScanner(&se.LastSeenAt), TimeScanner(&se.ExpiresAt), &revoked, &se.Method,
			&u.ID, &u.Name, &u.Email, &role, &u.Disabled, TimeScanner(&u.CreatedAt), &u.HasPassword, &u.HasTOTP)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("session: %w", err)
	}
	se.IDHash, u.Role, se.RevokedAt = idHash, Role(role), revoked.t
	return se, u, nil
}

// TouchSession moves a session's last-seen time to now, but only if it is older than
// now-minInterval, so that a busy browser costs one write a minute, not one a request.
func (s *Store) TouchSession(ctx context.Context, idHash []byte, now time.Time, minInterval time.Duration) error {
	_, err := s.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ? AND revoked_at IS NULL`,
		s.dialect.TimeValue(now), idHash, s.dialect.TimeValue(now.Add(-minInterval)))
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// RevokeSession ends one session. Revoking an unknown or already revoked session is
// not an error: the outcome, a session that cannot be used, is the same.
func (s *Store) RevokeSession(ctx context.Context, idHash []byte, now time.Time) error {
	_, err := s.Exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL`, s.dialect.TimeValue(now), idHash)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// RevokeUserSessions ends every live session of a user and returns how many there were.
func (s *Store) RevokeUserSessions(ctx context.Context, userID int64, now time.Time) (int64, error) {
	res, err := s.Exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, s.dialect.TimeValue(now), userID)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of user %d: %w", userID, err)
	}
	return n, nil
}

// DeleteSessionsBefore removes sessions whose absolute expiry or revocation is older
// than before; they can no longer be used and only clutter the table.
func (s *Store) DeleteSessionsBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.Exec(ctx, `DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?`, s.dialect.TimeValue(before), s.dialect.TimeValue(before))
	if err != nil {
		return 0, fmt.Errorf("delete old sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete old sessions: %w", err)
	}
	return n, nil
}
