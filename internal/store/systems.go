package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"
)

// CreateSystem adds a system with its targets. A name already in use is ErrConflict.
func (s *Store) CreateSystem(ctx context.Context, in SystemInput) (System, error) {
	if err := in.validate(); err != nil {
		return System{}, fmt.Errorf("create system: %w", err)
	}
	now := s.nowUTC()
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO systems (name, owner, environment, classification, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			in.Name, in.Owner, string(in.Environment), string(in.Classification), s.dialect.TimeValue(now), s.dialect.TimeValue(now))
		if err != nil {
			return err
		}
		return insertTargets(ctx, tx, id, in.Targets)
	})
	if err != nil {
		return System{}, fmt.Errorf("create system %q: %w", in.Name, s.classify(err))
	}
	return s.GetSystem(ctx, id)
}

// UpdateSystem replaces a system's attributes and targets.
func (s *Store) UpdateSystem(ctx context.Context, id int64, in SystemInput) (System, error) {
	if err := in.validate(); err != nil {
		return System{}, fmt.Errorf("update system %d: %w", id, err)
	}
	err := s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE systems SET name = ?, owner = ?, environment = ?, classification = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.Owner, string(in.Environment), string(in.Classification), s.dialect.TimeValue(s.nowUTC()), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, `DELETE FROM system_targets WHERE system_id = ?`, id); err != nil {
			return err
		}
		return insertTargets(ctx, tx, id, in.Targets)
	})
	if err != nil {
		return System{}, fmt.Errorf("update system %d: %w", id, s.classify(err))
	}
	return s.GetSystem(ctx, id)
}

func insertTargets(ctx context.Context, tx *Tx, id int64, targets []Target) error {
	for _, t := range targets {
		if _, err := tx.Exec(ctx, `INSERT INTO system_targets (system_id, kind, locator) VALUES (?, ?, ?)`, id, string(t.Kind), t.Locator); err != nil {
			return err
		}
	}
	return nil
}

const systemColumns = `id, name, owner, environment, classification, created_at, updated_at`

func scanSystem(row interface{ Scan(...any) error }) (System, error) {
	var sys System
	var env, class string
	err := row.Scan(&sys.ID, &sys.Name, &sys.Owner, &env, &class, TimeScanner(&sys.CreatedAt), TimeScanner(&sys.UpdatedAt))
	sys.Environment, sys.Classification = Environment(env), Classification(class)
	return sys, err
}

// GetSystem returns one system with its targets.
func (s *Store) GetSystem(ctx context.Context, id int64) (System, error) {
	var sys System
	err := s.inReadTx(ctx, func(tx *Tx) error {
		var err error
		sys, err = scanSystem(tx.QueryRow(ctx, `SELECT `+systemColumns+` FROM systems WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		targets, err := loadTargets(ctx, tx, []int64{id})
		sys.Targets = targets[id]
		return err
	})
	if err != nil {
		return System{}, fmt.Errorf("get system %d: %w", id, err)
	}
	return sys, nil
}

// ListSystems returns every system, with targets, by name.
func (s *Store) ListSystems(ctx context.Context) ([]System, error) {
	var out []System
	err := s.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+systemColumns+` FROM systems`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			sys, err := scanSystem(rows)
			if err != nil {
				return err
			}
			out = append(out, sys)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		// Byte order in Go: the two databases collate text differently.
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		targets, err := loadTargets(ctx, tx, nil)
		for i := range out {
			out[i].Targets = targets[out[i].ID]
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list systems: %w", err)
	}
	return out, nil
}

// loadTargets returns the targets of the systems ids, or of all systems when ids is nil.
func loadTargets(ctx context.Context, tx *Tx, ids []int64) (map[int64][]Target, error) {
	q := `SELECT system_id, kind, locator FROM system_targets`
	var args []any
	if ids != nil {
		q += ` WHERE system_id IN (` + placeholders(len(ids)) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := tx.Query(ctx, q+` ORDER BY system_id, kind, locator`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]Target{}
	for rows.Next() {
		var id int64
		var t Target
		var kind string
		if err := rows.Scan(&id, &kind, &t.Locator); err != nil {
			return nil, err
		}
		t.Kind = TargetKind(kind)
		out[id] = append(out[id], t)
	}
	for _, ts := range out {
		// Byte order, the same in both databases whatever their collation.
		sort.Slice(ts, func(i, j int) bool {
			if ts[i].Kind != ts[j].Kind {
				return ts[i].Kind < ts[j].Kind
			}
			return ts[i].Locator < ts[j].Locator
		})
	}
	return out, rows.Err()
}

func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	b := make([]byte, 0, 2*n)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '?')
	}
	return string(b)
}

func (s *Store) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// classify maps driver errors to the store's sentinel errors, keeping the original.
func (s *Store) classify(err error) error {
	if isUniqueViolation(err) && !errors.Is(err, ErrConflict) {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}
