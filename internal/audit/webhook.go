package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/posture-dev/posture/internal/netx"
)

// WebhookOptions configure a webhook sink.
type WebhookOptions struct {
	// URL receives POSTs. https is required except to a loopback address.
	URL string
	// Secret keys the HMAC-SHA256 in X-Posture-Signature; at least 32 bytes.
	Secret []byte
	// Client is the HTTP client; nil uses one with a 10 s timeout that does not follow
	// redirects (a redirect could carry the events elsewhere).
	Client *http.Client
	// Now stamps X-Posture-Timestamp; nil is time.Now.
	Now func() time.Time
}

// Webhook POSTs batches as JSON: {"events":[…]}, with
// X-Posture-Timestamp: <unix seconds> and
// X-Posture-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>,
// so that the receiver can check origin and integrity and refuse stale replays.
// Any 2xx acknowledges the batch; anything else is retried.
type Webhook struct {
	opt WebhookOptions
	u   *url.URL
}

// NewWebhook checks the options.
func NewWebhook(opt WebhookOptions) (*Webhook, error) {
	u, err := url.Parse(opt.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("audit: bad webhook URL")
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, errors.New("audit: webhook URL must be https (http only to a loopback address)")
	}
	if len(opt.Secret) < 32 {
		return nil, errors.New("audit: webhook secret must be at least 32 bytes")
	}
	if opt.Client == nil {
		opt.Client = &http.Client{Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Webhook{opt: opt, u: u}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Name is the URL without user info or query (which may hold credentials).
func (w *Webhook) Name() string {
	u := *w.u
	u.User, u.RawQuery = nil, ""
	return "webhook " + u.String()
}

// WebhookSignature computes the X-Posture-Signature value for a timestamp and body;
// receivers use it to check a delivery (compare with hmac.Equal).
func WebhookSignature(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Send POSTs one batch.
func (w *Webhook) Send(ctx context.Context, evs []Event) error {
	body, err := json.Marshal(struct {
		Events []Event `json:"events"`
	}{evs})
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(w.opt.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Posture-Timestamp", ts)
	req.Header.Set("X-Posture-Signature", WebhookSignature(w.opt.Secret, ts, body))
	return netx.Post(w.opt.Client, req)
}

// Close does nothing: the HTTP client keeps no state worth closing.
func (w *Webhook) Close() error { return nil }
