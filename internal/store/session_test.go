package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, UserInput{Name: "Ada", Email: "ada@example.com", Role: RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		a, b := []byte("session-a-hash-0123456789abcdef0"), []byte("session-b-hash-0123456789abcdef0")
		for _, h := range [][]byte{a, b} {
			if err := s.CreateSession(ctx, Session{IDHash: h, UserID: u.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(12 * time.Hour), Method: "password+totp"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CreateSession(ctx, Session{IDHash: a, UserID: u.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0, Method: "x"}); !errors.Is(err, ErrConflict) {
			t.Fatalf("duplicate session: %v", err)
		}
		se, su, err := s.SessionUser(ctx, a)
		if err != nil || su.ID != u.ID || !se.LastSeenAt.Equal(t0) || !se.ExpiresAt.Equal(t0.Add(12*time.Hour)) || !se.RevokedAt.IsZero() || se.Method != "password+totp" {
			t.Fatalf("SessionUser = %+v %+v, %v", se, su, err)
		}
		// Throttled touch: within a minute nothing is written, after it the time moves.
		if err := s.TouchSession(ctx, a, t0.Add(30*time.Second), time.Minute); err != nil {
			t.Fatal(err)
		}
		if se, _, _ := s.SessionUser(ctx, a); !se.LastSeenAt.Equal(t0) {
			t.Fatalf("touched within interval: %v", se.LastSeenAt)
		}
		if err := s.TouchSession(ctx, a, t0.Add(2*time.Minute), time.Minute); err != nil {
			t.Fatal(err)
		}
		if se, _, _ := s.SessionUser(ctx, a); !se.LastSeenAt.Equal(t0.Add(2 * time.Minute)) {
			t.Fatalf("not touched: %v", se.LastSeenAt)
		}
		if err := s.RevokeSession(ctx, a, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if se, _, _ := s.SessionUser(ctx, a); se.RevokedAt.IsZero() {
			t.Fatal("revoked session reads as live")
		}
		if n, err := s.RevokeUserSessions(ctx, u.ID, t0.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("RevokeUserSessions = %d, %v; want 1 (b only)", n, err)
		}
		if _, _, err := s.SessionUser(ctx, []byte("nope")); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown session: %v", err)
		}
		if n, err := s.DeleteSessionsBefore(ctx, t0.Add(2*time.Hour)); err != nil || n != 2 {
			t.Fatalf("DeleteSessionsBefore = %d, %v", n, err)
		}
		// Disabling a user revokes their sessions in the same transaction.
		c := []byte("session-c-hash-0123456789abcdef0")
		if err := s.CreateSession(ctx, Session{IDHash: c, UserID: u.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour), Method: "x"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetUserDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if se, su, _ := s.SessionUser(ctx, c); se.RevokedAt.IsZero() || !su.Disabled {
			t.Fatalf("after disable: %+v %+v", se, su)
		}
	})
}

func TestLoginThrottle(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		lock := func(n int) time.Duration {
			if n < 3 {
				return 0
			}
			return time.Duration(n) * time.Minute
		}
		buckets := []string{"acct:x", "client:y"}
		for i := range 3 {
			if err := s.RecordLoginFailure(ctx, buckets, t0.Add(time.Duration(i)*time.Second), time.Hour, lock); err != nil {
				t.Fatal(err)
			}
		}
		until, err := s.LockedUntil(ctx, []string{"client:y", "other"})
		if want := t0.Add(2*time.Second + 3*time.Minute); err != nil || !until.Equal(want) {
			t.Fatalf("LockedUntil = %v, %v; want %v", until, err, want)
		}
		if until, _ := s.LockedUntil(ctx, []string{"other"}); !until.IsZero() {
			t.Fatalf("unknown bucket locked until %v", until)
		}
		// After the forget interval the count starts again.
		if err := s.RecordLoginFailure(ctx, buckets[:1], t0.Add(2*time.Hour), time.Hour, lock); err != nil {
			t.Fatal(err)
		}
		if until, _ := s.LockedUntil(ctx, buckets[:1]); !until.Equal(t0.Add(2 * time.Hour)) {
			t.Fatalf("after forget: locked until %v", until)
		}
		if err := s.ResetLoginFailures(ctx, buckets); err != nil {
			t.Fatal(err)
		}
		if until, _ := s.LockedUntil(ctx, buckets); !until.IsZero() {
			t.Fatalf("after reset: locked until %v", until)
		}
	})
}

func TestKnownDevices(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, UserInput{Name: "Ada", Email: "ada@example.com", Role: RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		h := []byte("device-hash")
		for range 2 {
			if err := s.AddKnownDevice(ctx, h, u.ID, t0); err != nil {
				t.Fatal(err)
			}
		}
		if id, err := s.KnownDeviceUser(ctx, h); err != nil || id != u.ID {
			t.Fatalf("KnownDeviceUser = %d, %v", id, err)
		}
		if _, err := s.KnownDeviceUser(ctx, []byte("x")); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown device: %v", err)
		}
	})
}
