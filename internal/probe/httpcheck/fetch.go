package httpcheck

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
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/posture-dev/posture/internal/netx"
)

// response is what one request returned, with the body read to a bound.
type response struct {
	url       string
	method    string
	status    int
	header    http.Header
	cookies   []*http.Cookie
	body      []byte
	truncated bool
	// received is the scanner's clock when the headers arrived, for the Date skew.
	received time.Time
	tls      bool
}

func (r *response) contentType() string {
	ct := r.header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// isHTML says whether browsers render the response as a page: declared HTML, or no type
// and a body that starts like HTML.
func (r *response) isHTML() bool {
	ct := r.contentType()
	if ct == "" {
		return strings.HasPrefix(http.DetectContentType(r.body), "text/html")
	}
	return ct == "text/html" || ct == "application/xhtml+xml"
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// Bounds of one target's work.
const (
	// probeBody is how much of a probed path's answer is read: confirmations need the
	// start of a file, and a site answering every path with megabytes must stay cheap.
	probeBody = 256 << 10
	// maxTimeouts stops a target after this many requests time out: a server that has
	// stopped answering would otherwise cost one timeout per remaining path.
	maxTimeouts = 3
)

var errGaveUp = errors.New("the server stopped answering (several requests timed out); remaining requests not sent")

// fetcher sends the requests of one target through netx, retrying transient connection
// failures and giving up on a server that keeps timing out.
type fetcher struct {
	n        *netx.Net
	client   *http.Client
	insecure *http.Client
	retries  int

	mu sync.Mutex
	// unverified is set once the target's certificate failed verification; from then on
	// requests skip verification (the TLS probe reports the certificate under CR-2).
	unverified error
	timeouts   int
}

func newFetcher(n *netx.Net) *fetcher {
	// After the certificate failed verification (reported by the TLS probe under CR-2), the
	// HTTP checks go on over a connection that inspects the site without trusting it: they
	// send no credentials, and each response is judged, never believed.
	insecure := n.HTTPClient()
	if tr, ok := insecure.Transport.(*http.Transport); ok {
		tr.TLSClientConfig = n.InspectTLS("", nil)
	}
	return &fetcher{n: n, client: n.HTTPClient(), insecure: insecure, retries: n.Options().Retries}
}

func (f *fetcher) close() {
	f.client.CloseIdleConnections()
	f.insecure.CloseIdleConnections()
}

// get requests u (GET unless method says otherwise), reading at most limit bytes of body.
func (f *fetcher) get(ctx context.Context, method, u string, limit int64) (*response, error) {
	return f.getWith(ctx, method, u, limit, nil)
}

// getWith is get with extra request headers.
func (f *fetcher) getWith(ctx context.Context, method, u string, limit int64, hdr http.Header) (*response, error) {
	if method == "" {
		method = http.MethodGet
	}
	backoff := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		f.mu.Lock()
		gaveUp, unverified := f.timeouts >= maxTimeouts, f.unverified != nil
		f.mu.Unlock()
		if gaveUp {
			return nil, errGaveUp
		}
		c := f.client
		if unverified {
			c = f.insecure
		}
		r, err := f.once(ctx, c, method, u, limit, hdr)
		if err == nil {
			return r, nil
		}
		if certError(err) && !unverified {
			f.mu.Lock()
			if f.unverified == nil {
				f.unverified = err
			}
			f.mu.Unlock()
			attempt--
			continue
		}
		if timedOut(err) {
			f.mu.Lock()
			f.timeouts++
			f.mu.Unlock()
			// A response that never came is not retried: the server is reachable and
			// slow, and each retry would cost a full timeout again.
			return nil, describe(err)
		}
		if attempt >= f.retries || !netx.Transient(err) || ctx.Err() != nil {
			return nil, describe(err)
		}
		select {
		case <-time.After(backoff):
			backoff *= 2
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (f *fetcher) once(ctx context.Context, c *http.Client, method, u string, limit int64, hdr http.Header) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "*/*")
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	r := &response{
		url: u, method: method, status: resp.StatusCode, header: resp.Header,
		cookies: resp.Cookies(), received: f.n.Now(), tls: resp.TLS != nil,
	}
	if method != http.MethodHead {
		r.body, r.truncated, err = netx.ReadBody(resp.Body, limit)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			// The headers are facts even when the body broke off; what was read is kept.
			if timedOut(err) {
				f.mu.Lock()
				f.timeouts++
				f.mu.Unlock()
			}
			r.truncated = true
		}
	}
	return r, nil
}

func (f *fetcher) certificateError() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unverified
}

func certError(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci)
}

func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// describe turns a client error into a reason a report can show: without Go's
// `Get "url":` wrapping, which repeats the URL the report already names.
func describe(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case timedOut(err):
		return fmt.Errorf("no answer in time: %w", err)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("the server closed the connection without an HTTP answer: %w", err)
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("connection reset by the server: %w", err)
	case strings.Contains(err.Error(), "readLoopPeekFailLocked"):
		// net/http's wording when the server talks before it is asked (a banner, binary
		// garbage): the bytes arrive on a connection with no request on it yet.
		return errors.New("malformed HTTP: the server sent data before any request, not an HTTP response")
	}
	return err
}
