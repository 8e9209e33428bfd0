package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// OIDCState is the server side of an OIDC sign-in between the redirect to the issuer
// and the callback.
type OIDCState struct {
	// BrowserHash is the SHA-256 of the pre-session cookie of the browser that began it.
	BrowserHash []byte
	Nonce       string
	// Verifier is the PKCE code verifier.
	Verifier string
	// Next is where to go after signing in (a local path).
	Next      string
	ExpiresAt time.Time
}

// PutOIDCState stores a sign-in under the SHA-256 of its state parameter, deleting
// sign-ins that expired.
func (s *Store) PutOIDCState(ctx context.Context, stateHash []byte, st OIDCState) error {
	now := s.nowUTC()
	if len(stateHash) == 0 || len(st.BrowserHash) == 0 || st.Nonce == "" || st.Verifier == "" || !st.ExpiresAt.After(now) {
		return fmt.Errorf("store oidc state: %w", ErrInvalid)
	}
	err := s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM oidc_states WHERE expires_at < ?`, s.dialect.TimeValue(now)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO oidc_states (state_hash, browser_hash, nonce, pkce_verifier, next_path, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			stateHash, st.BrowserHash, st.Nonce, st.Verifier, st.Next, s.dialect.TimeValue(now), s.dialect.TimeValue(st.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store oidc state: %w", s.classify(err))
	}
	return nil
}

// TakeOIDCState removes and returns a sign-in: a state answers one callback at most.
// ErrNotFound if unknown or already used, ErrExpired if too old.
func (s *Store) TakeOIDCState(ctx context.Context, stateHash []byte, now time.Time) (OIDCState, error) {
	var st OIDCState
	err := s.QueryRow(ctx, `DELETE FROM oidc_states WHERE state_hash = ? RETURNING browser_hash, nonce, pkce_verifier, next_path, expires_at`, stateHash).
		Scan(&st.BrowserHash, &st.Nonce, &st.Verifier, &st.Next, TimeScanner(&st.ExpiresAt))
	if errors.Is(err, sql.ErrNoRows) {
		return OIDCState{}, fmt.Errorf("oidc state: %w", ErrNotFound)
	}
	if err != nil {
		return OIDCState{}, fmt.Errorf("oidc state: %w", err)
	}
	if !now.Before(st.ExpiresAt) {
		return OIDCState{}, fmt.Errorf("oidc state: %w", ErrExpired)
	}
	return st, nil
}

// OIDCIdentity links an account to a subject at an issuer.
type OIDCIdentity struct {
	Issuer, Subject string
	UserID          int64
	Email           string
	CreatedAt       time.Time
	LastLoginAt     time.Time
}

// UserByOIDC returns the account linked to (issuer, subject).
func (s *Store) UserByOIDC(ctx context.Context, issuer, subject string) (User, error) {
	u, err := scanUser(s.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = (SELECT user_id FROM oidc_identities WHERE issuer = ? AND subject = ?)`, issuer, subject))
	if err != nil {
		return User{}, fmt.Errorf("user by oidc identity: %w", err)
	}
	return u, nil
}

// OIDCIdentities returns the identities linked to an account.
func (s *Store) OIDCIdentities(ctx context.Context, userID int64) ([]OIDCIdentity, error) {
	rows, err := s.Query(ctx, `SELECT issuer, subject, user_id, email, created_at, last_login_at FROM oidc_identities WHERE user_id = ? ORDER BY issuer, subject`, userID)
	if err != nil {
		return nil, fmt.Errorf("oidc identities of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []OIDCIdentity
	for rows.Next() {
		var id OIDCIdentity
		var last nullTime
		if err := rows.Scan(&id.Issuer, &id.Subject, &id.UserID, &id.Email, TimeScanner(&id.CreatedAt), &last); err != nil {
			return nil, fmt.Errorf("oidc identities of user %d: %w", userID, err)
		}
		id.LastLoginAt = last.t
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("oidc identities of user %d: %w", userID, err)
	}
	return out, nil
}

func validIdentity(issuer, subject string) error {
	if issuer == "" || subject == "" || len(issuer) > 2048 || len(subject) > 255 || strings.ContainsRune(issuer+subject, 0) {
		return fmt.Errorf("%w: issuer and subject must be non-empty and short", ErrInvalid)
	}
	return nil
}

// LinkOIDC links an existing account that has no identity at this issuer yet to
// (issuer, subject). ErrConflict if the identity is linked already or the account has
// another subject at this issuer.
func (s *Store) LinkOIDC(ctx context.Context, issuer, subject string, userID int64, email string) error {
	if err := validIdentity(issuer, subject); err != nil {
		return fmt.Errorf("link oidc identity: %w", err)
	}
	now := s.dialect.TimeValue(s.nowUTC())
	err := s.InTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM oidc_identities WHERE issuer = ? AND user_id = ?`, issuer, userID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: the account already has an identity at this issuer", ErrConflict)
		}
		_, err := tx.Exec(ctx, `INSERT INTO oidc_identities (issuer, subject, user_id, email, created_at, last_login_at) VALUES (?, ?, ?, ?, ?, ?)`,
			issuer, subject, userID, NormalizeEmail(email), now, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("link oidc identity: %w", s.classify(err))
	}
	return nil
}

// ProvisionOIDCUser creates an account and links it to (issuer, subject) in one
// transaction: either both exist afterwards or neither.
func (s *Store) ProvisionOIDCUser(ctx context.Context, in UserInput, issuer, subject string) (User, error) {
	if err := in.validate(); err != nil {
		return User{}, fmt.Errorf("provision oidc user: %w", err)
	}
	if err := validIdentity(issuer, subject); err != nil {
		return User{}, fmt.Errorf("provision oidc user: %w", err)
	}
	now := s.dialect.TimeValue(s.nowUTC())
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO users (name, email, role, disabled, created_at) VALUES (?, ?, ?, ?, ?)`,
			strings.TrimSpace(in.Name), NormalizeEmail(in.Email), string(in.Role), false, now)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO oidc_identities (issuer, subject, user_id, email, created_at, last_login_at) VALUES (?, ?, ?, ?, ?, ?)`,
			issuer, subject, id, NormalizeEmail(in.Email), now, now)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("provision oidc user %q: %w", NormalizeEmail(in.Email), s.classify(err))
	}
	return s.GetUser(ctx, id)
}

// TouchOIDC records a sign-in through an identity and the address the issuer gave.
func (s *Store) TouchOIDC(ctx context.Context, issuer, subject, email string) error {
	if err := mustAffect(s.Exec(ctx, `UPDATE oidc_identities SET last_login_at = ?, email = ? WHERE issuer = ? AND subject = ?`,
		s.dialect.TimeValue(s.nowUTC()), NormalizeEmail(email), issuer, subject)); err != nil {
		return fmt.Errorf("record oidc sign-in: %w", err)
	}
	return nil
}
