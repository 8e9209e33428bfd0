package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/store"
)

// Channel kinds.
const (
	Webhook = "webhook" // generic JSON: the Event
	Slack   = "slack"   // Slack incoming-webhook payload: {"text": …}
	Email   = "email"
)

// Config is a channel's destination.
type Config struct {
	// URL of a webhook: https, or http to a loopback address only.
	URL string `json:"url,omitempty"`
	// E-mail: the SMTP server (host:port), sender, recipients and login.
	Addr     string   `json:"addr,omitempty"`
	From     string   `json:"from,omitempty"`
	To       []string `json:"to,omitempty"`
	Username string   `json:"username,omitempty"`
}

// Channel is where alerts go.
type Channel struct {
	ID          int64
	Name        string
	Kind        string
	Config      Config
	Events      []string // event kinds, or ["*"]
	MinSeverity string
	Enabled     bool
	HasSecret   bool
	CreatedBy   string
	CreatedAt   time.Time

	wrapped []byte
	keyID   string
}

// ChannelInput is what CreateChannel writes. Secret is the webhook's HMAC key (at least
// 32 bytes) or the SMTP password; it is wrapped by the key provider before it is stored
// and never returned.
type ChannelInput struct {
	Name        string
	Kind        string
	Config      Config
	Secret      []byte
	Events      []string
	MinSeverity string
	CreatedBy   string
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (in *ChannelInput) validate() error {
	bad := func(f string, a ...any) error { return fmt.Errorf("%w: %s", store.ErrInvalid, fmt.Sprintf(f, a...)) }
	if in.Name == "" || len(in.Name) > 200 || strings.ContainsFunc(in.Name, func(r rune) bool { return r < 0x20 }) {
		return bad("channel name must be 1–200 printable bytes")
	}
	if in.MinSeverity == "" {
		in.MinSeverity = "info"
	}
	if _, ok := severityRank[in.MinSeverity]; !ok {
		return bad("min severity %q", in.MinSeverity)
	}
	if len(in.Events) == 0 {
		in.Events = []string{"*"}
	}
	for _, e := range in.Events {
		if e != "*" && !slices.Contains(Kinds, e) {
			return bad("unknown event kind %q (want one of %s or *)", e, strings.Join(Kinds, ", "))
		}
	}
	c := in.Config
	switch in.Kind {
	case Webhook, Slack:
		u, err := url.Parse(c.URL)
		if err != nil || u.Host == "" || u.User != nil {
			return bad("webhook URL must be an absolute URL without credentials")
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
			return bad("webhook URL must be https (http only to a loopback address)")
		}
		if len(in.Secret) < 32 {
			return bad("webhook secret must be at least 32 bytes")
		}
	case Email:
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return bad("SMTP address must be host:port")
		}
		if _, err := mail.ParseAddress(c.From); err != nil {
			return bad("bad From address")
		}
		if len(c.To) == 0 || len(c.To) > 50 {
			return bad("1–50 recipients")
		}
		for _, t := range c.To {
			if _, err := mail.ParseAddress(t); err != nil || strings.ContainsAny(t, "\r\n") {
				return bad("bad recipient %q", t)
			}
		}
		if strings.ContainsAny(c.From+c.Username, "\r\n") {
			return bad("header injection")
		}
	default:
		return bad("channel kind %q (want webhook, slack or email)", in.Kind)
	}
	return nil
}

// Channels manages alert channels; secrets are wrapped with Wrapper.
type Channels struct {
	st      *store.Store
	wrapper keys.Wrapper
	now     func() time.Time
}

// NewChannels returns the channel registry. wrapper may be nil, in which case channels
// with secrets cannot be created (there would be no way to keep them out of the clear).
func NewChannels(st *store.Store, wrapper keys.Wrapper, now func() time.Time) *Channels {
	if now == nil {
		now = time.Now
	}
	return &Channels{st: st, wrapper: wrapper, now: now}
}

// CreateTx adds a channel in the caller's transaction (with its audit event).
func (c *Channels) CreateTx(ctx context.Context, tx *store.Tx, in ChannelInput) (Channel, error) {
	if err := in.validate(); err != nil {
		return Channel{}, err
	}
	var wrapped []byte
	keyID := ""
	if len(in.Secret) > 0 {
		if c.wrapper == nil {
			return Channel{}, errors.New("alert: no key provider that can wrap secrets is configured")
		}
		var err error
		if wrapped, err = c.wrapper.Wrap(ctx, in.Secret); err != nil {
			return Channel{}, fmt.Errorf("alert: wrap the channel secret: %w", err)
		}
		keyID = c.wrapper.KeyID()
	}
	cfg, _ := json.Marshal(in.Config)
	now := c.now().UTC().Truncate(time.Microsecond)
	d := tx.Dialect()
	id, err := tx.InsertID(ctx, `INSERT INTO alert_channels (name, kind, config, secret_wrapped, secret_key_id, events, min_severity, enabled, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?)`, in.Name, in.Kind, string(cfg), wrapped, keyID, strings.Join(in.Events, " "), in.MinSeverity, in.CreatedBy, d.TimeValue(now))
	if err != nil {
		return Channel{}, fmt.Errorf("alert: create channel %q: %w", in.Name, err)
	}
	return Channel{ID: id, Name: in.Name, Kind: in.Kind, Config: in.Config, Events: in.Events, MinSeverity: in.MinSeverity, Enabled: true,
		HasSecret: len(wrapped) > 0, CreatedBy: in.CreatedBy, CreatedAt: now}, nil
}

// Create adds a channel.
func (c *Channels) Create(ctx context.Context, in ChannelInput) (Channel, error) {
	var ch Channel
	err := c.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		ch, err = c.CreateTx(ctx, tx, in)
		return err
	})
	return ch, err
}

const channelColumns = `id, name, kind, config, secret_wrapped, secret_key_id, events, min_severity, enabled, created_by, created_at`

func scanChannel(row interface{ Scan(...any) error }) (Channel, error) {
	var ch Channel
	var cfg, events string
	err := row.Scan(&ch.ID, &ch.Name, &ch.Kind, &cfg, &ch.wrapped, &ch.keyID, &events, &ch.MinSeverity, &ch.Enabled, &ch.CreatedBy, store.TimeScanner(&ch.CreatedAt))
	if err != nil {
		return ch, err
	}
	ch.Events = strings.Fields(events)
	ch.HasSecret = len(ch.wrapped) > 0
	if err := json.Unmarshal([]byte(cfg), &ch.Config); err != nil {
		return ch, fmt.Errorf("alert: channel %d: bad config: %w", ch.ID, err)
	}
	return ch, nil
}

// List returns every channel (without secrets).
func (c *Channels) List(ctx context.Context) ([]Channel, error) {
	rows, err := c.st.Query(ctx, `SELECT `+channelColumns+` FROM alert_channels ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Channel
	for rows.Next() {
		ch, err := scanChannel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, rows.Err()
}

// DeleteTx removes a channel and its delivery log.
func DeleteChannelTx(ctx context.Context, tx *store.Tx, id int64) error {
	res, err := tx.Exec(ctx, `DELETE FROM alert_channels WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("channel %d: %w", id, store.ErrNotFound)
	}
	return nil
}

func (ch *Channel) wants(e *Event) bool {
	if !ch.Enabled || severityRank[e.Severity] < severityRank[ch.MinSeverity] && e.Kind != KindTest {
		return false
	}
	return slices.Contains(ch.Events, "*") || slices.Contains(ch.Events, e.Kind)
}
