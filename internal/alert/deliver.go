package alert

import (
	"bytes"
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/netx"
	"github.com/posture-dev/posture/internal/store"
)

// Deliverer is the handler of DeliverKind jobs.
type Deliverer struct {
	St      *store.Store
	Wrapper keys.Wrapper
	// HTTP sends webhooks; nil is a client with a 10 s timeout that never follows
	// redirects (a redirect could carry the alert elsewhere).
	HTTP *http.Client
	// TLS is the base TLS configuration for SMTP STARTTLS (RootCAs for tests); nil uses
	// the system roots.
	TLS    *tls.Config
	Now    func() time.Time
	Logger *slog.Logger
}

// Handler delivers one pending delivery: a failure is recorded on the delivery and
// returned, so the queue retries it after a backoff; after the last attempt the delivery
// is marked failed. A delivery already sent is not sent again (a re-run after a lost
// lease can still send twice if the first run's send succeeded and its lease expired
// before it was recorded: receivers deduplicate on the event key, X-Posture-Event-Key).
func (d *Deliverer) Handler() jobs.Handler {
	return func(ctx context.Context, j *jobs.Job) error {
		var p deliverPayload
		if err := j.Decode(&p); err != nil {
			return err
		}
		var ch Channel
		var state, body string
		err := d.St.InReadTx(ctx, func(tx *store.Tx) error {
			if err := tx.QueryRow(ctx, `SELECT state, event FROM alert_deliveries WHERE id = ?`, p.DeliveryID).Scan(&state, &body); err != nil {
				return err
			}
			var err error
			ch, err = scanChannel(tx.QueryRow(ctx, `SELECT `+channelColumns+` FROM alert_channels WHERE id = (SELECT channel_id FROM alert_deliveries WHERE id = ?)`, p.DeliveryID))
			return err
		})
		if errors.Is(err, sql.ErrNoRows) {
			return nil // the channel was deleted, and its deliveries with it
		}
		if err != nil {
			return err
		}
		if state != "pending" {
			return nil
		}
		var e Event
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return jobs.Permanent(fmt.Errorf("alert: delivery %d: bad event: %w", p.DeliveryID, err))
		}
		sendErr := d.send(ctx, &ch, &e)
		now := d.now()
		dl := d.St.Dialect()
		final := sendErr != nil && j.Attempt >= j.MaxAttempts
		newState, msg := "sent", ""
		var sent any
		switch {
		case sendErr == nil:
			sent = dl.TimeValue(now)
		case final:
			newState, msg = "failed", sendErr.Error()
		default:
			newState, msg = "pending", sendErr.Error()
		}
		if _, err := d.St.Exec(context.WithoutCancel(ctx), `UPDATE alert_deliveries SET state = ?, attempts = attempts + 1, last_error = ?, updated_at = ?, sent_at = ? WHERE id = ?`,
			newState, msg, dl.TimeValue(now), sent, p.DeliveryID); err != nil {
			return fmt.Errorf("alert: record delivery %d: %w", p.DeliveryID, err)
		}
		if sendErr != nil {
			d.logger().Warn("alert delivery failed", "delivery", p.DeliveryID, "channel", ch.Name, "attempt", j.Attempt, "final", final, "err", sendErr)
		}
		return sendErr
	}
}

func (d *Deliverer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Deliverer) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func (d *Deliverer) secret(ctx context.Context, ch *Channel) ([]byte, error) {
	if len(ch.wrapped) == 0 {
		return nil, nil
	}
	if d.Wrapper == nil {
		return nil, jobs.Permanent(errors.New("alert: channel secret is wrapped, but no key provider can unwrap it"))
	}
	if ch.keyID != d.Wrapper.KeyID() {
		return nil, jobs.Permanent(fmt.Errorf("alert: channel secret was wrapped by key %s, this server has %s", ch.keyID, d.Wrapper.KeyID()))
	}
	return d.Wrapper.Unwrap(ctx, ch.wrapped)
}

func (d *Deliverer) send(ctx context.Context, ch *Channel, e *Event) error {
	secret, err := d.secret(ctx, ch)
	if err != nil {
		return err
	}
	switch ch.Kind {
	case Webhook, Slack:
		return d.sendWebhook(ctx, ch, e, secret)
	case Email:
		return d.sendMail(ctx, ch, e, string(secret))
	}
	return jobs.Permanent(fmt.Errorf("alert: unknown channel kind %q", ch.Kind))
}

// SlackPayload is what a Slack-compatible channel receives: Slack incoming webhooks (and
// Mattermost, Rocket.Chat, Teams' Slack-compatible endpoints) show "text".
type SlackPayload struct {
	Text string `json:"text"`
}

func slackText(e *Event) string {
	t := "*[" + e.Severity + "] " + e.Subject + "*"
	if e.Text != "" {
		t += "\n" + e.Text
	}
	if e.Link != "" {
		t += "\n<" + e.Link + ">"
	}
	return t
}

func (d *Deliverer) sendWebhook(ctx context.Context, ch *Channel, e *Event, secret []byte) error {
	var body []byte
	var err error
	if ch.Kind == Slack {
		body, err = json.Marshal(SlackPayload{Text: slackText(e)})
	} else {
		body, err = json.Marshal(e)
	}
	if err != nil {
		return err
	}
	client := d.HTTP
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ch.Config.URL, bytes.NewReader(body))
	if err != nil {
		return jobs.Permanent(errors.New("alert: bad webhook URL"))
	}
	ts := strconv.FormatInt(d.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "posture-alerts")
	req.Header.Set("X-Posture-Event-Key", e.Key)
	req.Header.Set("X-Posture-Timestamp", ts)
	// The same signature as the audit forwarder's: HMAC-SHA256(secret, timestamp + "." + body).
	req.Header.Set("X-Posture-Signature", audit.WebhookSignature(secret, ts, body))
	return netx.Post(client, req)
}
