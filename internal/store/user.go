package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user may do on the server; the server maps roles to permissions.
type Role string

// The roles of P6: a viewer reads, an engineer triages findings of their systems, an
// approver (security) approves deviations, an admin manages users and configuration, an
// auditor reads the audit log.
const (
	RoleViewer   Role = "viewer"
	RoleEngineer Role = "engineer"
	RoleApprover Role = "approver"
	RoleAdmin    Role = "admin"
	RoleAuditor  Role = "auditor"
)

// Roles lists the five roles, least privileged first, for forms and help texts.
var Roles = []Role{RoleViewer, RoleEngineer, RoleAuditor, RoleApprover, RoleAdmin}

// Valid reports whether r is one of the five roles.
func (r Role) Valid() bool {
	switch r {
	case RoleViewer, RoleEngineer, RoleApprover, RoleAdmin, RoleAuditor:
		return true
	}
	return false
}

// User is a person who signs in to the server.
type User struct {
	ID        int64
	Name      string
	Email     string
	Role      Role
	Disabled  bool
	CreatedAt time.Time
	// HasPassword and HasTOTP say which local credentials are enrolled.
	HasPassword, HasTOTP bool
	// Passkeys and OIDC count the other ways the account signs in; only ListUsers fills
	// them (a session's user is read on every request and does not need them).
	Passkeys, OIDC int
}

// Enrolled says whether the account has any way to sign in.
func (u User) Enrolled() bool { return u.HasPassword || u.HasTOTP || u.Passkeys > 0 || u.OIDC > 0 }

// UserInput is what CreateUser writes.
type UserInput struct {
	Name  string
	Email string
	Role  Role
}

// NormalizeEmail is the form of an address the store keeps and looks up: trimmed and
// lower-cased, so that "Alice@Example.com" and "alice@example.com" are one account.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func (in UserInput) validate() error {
	if !in.Role.Valid() {
		return fmt.Errorf("%w: role %q (want viewer, engineer, approver, admin or auditor)", ErrInvalid, in.Role)
	}
	email := NormalizeEmail(in.Email)
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return fmt.Errorf("%w: email %q is not a plain address", ErrInvalid, in.Email)
	}
	if len(email) > 254 || len(in.Name) > 200 || !utf8.ValidString(in.Name) {
		return fmt.Errorf("%w: name or email too long or not UTF-8", ErrInvalid)
	}
	return nil
}

// CreateUser adds a user without credentials. An email already in use is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, in UserInput) (User, error) {
	if err := in.validate(); err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO users (name, email, role, disabled, created_at) VALUES (?, ?, ?, ?, ?)`,
			strings.TrimSpace(in.Name), NormalizeEmail(in.Email), string(in.Role), false, s.dialect.TimeValue(s.nowUTC()))
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", NormalizeEmail(in.Email), s.classify(err))
	}
	return s.GetUser(ctx, id)
}

const userColumns = `id, name, email, role, disabled, created_at, password_hash IS NOT NULL, totp_secret IS NOT NULL`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var role string
	err := row.Scan(&u.ID, &u.Name, &u.Email, &role, &u.Disabled, TimeScanner(&u.CreatedAt), &u.HasPassword, &u.HasTOTP)
	u.Role = Role(role)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	return u, err
}

// GetUser returns the user with this id.
func (s *Store) GetUser(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return User{}, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// UserByEmail returns the user with this address (compared after NormalizeEmail).
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, NormalizeEmail(email)))
	if err != nil {
		return User{}, fmt.Errorf("get user by email: %w", err)
	}
	return u, nil
}

// ListUsers returns every user, by email.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.Query(ctx, `SELECT `+userColumns+` FROM users`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	rows.Close()
	idx := map[int64]int{}
	for i, u := range out {
		idx[u.ID] = i
	}
	for _, q := range []struct {
		sql string
		set func(*User, int)
	}{
		{`SELECT user_id, COUNT(*) FROM webauthn_credentials GROUP BY user_id`, func(u *User, n int) { u.Passkeys = n }},
		{`SELECT user_id, COUNT(*) FROM oidc_identities GROUP BY user_id`, func(u *User, n int) { u.OIDC = n }},
	} {
		if err := s.countByUser(ctx, q.sql, func(id int64, n int) {
			if i, ok := idx[id]; ok {
				q.set(&out[i], n)
			}
		}); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out, nil
}

func (s *Store) countByUser(ctx context.Context, query string, f func(id int64, n int)) error {
	rows, err := s.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		f(id, n)
	}
	return rows.Err()
}

// SetUserDisabled disables or re-enables a user. Disabling also revokes the user's
// sessions, in the same transaction, so that no signed-in browser outlives it.
func (s *Store) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := mustAffect(tx.Exec(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, id)); err != nil {
			return err
		}
		if disabled {
			_, err := tx.Exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, s.dialect.TimeValue(s.nowUTC()), id)
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set user %d disabled=%t: %w", id, disabled, err)
	}
	return nil
}

// SetUserRole changes a user's role.
func (s *Store) SetUserRole(ctx context.Context, id int64, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("set role of user %d: %w: role %q", id, ErrInvalid, role)
	}
	if err := mustAffect(s.Exec(ctx, `UPDATE users SET role = ? WHERE id = ?`, string(role), id)); err != nil {
		return fmt.Errorf("set role of user %d: %w", id, err)
	}
	return nil
}

// Credentials are a user's local sign-in secrets.
type Credentials struct {
	PasswordHash string
	TOTPSecret   []byte
	// TOTPLastStep is the last TOTP time step accepted.
	TOTPLastStep int64
}

// UserCredentials returns the user with this address and their local credentials.
func (s *Store) UserCredentials(ctx context.Context, email string) (User, Credentials, error) {
	var c Credentials
	var pw sql.NullString
	row := s.QueryRow(ctx, `SELECT `+userColumns+`, password_hash, totp_secret, totp_last_step FROM users WHERE email = ?`, NormalizeEmail(email))
	var u User
	var role string
	err := row.Scan(&u.ID, &u.Name, &u.Email, &role, &u.Disabled, TimeScanner(&u.CreatedAt), &u.HasPassword, &u.HasTOTP, &pw, &c.TOTPSecret, &c.TOTPLastStep)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return User{}, Credentials{}, fmt.Errorf("get credentials: %w", err)
	}
	u.Role, c.PasswordHash = Role(role), pw.String
	return u, c, nil
}

// SetPasswordTOTP stores a user's password hash and TOTP secret inside tx (enrolment
// consumes its link in the same transaction).
func SetPasswordTOTP(ctx context.Context, tx *Tx, userID int64, passwordHash string, totpSecret []byte) error {
	if passwordHash == "" || len(totpSecret) == 0 {
		return fmt.Errorf("set credentials of user %d: %w: empty password hash or TOTP secret", userID, ErrInvalid)
	}
	if err := mustAffect(tx.Exec(ctx, `UPDATE users SET password_hash = ?, totp_secret = ?, totp_last_step = 0 WHERE id = ?`, passwordHash, totpSecret, userID)); err != nil {
		return fmt.Errorf("set credentials of user %d: %w", userID, err)
	}
	return nil
}

// UseTOTPStep records that the TOTP code of time step was accepted for the user. It
// returns false, changing nothing, when that step or a later one was already used: the
// code is a replay.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := s.Exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, userID, step)
	if err != nil {
		return false, fmt.Errorf("record TOTP step of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record TOTP step of user %d: %w", userID, err)
	}
	return n == 1, nil
}

// mustAffect turns an UPDATE that matched no row into ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
