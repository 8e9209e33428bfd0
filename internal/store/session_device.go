package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AddKnownDevice records that the browser holding the device cookie whose SHA-256 is
// idHash signed in to userID.
func (s *Store) AddKnownDevice(ctx context.Context, idHash []byte, userID int64, now time.Time) error {
	_, err := s.Exec(ctx, `INSERT INTO known_devices (id_hash, user_id, created_at, last_used_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id_hash) DO UPDATE SET last_used_at = excluded.last_used_at`,
		idHash, userID, s.dialect.TimeValue(now), s.dialect.TimeValue(now))
	if err != nil {
		return fmt.Errorf("add known device: %w", s.classify(err))
	}
	return nil
}

// KnownDeviceUser returns the user a device cookie belongs to, ErrNotFound if none.
func (s *Store) KnownDeviceUser(ctx context.Context, idHash []byte) (int64, error) {
	var id int64
	err := s.QueryRow(ctx, `SELECT user_id FROM known_devices WHERE id_hash = ?`, idHash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("known device: %w", ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("known device: %w", err)
	}
	return id, nil
}
