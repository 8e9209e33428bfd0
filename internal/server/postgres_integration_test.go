//go:build integration

package server

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

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/posture-dev/posture/internal/store"
)

// The session, token and enrolment tests also run on PostgreSQL (loopback, or
// POSTURE_TEST_POSTGRES), each in its own schema, as the store's tests do.
func init() {
	backends = append(backends, backend{name: "postgres", fresh: freshPostgres})
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

func freshPostgres(tb testing.TB) store.Options {
	tb.Helper()
	pgOnce.Do(func() {
		pgDB, pgErr = sql.Open("pgx", postgresAdminURL())
		if pgErr == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			pgErr = pgDB.PingContext(ctx)
		}
	})
	if pgErr != nil {
		if os.Getenv("POSTURE_REQUIRE_INTEGRATION") != "" {
			tb.Fatalf("PostgreSQL: %v", pgErr)
		}
		tb.Skipf("PostgreSQL unreachable (set POSTURE_REQUIRE_INTEGRATION to fail instead): %v", pgErr)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "posture_test_" + hex.EncodeToString(b[:])
	if _, err := pgDB.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := pgDB.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u := postgresAdminURL()
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return store.Options{URL: u + sep + "search_path=" + schema}
}
