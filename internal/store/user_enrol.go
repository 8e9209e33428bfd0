package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrExpired: the enrolment link, session or token exists but can no longer be used
// (expired, used or revoked).
var ErrExpired = errors.New("expired or already used")

// CreateEnrolment stores a one-time enrolment link for a user: only the SHA-256 of its
// secret, valid until expires.
func (s *Store) CreateEnrolment(ctx context.Context, userID int64, tokenHash []byte, expires time.Time) error {
	_, err := s.Exec(ctx, `INSERT INTO enrolments (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash, userID, s.dialect.TimeValue(s.nowUTC()), s.dialect.TimeValue(expires))
	if err != nil {
		return fmt.Errorf("create enrolment for user %d: %w", userID, s.classify(err))
	}
	return nil
}

// PeekEnrolment returns the user an enrolment link is for without using it up:
// ErrNotFound for an unknown link, ErrExpired for a used or expired one.
func (s *Store) PeekEnrolment(ctx context.Context, tokenHash []byte, now time.Time) (User, error) {
	var userID int64
	var expires time.Time
	var used nullTime
	err := s.QueryRow(ctx, `SELECT user_id, expires_at, used_at FROM enrolments WHERE token_hash = ?`, tokenHash).
		Scan(&userID, TimeScanner(&expires), &used)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("enrolment: %w", ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("enrolment: %w", err)
	}
	if !used.t.IsZero() || !now.Before(expires) {
		return User{}, fmt.Errorf("enrolment: %w", ErrExpired)
	}
	return s.GetUser(ctx, userID)
}

// ConsumeEnrolment uses up an enrolment link and runs store, which writes the user's new
// credentials, in the same transaction: either the link is spent and the credentials
// are stored, or neither. Two concurrent uses of one link cannot both succeed: the
// conditional UPDATE matches once.
func (s *Store) ConsumeEnrolment(ctx context.Context, tokenHash []byte, now time.Time, store func(tx *Tx, userID int64) error) error {
	err := s.InTx(ctx, func(tx *Tx) error {
		var userID int64
		err := tx.QueryRow(ctx, `UPDATE enrolments SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
			s.dialect.TimeValue(now), tokenHash, s.dialect.TimeValue(now)).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrExpired
		}
		if err != nil {
			return err
		}
		return store(tx, userID)
	})
	if err != nil {
		return fmt.Errorf("consume enrolment: %w", err)
	}
	return nil
}

// ResetCredentials removes every local credential of a user (password, TOTP secret,
// passkeys) and revokes their sessions, in one transaction: account recovery, after
// which only a new enrolment link lets anyone sign in as them. OIDC identities stay:
// the issuer, not posture, holds those credentials.
func (s *Store) ResetCredentials(ctx context.Context, id int64) error {
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := mustAffect(tx.Exec(ctx, `UPDATE users SET password_hash = NULL, totp_secret = NULL WHERE id = ?`, id)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM webauthn_credentials WHERE user_id = ?`, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, s.dialect.TimeValue(s.nowUTC()), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("reset credentials of user %d: %w", id, err)
	}
	return nil
}
