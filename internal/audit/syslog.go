package audit

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SyslogOptions configure a syslog sink.
type SyslogOptions struct {
	// Network is "udp", "tcp", "tls" (RFC 5425), "unix" (a datagram socket such as
	// /dev/log) or "unixstream".
	Network string
	// Addr is host:port, or the socket's path.
	Addr string
	// TLS configures "tls"; nil uses the system roots and Addr's host name.
	TLS *tls.Config
	// Hostname and AppName fill the RFC 5424 header; defaults os.Hostname() and "posture".
	Hostname, AppName string
}

// Syslog forwards events as RFC 5424 messages, facility authpriv: success at notice,
// failure and denied at warning. Each message carries the event as structured data
// (posture@32473: seq, actor, action, object, outcome, request_id, hash) and as JSON.
// Over TCP and TLS messages are framed by octet counting (RFC 6587 / RFC 5425).
type Syslog struct {
	opt  SyslogOptions
	mu   sync.Mutex
	conn net.Conn
}

// NewSyslog checks the options; the connection is made at the first Send.
func NewSyslog(opt SyslogOptions) (*Syslog, error) {
	switch opt.Network {
	case "udp", "tcp", "tls", "unix", "unixstream":
	default:
		return nil, fmt.Errorf("audit: syslog network %q (want udp, tcp, tls, unix or unixstream)", opt.Network)
	}
	if opt.Addr == "" {
		return nil, fmt.Errorf("audit: syslog address required")
	}
	if opt.Hostname == "" {
		opt.Hostname, _ = os.Hostname()
	}
	if opt.AppName == "" {
		opt.AppName = "posture"
	}
	return &Syslog{opt: opt}, nil
}

// Name is syslog+network://addr.
func (s *Syslog) Name() string { return "syslog+" + s.opt.Network + "://" + s.opt.Addr }

func (s *Syslog) framed() bool {
	return s.opt.Network == "tcp" || s.opt.Network == "tls" || s.opt.Network == "unixstream"
}

func (s *Syslog) dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	switch s.opt.Network {
	case "tls":
		cfg := s.opt.TLS
		if cfg == nil {
			host, _, _ := net.SplitHostPort(s.opt.Addr)
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		td := tls.Dialer{NetDialer: &d, Config: cfg}
		return td.DialContext(ctx, "tcp", s.opt.Addr)
	case "unix":
		return d.DialContext(ctx, "unixgram", s.opt.Addr)
	case "unixstream":
		return d.DialContext(ctx, "unix", s.opt.Addr)
	}
	return d.DialContext(ctx, s.opt.Network, s.opt.Addr)
}

// Send writes each event as one message, reconnecting after an error.
func (s *Syslog) Send(ctx context.Context, evs []Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		c, err := s.dial(ctx)
		if err != nil {
			return fmt.Errorf("syslog dial: %w", err)
		}
		s.conn = c
	}
	if dl, ok := ctx.Deadline(); ok {
		s.conn.SetWriteDeadline(dl)
	}
	for i := range evs {
		msg := formatRFC5424(&evs[i], s.opt.Hostname, s.opt.AppName)
		if s.framed() {
			msg = strconv.Itoa(len(msg)) + " " + msg
		}
		if _, err := s.conn.Write([]byte(msg)); err != nil {
			s.conn.Close()
			s.conn = nil
			return fmt.Errorf("syslog write: %w", err)
		}
	}
	return nil
}

// Close closes the connection.
func (s *Syslog) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}

const (
	facilityAuthpriv = 10
	severityWarning  = 4
	severityNotice   = 5
)

// formatRFC5424 renders one event:
// <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [posture@32473 …] JSON
// 32473 is the enterprise number RFC 5612 reserves for examples: posture has no IANA
// number of its own.
func formatRFC5424(e *Event, hostname, app string) string {
	sev := severityNotice
	if e.Outcome != Success {
		sev = severityWarning
	}
	body, _ := json.Marshal(e)
	var b strings.Builder
	fmt.Fprintf(&b, "<%d>1 %s %s %s %d %s [posture@32473", facilityAuthpriv*8+sev, e.Time.UTC().Format("2006-01-02T15:04:05.000000Z"),
		headerField(hostname, 255), headerField(app, 48), os.Getpid(), headerField(e.Action, 32))
	for _, p := range [][2]string{{"seq", strconv.FormatInt(e.Seq, 10)}, {"actor", e.Actor}, {"object", e.Object},
		{"outcome", string(e.Outcome)}, {"request_id", e.RequestID}, {"hash", fmt.Sprintf("%x", e.Hash)}} {
		b.WriteString(" " + p[0] + `="` + sdEscape(p[1]) + `"`)
	}
	b.WriteString("] ")
	b.Write(body)
	return b.String()
}

// headerField makes s a valid RFC 5424 header field: printable US-ASCII without spaces,
// at most n characters, "-" when empty.
func headerField(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < n; i++ {
		if c := s[i]; c > 32 && c < 127 {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

// sdEscape escapes a structured-data parameter value (RFC 5424 section 6.3.3).
func sdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, `]`, `\]`).Replace(s)
}
