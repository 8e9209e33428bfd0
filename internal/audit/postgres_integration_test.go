//go:build integration

package audit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// The PostgreSQL backend: the server on loopback (or POSTURE_TEST_POSTGRES), one new
// schema per test so that parallel tests and reruns never see each other's tables.
func init() {
	postgresBackend = &backend{name: "postgres", fresh: freshPostgres}
}

func postgresAdminURL() string {
	if u := os.Getenv("POSTURE_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=prefer"
}

var (
	pgOnce sync.Once
	pgDB   *sql.DB
	pgErr  error
)

// postgresAdmin is one pool, shared by the tests, for creating and dropping schemas.
func postgresAdmin(tb testing.TB) *sql.DB {
	tb.Helper()
	pgOnce.Do(func() {
		pgDB, pgErr = sql.Open("pgx", postgresAdminURL())
		if pgErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		pgErr = pgDB.PingContext(ctx)
	})
	if pgErr != nil {
		if requireIntegration() {
			tb.Fatalf("PostgreSQL at %s: %v", "the test database", pgErr)
		}
		tb.Skipf("PostgreSQL unreachable at %s (set POSTURE_REQUIRE_INTEGRATION to fail instead): %v", "the test database", pgErr)
	}
	return pgDB
}

// requireIntegration says whether a missing test service must fail the test.
func requireIntegration() bool { return os.Getenv("POSTURE_REQUIRE_INTEGRATION") != "" }

func freshPostgres(tb testing.TB) store.Options {
	tb.Helper()
	db := postgresAdmin(tb)
	var b [6]byte
	rand.Read(b[:])
	schema := "posture_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u := postgresAdminURL()
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	// pgx sends unknown URL parameters as run-time settings of every connection.
	return store.Options{URL: u + sep + "search_path=" + schema}
}
