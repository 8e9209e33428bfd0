// Package netx is what every network probe shares: one dialer with per-attempt timeouts,
// retries with backoff for transient failures, a per-host limit on concurrent connections
// (politeness: a sweep of many endpoints must not hammer any one of them), the trust roots
// to verify certificates against, and bounded reads. Probes dial through it so that these
// rules hold whichever probe opens the connection.
package netx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// Options configure network access for one scan.
type Options struct {
	// Timeout bounds one connection attempt and, separately, one request/response exchange.
	Timeout time.Duration
	// Retries is how many times a transient failure (timeout, reset) is retried.
	Retries int
	// PerHost bounds connections open at once to one host.
	PerHost int
	// RootCAs verifies server certificates; nil means the system roots.
	RootCAs *x509.CertPool
	// FollowOtherHosts lets HTTP checks follow a redirect to another host.
	FollowOtherHosts bool
	// Now is the scanner's clock (fixed in tests).
	Now func() time.Time
}

// Defaults used when an option is left zero.
const (
	DefaultTimeout = 8 * time.Second
	DefaultRetries = 2
	DefaultPerHost = 6
	// MaxBody bounds how much of any HTTP body a probe reads.
	MaxBody = 1 << 20
	// MaxHeaderBytes bounds the response headers the HTTP client accepts.
	MaxHeaderBytes = 64 << 10
)

// Net is the shared dialer. The zero value is not usable; call New.
type Net struct {
	opt   Options
	mu    sync.Mutex
	hosts map[string]chan struct{}
}

// New returns a Net with defaults filled in.
func New(o Options) *Net {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Retries < 0 {
		o.Retries = 0
	} else if o.Retries == 0 {
		o.Retries = DefaultRetries
	}
	if o.PerHost <= 0 {
		o.PerHost = DefaultPerHost
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Net{opt: o, hosts: map[string]chan struct{}{}}
}

// Options returns the effective options.
func (n *Net) Options() Options { return n.opt }

// Now is the scanner's clock.
func (n *Net) Now() time.Time { return n.opt.Now() }

func (n *Net) slot(host string) chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	s, ok := n.hosts[host]
	if !ok {
		s = make(chan struct{}, n.opt.PerHost)
		n.hosts[host] = s
	}
	return s
}

// Dial opens a TCP connection to addr ("host:port"). It waits for a free slot of the
// host, which the connection holds until it is closed, and retries transient failures
// with exponential backoff. A refused connection is not retried: nothing is listening.
func (n *Net) Dial(ctx context.Context, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	s := n.slot(host)
	select {
	case s <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var d net.Dialer
	backoff := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, n.opt.Timeout)
		c, err := d.DialContext(actx, "tcp", addr)
		cancel()
		if err == nil {
			return &slotConn{Conn: c, release: func() { <-s }}, nil
		}
		if attempt >= n.opt.Retries || !Transient(err) || ctx.Err() != nil {
			<-s
			return nil, err
		}
		select {
		case <-time.After(backoff):
			backoff *= 2
		case <-ctx.Done():
			<-s
			return nil, ctx.Err()
		}
	}
}

// Transient says whether err is worth retrying: a timeout or a reset, not a refusal or a
// name that does not resolve.
func Transient(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTemporary
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)
}

// slotConn gives the host slot back when the connection closes, once.
type slotConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// TLSConfig returns a client configuration that verifies against the scan's roots. Probes
// that must inspect a certificate that does not verify set InsecureSkipVerify and verify
// it themselves with Verify.
func (n *Net) TLSConfig(serverName string) *tls.Config {
	return &tls.Config{ServerName: serverName, RootCAs: n.opt.RootCAs, MinVersion: tls.VersionTLS12}
}

// InspectTLS returns a client configuration for connections that inspect a peer rather
// than trust it: the TLS scanner reading a chain that may be expired or self-signed, the
// HTTP checks of a site whose certificate the TLS probe already failed, a probe asking a
// service whether it demands credentials. Such a connection sends no credential and no
// data of ours, so a certificate that does not verify must not stop it. crypto/tls's own
// checks are replaced, not dropped: VerifyConnection verifies the chain against the scan's
// roots (and the host name, when serverName is set) and hands the outcome to verified (a
// nil error when it verified); the caller reports it. With verified nil the caller does
// its own, fuller verification (tlsscan.Judge) and the callback only skips the duplicate.
func (n *Net) InspectTLS(serverName string, verified func(tls.ConnectionState, error)) *tls.Config {
	return &tls.Config{
		ServerName:         serverName,
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if verified != nil {
				verified(cs, n.verify(cs, serverName))
			}
			return nil
		},
	}
}

// verify runs the checks crypto/tls would have run: the chain against the roots, with the
// intermediates the peer sent, and the host name.
func (n *Net) verify(cs tls.ConnectionState, serverName string) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("the server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
		Roots: n.opt.RootCAs, Intermediates: inter, DNSName: serverName, CurrentTime: n.opt.Now(),
	})
	return err
}

// HTTPClient returns a client that dials through n, never follows redirects (callers see
// the 3xx and decide), bounds response headers, and times out each exchange.
func (n *Net) HTTPClient() *http.Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			return n.Dial(ctx, addr)
		},
		TLSClientConfig:        &tls.Config{RootCAs: n.opt.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    n.opt.Timeout,
		ResponseHeaderTimeout:  n.opt.Timeout,
		MaxResponseHeaderBytes: MaxHeaderBytes,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        5 * time.Second,
		DisableCompression:     true,
		ForceAttemptHTTP2:      true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   2 * n.opt.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// ReadBody reads at most limit bytes of r (MaxBody when limit <= 0) and says whether the
// body was longer, so a gigantic response costs bounded memory and time.
func ReadBody(r io.Reader, limit int64) (body []byte, truncated bool, err error) {
	if limit <= 0 {
		limit = MaxBody
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(b)) > limit {
		return b[:limit], true, err
	}
	return b, false, err
}

// Post sends a prepared webhook request and reads the answer: any 2xx is delivered;
// anything else, or no answer, is an error. The error never repeats the URL, whose path
// or query may hold a credential (Slack's webhook path is its token), and at most 64 KiB
// of the answer is read.
func Post(client *http.Client, req *http.Request) error {
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook: HTTP %d", resp.StatusCode)
	}
	return nil
}
