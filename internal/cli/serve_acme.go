package cli

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"

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
