package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one schema step as it applies to one dialect.
type migration struct {
	version  int
	name     string
	file     string
	sql      string
	checksum string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+?)(?:\.(sqlite|postgres))?\.sql$`)

// loadMigrations reads the migrations of fsys for dialect d, in version order. A version
// is either one common file or a pair of per-dialect files; anything else (a stray name,
// a version with two names, a dialect variant beside a common file, a variant for one
// dialect only) is an error, so a mistake is found by the first test run, not in
// production.
func loadMigrations(fsys fs.FS, d Dialect) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	type files struct {
		name                   string
		common, sqlite, postgr string
	}
	byVersion := map[int]*files{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			return nil, fmt.Errorf("migration %q: name must be NNNN_name.sql, NNNN_name.sqlite.sql or NNNN_name.postgres.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if v == 0 {
			return nil, fmt.Errorf("migration %q: versions start at 0001", e.Name())
		}
		f := byVersion[v]
		if f == nil {
			f = &files{name: m[2]}
			byVersion[v] = f
		}
		if f.name != m[2] {
			return nil, fmt.Errorf("migration %04d has two names: %q and %q", v, f.name, m[2])
		}
		switch m[3] {
		case "":
			f.common = e.Name()
		case "sqlite":
			f.sqlite = e.Name()
		case "postgres":
			f.postgr = e.Name()
		}
	}
	var out []migration
	for v, f := range byVersion {
		var file string
		switch {
		case f.common != "" && (f.sqlite != "" || f.postgr != ""):
			return nil, fmt.Errorf("migration %04d has both a common file and a dialect variant", v)
		case f.common != "":
			file = f.common
		case f.sqlite == "" || f.postgr == "":
			return nil, fmt.Errorf("migration %04d has a variant for one dialect only", v)
		case d == SQLite:
			file = f.sqlite
		default:
			file = f.postgr
		}
		body, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", file, err)
		}
		sum := sha256.Sum256(body)
		out = append(out, migration{version: v, name: f.name, file: file, sql: string(body), checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

func embeddedMigrations(d Dialect) ([]migration, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	return loadMigrations(sub, d)
}

// migrate applies the embedded migrations that db has not applied yet and returns how
// many it applied. Several processes may call it at once on one database (replicas
// starting together): exactly one applies each migration and the others wait for it.
func migrate(ctx context.Context, db *sql.DB, d Dialect, log *slog.Logger) (int, error) {
	migs, err := embeddedMigrations(d)
	if err != nil {
		return 0, err
	}
	return runMigrations(ctx, db, d, migs, log)
}

func runMigrations(ctx context.Context, db *sql.DB, d Dialect, migs []migration, log *slog.Logger) (n int, err error) {
	// One dedicated connection: a PostgreSQL advisory lock belongs to the session that
	// took it, so the lock and every migration must use the same one.
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("get a connection: %w", err)
	}
	defer conn.Close()
	if d == Postgres {
		unlock, err := lockPostgres(ctx, conn)
		if err != nil {
			return 0, err
		}
		defer func() {
			if uerr := unlock(); uerr != nil {
				err = errors.Join(err, uerr)
			}
		}()
	}
	// On SQLite each transaction below is BEGIN IMMEDIATE (the store's _txlock): it
	// holds the database's write lock from its first statement, so reading
	// schema_migrations inside it and applying the step cannot interleave with another
	// process doing the same.
	if err := inConnTx(ctx, conn, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, schemaMigrationsDDL(d))
		return err
	}); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range migs {
		applied := false
		err := inConnTx(ctx, conn, func(tx *sql.Tx) error {
			done, err := checkApplied(ctx, tx, migs)
			if err != nil {
				return err
			}
			if _, ok := done[m.version]; ok {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.file, err)
			}
			if _, err := tx.ExecContext(ctx, d.Rebind(`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)`),
				m.version, m.name, m.checksum, d.TimeValue(time.Now())); err != nil {
				return fmt.Errorf("record migration %s: %w", m.file, err)
			}
			applied = true
			return nil
		})
		if err != nil {
			return n, err
		}
		if applied {
			n++
			log.Info("applied migration", "version", m.version, "name", m.name)
		}
	}
	if len(migs) == 0 {
		// Still verify what is recorded, as a run with migrations does in each step.
		err := inConnTx(ctx, conn, func(tx *sql.Tx) error { _, err := checkApplied(ctx, tx, migs); return err })
		if err != nil {
			return 0, err
		}
	}
	return n, nil
}

func schemaMigrationsDDL(d Dialect) string {
	ts := "TEXT"
	if d == Postgres {
		ts = "TIMESTAMPTZ"
	}
	return `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	checksum   TEXT NOT NULL,
	applied_at ` + ts + ` NOT NULL
)`
}

// checkApplied reads schema_migrations and refuses a database this binary does not
// match: an applied migration whose file has since changed (the schema is not what the
// code expects), or one this binary does not know (a newer posture migrated it).
func checkApplied(ctx context.Context, tx *sql.Tx, migs []migration) (map[int]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version, name, checksum FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	known := map[int]migration{}
	for _, m := range migs {
		known[m.version] = m
	}
	done := map[int]string{}
	for rows.Next() {
		var v int
		var name, sum string
		if err := rows.Scan(&v, &name, &sum); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		m, ok := known[v]
		if !ok {
			return nil, fmt.Errorf("the database has migration %04d_%s applied, which this posture does not know: it was migrated by a newer version", v, name)
		}
		if m.checksum != sum {
			return nil, fmt.Errorf("migration %s was changed after it was applied (checksum %s recorded, %s now): add a new migration instead of editing an applied one", m.file, short(sum), short(m.checksum))
		}
		done[v] = sum
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return done, nil
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

func inConnTx(ctx context.Context, conn *sql.Conn, fn func(*sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// lockPostgres takes the migration lock on conn and returns its release. The key is
// derived from the schema the connection works in, so that databases sharing a server
// (or tests each in their own schema) do not wait for one another.
func lockPostgres(ctx context.Context, conn *sql.Conn) (func() error, error) {
	var schema sql.NullString
	if err := conn.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return nil, fmt.Errorf("read current schema: %w", err)
	}
	if !schema.Valid {
		return nil, errors.New("no current schema: the search_path names no existing schema")
	}
	h := fnv.New64a()
	h.Write([]byte("posture schema_migrations\x00" + schema.String))
	key := int64(h.Sum64())
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return nil, fmt.Errorf("take the migration lock: %w", err)
	}
	return func() error {
		// A context that is already cancelled must not leave the lock held for the
		// life of a pooled connection: unlock with a fresh one, and if even that fails,
		// discard the connection, which ends the session and so the lock.
		var ok bool
		err := conn.QueryRowContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key).Scan(&ok)
		if err == nil && ok {
			return nil
		}
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		if err != nil {
			return fmt.Errorf("release the migration lock: %w", err)
		}
		return nil
	}, nil
}
