package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestOIDCStateIsSingleUse(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		h := []byte("state-hash-0123456789abcdef01234")
		in := OIDCState{BrowserHash: []byte("b"), Nonce: "n", Verifier: "v", Next: "/x", ExpiresAt: now.Add(10 * time.Minute)}
		if err := s.PutOIDCState(ctx, h, in); err != nil {
			t.Fatal(err)
		}
		if err := s.PutOIDCState(ctx, h, in); !errors.Is(err, ErrConflict) {
			t.Fatalf("duplicate state: %v", err)
		}
		got, err := s.TakeOIDCState(ctx, h, now)
		if err != nil || got.Nonce != "n" || got.Verifier != "v" || got.Next != "/x" || string(got.BrowserHash) != "b" {
			t.Fatalf("take = %+v, %v", got, err)
		}
		if _, err := s.TakeOIDCState(ctx, h, now); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second take: %v", err)
		}
		if err := s.PutOIDCState(ctx, h, in); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakeOIDCState(ctx, h, now.Add(time.Hour)); !errors.Is(err, ErrExpired) {
			t.Fatalf("expired: %v", err)
		}
	})
}

func TestOIDCIdentities(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		const iss = "https://issuer.example"
		u, err := s.ProvisionOIDCUser(ctx, UserInput{Name: "Ada", Email: "Ada@Example.com", Role: RoleViewer}, iss, "sub-1")
		if err != nil || u.Role != RoleViewer || u.Email != "ada@example.com" {
			t.Fatalf("provision = %+v, %v", u, err)
		}
		if got, err := s.UserByOIDC(ctx, iss, "sub-1"); err != nil || got.ID != u.ID {
			t.Fatalf("UserByOIDC = %+v, %v", got, err)
		}
		if _, err := s.UserByOIDC(ctx, "https://other.example", "sub-1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("same subject at another issuer: %v", err)
		}
		// Provisioning an address in use creates nothing, not even the identity.
		if _, err := s.ProvisionOIDCUser(ctx, UserInput{Name: "X", Email: "ada@example.com", Role: RoleViewer}, iss, "sub-2"); !errors.Is(err, ErrConflict) {
			t.Fatalf("provision over an existing address: %v", err)
		}
		if _, err := s.UserByOIDC(ctx, iss, "sub-2"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("half-written provisioning: %v", err)
		}
		// One subject per issuer and account.
		if err := s.LinkOIDC(ctx, iss, "sub-3", u.ID, "ada@example.com"); !errors.Is(err, ErrConflict) {
			t.Fatalf("second subject at the issuer: %v", err)
		}
		b, _ := s.CreateUser(ctx, UserInput{Name: "Bob", Email: "bob@example.com", Role: RoleAdmin})
		if err := s.LinkOIDC(ctx, iss, "sub-1", b.ID, "bob@example.com"); !errors.Is(err, ErrConflict) {
			t.Fatalf("subject linked twice: %v", err)
		}
		if err := s.LinkOIDC(ctx, iss, "sub-b", b.ID, "bob@example.com"); err != nil {
			t.Fatal(err)
		}
		if err := s.TouchOIDC(ctx, iss, "sub-b", "Bob@example.com"); err != nil {
			t.Fatal(err)
		}
		ids, err := s.OIDCIdentities(ctx, b.ID)
		if err != nil || len(ids) != 1 || ids[0].Subject != "sub-b" || ids[0].LastLoginAt.IsZero() {
			t.Fatalf("identities = %+v, %v", ids, err)
		}
		if _, err := s.ProvisionOIDCUser(ctx, UserInput{Name: "C", Email: "c@example.com", Role: RoleViewer}, "", "x"); !errors.Is(err, ErrInvalid) {
			t.Fatalf("empty issuer: %v", err)
		}
	})
}
