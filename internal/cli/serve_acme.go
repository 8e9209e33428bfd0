package cli

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"strings"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// acmeManager gets and renews the certificate for domain from the ACME directory
// (Let's Encrypt production when empty), keeping the account key and certificates in
// cacheDir. caFile replaces the system roots for talking to the directory, since a
// private ACME server (step-ca, Pebble) usually has a certificate from its own CA.
func acmeManager(cacheDir, domain, directory, caFile string) (*autocert.Manager, error) {
	m := &autocert.Manager{Prompt: autocert.AcceptTOS, Cache: autocert.DirCache(cacheDir), HostPolicy: autocert.HostWhitelist(domain)}
	if directory == "" && caFile == "" {
		return m, nil
	}
	m.Client = &acme.Client{DirectoryURL: directory}
	if caFile != "" {
		pemBytes, err := os.ReadFile(caFile)
		if err != nil {
			return nil, usageError("--acme-ca-file: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemBytes) {
			return nil, usageError("--acme-ca-file %s: no PEM certificate in it", caFile)
		}
		// A clone keeps the default transport's proxy settings and timeouts.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		m.Client.HTTPClient = &http.Client{Transport: tr}
	}
	return m, nil
}

// acmeHTTP01 drops the port from the Host of HTTP-01 challenge requests before autocert
// checks it against the host policy. A CA validates on port 80, where the Host header
// carries no port; a challenge that reaches --http-redirect on another port (a load
// balancer forwarding 80 to 8080 with the original Host, or Pebble in tests) keeps it,
// and autocert would refuse the name it was configured with.
func acmeHTTP01(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/.well-known/acme-challenge/") {
			if host, _, err := net.SplitHostPort(r.Host); err == nil {
				r.Host = host
			}
		}
		h.ServeHTTP(w, r)
	})
}
