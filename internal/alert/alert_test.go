package alert

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/jobs/jobstest"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/store"
)

type env struct {
	st   *store.Store
	q    *jobs.Queue
	n    *Notifier
	ch   *Channels
	pool *jobs.Pool
	d    *Deliverer
	key  *keys.File
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := jobstest.Open(t, jobstest.SQLite(t))
	k, err := keys.OpenFile(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	q := jobs.NewQueue(st, nil)
	d := &Deliverer{St: st, Wrapper: k}
	// No backoff: the test drives the retries.
	p := jobs.NewPool(st, jobs.PoolOptions{Backoff: func(int) time.Duration { return 0 }})
	p.Handle(DeliverKind, d.Handler())
	return &env{st: st, q: q, n: NewNotifier(q), ch: NewChannels(st, k, nil), pool: p, d: d, key: k}
}

var secret = []byte("0123456789abcdef0123456789abcdef-webhook")

// A receiver that fails three times and then accepts: the delivery is retried by the
// queue, every attempt recorded, and the action that raised the alert was not held up.
func TestWebhookRetriedUntilDelivered(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var calls atomic.Int32
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, b)
		mu.Unlock()
		if calls.Add(1) <= 3 {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var p SlackPayload
		if json.Unmarshal(b, &p) != nil || !strings.Contains(p.Text, "*[critical] pack on fire*") {
			t.Errorf("slack payload %s", b)
		}
	}))
	defer slack.Close()
	if _, err := e.ch.Create(ctx, ChannelInput{Name: "siem", Kind: Webhook, Config: Config{URL: srv.URL + "/hook"}, Secret: secret, CreatedBy: "user:1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ch.Create(ctx, ChannelInput{Name: "chat", Kind: Slack, Config: Config{URL: slack.URL}, Secret: secret, Events: []string{KindPackExpiring}, MinSeverity: "high"}); err != nil {
		t.Fatal(err)
	}
	// The secret is not stored in clear.
	var raw []byte
	e.st.QueryRow(ctx, `SELECT secret_wrapped FROM alert_channels WHERE name = 'siem'`).Scan(&raw)
	if len(raw) == 0 || strings.Contains(string(raw), string(secret)) {
		t.Fatal("secret stored in clear")
	}

	start := time.Now()
	ev := Event{Kind: KindPackExpiring, Key: "k1", Severity: "critical", Subject: "pack on fire", Text: "details"}
	n, err := e.n.Notify(ctx, ev)
	if err != nil || n != 2 {
		t.Fatalf("notify: %d deliveries, %v", n, err)
	}
	if time.Since(start) > time.Second || calls.Load() != 0 {
		t.Fatal("notify contacted the receiver")
	}
	// Raised again (a re-run): no new delivery.
	if n, _ := e.n.Notify(ctx, ev); n != 0 {
		t.Fatalf("duplicate event made %d deliveries", n)
	}
	for range 6 {
		e.pool.RunPending(ctx)
	}
	if calls.Load() != 4 {
		t.Fatalf("receiver called %d times, want 4", calls.Load())
	}
	ds, _ := Deliveries(ctx, e.st, 10)
	states := map[int64]Delivery{}
	for _, d := range ds {
		states[d.ChannelID] = d
	}
	if d := states[1]; d.State != "sent" || d.Attempts != 4 || d.SentAt.IsZero() || d.LastError != "" {
		t.Fatalf("webhook delivery %+v", d)
	}
	if d := states[2]; d.State != "sent" || d.Attempts != 1 {
		t.Fatalf("slack delivery %+v", d)
	}
	// Every attempt is in the job log.
	var runs int
	e.st.QueryRow(ctx, `SELECT COUNT(*) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.kind = ?`, DeliverKind).Scan(&runs)
	if runs != 5 {
		t.Fatalf("%d delivery runs logged, want 5", runs)
	}
	// Signed: the receiver can check the HMAC over timestamp and body.
	r, body := got[3], bodies[3]
	want := audit.WebhookSignature(secret, r.Header.Get("X-Posture-Timestamp"), body)
	if !hmac.Equal([]byte(r.Header.Get("X-Posture-Signature")), []byte(want)) || r.Header.Get("X-Posture-Event-Key") != "k1" {
		t.Fatalf("signature %q, want %q", r.Header.Get("X-Posture-Signature"), want)
	}
	var gotEv Event
	if err := json.Unmarshal(body, &gotEv); err != nil || gotEv.Subject != "pack on fire" || gotEv.Kind != KindPackExpiring {
		t.Fatalf("generic payload %s", body)
	}
}

func TestWebhookGivesUpAfterMaxAttempts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer srv.Close()
	e.ch.Create(ctx, ChannelInput{Name: "dead", Kind: Webhook, Config: Config{URL: srv.URL}, Secret: secret})
	e.n.Notify(ctx, Event{Kind: KindTest, Key: "t", Severity: "info", Subject: "s"})
	for range MaxAttempts + 2 {
		e.pool.RunPending(ctx)
	}
	ds, _ := Deliveries(ctx, e.st, 10)
	if len(ds) != 1 || ds[0].State != "failed" || ds[0].Attempts != MaxAttempts || ds[0].LastError != "webhook: HTTP 500" {
		t.Fatalf("deliveries %+v", ds)
	}
}

func TestChannelValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for name, in := range map[string]ChannelInput{
		"http to a remote host": {Name: "a", Kind: Webhook, Config: Config{URL: "http://example.com/x"}, Secret: secret},
		"credentials in URL":    {Name: "a", Kind: Webhook, Config: Config{URL: "https://u:p@example.com/x"}, Secret: secret},
		"short secret":          {Name: "a", Kind: Webhook, Config: Config{URL: "https://example.com/x"}, Secret: []byte("short")},
		"unknown event":         {Name: "a", Kind: Webhook, Config: Config{URL: "https://example.com/x"}, Secret: secret, Events: []string{"nope"}},
		"bad kind":              {Name: "a", Kind: "pager"},
		"header injection":      {Name: "a", Kind: Email, Config: Config{Addr: "smtp.example.com:587", From: "a@example.com", To: []string{"b@example.com\r\nBcc: c@example.com"}}},
		"no recipients":         {Name: "a", Kind: Email, Config: Config{Addr: "smtp.example.com:587", From: "a@example.com"}},
	} {
		if _, err := e.ch.Create(ctx, in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// smtpServer is a minimal SMTP server for the test: EHLO, optional STARTTLS, AUTH PLAIN,
// MAIL, RCPT, DATA, QUIT. It records the messages it accepts.
type smtpServer struct {
	ln       net.Listener
	tls      *tls.Config // offer STARTTLS when set
	failures atomic.Int32
	mu       sync.Mutex
	msgs     []string
	auth     []string
	usedTLS  []bool
}

func startSMTP(t *testing.T, tc *tls.Config, failFirst int32) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, tls: tc}
	s.failures.Store(failFirst)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r, w := bufio.NewReader(c), c
	say := func(l string) { io.WriteString(w, l+"\r\n") }
	say("220 test ESMTP")
	secure := false
	var auth string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			if s.tls != nil && !secure {
				say("250-test")
				say("250-STARTTLS")
				say("250 AUTH PLAIN")
			} else {
				say("250-test")
				say("250 AUTH PLAIN")
			}
		case cmd == "STARTTLS":
			say("220 go ahead")
			tc := tls.Server(c, s.tls)
			if tc.Handshake() != nil {
				return
			}
			c, secure = tc, true
			r, w = bufio.NewReader(tc), tc
		case strings.HasPrefix(cmd, "AUTH PLAIN"):
			auth = strings.TrimSpace(line)[len("AUTH PLAIN "):]
			say("235 ok")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			if s.failures.Add(-1) >= 0 {
				say("451 try again later")
				continue
			}
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs, s.auth, s.usedTLS = append(s.msgs, b.String()), append(s.auth, auth), append(s.usedTLS, secure)
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: k}}}, pool
}

// E-mail through a local SMTP server that refuses twice: retried, delivered over
// STARTTLS with the password unwrapped from the channel's secret.
func TestEmailRetriedOverSTARTTLS(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	srvTLS, roots := selfSigned(t)
	s := startSMTP(t, srvTLS, 2)
	e.d.TLS = &tls.Config{RootCAs: roots}
	_, err := e.ch.Create(ctx, ChannelInput{Name: "mail", Kind: Email, Secret: []byte("smtp-password"),
		Config: Config{Addr: s.ln.Addr().String(), From: "posture@example.com", To: []string{"Sec Team <sec@example.com>", "ops@example.com"}, Username: "posture"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.n.Notify(ctx, Event{Kind: KindNewFinding, Key: "scan:1", Severity: "critical", Subject: "2 new findings in payments ü", Text: "- one\n- two", Link: "https://posture.example/systems/1"}); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		e.pool.RunPending(ctx)
	}
	if len(s.msgs) != 1 || !s.usedTLS[0] {
		t.Fatalf("%d messages (TLS %v)", len(s.msgs), s.usedTLS)
	}
	m := s.msgs[0]
	for _, want := range []string{"From: <posture@example.com>", "To: \"Sec Team\" <sec@example.com>, <ops@example.com>", "Subject: =?utf-8?q?", "- one\r\n- two", "https://posture.example/systems/1", "X-Posture-Event-Key: scan:1"} {
		if !strings.Contains(m, want) {
			t.Errorf("message lacks %q:\n%s", want, m)
		}
	}
	if s.auth[0] == "" {
		t.Error("no AUTH")
	}
	ds, _ := Deliveries(ctx, e.st, 10)
	if ds[0].State != "sent" || ds[0].Attempts != 3 {
		t.Fatalf("delivery %+v", ds[0])
	}
}

// A plain local relay (no STARTTLS) on loopback is allowed.
func TestEmailPlainToLoopbackRelay(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := startSMTP(t, nil, 0)
	e.ch.Create(ctx, ChannelInput{Name: "relay", Kind: Email, Config: Config{Addr: s.ln.Addr().String(), From: "posture@example.com", To: []string{"sec@example.com"}}})
	e.n.Notify(ctx, Event{Kind: KindTest, Key: "t", Severity: "info", Subject: "hello"})
	e.pool.RunPending(ctx)
	if len(s.msgs) != 1 || s.usedTLS[0] {
		t.Fatalf("%d messages", len(s.msgs))
	}
}
