package httpcheck

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/netx"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
	"github.com/posture-dev/posture/internal/testutil"
)

// site is a configurable test server: a well-configured page unless told otherwise.
type site struct {
	headers map[string]string // set on every answer; "" deletes
	paths   map[string]func(w http.ResponseWriter, r *http.Request)
	// notFound answers paths not in paths; nil means a plain 404.
	notFound func(w http.ResponseWriter, r *http.Request)
	page     string
}

var goodHeaders = map[string]string{
	"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
	"Content-Security-Policy":   "default-src 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options":    "nosniff",
	"Referrer-Policy":           "strict-origin-when-cross-origin",
	"Content-Type":              "text/html; charset=utf-8",
	"Server":                    "nginx",
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k, v := range goodHeaders {
		w.Header().Set(k, v)
	}
	for k, v := range s.headers {
		if v == "" {
			w.Header()[http.CanonicalHeaderKey(k)] = nil
			continue
		}
		w.Header().Set(k, v)
	}
	if h, ok := s.paths[r.URL.Path]; ok {
		h(w, r)
		return
	}
	if r.URL.Path == "/" {
		page := s.page
		if page == "" {
			page = "<!doctype html><html><head><title>Home</title></head><body>Hello</body></html>"
		}
		io.WriteString(w, page)
		return
	}
	if s.notFound != nil {
		s.notFound(w, r)
		return
	}
	w.WriteHeader(http.StatusNotFound)
	io.WriteString(w, "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>")
}

// tlsServer is httptest.NewTLSServer without logging the handshakes the probe abandons.
func tlsServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

func text(status int, ct, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// redirectTo answers plain HTTP with a redirect to base (the https server).
func redirectTo(base string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, base+r.URL.RequestURI(), http.StatusMovedPermanently)
	})
}

type env struct {
	now     func() time.Time
	plain   http.Handler // nil: nothing listens on the plain port
	timeout time.Duration
	follow  bool
}

func netFor(pool *x509.CertPool, e env) *netx.Net {
	to := e.timeout
	if to == 0 {
		to = 2 * time.Second
	}
	return netx.New(netx.Options{RootCAs: pool, Timeout: to, Retries: 1, Now: e.now, FollowOtherHosts: e.follow})
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// scanTLS serves h over TLS, with e.plain on the plain-HTTP address, and runs the probe.
func scanTLS(t *testing.T, h http.Handler, e env) (*probe.Result, string) {
	t.Helper()
	srv := tlsServer(h)
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	plainAddr := closedAddr(t)
	if e.plain != nil {
		ps := httptest.NewServer(e.plain)
		t.Cleanup(ps.Close)
		plainAddr = strings.TrimPrefix(ps.URL, "http://")
	}
	return run(t, srv.URL+"/", NewWithOptions(netFor(pool, e), Options{PlainHTTPAddr: plainAddr})), srv.URL
}

func run(t *testing.T, u string, p probe.Probe) *probe.Result {
	t.Helper()
	tg, err := target.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func rules(res *probe.Result) map[string]string {
	out := map[string]string{}
	for _, f := range res.Findings {
		out[f.Rule] += f.Location.URL + " "
	}
	return out
}

func dump(res *probe.Result) string {
	var b strings.Builder
	for _, f := range res.Findings {
		fmt.Fprintf(&b, "  %s %s %s %s | %s\n", f.Control, f.Rule, f.Severity, f.Location.URL, f.Evidence.Text)
	}
	for c, r := range res.Unknown {
		fmt.Fprintf(&b, "  unknown %s: %s\n", c, r)
	}
	for c, r := range res.Evidence {
		fmt.Fprintf(&b, "  evidence %s: %s\n", c, r)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(&b, "  warning: %s\n", w)
	}
	return b.String()
}

func TestWellConfiguredSitePasses(t *testing.T) {
	s := &site{}
	res, base := scanTLS(t, s, env{plain: nil})
	_ = base
	if len(res.Findings) != 0 || len(res.Unknown) != 0 {
		t.Fatalf("want no findings and nothing unknown:\n%s", dump(res))
	}
	for _, c := range controls {
		if res.Evidence[c] == "" {
			t.Errorf("%s: no pass evidence:\n%s", c, dump(res))
		}
	}
	for c, want := range map[string]string{
		ctlTLS:   "HSTS max-age 63072000 (730 days) with includeSubDomains",
		ctlOWASP: "Content-Security-Policy, frame protection",
		ctlAdmin: "administration paths",
		ctlClock: "from the scanner clock",
		ctlDebug: "no stack traces",
	} {
		if !strings.Contains(res.Evidence[c], want) {
			t.Errorf("%s evidence %q lacks %q", c, res.Evidence[c], want)
		}
	}
	if !strings.Contains(res.Evidence[ctlTLS], "connection refused") {
		t.Errorf("CR-1 evidence should say the plain port is closed: %q", res.Evidence[ctlTLS])
	}
}

func TestFindings(t *testing.T) {
	skewed := func() time.Time { return time.Now().Add(-time.Minute) }
	tests := []struct {
		name  string
		site  *site
		env   env
		want  []string // rules that must be reported
		never []string // text that must not appear anywhere in the result
		check func(t *testing.T, res *probe.Result)
	}{
		{
			name: "plain HTTP serves content, no HSTS",
			site: &site{headers: map[string]string{"Strict-Transport-Security": ""}},
			env:  env{plain: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello over http") })},
			want: []string{"http/plain-http-content", "http/hsts-missing"},
		},
		{
			name: "short HSTS",
			site: &site{headers: map[string]string{"Strict-Transport-Security": "max-age=86400"}},
			want: []string{"http/hsts-short"},
		},
		{
			name: "malformed HSTS",
			site: &site{headers: map[string]string{"Strict-Transport-Security": "max-age=63072000; max-age=1"}},
			want: []string{"http/hsts-invalid"},
		},
		{
			name: "missing security headers",
			site: &site{headers: map[string]string{"Content-Security-Policy": "", "X-Content-Type-Options": "", "Referrer-Policy": "unsafe-url"}},
			want: []string{"http/csp-missing", "http/nosniff-missing", "http/frame-protection-missing", "http/referrer-policy-missing"},
		},
		{
			name: "X-Frame-Options alone is frame protection",
			site: &site{headers: map[string]string{"Content-Security-Policy": "", "X-Frame-Options": "SAMEORIGIN"}},
			want: []string{"http/csp-missing"},
			check: func(t *testing.T, res *probe.Result) {
				if _, ok := rules(res)["http/frame-protection-missing"]; ok {
					t.Error("X-Frame-Options SAMEORIGIN reported as missing frame protection")
				}
			},
		},
		{
			name: "cookies without flags, banners",
			site: &site{
				headers: map[string]string{"Server": "nginx/1.22.1", "X-Powered-By": "PHP/8.1.2"},
				paths: map[string]func(http.ResponseWriter, *http.Request){"/": func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Add("Set-Cookie", "PHPSESSID=supersecretsessionvalue; path=/")
					w.Header().Add("Set-Cookie", "good=x; Secure; HttpOnly; SameSite=Lax")
					io.WriteString(w, "<html><title>x</title></html>")
				}},
			},
			want:  []string{"http/cookie-flags", "http/version-banner"},
			never: []string{"supersecretsessionvalue"},
			check: func(t *testing.T, res *probe.Result) {
				for _, f := range res.Findings {
					if f.Rule == "http/cookie-flags" && (f.Key != "PHPSESSID" || !strings.Contains(f.Message, "Secure, HttpOnly, SameSite")) {
						t.Errorf("cookie finding: key %q message %q", f.Key, f.Message)
					}
				}
			},
		},
		{
			name: "directory listing at the root and under /uploads/",
			site: &site{
				page: "<html>\r\n<head><title>Index of /</title></head>\r\n<body>\r\n<h1>Index of /</h1><hr><pre><a href=\"../\">../</a>\r\n<a href=\"db.sql\">db.sql</a>   29-Nov-2026 08:51   5\r\n</pre><hr></body>\r\n</html>\r\n",
				paths: map[string]func(http.ResponseWriter, *http.Request){
					"/uploads/": text(200, "text/html", "<html>\r\n<head><title>Index of /uploads/</title></head>\r\n<body>\r\n<h1>Index of /uploads/</h1><hr><pre><a href=\"../\">../</a>\r\n</pre><hr></body>\r\n</html>\r\n"),
				},
			},
			want: []string{"http/directory-listing"},
			check: func(t *testing.T, res *probe.Result) {
				if n := strings.Count(rules(res)["http/directory-listing"], "https://"); n != 2 {
					t.Errorf("want listings at / and /uploads/, got %q", rules(res)["http/directory-listing"])
				}
			},
		},
		{
			name: "exposed git, env and wp-config backup",
			site: &site{paths: map[string]func(http.ResponseWriter, *http.Request){
				"/.git/HEAD":           text(200, "text/plain", "ref: refs/heads/main\n"),
				"/.env":                text(200, "text/plain", "APP_KEY=base64:topsecretkey\nDB_PASSWORD=hunter2\n"),
				"/wp-config.php.bak":   text(200, "application/octet-stream", "<?php\ndefine('DB_PASSWORD', 'correcthorse');\n"),
				"/xmlrpc.php":          text(405, "text/plain", "XML-RPC server accepts POST requests only."),
				"/wp-json/wp/v2/users": text(200, "application/json", `[{"id":1,"slug":"admin"}]`),
			}},
			want:  []string{"http/git-head", "http/dotenv", "http/wp-config-backup", "http/xmlrpc", "http/wp-users-enumeration"},
			never: []string{"topsecretkey", "hunter2", "correcthorse"},
		},
		{
			name: "admin pages: open dashboard is a finding, login form and redirect are not",
			site: &site{paths: map[string]func(http.ResponseWriter, *http.Request){
				"/phpmyadmin/": text(200, "text/html", "<html><head><title>phpMyAdmin</title></head><body><div id=pma_navigation></div><a href='index.php?route=/server/databases'>x</a></body></html>"),
				"/admin":       text(200, "text/html", "<html><head><title>Admin</title></head><body><form><input type=\"password\" name=p></form></body></html>"),
				"/wp-admin/": func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, "/wp-login.php", http.StatusFound)
				},
				"/server-status": text(200, "text/html", "<h1>Apache Server Status for localhost</h1><dt>Server Version: Apache/2.4.57</dt>"),
			}},
			want: []string{"http/phpmyadmin", "http/server-status"},
			check: func(t *testing.T, res *probe.Result) {
				r := rules(res)
				if _, ok := r["http/admin-panel"]; ok {
					t.Error("a login form at /admin was reported")
				}
				if _, ok := r["http/wp-admin"]; ok {
					t.Error("a redirect to the login page was reported")
				}
			},
		},
		{
			name: "clock skew",
			site: &site{},
			env:  env{now: skewed},
			want: []string{"http/clock-skew"},
			check: func(t *testing.T, res *probe.Result) {
				for _, f := range res.Findings {
					if f.Rule == "http/clock-skew" && !strings.Contains(f.Message, "ahead of") {
						t.Errorf("message %q: the server is ahead", f.Message)
					}
				}
			},
		},
		{
			name: "debug header and stack trace on a malformed request",
			site: &site{
				headers: map[string]string{"X-Debug-Token": "a1b2c3"},
				paths: map[string]func(http.ResponseWriter, *http.Request){"/": func(w http.ResponseWriter, r *http.Request) {
					if strings.Contains(r.URL.RawQuery, "%27") {
						w.WriteHeader(500)
						io.WriteString(w, "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 12, in index\n    db.query(q)\nProgrammingError: syntax error near \"'\" password=swordfish")
						return
					}
					io.WriteString(w, "<html><title>ok</title></html>")
				}},
			},
			want:  []string{"http/debug-header", "http/verbose-error"},
			never: []string{"a1b2c3", "swordfish"},
			check: func(t *testing.T, res *probe.Result) {
				for _, f := range res.Findings {
					if f.Rule == "http/verbose-error" && !strings.Contains(f.Evidence.Text, "/srv/app/views.py") {
						t.Errorf("verbose-error evidence %q should name the file", f.Evidence.Text)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := scanTLS(t, tt.site, tt.env)
			got := rules(res)
			for _, w := range tt.want {
				if _, ok := got[w]; !ok {
					t.Errorf("missing %s:\n%s", w, dump(res))
				}
			}
			all := dump(res)
			for _, f := range res.Findings {
				all += f.Message + f.Fix + f.Key
			}
			for _, n := range tt.never {
				if strings.Contains(all, n) {
					t.Errorf("output shows %q:\n%s", n, all)
				}
			}
			for _, f := range res.Findings {
				if f.Location.URL == "" || f.Message == "" || f.Fix == "" || f.Evidence.Text == "" || f.Key == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

// A site that answers every path with the same page, or with a page echoing the path,
// or with a catch-all that looks like a hit, must produce no path findings.
func TestSoft404(t *testing.T) {
	tests := map[string]func(http.ResponseWriter, *http.Request){
		"same page for everything": text(200, "text/html", "<html><head><title>Shop</title></head><body>Welcome <div id=wpadminbar></div></body></html>"),
		"page echoing the path": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<html><head><title>Not here</title></head><body>We looked for "+r.URL.Path+" but found nothing. Debug info: none.</body></html>")
		},
		"catch-all that looks like git HEAD": text(200, "text/plain", "ref: refs/heads/main\n"),
		"catch-all env-like file":            text(200, "text/plain", "STATUS=ok\n"),
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			res, _ := scanTLS(t, &site{notFound: h}, env{})
			for _, f := range res.Findings {
				if f.Control == ctlOWASP && f.Rule != "http/version-banner" || f.Control == ctlAdmin {
					t.Errorf("soft-404 reported: %s %s", f.Rule, f.Location.URL)
				}
			}
			if res.Unknown[ctlOWASP] != "" || res.Unknown[ctlAdmin] != "" {
				t.Errorf("unknown:\n%s", dump(res))
			}
		})
	}
}

func TestNoDateHeaderIsUnknown(t *testing.T) {
	res, _ := scanTLS(t, &site{headers: map[string]string{"Date": ""}}, env{})
	if !strings.Contains(res.Unknown[ctlClock], "no Date header") {
		t.Fatalf("SC-1 should be unknown:\n%s", dump(res))
	}
}

// An http:// target that redirects to https on the same host is followed; HSTS and the
// page are judged on the https answer.
func TestHTTPTargetRedirectsToHTTPS(t *testing.T) {
	srv := tlsServer(&site{})
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	plain := httptest.NewServer(redirectTo(srv.URL))
	defer plain.Close()
	res := run(t, plain.URL+"/", NewWithOptions(netFor(pool, env{}), Options{}))
	if len(res.Findings) != 0 || len(res.Unknown) != 0 {
		t.Fatalf("want a clean pass:\n%s", dump(res))
	}
	if !strings.Contains(res.Evidence[ctlTLS], "redirects to https://") || !strings.Contains(res.Evidence[ctlTLS], "HSTS max-age") {
		t.Fatalf("CR-1 evidence %q", res.Evidence[ctlTLS])
	}
	// And the plain-HTTP port of an https target, redirecting, passes too.
	res2, _ := scanTLS(t, &site{}, env{plain: redirectTo("https://example.test")})
	if !strings.Contains(res2.Evidence[ctlTLS], "redirects to https://example.test/") {
		t.Fatalf("CR-1 evidence %q\n%s", res2.Evidence[ctlTLS], dump(res2))
	}
}

func TestRedirects(t *testing.T) {
	tests := []struct {
		name   string
		h      http.HandlerFunc
		follow bool
		want   string // in ST-1's unknown reason
	}{
		{"loop", func(w http.ResponseWriter, r *http.Request) {
			next := map[string]string{"/": "/a", "/a": "/b", "/b": "/"}[r.URL.Path]
			if next == "" {
				w.WriteHeader(404)
				return
			}
			http.Redirect(w, r, next, http.StatusFound)
		}, false, "redirect loop"},
		{"too many", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/r") {
				http.Redirect(w, r, "/r"+strings.TrimPrefix(r.URL.Path, "/")+"x", http.StatusFound)
				return
			}
			w.WriteHeader(404)
		}, false, "more than 5 redirects"},
		{"other host", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				http.Redirect(w, r, "https://elsewhere.invalid/", http.StatusFound)
				return
			}
			w.WriteHeader(404)
		}, false, "another host (elsewhere.invalid)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := scanTLS(t, tt.h, env{follow: tt.follow})
			if !strings.Contains(res.Unknown[ctlOWASP], tt.want) {
				t.Fatalf("ST-1 unknown %q, want %q:\n%s", res.Unknown[ctlOWASP], tt.want, dump(res))
			}
			if res.Evidence[ctlOWASP] != "" && res.Unknown[ctlOWASP] == "" {
				t.Fatal("ST-1 passed")
			}
		})
	}
}

// rawServer accepts connections and hands each to serve; it lives until the test ends.
func rawServer(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
				// Hold the connection until the test ends or the client leaves.
				select {
				case <-done:
				case <-readGone(c):
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// afterRequest runs f once the request's headers have arrived.
func afterRequest(f func(net.Conn)) func(net.Conn) {
	return func(c net.Conn) {
		var got []byte
		buf := make([]byte, 4096)
		for !bytes.Contains(got, []byte("\r\n\r\n")) && len(got) < 64<<10 {
			n, err := c.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				return
			}
		}
		f(c)
	}
}

func readGone(c net.Conn) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, c)
		close(ch)
	}()
	return ch
}

// Servers that misbehave leave every control unknown with a reason, never passed, in
// bounded time.
func TestMisbehavingServers(t *testing.T) {
	hugeHeader := "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("a", 200<<10) + "\r\n\r\n"
	tests := []struct {
		name   string
		scheme string
		serve  func(c net.Conn) // nil: nothing listens
		want   string
	}{
		{"unreachable", "https", nil, "refused"},
		{"never answers (TLS)", "https", func(net.Conn) {}, "timeout"},
		{"never answers (HTTP)", "http", func(net.Conn) {}, "timeout"},
		{"garbage instead of TLS", "https", func(c net.Conn) { io.WriteString(c, "SSH-2.0-OpenSSH_9.2\r\n") }, "tls"},
		{"talks before it is asked", "http", func(c net.Conn) { io.WriteString(c, "\x00\x01garbage\r\n\r\n") }, "malformed HTTP"},
		// The rest answer the request, as servers do, so that what the client sees does
		// not depend on whether its request or the server's bytes went first.
		{"garbage instead of HTTP", "http", afterRequest(func(c net.Conn) { io.WriteString(c, "\x00\x01garbage\r\n\r\n") }), "malformed HTTP"},
		{"reset", "http", afterRequest(func(c net.Conn) {
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			c.Close()
		}), "reset"},
		{"gigantic headers", "http", afterRequest(func(c net.Conn) { io.WriteString(c, hugeHeader) }), "header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := closedAddr(t)
			if tt.serve != nil {
				addr = rawServer(t, tt.serve)
			}
			n := netFor(nil, env{timeout: 300 * time.Millisecond})
			start := time.Now()
			res := run(t, tt.scheme+"://"+addr+"/", NewWithOptions(n, Options{PlainHTTPAddr: closedAddr(t)}))
			if d := time.Since(start); d > testutil.WorkBound(5*time.Second) {
				t.Errorf("took %v", d)
			}
			for _, c := range controls {
				u := res.Unknown[c]
				if u == "" {
					t.Errorf("%s not unknown:\n%s", c, dump(res))
				}
				if !strings.Contains(strings.ToLower(u), strings.ToLower(tt.want)) {
					t.Errorf("%s reason %q lacks %q", c, u, tt.want)
				}
			}
			if len(res.Findings) != 0 {
				t.Errorf("findings from a broken server:\n%s", dump(res))
			}
		})
	}
}

// A body larger than netx.MaxBody is read only to the bound and the checks still run.
func TestGiganticBody(t *testing.T) {
	s := &site{paths: map[string]func(http.ResponseWriter, *http.Request){"/": func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("<p>filler</p>", 1000))
		for range 1000 { // ~13 MB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}}}
	start := time.Now()
	res, _ := scanTLS(t, s, env{})
	if d := time.Since(start); d > testutil.WorkBound(5*time.Second) {
		t.Errorf("took %v", d)
	}
	if len(res.Findings) != 0 || len(res.Unknown) != 0 {
		t.Fatalf("want a pass:\n%s", dump(res))
	}
}

// A server whose certificate does not verify is still examined, with a warning: the TLS
// checks own the certificate verdict.
func TestUnverifiedCertificateStillChecked(t *testing.T) {
	srv := tlsServer(&site{headers: map[string]string{"Strict-Transport-Security": ""}})
	defer srv.Close()
	res := run(t, srv.URL+"/", NewWithOptions(netFor(nil, env{}), Options{PlainHTTPAddr: closedAddr(t)}))
	if _, ok := rules(res)["http/hsts-missing"]; !ok {
		t.Fatalf("HSTS not judged:\n%s", dump(res))
	}
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "did not verify") {
		t.Fatalf("warnings %q", res.Warnings)
	}
}

// A server that answers the page and then stops answering costs a few timeouts, not one
// per path, and what was not checked is unknown.
func TestServerStopsAnswering(t *testing.T) {
	s := &site{notFound: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }}
	start := time.Now()
	res, _ := scanTLS(t, s, env{timeout: 300 * time.Millisecond})
	if d := time.Since(start); d > testutil.WorkBound(3*time.Second) {
		t.Errorf("took %v", d)
	}
	for _, c := range []string{ctlOWASP, ctlAdmin} {
		if !strings.Contains(res.Unknown[c], "stopped answering") {
			t.Errorf("%s unknown %q, want it to say the server stopped answering:\n%s", c, res.Unknown[c], dump(res))
		}
	}
	if res.Evidence[ctlClock] == "" || res.Unknown[ctlClock] != "" {
		t.Errorf("SC-1 was checked on the page:\n%s", dump(res))
	}
}
