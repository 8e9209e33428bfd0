//go:build integration

package server

import (
	"testing"

	"github.com/posture-dev/posture/internal/store"
	"github.com/posture-dev/posture/internal/testutil/pgtest"
)

// The session, token and enrolment tests also run on PostgreSQL, each in its own schema
// (internal/testutil/pgtest), as the store's tests do.
func init() {
	backends = append(backends, backend{name: "postgres", fresh: func(tb testing.TB) store.Options { return store.Options{URL: pgtest.URL(tb)} }})
}
