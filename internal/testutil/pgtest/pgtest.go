// Package pgtest gives tests a PostgreSQL schema of their own on the test server: the
// loopback server of this machine, or POSTURE_TEST_POSTGRES. Each call creates a fresh
// schema (dropped at cleanup) so that parallel tests and reruns never see each other's
// tables. It imports nothing of posture's, so the store's own tests can use it.
package pgtest

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

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// RequireEnv makes an unreachable PostgreSQL a failure instead of a skip (CI sets it).
const RequireEnv = "POSTURE_REQUIRE_INTEGRATION"

// AdminURL is POSTURE_TEST_POSTGRES or the loopback server's test database.
func AdminURL() string {
	if u := os.Getenv("POSTURE_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=prefer"
}

// Required says whether a missing test service must fail the test.
func Required() bool { return os.Getenv(RequireEnv) != "" }

var (
	once  sync.Once
	admin *sql.DB
	err   error
)

// AdminDB is the one pool, shared by every test of the binary, that schemas are made and
// dropped with. It skips the test when PostgreSQL is unreachable, or fails it under
// RequireEnv.
func AdminDB(tb testing.TB) *sql.DB {
	tb.Helper()
	once.Do(func() {
		admin, err = sql.Open("pgx", AdminURL())
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = admin.PingContext(ctx)
	})
	if err != nil {
		if Required() {
			tb.Fatalf("PostgreSQL (the test database): %v", err)
		}
		tb.Skipf("PostgreSQL unreachable (set %s to fail instead): %v", RequireEnv, err)
	}
	return admin
}

// URL creates a schema for the test and returns a database URL whose connections work
// in it (pgx sends unknown URL parameters, here search_path, as run-time settings).
func URL(tb testing.TB) string {
	tb.Helper()
	db := AdminDB(tb)
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
	u := AdminURL()
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "search_path=" + url.QueryEscape(schema)
}
