//go:build integration

package backup

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/posture-dev/posture/internal/jobs/jobstest"
)

func init() { freshPostgresTarget = freshPostgres }

// freshPostgresTarget is a schema of its own plus a data directory; wipe drops and
// recreates the schema and removes the directory.
func freshPostgres(t *testing.T) (Target, func()) {
	u := jobstest.PostgresURL(t)
	pu, _ := url.Parse(u)
	schema := pu.Query().Get("search_path")
	dir := filepath.Join(t.TempDir(), "data")
	return Target{DataDir: dir, URL: u}, func() {
		admin := jobstest.AdminDB(t)
		ctx := context.Background()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
}
