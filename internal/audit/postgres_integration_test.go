//go:build integration

package audit

import (
	"testing"

	"github.com/posture-dev/posture/internal/store"
	"github.com/posture-dev/posture/internal/testutil/pgtest"
)

// The PostgreSQL backend: one new schema per test on the test server (internal/testutil/pgtest).
func init() {
	postgresBackend = &backend{name: "postgres", fresh: func(tb testing.TB) store.Options { return store.Options{URL: pgtest.URL(tb)} }}
}
