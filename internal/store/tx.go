package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Tx is a transaction whose queries are written with `?` placeholders.
type Tx struct {
	tx *sql.Tx
	d  Dialect
}

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.d.Rebind(q), args...)
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.d.Rebind(q), args...)
}

// QueryRow runs a single-row query in the transaction.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.d.Rebind(q), args...)
}

// InsertID runs an INSERT and returns the id of the row it created. Neither driver's
// LastInsertId can be relied on (pgx has none), so the statement gets RETURNING id,
// which SQLite (3.35+) and PostgreSQL both understand.
func (t *Tx) InsertID(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := t.QueryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// Exec runs a statement outside any transaction.
func (s *Store) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.dialect.Rebind(q), args...)
}

// Query runs a query outside any transaction.
func (s *Store) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.dialect.Rebind(q), args...)
}

// QueryRow runs a single-row query outside any transaction.
func (s *Store) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.dialect.Rebind(q), args...)
}

// InTx runs fn in a read-write transaction, committed if fn returns nil and rolled back
// otherwise (and on panic), so that fn's writes happen entirely or not at all.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	return s.inTx(ctx, nil, fn)
}

// inReadTx runs fn in a read-only transaction: one consistent snapshot for several
// queries. On SQLite it does not take the write lock.
func (s *Store) inReadTx(ctx context.Context, fn func(*Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == Postgres {
		// READ COMMITTED would give each statement its own snapshot.
		opts.Isolation = sql.LevelRepeatableRead
	}
	return s.inTx(ctx, opts, fn)
}

func (s *Store) inTx(ctx context.Context, opts *sql.TxOptions, fn func(*Tx) error) (err error) {
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tx.Rollback()
		}
	}()
	if err := fn(&Tx{tx: tx, d: s.dialect}); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		done = true
		return err
	}
	done = true
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
