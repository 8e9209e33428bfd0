package host

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"

	"github.com/posture-dev/posture/internal/netx"
)

// tryElasticsearch sends GET / with no credentials, first over plain HTTP, then over TLS
// (Elasticsearch 8 serves HTTPS on 9200 by default). A 200 with the cluster banner means
// anyone can query it; 401 means security is on. The certificate is not verified: no
// credential is sent, and the question is only whether the server asks for one.
func (p *servicesProbe) tryElasticsearch(ctx context.Context, addr string) (verdict, error) {
	var first error
	for _, scheme := range []string{"http", "https"} {
		v, err := p.esGet(ctx, scheme+"://"+addr+"/")
		if err == nil {
			return v, nil
		}
		if errors.Is(err, syscall.ECONNREFUSED) {
			return verdict{}, err
		}
		if first == nil {
			first = err
		}
	}
	return verdict{unknown: "GET / failed over HTTP and HTTPS: " + first.Error()}, nil
}

func (p *servicesProbe) esGet(ctx context.Context, url string) (verdict, error) {
	// The certificate is verified and the outcome kept for the evidence, but it does not
	// stop the question: no credential is sent (see above).
	var certNote string
	var mu sync.Mutex
	inspect := netx.New(netx.Options{Timeout: p.timeout}).InspectTLS("", func(_ tls.ConnectionState, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			certNote = "; its TLS certificate does not verify (" + err.Error() + ")"
		}
	})
	tr := &http.Transport{
		DialContext:            (&net.Dialer{Timeout: p.timeout}).DialContext,
		TLSClientConfig:        inspect,
		TLSHandshakeTimeout:    p.timeout,
		ResponseHeaderTimeout:  p.timeout,
		MaxResponseHeaderBytes: netx.MaxHeaderBytes,
		DisableKeepAlives:      true,
	}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 2 * p.timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return verdict{}, err
	}
	resp, err := cl.Do(req)
	if err != nil {
		return verdict{}, err
	}
	defer resp.Body.Close()
	body, _, _ := netx.ReadBody(resp.Body, maxReply)
	switch {
	case resp.StatusCode == http.StatusOK && (strings.Contains(string(body), `"cluster_name"`) || strings.Contains(string(body), `"tagline"`)):
		mu.Lock()
		defer mu.Unlock()
		return verdict{open: true, evidence: fmt.Sprintf("GET %s without credentials answered 200 with the cluster banner%s", url, certNote)}, nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return verdict{evidence: fmt.Sprintf("GET %s answered %d", url, resp.StatusCode)}, nil
	}
	return verdict{unknown: fmt.Sprintf("GET %s answered %d without an Elasticsearch banner: not Elasticsearch/OpenSearch, or a proxy in front", url, resp.StatusCode)}, nil
}
