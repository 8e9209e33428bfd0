package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Governance records (P7: deviations, emergency changes, incidents, attestations,
// policy reviews). The store only reads and writes rows; the rules (who may approve,
// what is overdue) live in internal/governance, which makes each change inside
// audit.Log.Do so that the change and its audit event commit together. Writers are
// therefore methods on *Tx; readers take a Querier so they work in or out of one.

// Querier is a *Store or a *Tx.
type Querier interface {
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
}

// maxGovText bounds the long free-text fields of governance records.
const maxGovText = 8000

// optTime reads a nullable timestamp straight into a field; NULL is the zero time.
type optTime struct{ t *time.Time }

func (n optTime) Scan(src any) error {
	if src == nil {
		*n.t = time.Time{}
		return nil
	}
	return TimeScanner(n.t).Scan(src)
}

func checkTexts(op string, fields ...any) error {
	for i := 0; i+2 < len(fields); i += 3 {
		if err := checkText(fields[i].(string), fields[i+1].(string), fields[i+2].(int), true); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	return nil
}

func rowsErr(op string, rows *sql.Rows) error {
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// one returns the single element of a list read by id, or ErrNotFound.
func one[T any](list []T, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if len(list) == 0 {
		return zero, ErrNotFound
	}
	return list[0], nil
}

func wrapNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
