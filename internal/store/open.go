package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Options says where the store lives.
type Options struct {
	// DataDir holds the embedded SQLite database (posture.db) when URL is empty. It is
	// created with mode 0700.
	DataDir string
	// URL selects the database: "" or "sqlite:" for DataDir/posture.db,
	// "sqlite:///abs/path/file.db" for another SQLite file, or
	// "postgres://user@host:5432/db?…" (also "postgresql://") for PostgreSQL.
	URL string
	// Logger receives operational messages (never credentials). Nil discards them.
	Logger *slog.Logger
	// Now is the clock for the timestamps the store writes itself; nil is time.Now.
	Now func() time.Time
}

// Store is posture's database: one *sql.DB and the dialect it speaks.
type Store struct {
	db      *sql.DB
	dialect Dialect
	log     *slog.Logger
	now     func() time.Time
	// where names the database in logs and errors, with any password removed.
	where string
	// failAfterFindings, when set, is called after each batch of findings RecordScan
	// writes; tests use it to fail a scan midway and prove nothing of it remains.
	failAfterFindings func(written int) error
}

// sqliteBusyTimeout is how long a writer waits for another one (another replica of the
// CLI, a migration) before SQLITE_BUSY.
const sqliteBusyTimeout = 10 * time.Second

// Open connects to the database Options names and brings its schema up to date.
func Open(ctx context.Context, opt Options) (*Store, error) {
	s, err := connect(ctx, opt)
	if err != nil {
		return nil, err
	}
	applied, err := migrate(ctx, s.db, s.dialect, s.log)
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: migrate %s: %w", s.where, err)
	}
	s.log.Info("store open", "database", s.dialect.String(), "location", s.where, "migrations_applied", applied)
	return s, nil
}

// OpenExisting opens a database without applying migrations, for reading a copy whose
// schema must stay as it was written (a backup moving to another kind of database).
func OpenExisting(ctx context.Context, opt Options) (*Store, error) { return connect(ctx, opt) }

// connect opens and pings the database without touching its schema.
func connect(ctx context.Context, opt Options) (*Store, error) {
	s := &Store{log: opt.Logger, now: opt.Now}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	switch {
	case opt.URL == "" || strings.HasPrefix(opt.URL, "sqlite:"):
		err = s.openSQLite(opt)
	case strings.HasPrefix(opt.URL, "postgres://") || strings.HasPrefix(opt.URL, "postgresql://"):
		err = s.openPostgres(opt.URL)
	default:
		scheme, _, _ := strings.Cut(opt.URL, ":")
		return nil, fmt.Errorf("store: unsupported database URL scheme %q (want sqlite: or postgres://)", scheme)
	}
	if err != nil {
		return nil, err
	}
	if err := s.ping(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", s.where, err)
	}
	return s, nil
}

// sqlitePath resolves the database file of an SQLite URL.
func sqlitePath(dataDir, rawURL string) (string, error) {
	if rawURL == "" || rawURL == "sqlite:" || rawURL == "sqlite://" {
		if dataDir == "" {
			return "", errors.New("store: no data directory for the embedded database")
		}
		return filepath.Join(dataDir, "posture.db"), nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("store: bad SQLite URL: %w", err)
	}
	if u.Host != "" || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "", errors.New("store: an SQLite URL names an absolute file: sqlite:///path/to/posture.db")
	}
	if u.RawQuery != "" {
		return "", errors.New("store: an SQLite URL takes no parameters; the store sets its own")
	}
	return filepath.Clean(u.Path), nil
}

func (s *Store) openSQLite(opt Options) error {
	path, err := sqlitePath(opt.DataDir, opt.URL)
	if err != nil {
		return err
	}
	s.dialect, s.where = SQLite, path
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("store: create data directory: %w", err)
	}
	// SQLite creates its -wal and -shm files with the database file's mode, so making
	// the file 0600 before SQLite opens it keeps all three private.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	fi, err := f.Stat()
	f.Close()
	if err != nil {
		return fmt.Errorf("store: stat %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return fmt.Errorf("store: make %s private: %w", path, err)
		}
		s.log.Warn("database file was readable by others; made it 0600", "path", path, "was", fi.Mode().Perm().String())
	}
	if di, err := os.Stat(filepath.Dir(path)); err == nil && di.Mode().Perm()&0o077 != 0 {
		s.log.Warn("data directory is accessible to other users", "path", filepath.Dir(path), "mode", di.Mode().Perm().String())
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()))
	// WAL: readers never block the writer nor the writer readers; FULL: the WAL is
	// synced at every commit, so a committed transaction survives power loss, not only
	// a crash of the process (NORMAL would only guarantee the latter).
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Every read-write transaction takes the write lock at BEGIN: a deferred transaction
	// that upgrades from reading to writing fails with SQLITE_BUSY instead of waiting.
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	s.db = db
	return nil
}

// ping makes the first connection. On SQLite it waits out SQLITE_BUSY for up to the
// busy timeout: the first connection to a fresh file switches it to WAL, which needs an
// exclusive lock, and when several processes race for that upgrade SQLite refuses all
// but one at once rather than calling the busy handler (which could deadlock them).
func (s *Store) ping(ctx context.Context) error {
	err := s.db.PingContext(ctx)
	if s.dialect != SQLite {
		return err
	}
	deadline := time.Now().Add(sqliteBusyTimeout)
	for wait := 5 * time.Millisecond; isBusy(err) && time.Now().Before(deadline); wait = min(2*wait, 200*time.Millisecond) {
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
		err = s.db.PingContext(ctx)
	}
	return err
}

func (s *Store) openPostgres(rawURL string) error {
	s.dialect = Postgres
	s.where = redactURL(rawURL)
	// ParseConfig validates the URL up front, so a typo is reported as such rather than
	// as a failed connection; its errors already have the password removed.
	if _, err := pgx.ParseConfig(rawURL); err != nil {
		return fmt.Errorf("store: bad PostgreSQL URL %s: %w", s.where, err)
	}
	db, err := sql.Open("pgx", rawURL)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", s.where, err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s.db = db
	return nil
}

// redactURL returns rawURL with its password, and any password parameter, replaced.
func redactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparseable URL)"
	}
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword") {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}

// Close releases the database.
func (s *Store) Close() error { return s.db.Close() }

// Dialect reports which database the store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB is the underlying pool, for packages that keep their own tables in this database.
// Queries on it must go through Dialect().Rebind.
func (s *Store) DB() *sql.DB { return s.db }
