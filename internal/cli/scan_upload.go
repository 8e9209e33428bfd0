package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/posture-dev/posture/internal/engine"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/report"
	"github.com/posture-dev/posture/internal/scanjob"
	"github.com/posture-dev/posture/internal/target"
)

// posture scan --upload sends the scan's JSON report to a posture server. The token
// comes from a file or the environment, never from the command line (where ps and
// shell history would show it). A successful upload leaves the exit code as the scan
// decided; a failed one makes it 2, so a pipeline cannot miss it.

type uploadFlags struct {
	url, system, tokenFile, serverCA string
	pullURL                          string // --server (scan_server.go)
}

// TokenEnv is the environment variable holding the API token when --token-file is not given.
const TokenEnv = "POSTURE_TOKEN"

func addUploadFlags(cmd *cobra.Command, f *uploadFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.url, "upload", "", "send the JSON report to this posture server (https://host[:port]/) with an API token of scope scans:write")
	fl.StringVar(&f.system, "system", "", "with --upload: the system (as named on the server) this scan is of")
	fl.StringVar(&f.tokenFile, "token-file", "", "with --upload: read the API token from FILE (default: $"+TokenEnv+")")
	fl.StringVar(&f.serverCA, "server-ca", "", "with --upload: also trust the CA certificates in this PEM file (a private or local CA)")
}

// uploader is a checked --upload configuration, ready to send.
type uploader struct {
	endpoint string // …/api/v1/systems/NAME/scans
	base     string // the server as given, for messages
	token    string
	client   *http.Client
	// retryWait is how long to wait before each retry of a 502/503/504; tests shorten it.
	retryWait []time.Duration
	userAgent string
}

var uploadSystemRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// prepare checks the flags before the scan runs, so that a typo does not cost a whole
// scan. It returns nil when --upload was not given.
func (f *uploadFlags) prepare(cmd *cobra.Command, e *env) (*uploader, error) {
	set := cmd.Flags().Changed
	if f.url == "" {
		for _, fl := range []string{"system", "token-file", "server-ca"} {
			if set(fl) && f.pullURL == "" { // --server uses them too (scan_server.go)
				return nil, fmt.Errorf("--%s needs --upload or --server", fl)
			}
		}
		return nil, nil
	}
	u, err := url.Parse(f.url)
	switch {
	case err != nil:
		return nil, fmt.Errorf("--upload: %v", err)
	case u.Scheme != "https":
		return nil, fmt.Errorf("--upload %q: the server must be an https:// URL (the token must not cross the network in clear)", f.url)
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("--upload %q: give the server's base URL, like https://posture.example.com/", f.url)
	}
	if f.system == "" {
		return nil, errors.New("--upload needs --system NAME: the system this scan is of")
	}
	if !uploadSystemRE.MatchString(f.system) {
		return nil, fmt.Errorf("--system %q: a system name is 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit", f.system)
	}
	token, err := f.readToken(e)
	if err != nil {
		return nil, err
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if f.serverCA != "" {
		pem, err := os.ReadFile(f.serverCA)
		if err != nil {
			return nil, fmt.Errorf("--server-ca: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--server-ca %s: no PEM certificate in it", f.serverCA)
		}
		tlsCfg.RootCAs = pool
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsCfg
	v, _ := e.version()
	return &uploader{
		endpoint: strings.TrimSuffix(u.String(), "/") + "/api/v1/systems/" + url.PathEscape(f.system) + "/scans",
		base:     f.url, token: token, userAgent: "posture/" + v,
		client: &http.Client{Transport: tr, Timeout: 5 * time.Minute,
			// A redirect is a misconfiguration here; following it could hand the token to
			// another host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		retryWait: []time.Duration{2 * time.Second, 5 * time.Second},
	}, nil
}

func (f *uploadFlags) readToken(e *env) (string, error) {
	var tok, from string
	if f.tokenFile != "" {
		b, err := os.ReadFile(f.tokenFile)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		if fi, err := os.Stat(f.tokenFile); err == nil && fi.Mode().Perm()&0o077 != 0 {
			fmt.Fprintf(e.stderr, "posture: warning: %s is readable by other users; an API token file should be mode 0600\n", f.tokenFile)
		}
		tok, from = string(b), "--token-file "+f.tokenFile
	} else {
		tok, from = e.getenv(TokenEnv), "$"+TokenEnv
		if tok == "" {
			return "", fmt.Errorf("--upload needs an API token: put it in a file for --token-file, or in $%s", TokenEnv)
		}
	}
	tok = strings.TrimSpace(tok)
	// The token goes into a header: nothing that could split or end it.
	if !strings.HasPrefix(tok, "pst_") || strings.ContainsFunc(tok, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return "", fmt.Errorf("%s does not hold a posture API token (pst_…)", from)
	}
	return tok, nil
}

// uploadAnswer is the server's answer to an upload (server.UploadResult).
type uploadAnswer struct {
	ScanID    int64  `json:"scan_id"`
	System    string `json:"system"`
	Findings  int    `json:"findings"`
	New       int    `json:"new"`
	Fixed     int    `json:"fixed"`
	Recurring int    `json:"recurring"`
	Latest    bool   `json:"latest"`
	URL       string `json:"url"`
	Error     string `json:"error"`
}

// send uploads the scan's JSON report and says on stderr what the server recorded.
// The report carries the repositories' locked packages, so that the server can alert
// on vulnerabilities published after the scan without scanning again.
func (u *uploader) send(ctx context.Context, e *env, res *engine.Result, targets []*target.Target, meta report.Meta, failOn policy.Severity) error {
	var raw bytes.Buffer
	if err := report.Write(&raw, "json", res, meta, report.Options{FailOn: failOn, Packages: scanjob.LockedPackages(targets)}); err != nil {
		return fmt.Errorf("upload: building the JSON report: %w", err)
	}
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return fmt.Errorf("upload: compressing: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("upload: compressing: %w", err)
	}
	return u.sendBody(ctx, e, body.Bytes())
}

// sendBody posts the gzip-compressed report, retrying while the server says it is
// unavailable.
func (u *uploader) sendBody(ctx context.Context, e *env, body []byte) error {
	var ans uploadAnswer
	var status int
	for attempt := 0; ; attempt++ {
		var err error
		status, ans, err = u.post(ctx, body)
		if err != nil {
			return fmt.Errorf("upload to %s: %w", u.base, err)
		}
		// Only answers that say the server did not take the request are retried: a
		// connection lost after sending may have recorded the scan already.
		retryable := status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
		if !retryable || attempt >= len(u.retryWait) {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("upload to %s: %w", u.base, ctx.Err())
		case <-time.After(u.retryWait[attempt]):
		}
	}
	if status != http.StatusCreated {
		msg := ans.Error
		if msg == "" {
			msg = http.StatusText(status)
		}
		return fmt.Errorf("upload to %s refused: %d %s", u.base, status, msg)
	}
	link := strings.TrimSuffix(u.base, "/") + ans.URL
	when := ""
	if !ans.Latest {
		when = " (an older scan than the system's latest: the counts are the latest scan's)"
	}
	fmt.Fprintf(e.stderr, "posture: uploaded scan %d of %s: %d findings, %d new, %d fixed, %d recurring%s; %s\n",
		ans.ScanID, ans.System, ans.Findings, ans.New, ans.Fixed, ans.Recurring, when, link)
	return nil
}

func (u *uploader) post(ctx context.Context, body []byte) (int, uploadAnswer, error) {
	var ans uploadAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, ans, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+u.token)
	req.Header.Set("User-Agent", u.userAgent)
	resp, err := u.client.Do(req)
	if err != nil {
		return 0, ans, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, ans, err
	}
	if json.Unmarshal(b, &ans) != nil && resp.StatusCode != http.StatusCreated {
		// Not our JSON (a proxy's error page, the core's plain-text answers): its first line.
		line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		if len(line) > 200 {
			line = line[:200]
		}
		ans.Error = line
	}
	return resp.StatusCode, ans, nil
}
