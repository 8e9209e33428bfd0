package shop

import (
	"crypto/tls"
	"net/http"
)

// Test code is not read by the code rules: this is not a finding.
var testClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
