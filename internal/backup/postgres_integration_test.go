//go:build integration

package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/posture-dev/posture/internal/jobs/jobstest"
	"github.com/posture-dev/posture/internal/store"
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

// normalized is a snapshot with each dialect's spelling of the same value made one:
// booleans as 0/1, timestamps as SQLite's fixed-width text. schema_migrations is left
// out: its checksums are of each dialect's own migration files.
func normalized(t *testing.T, snap map[string][]byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for tbl, data := range snap {
		if tbl == "schema_migrations" {
			continue
		}
		var sb strings.Builder
		for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
			if i == 0 {
				sb.Write(line)
				sb.WriteByte('\n')
				continue
			}
			var row []*Cell
			if err := json.Unmarshal(line, &row); err != nil {
				t.Fatalf("%s: %v", tbl, err)
			}
			for _, c := range row {
				switch {
				case c == nil:
				case c.V != nil:
					s := map[bool]string{true: "1", false: "0"}[*c.V]
					*c = Cell{I: &s}
				case c.T != nil:
					tm, err := time.Parse(time.RFC3339Nano, *c.T)
					if err != nil {
						t.Fatal(err)
					}
					s := store.SQLite.TimeValue(tm).(string)
					*c = Cell{S: &s}
				}
			}
			b, _ := json.Marshal(row)
			sb.Write(b)
			sb.WriteByte('\n')
		}
		out[tbl] = sb.String()
	}
	return out
}

// TestRestoreAcrossDatabases: a SQLite deployment's backup restores into PostgreSQL (to
// run replicas) and a PostgreSQL backup into SQLite, with the same data, an audit chain
// that verifies, and ids that continue after the restored ones.
func TestRestoreAcrossDatabases(t *testing.T) {
	sqliteTarget := func(t *testing.T) (Target, func()) {
		return Target{DataDir: filepath.Join(t.TempDir(), "data")}, func() {}
	}
	for _, c := range []struct {
		name     string
		from, to func(t *testing.T) (Target, func())
	}{
		{"sqlite to postgres", sqliteTarget, freshPostgres},
		{"postgres to sqlite", freshPostgres, sqliteTarget},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			src, _ := c.from(t)
			st, ring := populate(t, src)
			before, archive, id, _ := snapshotAndBackUp(t, st, src.DataDir)
			st.Close()
			dst, _ := c.to(t)
			if _, err := Restore(ctx, bytes.NewReader(archive.Bytes()), []age.Identity{id}, dst); err != nil {
				t.Fatal(err)
			}
			st2 := jobstest.Open(t, store.Options{DataDir: dst.DataDir, URL: dst.URL})
			after, err := Snapshot(ctx, st2)
			if err != nil {
				t.Fatal(err)
			}
			nb, na := normalized(t, before), normalized(t, after)
			if len(na) != len(nb) {
				t.Fatalf("%d tables after restore, %d before", len(na), len(nb))
			}
			for tbl, want := range nb {
				if na[tbl] != want {
					t.Errorf("table %s differs:\nbefore %s\nafter  %s", tbl, clip([]byte(want)), clip([]byte(na[tbl])))
				}
			}
			checkRestored(t, st2, ring)
		})
	}
}
