package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		in := TokenInput{Hash: []byte("hash-1"), Name: "ci", Scopes: []string{"scans:write", "read"}, CreatedBy: "user:1", ExpiresAt: t0.Add(24 * time.Hour)}
		tok, err := s.CreateToken(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Name != "ci" || !reflect.DeepEqual(tok.Scopes, in.Scopes) || !tok.ExpiresAt.Equal(in.ExpiresAt) || !tok.LastUsedAt.IsZero() || !tok.RevokedAt.IsZero() {
			t.Fatalf("created %+v", tok)
		}
		if _, err := s.CreateToken(ctx, in); !errors.Is(err, ErrConflict) {
			t.Fatalf("duplicate hash: %v", err)
		}
		for _, bad := range []TokenInput{{Hash: []byte("h"), Name: "x", ExpiresAt: t0}, {Hash: []byte("h"), Name: "x", Scopes: []string{"a b"}, ExpiresAt: t0}} {
			if _, err := s.CreateToken(ctx, bad); !errors.Is(err, ErrInvalid) {
				t.Errorf("CreateToken(%+v) = %v", bad, err)
			}
		}
		if got, err := s.TokenByHash(ctx, []byte("hash-1")); err != nil || got.ID != tok.ID {
			t.Fatalf("TokenByHash = %+v, %v", got, err)
		}
		if _, err := s.TokenByHash(ctx, []byte("nope")); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		if err := s.TouchToken(ctx, tok.ID, t0.Add(time.Hour), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.TouchToken(ctx, tok.ID, t0.Add(time.Hour+time.Second), time.Minute); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetToken(ctx, tok.ID); !got.LastUsedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("last used %v", got.LastUsedAt)
		}
		if err := s.RevokeToken(ctx, tok.ID, t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeToken(ctx, tok.ID, t0.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetToken(ctx, tok.ID); !got.RevokedAt.Equal(t0.Add(2 * time.Hour)) {
			t.Fatalf("revoked %v", got.RevokedAt)
		}
		if err := s.RevokeToken(ctx, 999, t0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("revoke unknown: %v", err)
		}
		list, err := s.ListTokens(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("ListTokens = %+v, %v", list, err)
		}
	})
}
