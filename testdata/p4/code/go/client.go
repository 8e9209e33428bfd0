package shop

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
)

// partnerClient talks to the payment partner's sandbox, whose certificate is self-signed.
func partnerClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}}
}

// warehouseClient trusts the warehouse's private CA instead: the near miss.
func warehouseClient(pool *x509.CertPool, insecure bool) *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, InsecureSkipVerify: insecure, MinVersion: tls.VersionTLS12},
	}}
}

const (
	// Orders go to the reporting database without TLS.
	reportingDSN = "host=reporting-db.internal user=shop dbname=reports sslmode=disable"
	// A local socket needs none.
	cacheDSN = "host=/var/run/postgresql dbname=cache sslmode=disable"
)
