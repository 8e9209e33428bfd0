package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// WebAuthnCredential is a passkey registered to an account.
type WebAuthnCredential struct {
	ID           int64
	UserID       int64
	CredentialID []byte
	Name         string
	// Data is the verified credential record as JSON (the server's business).
	Data         []byte
	SignCount    uint32
	CloneWarning bool
	CreatedAt    time.Time
	LastUsedAt   time.Time // zero if never used
}

// WebAuthnHandle returns the account's WebAuthn user handle, ErrNotFound if it has none
// yet (no passkey was ever stored).
func (s *Store) WebAuthnHandle(ctx context.Context, userID int64) ([]byte, error) {
	var h []byte
	err := s.QueryRow(ctx, `SELECT handle FROM webauthn_handles WHERE user_id = ?`, userID).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("webauthn handle of user %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("webauthn handle of user %d: %w", userID, err)
	}
	return h, nil
}

// UserByWebAuthnHandle returns the account a user handle belongs to.
func (s *Store) UserByWebAuthnHandle(ctx context.Context, handle []byte) (User, error) {
	u, err := scanUser(s.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = (SELECT user_id FROM webauthn_handles WHERE handle = ?)`, handle))
	if err != nil {
		return User{}, fmt.Errorf("user by webauthn handle: %w", err)
	}
	return u, nil
}

// AddWebAuthnCredential stores a verified passkey inside tx, together with the account's
// user handle when it is the first one (enrolment spends its link in the same
// transaction). A handle that differs from the one already stored for the account is
// ErrConflict: the ceremony was begun for another registration.
func AddWebAuthnCredential(ctx context.Context, tx *Tx, handle []byte, c WebAuthnCredential, now time.Time) (int64, error) {
	if len(handle) == 0 || len(c.CredentialID) == 0 || len(c.Data) == 0 || c.UserID == 0 {
		return 0, fmt.Errorf("add passkey: %w: handle, credential id, data and user are required", ErrInvalid)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO webauthn_handles (user_id, handle) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING`, c.UserID, handle); err != nil {
		return 0, fmt.Errorf("add passkey: handle: %w", classifyErr(err))
	}
	var stored []byte
	if err := tx.QueryRow(ctx, `SELECT handle FROM webauthn_handles WHERE user_id = ?`, c.UserID).Scan(&stored); err != nil {
		return 0, fmt.Errorf("add passkey: handle: %w", err)
	}
	if string(stored) != string(handle) {
		return 0, fmt.Errorf("add passkey: %w: the account has another user handle", ErrConflict)
	}
	id, err := tx.InsertID(ctx, `INSERT INTO webauthn_credentials (user_id, credential_id, name, data, sign_count, clone_warning, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.UserID, c.CredentialID, c.Name, string(c.Data), int64(c.SignCount), false, tx.d.TimeValue(now))
	if err != nil {
		return 0, fmt.Errorf("add passkey: %w", classifyErr(err))
	}
	return id, nil
}

// AddWebAuthnCredential stores a passkey in its own transaction (an account adding one).
func (s *Store) AddWebAuthnCredential(ctx context.Context, handle []byte, c WebAuthnCredential) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		id, err = AddWebAuthnCredential(ctx, tx, handle, c, s.nowUTC())
		return err
	})
	return id, err
}

const webauthnColumns = `id, user_id, credential_id, name, data, sign_count, clone_warning, created_at, last_used_at`

func scanWebAuthn(row interface{ Scan(...any) error }) (WebAuthnCredential, error) {
	var c WebAuthnCredential
	var data string
	var count int64
	var used nullTime
	err := row.Scan(&c.ID, &c.UserID, &c.CredentialID, &c.Name, &data, &count, &c.CloneWarning, TimeScanner(&c.CreatedAt), &used)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.Data, c.SignCount, c.LastUsedAt = []byte(data), uint32(count), used.t
	return c, err
}

// WebAuthnCredentials returns an account's passkeys, oldest first.
func (s *Store) WebAuthnCredentials(ctx context.Context, userID int64) ([]WebAuthnCredential, error) {
	rows, err := s.Query(ctx, `SELECT `+webauthnColumns+` FROM webauthn_credentials WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("passkeys of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []WebAuthnCredential
	for rows.Next() {
		c, err := scanWebAuthn(rows)
		if err != nil {
			return nil, fmt.Errorf("passkeys of user %d: %w", userID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("passkeys of user %d: %w", userID, err)
	}
	return out, nil
}

// UseWebAuthnCredential records a successful assertion: the sign counter moves from
// old to counter and the last-use time to now, but only if the stored counter is still
// old (compare-and-swap). It returns false, changing nothing, when another replica
// recorded a use of the same credential in between: two assertions with one counter
// value mean the key is in two places.
func (s *Store) UseWebAuthnCredential(ctx context.Context, id int64, old, counter uint32, now time.Time) (bool, error) {
	res, err := s.Exec(ctx, `UPDATE webauthn_credentials SET sign_count = ?, last_used_at = ? WHERE id = ? AND sign_count = ? AND clone_warning = ?`,
		int64(counter), s.dialect.TimeValue(now), id, int64(old), false)
	if err != nil {
		return false, fmt.Errorf("record passkey use %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record passkey use %d: %w", id, err)
	}
	return n == 1, nil
}

// FlagWebAuthnClone marks a credential as possibly cloned; it no longer signs in.
func (s *Store) FlagWebAuthnClone(ctx context.Context, id int64) error {
	if err := mustAffect(s.Exec(ctx, `UPDATE webauthn_credentials SET clone_warning = ? WHERE id = ?`, true, id)); err != nil {
		return fmt.Errorf("flag passkey %d: %w", id, err)
	}
	return nil
}

// DeleteWebAuthnCredential removes one of an account's passkeys; ErrNotFound if the
// account has no passkey with that id.
func (s *Store) DeleteWebAuthnCredential(ctx context.Context, userID, id int64) error {
	if err := mustAffect(s.Exec(ctx, `DELETE FROM webauthn_credentials WHERE id = ? AND user_id = ?`, id, userID)); err != nil {
		return fmt.Errorf("delete passkey %d of user %d: %w", id, userID, err)
	}
	return nil
}

// Purposes of a WebAuthn ceremony.
const (
	CeremonyLogin    = "login"    // sign-in
	CeremonyEnrol    = "enrol"    // first passkey, on an enrolment link
	CeremonyRegister = "register" // a signed-in account adding a passkey
)

// WebAuthnChallenge is the server side of a WebAuthn ceremony between its two requests.
type WebAuthnChallenge struct {
	Purpose string
	// UserID is the account (0 for a discoverable login).
	UserID int64
	// EnrolmentHash ties an enrolment ceremony to its link.
	EnrolmentHash []byte
	// SessionData is go-webauthn's session data as JSON.
	SessionData []byte
	ExpiresAt   time.Time
}

// PutWebAuthnChallenge stores a ceremony under the SHA-256 of its id, and deletes
// ceremonies that expired (no sweeper needed: every new ceremony tidies up).
func (s *Store) PutWebAuthnChallenge(ctx context.Context, idHash []byte, c WebAuthnChallenge) error {
	now := s.nowUTC()
	if len(idHash) == 0 || len(c.SessionData) == 0 || !c.ExpiresAt.After(now) {
		return fmt.Errorf("store webauthn challenge: %w", ErrInvalid)
	}
	var userID any
	if c.UserID != 0 {
		userID = c.UserID
	}
	err := s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM webauthn_challenges WHERE expires_at < ?`, s.dialect.TimeValue(now)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO webauthn_challenges (id_hash, purpose, user_id, enrolment_hash, session_data, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			idHash, c.Purpose, userID, c.EnrolmentHash, string(c.SessionData), s.dialect.TimeValue(now), s.dialect.TimeValue(c.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store webauthn challenge: %w", s.classify(err))
	}
	return nil
}

// TakeWebAuthnChallenge removes and returns a ceremony: a challenge answers one
// assertion at most, whichever replica receives it. ErrNotFound if there is none (never
// issued, or already taken), ErrExpired if it is too old.
func (s *Store) TakeWebAuthnChallenge(ctx context.Context, idHash []byte, now time.Time) (WebAuthnChallenge, error) {
	var c WebAuthnChallenge
	var userID sql.NullInt64
	var data string
	err := s.QueryRow(ctx, `DELETE FROM webauthn_challenges WHERE id_hash = ? RETURNING purpose, user_id, enrolment_hash, session_data, expires_at`, idHash).
		Scan(&c.Purpose, &userID, &c.EnrolmentHash, &data, TimeScanner(&c.ExpiresAt))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("webauthn challenge: %w", ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("webauthn challenge: %w", err)
	}
	c.UserID, c.SessionData = userID.Int64, []byte(data)
	if !now.Before(c.ExpiresAt) {
		return WebAuthnChallenge{}, fmt.Errorf("webauthn challenge: %w", ErrExpired)
	}
	return c, nil
}

// classifyErr is Store.classify for code that has only a transaction.
func classifyErr(err error) error {
	if isUniqueViolation(err) && !errors.Is(err, ErrConflict) {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}
