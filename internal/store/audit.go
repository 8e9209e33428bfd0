package store

import "context"

// Dialect reports the database the transaction runs on, for packages (the audit log)
// that keep their own tables and need dialect-specific SQL such as row locks.
func (t *Tx) Dialect() Dialect { return t.d }

// InReadTx runs fn in a read-only transaction that sees one consistent snapshot (REPEATABLE
// READ on PostgreSQL; a deferred transaction on SQLite, which does not take the write
// lock). `posture audit verify` needs it so that events, checkpoints and the chain head
// are read as of one moment while the server keeps appending.
func (s *Store) InReadTx(ctx context.Context, fn func(*Tx) error) error {
	return s.inReadTx(ctx, fn)
}
