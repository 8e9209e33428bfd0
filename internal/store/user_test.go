package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestUsers(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, UserInput{Name: "Ada", Email: " Ada@Example.com ", Role: RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "ada@example.com" || u.Role != RoleAdmin || u.Disabled || u.HasPassword || u.HasTOTP {
			t.Fatalf("created %+v", u)
		}
		if _, err := s.CreateUser(ctx, UserInput{Name: "Ada 2", Email: "ADA@example.com", Role: RoleViewer}); !errors.Is(err, ErrConflict) {
			t.Fatalf("duplicate email: %v, want ErrConflict", err)
		}
		for _, in := range []UserInput{
			{Name: "x", Email: "not an address", Role: RoleViewer},
			{Name: "x", Email: "Bob <bob@example.com>", Role: RoleViewer},
			{Name: "x", Email: "bob@example.com", Role: "root"},
		} {
			if _, err := s.CreateUser(ctx, in); !errors.Is(err, ErrInvalid) {
				t.Errorf("CreateUser(%+v) = %v, want ErrInvalid", in, err)
			}
		}
		got, err := s.UserByEmail(ctx, "ADA@EXAMPLE.COM")
		if err != nil || got.ID != u.ID {
			t.Fatalf("UserByEmail = %+v, %v", got, err)
		}
		if _, err := s.UserByEmail(ctx, "nobody@example.com"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
		if err := s.SetUserRole(ctx, u.ID, RoleAuditor); err != nil {
			t.Fatal(err)
		}
		if err := s.SetUserRole(ctx, 9999, RoleAuditor); !errors.Is(err, ErrNotFound) {
			t.Fatalf("role of unknown user: %v", err)
		}
		list, err := s.ListUsers(ctx)
		if err != nil || len(list) != 1 || list[0].Role != RoleAuditor {
			t.Fatalf("ListUsers = %+v, %v", list, err)
		}
	})
}

func TestEnrolmentAndTOTPReplay(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, UserInput{Name: "Ada", Email: "ada@example.com", Role: RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		hash := []byte("0123456789abcdef0123456789abcdef")
		if err := s.CreateEnrolment(ctx, u.ID, hash, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, err := s.PeekEnrolment(ctx, hash, t0); err != nil || got.ID != u.ID {
			t.Fatalf("Peek = %+v, %v", got, err)
		}
		if _, err := s.PeekEnrolment(ctx, hash, t0.Add(time.Hour)); !errors.Is(err, ErrExpired) {
			t.Fatalf("Peek after expiry: %v", err)
		}
		if _, err := s.PeekEnrolment(ctx, []byte("other"), t0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Peek unknown: %v", err)
		}
		// A failing store function leaves the link unused.
		boom := errors.New("boom")
		if err := s.ConsumeEnrolment(ctx, hash, t0, func(*Tx, int64) error { return boom }); !errors.Is(err, boom) {
			t.Fatalf("Consume with failing store: %v", err)
		}
		// Two concurrent uses: exactly one wins.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.ConsumeEnrolment(ctx, hash, t0, func(tx *Tx, id int64) error {
					return SetPasswordTOTP(ctx, tx, id, "$argon2id$fake", []byte("secret"))
				})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if !errors.Is(err, ErrExpired) {
				t.Errorf("concurrent consume: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d concurrent consumes succeeded, want 1", ok)
		}
		if _, err := s.PeekEnrolment(ctx, hash, t0); !errors.Is(err, ErrExpired) {
			t.Fatalf("Peek after use: %v", err)
		}
		got, cred, err := s.UserCredentials(ctx, "ada@example.com")
		if err != nil || !got.HasPassword || !got.HasTOTP || cred.PasswordHash != "$argon2id$fake" || string(cred.TOTPSecret) != "secret" {
			t.Fatalf("credentials = %+v %+v, %v", got, cred, err)
		}
		for _, c := range []struct {
			step int64
			want bool
		}{{100, true}, {100, false}, {99, false}, {101, true}} {
			ok, err := s.UseTOTPStep(ctx, u.ID, c.step)
			if err != nil || ok != c.want {
				t.Errorf("UseTOTPStep(%d) = %v, %v; want %v", c.step, ok, err, c.want)
			}
		}
	})
}
