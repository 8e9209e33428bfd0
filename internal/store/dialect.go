package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect is the SQL flavour of the database behind a Store. Queries are written once,
// in the common subset of SQLite and PostgreSQL, with `?` placeholders; the few real
// differences are methods here.
type Dialect int

// The dialects the store speaks.
const (
	SQLite Dialect = iota + 1
	Postgres
)

func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// Rebind rewrites a query written with `?` placeholders for this dialect.
func (d Dialect) Rebind(q string) string {
	if d == Postgres {
		return rebindDollar(q)
	}
	return q
}

// sqliteTimeLayout is fixed-width so that text comparison and ORDER BY in SQLite agree
// with time order; microseconds because that is PostgreSQL's precision, so a value reads
// back the same from either database.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

// TimeValue is the argument to bind for a timestamp column: UTC, truncated to the
// microsecond. SQLite has no timestamp type and gets fixed-width text; PostgreSQL gets
// a timestamptz.
func (d Dialect) TimeValue(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d == SQLite {
		return t.Format(sqliteTimeLayout)
	}
	return t
}

// TimeScanner returns a destination for Scan that reads a timestamp column written with
// TimeValue, from either database, into *t as UTC.
func TimeScanner(t *time.Time) interface{ Scan(any) error } { return (*timeDest)(t) }

type timeDest time.Time

func (p *timeDest) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*p = timeDest(v.UTC())
		return nil
	case string:
		return p.parse(v)
	case []byte:
		return p.parse(string(v))
	}
	return fmt.Errorf("store: cannot read a timestamp from %T", src)
}

func (p *timeDest) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("store: bad timestamp %q: %w", s, err)
	}
	*p = timeDest(t.UTC())
	return nil
}

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY constraint failure.
func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || lite.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var lite *sqlite.Error
	return errors.As(err, &lite) && lite.Code()&0xff == sqlite3.SQLITE_BUSY
}
