//go:build integration

package nginxtest

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPresetsServe(t *testing.T) {
	srv := Start(t, Presets()...)
	client := func(cfg *tls.Config) *http.Client {
		return &http.Client{
			Timeout:       5 * time.Second,
			Transport:     &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	verified := client(&tls.Config{RootCAs: srv.CAPool, ServerName: "localhost"})
	get := func(c *http.Client, url string) (*http.Response, string) {
		t.Helper()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		return resp, string(b)
	}
	for _, s := range Presets() {
		base := "https://" + srv.Addr[s.Name]
		// Redirect from plain HTTP, for every site.
		resp, _ := get(client(nil), "http://"+srv.HTTPAddr[s.Name]+"/x?y=1")
		if resp.StatusCode != 301 || resp.Header.Get("Location") != base+"/x?y=1" {
			t.Errorf("%s: plain HTTP answers %d -> %q", s.Name, resp.StatusCode, resp.Header.Get("Location"))
		}
		switch s.Cert {
		case "", CertValid, CertRSA1024:
			resp, body := get(verified, base+"/")
			if resp.StatusCode != 200 {
				t.Errorf("%s: GET / = %d", s.Name, resp.StatusCode)
			}
			if s.Name == "listing" && !strings.Contains(body, "Index of /") {
				t.Errorf("listing: no autoindex: %q", body)
			}
			hsts := resp.Header.Get("Strict-Transport-Security")
			if (s.Name == "no-hsts") != (hsts == "") {
				t.Errorf("%s: HSTS %q", s.Name, hsts)
			}
			if s.Name == "modern" && resp.TLS.Version != tls.VersionTLS13 {
				t.Errorf("modern: version %x", resp.TLS.Version)
			}
		default:
			_, err := verified.Get(base + "/")
			if err == nil {
				t.Errorf("%s: certificate verified", s.Name)
				continue
			}
			want := map[CertKind]string{CertExpired: "expired", CertWrongHost: "wrong.example",
				CertSelfSigned: "unknown authority", CertIncompleteChain: "unknown authority"}[s.Cert]
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want %q", s.Name, err, want)
			}
		}
	}
	resp, body := get(verified, "https://"+srv.Addr["git-exposed"]+"/.git/HEAD")
	if resp.StatusCode != 200 || body != "ref: refs/heads/main\n" {
		t.Errorf(".git/HEAD: %d %q", resp.StatusCode, body)
	}
	// The chain completes with the intermediate the harness exposes.
	pool := srv.CAPool.Clone()
	pool.AddCert(srv.Intermediate)
	if _, err := client(&tls.Config{RootCAs: pool, ServerName: "localhost"}).Get("https://" + srv.Addr["incomplete-chain"] + "/"); err != nil {
		t.Errorf("incomplete-chain with the intermediate as root: %v", err)
	}
	// Legacy speaks TLS 1.0 with plain RSA key exchange and CBC.
	legacy := client(&tls.Config{RootCAs: srv.CAPool, ServerName: "localhost", MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}})
	if resp, _ := get(legacy, "https://"+srv.Addr["legacy"]+"/"); resp.TLS.Version != tls.VersionTLS10 || resp.TLS.CipherSuite != tls.TLS_RSA_WITH_AES_128_CBC_SHA {
		t.Errorf("legacy: version %x suite %x", resp.TLS.Version, resp.TLS.CipherSuite)
	}
	// rsa1024 really has a small key.
	c, err := tls.Dial("tcp", srv.Addr["rsa1024"], &tls.Config{RootCAs: srv.CAPool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	if bits := c.ConnectionState().PeerCertificates[0].PublicKey; fmt.Sprintf("%T", bits) != "*rsa.PublicKey" {
		t.Errorf("rsa1024 key %T", bits)
	}
	c.Close()
}

// fatalTB records the failure Start reports instead of failing the test.
type fatalTB struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fatalTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

func TestStartReportsNginxT(t *testing.T) {
	Binary(t)
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(f, Site{Name: "broken", Directives: "no_such_directive on;"})
	}()
	<-done
	if !strings.Contains(f.msg, "nginx -t rejects") || !strings.Contains(f.msg, "no_such_directive") {
		t.Errorf("Start said %q", f.msg)
	}
}
