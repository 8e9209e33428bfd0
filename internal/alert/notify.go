package alert

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/store"
)

// DeliverKind is the job that delivers one alert to one channel.
const DeliverKind = "alert.deliver"

// MaxAttempts is how often a delivery is tried (with the queue's backoff: 30 s, 1 min,
// 2 min, … up to an hour between tries, about 4 hours in all) before it is failed.
const MaxAttempts = 10

// Notifier raises alerts. It is what other packages call.
type Notifier struct {
	q   *jobs.Queue
	now func() time.Time
}

// NewNotifier returns a notifier that enqueues on q.
func NewNotifier(q *jobs.Queue) *Notifier { return &Notifier{q: q, now: time.Now} }

// Notify raises e in a transaction of its own.
func (n *Notifier) Notify(ctx context.Context, e Event) (int, error) {
	var c int
	err := n.q.Store().InTx(ctx, func(tx *store.Tx) error {
		var err error
		c, err = n.NotifyTx(ctx, tx, e)
		return err
	})
	return c, err
}

// NotifyTx raises e inside the caller's transaction: for every enabled channel that
// subscribes to e's kind at e's severity it writes a pending delivery and enqueues its
// job, so the alert exists exactly when the caller's action commits. It returns how
// many deliveries it created; an event whose key a channel has seen is skipped there.
// It never contacts a receiver.
func (n *Notifier) NotifyTx(ctx context.Context, tx *store.Tx, e Event) (int, error) {
	if e.At.IsZero() {
		e.At = n.now().UTC().Truncate(time.Second)
	}
	if err := e.validate(); err != nil {
		return 0, err
	}
	body, err := json.Marshal(e)
	if err != nil {
		return 0, err
	}
	rows, err := tx.Query(ctx, `SELECT `+channelColumns+` FROM alert_channels WHERE enabled = TRUE ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("alert: list channels: %w", err)
	}
	var chans []Channel
	for rows.Next() {
		ch, err := scanChannel(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		chans = append(chans, ch)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	d := tx.Dialect()
	now := n.now()
	created := 0
	for _, ch := range chans {
		if !ch.wants(&e) {
			continue
		}
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO alert_deliveries (channel_id, event_kind, event_key, event, state, created_at, updated_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (channel_id, event_key) DO NOTHING RETURNING id`,
			ch.ID, e.Kind, e.Key, string(body), d.TimeValue(now), d.TimeValue(now)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue // raised before
		}
		if err != nil {
			return created, fmt.Errorf("alert: record delivery: %w", err)
		}
		if _, _, err := n.q.EnqueueTx(ctx, tx, jobs.Spec{Kind: DeliverKind, Payload: deliverPayload{DeliveryID: id},
			DedupKey: "alert:" + strconv.FormatInt(id, 10), MaxAttempts: MaxAttempts}); err != nil {
			return created, err
		}
		created++
	}
	return created, nil
}

type deliverPayload struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Delivery is one alert to one channel, as the delivery log shows it.
type Delivery struct {
	ID        int64
	ChannelID int64
	Kind, Key string
	State     string // pending, sent, failed
	Attempts  int
	LastError string
	CreatedAt time.Time
	SentAt    time.Time
}

// Deliveries lists the newest deliveries, at most limit.
func Deliveries(ctx context.Context, st *store.Store, limit int) ([]Delivery, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := st.Query(ctx, `SELECT id, channel_id, event_kind, event_key, state, attempts, last_error, created_at, sent_at FROM alert_deliveries ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var dl Delivery
		var sentT any
		if err := rows.Scan(&dl.ID, &dl.ChannelID, &dl.Kind, &dl.Key, &dl.State, &dl.Attempts, &dl.LastError, store.TimeScanner(&dl.CreatedAt), &sentT); err != nil {
			return nil, err
		}
		if sentT != nil {
			if err := store.TimeScanner(&dl.SentAt).Scan(sentT); err != nil {
				return nil, err
			}
		}
		out = append(out, dl)
	}
	return out, rows.Err()
}
