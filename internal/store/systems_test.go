package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func validSystem(name string) SystemInput {
	return SystemInput{Name: name, Owner: "team-payments", Environment: Prod, Classification: Confidential,
		Targets: []Target{{Endpoint, "https://pay.example.com"}, {Repo, "git@example.com:pay/api.git"}}}
}

func TestSystemValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(*SystemInput)
	}{
		{"empty name", func(s *SystemInput) { s.Name = " " }},
		{"padded name", func(s *SystemInput) { s.Name = " pay" }},
		{"control char in name", func(s *SystemInput) { s.Name = "pay\nments" }},
		{"long name", func(s *SystemInput) { s.Name = strings.Repeat("a", maxName+1) }},
		{"bad UTF-8", func(s *SystemInput) { s.Owner = "\xff" }},
		{"NUL", func(s *SystemInput) { s.Owner = "a\x00b" }},
		{"no owner", func(s *SystemInput) { s.Owner = "" }},
		{"environment", func(s *SystemInput) { s.Environment = "production" }},
		{"classification", func(s *SystemInput) { s.Classification = "secret" }},
		{"target kind", func(s *SystemInput) { s.Targets = []Target{{"vm", "x"}} }},
		{"empty locator", func(s *SystemInput) { s.Targets = []Target{{Host, ""}} }},
		{"duplicate target", func(s *SystemInput) { s.Targets = []Target{{Host, "a"}, {Host, "a"}} }},
	}
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		for _, tt := range tests {
			in := validSystem("pay")
			tt.change(&in)
			if _, err := s.CreateSystem(ctx, in); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: CreateSystem error %v, want ErrInvalid", tt.name, err)
			}
		}
		if got, err := s.ListSystems(ctx); err != nil || len(got) != 0 {
			t.Fatalf("after rejected input: %d systems, %v", len(got), err)
		}
	})
}

func TestSystemsCRUD(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC))
		s.now = clk.now
		created, err := s.CreateSystem(ctx, validSystem("payments"))
		if err != nil {
			t.Fatal(err)
		}
		want := System{ID: created.ID, Name: "payments", Owner: "team-payments", Environment: Prod, Classification: Confidential,
			Targets:   []Target{{Endpoint, "https://pay.example.com"}, {Repo, "git@example.com:pay/api.git"}},
			CreatedAt: time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC), UpdatedAt: time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC)}
		if !reflect.DeepEqual(created, want) {
			t.Fatalf("created\n got %+v\nwant %+v", created, want)
		}
		if _, err := s.CreateSystem(ctx, validSystem("payments")); !errors.Is(err, ErrConflict) {
			t.Fatalf("duplicate name: %v, want ErrConflict", err)
		}
		other, err := s.CreateSystem(ctx, SystemInput{Name: "Billing", Owner: "o", Environment: Dev, Classification: Public})
		if err != nil {
			t.Fatal(err)
		}

		clk.add(time.Hour)
		upd := SystemInput{Name: "payments-v2", Owner: "team-core", Environment: Staging, Classification: Restricted,
			Targets: []Target{{Host, "local"}}}
		got, err := s.UpdateSystem(ctx, created.ID, upd)
		if err != nil {
			t.Fatal(err)
		}
		want = System{ID: created.ID, Name: "payments-v2", Owner: "team-core", Environment: Staging, Classification: Restricted,
			Targets: []Target{{Host, "local"}}, CreatedAt: want.CreatedAt, UpdatedAt: want.CreatedAt.Add(time.Hour)}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("updated\n got %+v\nwant %+v", got, want)
		}
		if _, err := s.UpdateSystem(ctx, created.ID, SystemInput{Name: "Billing", Owner: "o", Environment: Dev, Classification: Public}); !errors.Is(err, ErrConflict) {
			t.Fatalf("rename onto another system: %v, want ErrConflict", err)
		}
		if again, _ := s.GetSystem(ctx, created.ID); !reflect.DeepEqual(again, want) {
			t.Fatalf("a failed update changed the system: %+v", again)
		}
		if _, err := s.UpdateSystem(ctx, 99999, upd); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update of a missing system: %v, want ErrNotFound", err)
		}
		if _, err := s.GetSystem(ctx, 99999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("get of a missing system: %v, want ErrNotFound", err)
		}
		list, err := s.ListSystems(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != other.ID || list[1].ID != created.ID || !reflect.DeepEqual(list[1], want) {
			t.Fatalf("list: %+v", list)
		}
	})
}
