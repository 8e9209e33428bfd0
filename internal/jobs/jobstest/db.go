// Package jobstest gives the tests of the job queue, alerts and backups fresh
// databases: SQLite in a temporary directory, or a PostgreSQL schema of its own.
package jobstest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// SQLite is the options of a fresh SQLite database.
func SQLite(tb testing.TB) store.Options { return store.Options{DataDir: tb.TempDir()} }

// PostgresAdminURL is POSTURE_TEST_POSTGRES or the loopback server's test database.
func PostgresAdminURL() string {
	if u := os.Getenv("POSTURE_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=prefer"
}

// RequireIntegration says whether a missing service must fail the test.
func RequireIntegration() bool { return os.Getenv("POSTURE_REQUIRE_INTEGRATION") != "" }

var (
	pgOnce sync.Once
	pgDB   *sql.DB
	pgErr  error
)

func admin(tb testing.TB) *sql.DB {
	tb.Helper()
	pgOnce.Do(func() {
		pgDB, pgErr = sql.Open("pgx", PostgresAdminURL())
		if pgErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		pgErr = pgDB.PingContext(ctx)
	})
	if pgErr != nil {
		if RequireIntegration() {
			tb.Fatalf("PostgreSQL unreachable: %v", pgErr)
		}
		tb.Skipf("PostgreSQL unreachable (set POSTURE_REQUIRE_INTEGRATION to fail instead): %v", pgErr)
	}
	return pgDB
}

// PostgresURL creates a schema of its own for the test (dropped at cleanup) and returns
// a database URL whose connections work in it.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	db := admin(tb)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "posture_test_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(context.Background(), `CREATE SCHEMA `+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u := PostgresAdminURL()
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "search_path=" + url.QueryEscape(schema)
}

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
func AdminDB(tb testing.TB) *sql.DB { return admin(tb) }
