// Command load drives a running posture server at a constant request rate from its own
// process and reports latency percentiles. It signs in as the viewer gen created (the
// real sign-in form: password and TOTP), then requests each URL at --rate for
// --duration, open-loop: a request's latency counts from when it was due, so a server
// that falls behind is charged for the queue it builds (no coordinated omission).
//
//	go run ./bench/server/load --server https://127.0.0.1:8443 --ca DIR/tls/ca.crt --creds FILE --rate 300 --duration 30s / /api/v1/dashboard
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/posture-dev/posture/internal/server"
)

func main() {
	base := flag.String("server", "https://127.0.0.1:8443", "server URL")
	caFile := flag.String("ca", "", "CA certificate (PEM) to trust")
	credsFile := flag.String("creds", "", "credentials written by gen")
	rate := flag.Float64("rate", 300, "requests per second")
	duration := flag.Duration("duration", 30*time.Second, "measured time per URL")
	warmup := flag.Duration("warmup", 5*time.Second, "unmeasured time at the same rate before measuring")
	accept := flag.String("accept", "", "Accept header (default text/html for pages, application/json for /api/)")
	flag.Parse()
	pool := x509.NewCertPool()
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil || !pool.AppendCertsFromPEM(pem) {
			log.Fatalf("--ca: %v", err)
		}
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Transport: tr, Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if err := signIn(client, *base, *credsFile); err != nil {
		log.Fatal(err)
	}
	for _, path := range flag.Args() {
		acc := *accept
		if acc == "" {
			acc = "text/html"
			if strings.HasPrefix(path, "/api/") {
				acc = "application/json"
			}
		}
		run(client, *base+path, acc, *rate, *warmup) // warm up: caches, connections
		r := run(client, *base+path, acc, *rate, *duration)
		fmt.Println(r)
	}
}

func signIn(c *http.Client, base, credsFile string) error {
	b, err := os.ReadFile(credsFile)
	if err != nil {
		return err
	}
	var cr struct{ Email, Password, TOTP string }
	if err := json.Unmarshal(b, &cr); err != nil {
		return err
	}
	secret, err := server.ParseTOTPSecretText(cr.TOTP)
	if err != nil {
		return err
	}
	resp, err := c.Get(base + "/login")
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf_token" value="([^"]*)"`).FindSubmatch(page)
	if m == nil {
		return fmt.Errorf("no CSRF token on the sign-in page")
	}
	form := url.Values{"csrf_token": {string(m[1])}, "email": {cr.Email}, "password": {cr.Password}, "code": {server.TOTPCode(secret, time.Now())}}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err = c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign-in: status %d", resp.StatusCode)
	}
	return nil
}

type result struct {
	url                  string
	sent, errors         int
	p50, p90, p99, max   time.Duration
	achieved, targetRate float64
	bytes                int64
}

func (r result) String() string {
	return fmt.Sprintf("%-45s rate %.0f/s (achieved %.1f/s) n=%d errors=%d p50=%s p90=%s p99=%s max=%s avg_bytes=%d",
		r.url, r.targetRate, r.achieved, r.sent, r.errors, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), r.bytes/int64(max(r.sent, 1)))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

func run(c *http.Client, u, accept string, rate float64, d time.Duration) result {
	interval := time.Duration(float64(time.Second) / rate)
	n := int(d / interval)
	lat := make([]time.Duration, n)
	var mu sync.Mutex
	errs := 0
	var nbytes int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), d+15*time.Second)
	defer cancel()
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(due))
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
			req.Header.Set("Accept", accept)
			resp, err := c.Do(req)
			var size int64
			ok := err == nil
			if err == nil {
				size, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				ok = resp.StatusCode == 200
			}
			lat[i] = time.Since(due)
			mu.Lock()
			nbytes += size
			if !ok {
				errs++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return result{url: u, sent: n, errors: errs, p50: pct(0.50), p90: pct(0.90), p99: pct(0.99), max: lat[len(lat)-1],
		achieved: float64(n) / elapsed.Seconds(), targetRate: rate, bytes: nbytes}
}
