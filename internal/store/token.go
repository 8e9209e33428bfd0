package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// APIToken is a machine credential. The secret itself is shown once at creation and
// never stored; TokenHash is its SHA-256.
type APIToken struct {
	ID         int64
	Name       string
	Scopes     []string
	CreatedBy  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt time.Time // zero if never used
	RevokedAt  time.Time // zero while not revoked
}

// TokenInput is what CreateToken writes.
type TokenInput struct {
	Hash      []byte
	Name      string
	Scopes    []string
	CreatedBy string
	ExpiresAt time.Time
}

// CreateToken stores a new API token and returns it with its id.
func (s *Store) CreateToken(ctx context.Context, in TokenInput) (APIToken, error) {
	if len(in.Hash) == 0 || len(in.Scopes) == 0 || in.Name == "" || in.ExpiresAt.IsZero() {
		return APIToken{}, fmt.Errorf("create token: %w: hash, name, scopes and expiry are required", ErrInvalid)
	}
	for _, sc := range in.Scopes {
		if sc == "" || strings.ContainsAny(sc, " \t\n") {
			return APIToken{}, fmt.Errorf("create token: %w: scope %q", ErrInvalid, sc)
		}
	}
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO api_tokens (token_hash, name, scopes, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			in.Hash, in.Name, strings.Join(in.Scopes, " "), in.CreatedBy, s.dialect.TimeValue(s.nowUTC()), s.dialect.TimeValue(in.ExpiresAt))
		return err
	})
	if err != nil {
		return APIToken{}, fmt.Errorf("create token %q: %w", in.Name, s.classify(err))
	}
	return s.getToken(ctx, `id = ?`, id)
}

const tokenColumns = `id, name, scopes, created_by, created_at, expires_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	var scopes string
	var lastUsed, revoked nullTime
	err := row.Scan(&t.ID, &t.Name, &scopes, &t.CreatedBy, TimeScanner(&t.CreatedAt), TimeScanner(&t.ExpiresAt), &lastUsed, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return APIToken{}, ErrNotFound
	}
	t.Scopes = strings.Fields(scopes)
	t.LastUsedAt, t.RevokedAt = lastUsed.t, revoked.t
	return t, err
}

func (s *Store) getToken(ctx context.Context, where string, arg any) (APIToken, error) {
	t, err := scanToken(s.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE `+where, arg))
	if err != nil {
		return APIToken{}, fmt.Errorf("get token: %w", err)
	}
	return t, nil
}

// TokenByHash returns the token whose secret has this SHA-256, expired or revoked or
// not: the caller decides with its own clock.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (APIToken, error) {
	return s.getToken(ctx, `token_hash = ?`, hash)
}

// GetToken returns the token with this id.
func (s *Store) GetToken(ctx context.Context, id int64) (APIToken, error) {
	return s.getToken(ctx, `id = ?`, id)
}

// ListTokens returns every token, newest first.
func (s *Store) ListTokens(ctx context.Context) ([]APIToken, error) {
	rows, err := s.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

// TouchToken records a use of the token, at most once per minInterval, so that a
// busy scanner costs one write a minute.
func (s *Store) TouchToken(ctx context.Context, id int64, now time.Time, minInterval time.Duration) error {
	_, err := s.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		s.dialect.TimeValue(now), id, s.dialect.TimeValue(now.Add(-minInterval)))
	if err != nil {
		return fmt.Errorf("touch token %d: %w", id, err)
	}
	return nil
}

// RevokeToken revokes a token; ErrNotFound if there is no such token. Revoking twice
// keeps the first revocation time.
func (s *Store) RevokeToken(ctx context.Context, id int64, now time.Time) error {
	if _, err := s.GetToken(ctx, id); err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	if _, err := s.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, s.dialect.TimeValue(now), id); err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	return nil
}

// nullTime scans a nullable timestamp column; NULL leaves the zero time.
type nullTime struct{ t time.Time }

func (n *nullTime) Scan(src any) error {
	if src == nil {
		n.t = time.Time{}
		return nil
	}
	return TimeScanner(&n.t).Scan(src)
}
