// Package jobstest gives the tests of the job queue, alerts and backups fresh
// databases: SQLite in a temporary directory, or a PostgreSQL schema of its own.
package jobstest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
	"github.com/posture-dev/posture/internal/testutil/pgtest"
)

// SQLite is the options of a fresh SQLite database.
func SQLite(tb testing.TB) store.Options { return store.Options{DataDir: tb.TempDir()} }

// PostgresAdminURL is POSTURE_TEST_POSTGRES or the loopback server's test database.
func PostgresAdminURL() string { return pgtest.AdminURL() }

// RequireIntegration says whether a missing service must fail the test.
func RequireIntegration() bool { return pgtest.Required() }

// PostgresURL creates a schema of its own for the test (dropped at cleanup) and returns
// a database URL whose connections work in it.
func PostgresURL(tb testing.TB) string { return pgtest.URL(tb) }

// Postgres is the options of a fresh PostgreSQL schema.
func Postgres(tb testing.TB) store.Options { return store.Options{URL: PostgresURL(tb)} }

// Open opens a store and closes it at cleanup.
func Open(tb testing.TB, opt store.Options) *store.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := store.Open(ctx, opt)
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// AdminDB is the shared PostgreSQL pool the schemas are made with (for tests that drop
// and recreate one).
func AdminDB(tb testing.TB) *sql.DB { return pgtest.AdminDB(tb) }
