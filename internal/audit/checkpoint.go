package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// Checkpoint is a signed statement that the chain's event seq had hash Hash at Time.
// Whoever can write to the database can recompute hashes, but not these signatures:
// a checkpoint pins every event up to Seq.
type Checkpoint struct {
	Seq       int64     `json:"seq"`
	Hash      []byte    `json:"hash"`
	Time      time.Time `json:"time"`
	KeyID     string    `json:"key_id"`
	Algorithm string    `json:"algorithm"`
	Signature []byte    `json:"signature"`
}

var errNothingToCheckpoint = errors.New("audit: no events since the last checkpoint")

// checkpointer writes a checkpoint when the writer says CheckpointEvery events have
// gone by, and every CheckpointInterval if events have been appended since the last.
// Signing (possibly a call to Vault or KMS) happens here, off the append path: a slow or
// unavailable key provider delays checkpoints, never events.
func (l *Log) checkpointer() {
	defer l.wg.Done()
	t := time.NewTicker(l.opt.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		case <-l.wake:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if _, err := l.Checkpoint(ctx); err != nil && !errors.Is(err, errNothingToCheckpoint) {
			l.log.Error("audit checkpoint failed", "err", err)
		}
		cancel()
	}
}

// Checkpoint signs the current chain head and stores the checkpoint, unless one already
// covers it. Two replicas checkpointing the same head store it once.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	var h head
	var last sql.NullInt64
	err := l.st.InReadTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&h.seq, &h.hash); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT MAX(seq) FROM audit_checkpoints`).Scan(&last)
	})
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: checkpoint: read head: %w", err)
	}
	if h.seq == 0 || (last.Valid && last.Int64 >= h.seq) {
		return Checkpoint{}, errNothingToCheckpoint
	}
	c := Checkpoint{Seq: h.seq, Hash: h.hash, Time: l.opt.Now().UTC().Truncate(time.Microsecond),
		KeyID: l.opt.Signer.KeyID(), Algorithm: l.opt.Signer.Algorithm()}
	c.Signature, err = l.opt.Signer.Sign(ctx, canonicalCheckpoint(&c))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: checkpoint: sign with %s: %w", c.KeyID, err)
	}
	d := l.st.Dialect()
	_, err = l.st.Exec(ctx, `INSERT INTO audit_checkpoints (seq, hash, at, key_id, algorithm, signature) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (seq) DO NOTHING`, c.Seq, c.Hash, d.TimeValue(c.Time), c.KeyID, c.Algorithm, c.Signature)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: checkpoint: store: %w", err)
	}
	l.log.Debug("audit checkpoint", "seq", c.Seq, "key_id", c.KeyID)
	return c, nil
}

const checkpointColumns = `seq, hash, at, key_id, algorithm, signature`

func scanCheckpoint(sc interface{ Scan(...any) error }, c *Checkpoint) error {
	return sc.Scan(&c.Seq, &c.Hash, store.TimeScanner(&c.Time), &c.KeyID, &c.Algorithm, &c.Signature)
}
