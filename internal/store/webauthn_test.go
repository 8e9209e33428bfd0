package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWebAuthnCredentials(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, UserInput{Name: "Ada", Email: "ada@example.com", Role: RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.WebAuthnHandle(ctx, u.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("handle before any passkey: %v", err)
		}
		handle := []byte("0123456789abcdef0123456789abcdef")
		c := WebAuthnCredential{UserID: u.ID, CredentialID: []byte("cred-1"), Name: "laptop", Data: []byte(`{"id":"x"}`), SignCount: 3}
		id, err := s.AddWebAuthnCredential(ctx, handle, c)
		if err != nil {
			t.Fatal(err)
		}
		if h, err := s.WebAuthnHandle(ctx, u.ID); err != nil || string(h) != string(handle) {
			t.Fatalf("handle = %q, %v", h, err)
		}
		if got, err := s.UserByWebAuthnHandle(ctx, handle); err != nil || got.ID != u.ID {
			t.Fatalf("UserByWebAuthnHandle = %+v, %v", got, err)
		}
		// Same credential twice, or another handle for the account: conflicts.
		if _, err := s.AddWebAuthnCredential(ctx, handle, c); !errors.Is(err, ErrConflict) {
			t.Fatalf("duplicate credential: %v", err)
		}
		c2 := c
		c2.CredentialID = []byte("cred-2")
		if _, err := s.AddWebAuthnCredential(ctx, []byte("another handle................."), c2); !errors.Is(err, ErrConflict) {
			t.Fatalf("second handle: %v", err)
		}
		// Compare-and-swap on the counter: a stale old value loses.
		if ok, err := s.UseWebAuthnCredential(ctx, id, 3, 4, t0); !ok || err != nil {
			t.Fatalf("use: %v %v", ok, err)
		}
		if ok, err := s.UseWebAuthnCredential(ctx, id, 3, 5, t0); ok || err != nil {
			t.Fatalf("stale use succeeded: %v %v", ok, err)
		}
		if err := s.FlagWebAuthnClone(ctx, id); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.UseWebAuthnCredential(ctx, id, 4, 6, t0); ok {
			t.Fatal("a flagged credential recorded a use")
		}
		list, err := s.WebAuthnCredentials(ctx, u.ID)
		if err != nil || len(list) != 1 || list[0].SignCount != 4 || !list[0].CloneWarning || !list[0].LastUsedAt.Equal(t0) || string(list[0].Data) != `{"id":"x"}` {
			t.Fatalf("list = %+v, %v", list, err)
		}
		if err := s.DeleteWebAuthnCredential(ctx, u.ID+1, id); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete by another user: %v", err)
		}
		if err := s.DeleteWebAuthnCredential(ctx, u.ID, id); err != nil {
			t.Fatal(err)
		}
	})
}

func TestWebAuthnChallengesAreSingleUse(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		id := []byte("ceremony-hash-0123456789abcdef01")
		in := WebAuthnChallenge{Purpose: CeremonyLogin, SessionData: []byte(`{"challenge":"c"}`), ExpiresAt: now.Add(5 * time.Minute)}
		if err := s.PutWebAuthnChallenge(ctx, id, in); err != nil {
			t.Fatal(err)
		}
		got, err := s.TakeWebAuthnChallenge(ctx, id, now)
		if err != nil || got.Purpose != CeremonyLogin || got.UserID != 0 || string(got.SessionData) != `{"challenge":"c"}` {
			t.Fatalf("take = %+v, %v", got, err)
		}
		if _, err := s.TakeWebAuthnChallenge(ctx, id, now); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second take: %v", err)
		}
		if err := s.PutWebAuthnChallenge(ctx, id, in); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakeWebAuthnChallenge(ctx, id, now.Add(6*time.Minute)); !errors.Is(err, ErrExpired) {
			t.Fatalf("expired take: %v", err)
		}
		if _, err := s.TakeWebAuthnChallenge(ctx, id, now); !errors.Is(err, ErrNotFound) {
			t.Fatalf("an expired challenge is still removed: %v", err)
		}
		in.ExpiresAt = now.Add(-time.Second)
		if err := s.PutWebAuthnChallenge(ctx, id, in); !errors.Is(err, ErrInvalid) {
			t.Fatalf("already expired: %v", err)
		}
	})
}

// TestResetCredentials: account recovery leaves no way to sign in as the user but a
// new enrolment link, and touches nobody else.
func TestResetCredentials(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		var ids []int64
		for _, email := range []string{"ada@example.com", "bo@example.com"} {
			u, err := s.CreateUser(ctx, UserInput{Name: "x", Email: email, Role: RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.InTx(ctx, func(tx *Tx) error { return SetPasswordTOTP(ctx, tx, u.ID, "$argon2id$x", []byte("secret")) }); err != nil {
				t.Fatal(err)
			}
			handle := []byte(email + "................................")[:32]
			if _, err := s.AddWebAuthnCredential(ctx, handle, WebAuthnCredential{UserID: u.ID, CredentialID: []byte("cred-" + email), Name: "key", Data: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			if err := s.CreateSession(ctx, Session{IDHash: []byte("session-of-" + email), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), Method: "password"}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.ID)
		}
		if err := s.ResetCredentials(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
		if err := s.ResetCredentials(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("reset of a missing user: %v", err)
		}
		for i, id := range ids {
			u, _ := s.GetUser(ctx, id)
			keys, _ := s.WebAuthnCredentials(ctx, id)
			var live int
			if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = ? AND revoked_at IS NULL`, id).Scan(&live); err != nil {
				t.Fatal(err)
			}
			reset := u.HasPassword || u.HasTOTP || len(keys) > 0 || live > 0
			if i == 0 && reset || i == 1 && (!u.HasPassword || len(keys) != 1 || live != 1) {
				t.Errorf("user %d after resetting user %d: %+v, %d passkeys, %d live sessions", id, ids[0], u, len(keys), live)
			}
		}
	})
}

// TestListUsersCountsSignInMethods: the user list says how each account signs in, so
// that a passkey-only or single-sign-on account is not shown as never enrolled.
func TestListUsersCountsSignInMethods(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		mk := func(email string) User {
			u, err := s.CreateUser(ctx, UserInput{Name: "x", Email: email, Role: RoleViewer})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		key, sso, none := mk("key@example.com"), mk("sso@example.com"), mk("none@example.com")
		for i := range 2 {
			if _, err := s.AddWebAuthnCredential(ctx, []byte("handle-of-key-user..............."), WebAuthnCredential{UserID: key.ID, CredentialID: []byte{byte(i)}, Name: "k", Data: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.LinkOIDC(ctx, "https://issuer.example", "sub-1", sso.ID, sso.Email); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]User{}
		for _, u := range list {
			got[u.ID] = u
		}
		if u := got[key.ID]; u.Passkeys != 2 || !u.Enrolled() {
			t.Errorf("passkey user %+v", u)
		}
		if u := got[sso.ID]; u.OIDC != 1 || !u.Enrolled() {
			t.Errorf("single sign-on user %+v", u)
		}
		if u := got[none.ID]; u.Enrolled() {
			t.Errorf("new user %+v counts as enrolled", u)
		}
	})
}
