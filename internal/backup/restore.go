package backup

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/posture-dev/posture/internal/store"
)

// Target is where Restore writes: an empty data directory, and for PostgreSQL an empty
// schema (URL). With URL empty or sqlite:, the database is SQLite.
type Target struct {
	DataDir string
	URL     string
	Logger  *slog.Logger
}

func (t Target) postgres() bool {
	return strings.HasPrefix(t.URL, "postgres://") || strings.HasPrefix(t.URL, "postgresql://")
}

// ErrNotEmpty is returned when the restore target already holds data: a restore never
// overwrites anything.
var ErrNotEmpty = errors.New("backup: restore target is not empty")

// Restore verifies an archive and writes it into an empty target. Nothing is put in
// place until every entry has been checked against the manifest.
func Restore(ctx context.Context, r io.Reader, ids []age.Identity, t Target) (*Manifest, error) {
	if t.DataDir == "" {
		return nil, errors.New("backup: restore needs a data directory")
	}
	if err := checkEmptyDir(t.DataDir); err != nil {
		return nil, err
	}
	dbPath := ""
	if !t.postgres() {
		if t.URL != "" && t.URL != "sqlite:" && t.URL != "sqlite://" {
			p, ok := strings.CutPrefix(t.URL, "sqlite://")
			if !ok || !filepath.IsAbs(p) {
				return nil, errors.New("backup: an SQLite URL names an absolute file: sqlite:///path/to/posture.db")
			}
			dbPath = filepath.Clean(p)
		} else {
			dbPath = filepath.Join(t.DataDir, "posture.db")
		}
		if _, err := os.Lstat(dbPath); err == nil {
			return nil, fmt.Errorf("%w: %s exists", ErrNotEmpty, dbPath)
		}
	} else if err := checkEmptySchema(ctx, t.URL); err != nil {
		return nil, err
	}

	if err := os.MkdirAll(t.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("backup: create %s: %w", t.DataDir, err)
	}
	stage, err := os.MkdirTemp(t.DataDir, ".restore-")
	if err != nil {
		return nil, fmt.Errorf("backup: staging directory: %w", err)
	}
	defer os.RemoveAll(stage)
	var dumps []string
	m, err := walk(r, ids, func(name string, mode int64, content io.Reader) error {
		var dst string
		switch {
		case name == sqliteName:
			dst = filepath.Join(stage, "posture.db")
		case strings.HasPrefix(name, dumpPrefix):
			dst = filepath.Join(stage, "tables", strings.TrimPrefix(name, dumpPrefix))
			dumps = append(dumps, dst)
		case strings.HasPrefix(name, filesPrefix):
			dst = filepath.Join(stage, "files", filepath.FromSlash(strings.TrimPrefix(name, filesPrefix)))
		default:
			return fmt.Errorf("%w: unexpected entry %q", ErrCorrupt, name)
		}
		return writeFile(dst, content, os.FileMode(mode).Perm()&0o700)
	})
	if err != nil {
		return nil, err
	}
	want := "sqlite"
	if t.postgres() {
		want = "postgres"
	}
	cross := m.Dialect != want
	switch {
	case !cross:
	case m.Dialect == "sqlite":
		// Moving to PostgreSQL (to run several replicas): the archived database is read
		// into table dumps, which load like a PostgreSQL backup's.
		if dumps, err = dumpSQLite(ctx, filepath.Join(stage, "posture.db"), filepath.Join(stage, "tables"), m); err != nil {
			return nil, err
		}
	case m.Dialect == "postgres":
	default:
		return nil, fmt.Errorf("%w: unknown database kind %q", ErrCorrupt, m.Dialect)
	}

	// Files first: for SQLite the database file goes last, so a restore that fails
	// half-way leaves no database that looks complete.
	if err := moveTree(filepath.Join(stage, "files"), t.DataDir); err != nil {
		return nil, err
	}
	if want == "sqlite" && cross {
		// From PostgreSQL: a new database with this binary's schema, filled from the
		// dumps.
		if err := restoreIntoNewSQLite(ctx, t, dbPath, dumps, m); err != nil {
			// No half-filled database is left to look like a restore.
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(dbPath + suffix)
			}
			return nil, err
		}
		return m, nil
	}
	if want == "sqlite" {
		if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(stage, "posture.db"), dbPath); err != nil {
			return nil, fmt.Errorf("backup: place the database: %w", err)
		}
		st, err := store.Open(ctx, store.Options{DataDir: t.DataDir, URL: t.URL, Logger: t.Logger})
		if err != nil {
			return nil, fmt.Errorf("backup: open the restored database: %w", err)
		}
		defer st.Close()
		var res string
		if err := st.QueryRow(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
			return nil, fmt.Errorf("backup: restored database fails its integrity check: %s %v", res, err)
		}
		return m, checkMigrations(ctx, st, m, false)
	}
	st, err := store.Open(ctx, store.Options{DataDir: t.DataDir, URL: t.URL, Logger: t.Logger})
	if err != nil {
		return nil, fmt.Errorf("backup: prepare the PostgreSQL schema: %w", err)
	}
	defer st.Close()
	if err := checkMigrations(ctx, st, m, cross); err != nil {
		return nil, err
	}
	sort.Strings(dumps)
	if err := loadDumps(ctx, st, dumps, cross); err != nil {
		return nil, err
	}
	return m, nil
}

func restoreIntoNewSQLite(ctx context.Context, t Target, dbPath string, dumps []string, m *Manifest) error {
	st, err := store.Open(ctx, store.Options{DataDir: t.DataDir, URL: t.URL, Logger: t.Logger})
	if err != nil {
		return fmt.Errorf("backup: create the SQLite database: %w", err)
	}
	defer st.Close()
	if err := checkMigrations(ctx, st, m, true); err != nil {
		return err
	}
	sort.Strings(dumps)
	return loadDumps(ctx, st, dumps, true)
}

// dumpSQLite writes every table of an archived SQLite database as dumps in dir, in
// foreign-key order, and returns their paths. The copy is opened without migrating:
// its schema must be the one the manifest lists.
func dumpSQLite(ctx context.Context, db, dir string, m *Manifest) ([]string, error) {
	src, err := store.OpenExisting(ctx, store.Options{URL: "sqlite://" + db})
	if err != nil {
		return nil, fmt.Errorf("backup: open the archived SQLite database: %w", err)
	}
	defer src.Close()
	if err := checkMigrations(ctx, src, m, false); err != nil {
		return nil, err
	}
	tables, err := Tables(ctx, src)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var out []string
	err = src.InReadTx(ctx, func(tx *store.Tx) error {
		for i, t := range tables {
			p := filepath.Join(dir, fmt.Sprintf("%04d_%s.jsonl", i, t))
			f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				return err
			}
			_, err = DumpTable(ctx, tx, t, f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: read the archived SQLite database: %w", err)
	}
	return out, nil
}

func checkEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("backup: read %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("%w: %s holds %s", ErrNotEmpty, dir, entries[0].Name())
	}
	return nil
}

func checkEmptySchema(ctx context.Context, u string) error {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return fmt.Errorf("backup: connect: %w", err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&n); err != nil {
		return fmt.Errorf("backup: inspect the target database: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("%w: the database schema has %d tables", ErrNotEmpty, n)
	}
	return nil
}

// checkMigrations refuses a restore whose schema version differs from this posture's:
// the rows would not fit the tables. Across databases only the versions are compared:
// each dialect's migration files, and so their checksums, differ.
func checkMigrations(ctx context.Context, st *store.Store, m *Manifest, cross bool) error {
	have, err := migrations(ctx, st)
	if err != nil {
		return err
	}
	versions := func(ms []Migration) string {
		var vs []int
		for _, x := range ms {
			vs = append(vs, x.Version)
		}
		return fmt.Sprint(vs)
	}
	if !cross && fmt.Sprint(have) != fmt.Sprint(m.Migrations) || cross && versions(have) != versions(m.Migrations) {
		return fmt.Errorf("backup: the archive's schema (%d migrations) is not this posture's (%d): restore with the posture version that wrote it, then upgrade", len(m.Migrations), len(have))
	}
	return nil
}

func writeFile(dst string, r io.Reader, mode os.FileMode) error {
	if mode == 0 {
		mode = 0o600
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// moveTree moves the files under src to the same places under dst.
func moveTree(src, dst string) error {
	if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		return os.Rename(p, target)
	})
}

// loadDumps replaces the contents of every table with the dumped rows, in one
// transaction: in the dump's order (parents before children) and then resets identity
// sequences so that new rows do not collide with restored ids. cross marks dumps of the
// other kind of database: their values are converted to the target's column types, and
// schema_migrations keeps the target's own rows (its checksums are of this dialect's
// migration files).
func loadDumps(ctx context.Context, st *store.Store, files []string, cross bool) error {
	tables, err := Tables(ctx, st)
	if err != nil {
		return err
	}
	types, err := columnTypes(ctx, st, tables)
	if err != nil {
		return err
	}
	pg := st.Dialect() == store.Postgres
	return st.InTx(ctx, func(tx *store.Tx) error {
		for i := len(tables) - 1; i >= 0; i-- {
			if cross && tables[i] == "schema_migrations" {
				continue
			}
			// Rows the migrations inserted (the audit chain head, schema_migrations with
			// today's applied_at) make way for the backup's; checkMigrations has made sure
			// the schema versions agree.
			if _, err := tx.Exec(ctx, `DELETE FROM `+quoteIdent(tables[i])); err != nil {
				return fmt.Errorf("backup: empty %s: %w", tables[i], err)
			}
		}
		for _, f := range files {
			if err := loadDump(ctx, tx, f, types, pg, cross); err != nil {
				return fmt.Errorf("backup: restore %s: %w", filepath.Base(f), err)
			}
		}
		if !pg {
			// SQLite's AUTOINCREMENT counters follow the largest id inserted.
			return nil
		}
		for _, t := range tables {
			var col sql.NullString
			err := tx.QueryRow(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND is_identity = 'YES'`, t).Scan(&col)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX(%s) FROM %s), 0) + 1, false)`, quoteIdent(col.String), quoteIdent(t))
			if _, err := tx.Exec(ctx, q, quoteIdent(t), col.String); err != nil {
				return fmt.Errorf("backup: reset the identity of %s: %w", t, err)
			}
		}
		return nil
	})
}

// columnTypes is the declared type of every column of the tables, lower-cased:
// "boolean", "timestamp with time zone", "bigint" in PostgreSQL; "integer", "text" in
// SQLite.
func columnTypes(ctx context.Context, st *store.Store, tables []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, t := range tables {
		out[t] = map[string]string{}
	}
	add := func(rows *sql.Rows, err error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t, c, typ string
			if err := rows.Scan(&t, &c, &typ); err != nil {
				return err
			}
			if out[t] != nil {
				out[t][c] = strings.ToLower(typ)
			}
		}
		return rows.Err()
	}
	if st.Dialect() == store.Postgres {
		if err := add(st.Query(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()`)); err != nil {
			return nil, fmt.Errorf("backup: read the columns: %w", err)
		}
		return out, nil
	}
	for _, t := range tables {
		if err := add(st.Query(ctx, `SELECT ?, name, type FROM pragma_table_info(?)`, t, t)); err != nil {
			return nil, fmt.Errorf("backup: read the columns of %s: %w", t, err)
		}
	}
	return out, nil
}

// convertCell turns a value dumped from the other kind of database into what the
// target's column holds: SQLite keeps booleans as 0 and 1 and timestamps as fixed-width
// UTC text (store.Dialect.TimeValue), PostgreSQL as boolean and timestamptz.
func convertCell(v any, typ string, pg bool) (any, error) {
	if v == nil {
		return nil, nil
	}
	if pg {
		switch {
		case typ == "boolean":
			if n, ok := v.(int64); ok {
				return n != 0, nil
			}
		case strings.HasPrefix(typ, "timestamp"):
			if s, ok := v.(string); ok {
				var t time.Time
				if err := store.TimeScanner(&t).Scan(s); err != nil {
					return nil, err
				}
				return t, nil
			}
		}
		return v, nil
	}
	switch x := v.(type) {
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case time.Time:
		return store.SQLite.TimeValue(x), nil
	}
	return v, nil
}

func loadDump(ctx context.Context, tx *store.Tx, file string, types map[string]map[string]string, pg, cross bool) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(f))
	var h Header
	if err := dec.Decode(&h); err != nil {
		return fmt.Errorf("%w: header: %w", ErrCorrupt, err)
	}
	cols := types[h.Table]
	if cols == nil {
		return fmt.Errorf("%w: table %q does not exist", ErrCorrupt, h.Table)
	}
	if cross && h.Table == "schema_migrations" {
		return nil
	}
	quoted := make([]string, len(h.Columns))
	colTypes := make([]string, len(h.Columns))
	for i, c := range h.Columns {
		typ, ok := cols[c]
		if !ok {
			return fmt.Errorf("%w: column %s.%s does not exist", ErrCorrupt, h.Table, c)
		}
		quoted[i], colTypes[i] = quoteIdent(c), typ
	}
	if len(h.Columns) == 0 {
		return fmt.Errorf("%w: table %s without columns", ErrCorrupt, h.Table)
	}
	perBatch := max(1, min(200, 30000/len(h.Columns)))
	prefix := `INSERT INTO ` + quoteIdent(h.Table) + ` (` + strings.Join(quoted, ", ") + `) VALUES `
	if pg {
		prefix = `INSERT INTO ` + quoteIdent(h.Table) + ` (` + strings.Join(quoted, ", ") + `) OVERRIDING SYSTEM VALUE VALUES `
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(h.Columns)), ", ") + ")"
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := prefix + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
		_, err := tx.Exec(ctx, q, args...)
		args, n = args[:0], 0
		return err
	}
	for {
		var row []*Cell
		if err := dec.Decode(&row); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		if len(row) != len(h.Columns) {
			return fmt.Errorf("%w: a row of %s has %d values for %d columns", ErrCorrupt, h.Table, len(row), len(h.Columns))
		}
		for i, c := range row {
			v, err := c.Value()
			if err != nil {
				return fmt.Errorf("%w: %w", ErrCorrupt, err)
			}
			if cross {
				if v, err = convertCell(v, colTypes[i], pg); err != nil {
					return fmt.Errorf("%w: %s.%s: %w", ErrCorrupt, h.Table, h.Columns[i], err)
				}
			}
			args = append(args, v)
		}
		n++
		if n == perBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
