package store

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"
)

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		fs      fstest.MapFS
		sqlite  []string // files chosen, in order
		postgr  []string
		wantErr string
	}{
		{name: "common and variants",
			fs:     fstest.MapFS{"0001_a.sql": file("A"), "0002_b.sqlite.sql": file("B1"), "0002_b.postgres.sql": file("B2"), "0010_c.sql": file("C")},
			sqlite: []string{"0001_a.sql", "0002_b.sqlite.sql", "0010_c.sql"}, postgr: []string{"0001_a.sql", "0002_b.postgres.sql", "0010_c.sql"}},
		{name: "empty", fs: fstest.MapFS{}},
		{name: "bad name", fs: fstest.MapFS{"1_a.sql": file("")}, wantErr: "name must be"},
		{name: "upper case", fs: fstest.MapFS{"0001_A.sql": file("")}, wantErr: "name must be"},
		{name: "unknown dialect", fs: fstest.MapFS{"0001_a.mysql.sql": file("")}, wantErr: "name must be"},
		{name: "version zero", fs: fstest.MapFS{"0000_a.sql": file("")}, wantErr: "start at 0001"},
		{name: "two names", fs: fstest.MapFS{"0001_a.sql": file(""), "0001_b.sql": file("")}, wantErr: "two names"},
		{name: "common beside variant", fs: fstest.MapFS{"0001_a.sql": file(""), "0001_a.sqlite.sql": file("")}, wantErr: "both a common file"},
		{name: "one dialect only", fs: fstest.MapFS{"0001_a.postgres.sql": file("")}, wantErr: "one dialect only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				d    Dialect
				want []string
			}{{SQLite, tt.sqlite}, {Postgres, tt.postgr}} {
				migs, err := loadMigrations(tt.fs, c.d)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("%s: error %v, want one containing %q", c.d, err, tt.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", c.d, err)
				}
				var got []string
				for _, m := range migs {
					got = append(got, m.file)
					if len(m.checksum) != 64 {
						t.Errorf("%s: checksum %q", m.file, m.checksum)
					}
				}
				if strings.Join(got, ",") != strings.Join(c.want, ",") {
					t.Errorf("%s: files %v, want %v", c.d, got, c.want)
				}
			}
		})
	}
}

func TestEmbeddedMigrationsLoad(t *testing.T) {
	for _, d := range []Dialect{SQLite, Postgres} {
		migs, err := embeddedMigrations(d)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		for i, m := range migs {
			if m.version != i+1 {
				t.Errorf("%s: migration %s has version %d, want %d (no gaps)", d, m.file, m.version, i+1)
			}
		}
	}
}

func TestReopenAppliesNothing(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			opt := b.fresh(t)
			var applied atomic.Int64
			opt.Logger = slog.New(countingHandler{applied: &applied})
			openTest(t, opt)
			first := applied.Load()
			migs, _ := embeddedMigrations(SQLite)
			if first != int64(len(migs)) {
				t.Fatalf("first Open applied %d migrations, want %d", first, len(migs))
			}
			openTest(t, opt)
			if applied.Load() != first {
				t.Fatalf("second Open applied %d more", applied.Load()-first)
			}
		})
	}
}

func TestChangedOrUnknownMigrationRefusesToStart(t *testing.T) {
	tests := []struct {
		name    string
		tamper  string
		wantErr string
	}{
		{"changed checksum", `UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2`, "was changed after it was applied"},
		{"unknown version", `INSERT INTO schema_migrations (version, name, checksum, applied_at) SELECT 9999, 'future', 'x', applied_at FROM schema_migrations WHERE version = 1`, "newer version"},
	}
	for _, b := range backends() {
		for _, tt := range tests {
			t.Run(b.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				opt := b.fresh(t)
				s := openTest(t, opt)
				if _, err := s.Exec(context.Background(), tt.tamper); err != nil {
					t.Fatal(err)
				}
				_, err := Open(context.Background(), opt)
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Open: %v, want an error containing %q", err, tt.wantErr)
				}
			})
		}
	}
}

// TestConcurrentOpen starts eight "replicas" at once on a fresh database, each Open
// with its own *sql.DB pool: all succeed and each migration is applied once.
func TestConcurrentOpen(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			opt := b.fresh(t)
			var applied atomic.Int64
			opt.Logger = slog.New(countingHandler{applied: &applied})
			const n = 8
			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
					defer cancel()
					s, err := Open(ctx, opt)
					if err == nil {
						s.Close()
					}
					errs[i] = err
				})
			}
			close(start)
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			migs, _ := embeddedMigrations(SQLite)
			if got := applied.Load(); got != int64(len(migs)) {
				t.Fatalf("%d migrations applied in all, want %d", got, len(migs))
			}
			s := openTest(t, opt)
			var rows int
			if err := s.QueryRow(context.Background(), `SELECT count(*) FROM schema_migrations`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != len(migs) {
				t.Fatalf("schema_migrations has %d rows, want %d", rows, len(migs))
			}
		})
	}
}

// TestConcurrentRunMigrationsExactlyOnce runs a migration that is not idempotent (it
// inserts a row) from eight pools at once: the table ends with exactly one row.
func TestConcurrentRunMigrationsExactlyOnce(t *testing.T) {
	migs := func(d Dialect) []migration {
		t.Helper()
		fs := fstest.MapFS{
			"0001_counter.sql": {Data: []byte(`CREATE TABLE counter (n INTEGER NOT NULL)`)},
			"0002_bump.sql":    {Data: []byte(`INSERT INTO counter (n) VALUES (1)`)},
		}
		m, err := loadMigrations(fs, d)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			opt := b.fresh(t)
			const n = 8
			var wg sync.WaitGroup
			errs := make([]error, n)
			var applied atomic.Int64
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					s, err := connect(context.Background(), opt)
					if err != nil {
						errs[i] = err
						return
					}
					defer s.Close()
					<-start
					k, err := runMigrations(context.Background(), s.db, s.dialect, migs(s.dialect), slog.New(countingHandler{applied: new(atomic.Int64)}))
					applied.Add(int64(k))
					errs[i] = err
				})
			}
			close(start)
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			if applied.Load() != 2 {
				t.Fatalf("%d migrations applied in all, want 2", applied.Load())
			}
			s, err := connect(context.Background(), opt)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var rows int
			if err := s.QueryRow(context.Background(), `SELECT count(*) FROM counter`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != 1 {
				t.Fatalf("counter has %d rows, want 1", rows)
			}
		})
	}
}
