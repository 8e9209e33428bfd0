package cli

import (
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
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/posture-dev/posture/internal/deviation"
)

// posture scan --server URL --system NAME pulls the deviations approved on a posture
// server for the system (P7 item 1) and hands them to the engine, which judges and
// applies them exactly like those of the repository's .posture/deviations.yaml. It
// uses the same token (--token-file or $POSTURE_TOKEN, scope read or scans:write) and
// --server-ca as --upload. If the pull fails the scan does not run: silently scanning
// without the approved deviations would report findings as failing that are not.

// addServerFlags registers --server; --system, --token-file and --server-ca are the
// upload's.
func addServerFlags(cmd *cobra.Command, f *uploadFlags) {
	cmd.Flags().StringVar(&f.pullURL, "server", "", "apply the deviations approved on this posture server (https://host[:port]/) for --system, with the --upload token")
}

// maxDeviationsBody bounds the server's answer.
const maxDeviationsBody = 4 << 20

// pullDeviations fetches the active deviations when --server was given; nil otherwise.
func (f *uploadFlags) pullDeviations(ctx context.Context, cmd *cobra.Command, e *env) ([]deviation.Deviation, error) {
	if f.pullURL == "" {
		return nil, nil
	}
	u, err := url.Parse(f.pullURL)
	switch {
	case err != nil:
		return nil, usageError("--server: %v", err)
	case u.Scheme != "https":
		return nil, usageError("--server %q: the server must be an https:// URL (the token must not cross the network in clear)", f.pullURL)
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, usageError("--server %q: give the server's base URL, like https://posture.example.com/", f.pullURL)
	}
	if f.system == "" {
		return nil, usageError("--server needs --system NAME: whose deviations to apply")
	}
	if !uploadSystemRE.MatchString(f.system) {
		return nil, usageError("--system %q: a system name is 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit", f.system)
	}
	token, err := f.readToken(e)
	if err != nil {
		return nil, usageError("%v", err)
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if f.serverCA != "" {
		pem, err := os.ReadFile(f.serverCA)
		if err != nil {
			return nil, usageError("--server-ca: %v", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usageError("--server-ca %s: no PEM certificate in it", f.serverCA)
		}
		tlsCfg.RootCAs = pool
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsCfg
	client := &http.Client{Transport: tr, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	endpoint := strings.TrimSuffix(u.String(), "/") + "/api/v1/systems/" + url.PathEscape(f.system) + "/deviations"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	v, _ := e.version()
	req.Header.Set("User-Agent", "posture/"+v)
	resp, err := client.Do(req)
	if err != nil {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("--server: fetching deviations from %s: %w", f.pullURL, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDeviationsBody+1))
	if err == nil && len(body) > maxDeviationsBody {
		err = errors.New("answer too large")
	}
	if err != nil {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("--server: reading deviations: %w", err)}
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(body))
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return nil, &exitError{code: ExitError, err: fmt.Errorf("--server: %s answered %s: %s", f.pullURL, resp.Status, msg)}
	}
	var doc struct {
		Schema     string                `json:"schema"`
		Deviations []deviation.Deviation `json:"deviations"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Schema != "posture.deviations/v1" {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("--server: %s did not answer with a deviations document", f.pullURL)}
	}
	fmt.Fprintf(e.stderr, "posture: applying %d deviation(s) approved on %s for %s\n", len(doc.Deviations), f.pullURL, f.system)
	_ = cmd
	return doc.Deviations, nil
}
