package webserver

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/testutil"
)

func run(t *testing.T, files map[string]string) *probe.Result {
	t.Helper()
	r, err := New().Run(context.Background(), testutil.RepoTarget(t, files, fileset.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// summary renders findings as sorted "control rule path:line" lines.
func summary(r *probe.Result) string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %s %s:%d", f.Control, f.Rule, f.Location.Path, f.Location.Line))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func unknowns(r *probe.Result) string {
	var out []string
	for k, v := range r.Unknown {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// tlsServer is a complete TLS server block; cases add to its body.
func tlsServer(body string) string {
	return `server {
    listen 443 ssl;
    server_name a.example;
    server_tokens off;
    add_header Strict-Transport-Security "max-age=31536000" always;
    add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'none'" always;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy no-referrer always;
` + body + "}\n"
}

func TestNginxCases(t *testing.T) {
	for _, c := range []struct {
		name     string
		files    map[string]string
		findings []string
		unknown  []string
	}{
		{name: "clean TLS server", files: map[string]string{"nginx/sites-enabled/a.conf": tlsServer("    location / { root /srv; }\n")}},
		{name: "admin location without auth, and with auth inherited from the server",
			files: map[string]string{
				"nginx/sites-enabled/a.conf": tlsServer("    location /admin/ { root /srv; }\n"),
				"nginx/sites-enabled/b.conf": strings.Replace(tlsServer("    location /admin/ { root /srv; }\n"), "server_tokens off;", "server_tokens off; auth_basic x; auth_basic_user_file f;", 1),
				"nginx/sites-enabled/c.conf": strings.Replace(tlsServer("    location /admin/ { auth_basic off; }\n"), "server_tokens off;", "server_tokens off; auth_basic x;", 1),
			},
			findings: []string{"ZT-1 webserver/admin-without-auth nginx/sites-enabled/a.conf:9", "ZT-1 webserver/admin-without-auth nginx/sites-enabled/c.conf:9"}},
		{name: "admin regex location", files: map[string]string{"nginx/sites-enabled/a.conf": tlsServer("    location ~* ^/(phpmyadmin|pma)/ { root /srv; }\n    location ~ \\.php$ { fastcgi_pass 127.0.0.1:9000; }\n")},
			findings: []string{"ZT-1 webserver/admin-without-auth nginx/sites-enabled/a.conf:9"}},
		{name: "admin location that refuses or redirects", files: map[string]string{"nginx/sites-enabled/a.conf": tlsServer("    location /admin { deny all; }\n    location /server-status { return 404; }\n    location /actuator { return 301 /; }\n")}},
		{name: "allow-list inherited by a location that switches auth off",
			files:    map[string]string{"nginx/sites-enabled/a.conf": strings.Replace(tlsServer("    location /open/ { auth_basic off; }\n"), "server_tokens off;", "server_tokens off; allow 10.0.0.0/8; deny all; auth_basic x;", 1)},
			findings: []string{"ZT-2 webserver/ip-only-access nginx/sites-enabled/a.conf:4"}},
		{name: "limit_except with an allow-list only", files: map[string]string{"nginx/sites-enabled/a.conf": tlsServer("    location /api/ { limit_except GET { allow 10.1.0.0/16; deny all; } }\n")},
			findings: []string{"ZT-2 webserver/ip-only-access nginx/sites-enabled/a.conf:9"}},
		{name: "deny of single addresses is not an allow-list", files: map[string]string{"nginx/sites-enabled/a.conf": tlsServer("    location / { deny 192.0.2.1; allow all; }\n")}},
		{name: "plain HTTP: no listen means port 80; redirects by if and rewrite are fine",
			files: map[string]string{
				"nginx/sites-enabled/a.conf": "server { server_name a; server_tokens off; root /srv; }\n",
				"nginx/sites-enabled/b.conf": "server { listen 80; if ($scheme = http) { return 301 https://$host$request_uri; } }\n",
				"nginx/sites-enabled/c.conf": "server { listen 80; rewrite ^ https://$host$request_uri permanent; }\n",
				"nginx/sites-enabled/d.conf": "server { listen 80 default_server; return 444; }\n",
				"nginx/sites-enabled/e.conf": "server { listen 80; location / { return 301 http://b.example$request_uri; } }\n",
			},
			findings: []string{
				"CR-1 webserver/plain-http nginx/sites-enabled/a.conf:1",
				"CR-1 webserver/plain-http nginx/sites-enabled/e.conf:1",
				"ST-1 webserver/security-headers nginx/sites-enabled/a.conf:1",
			}},
		{name: "add_header in a location drops HSTS and the rest; add_header_inherit merge keeps them",
			files: map[string]string{
				"nginx/sites-enabled/a.conf": tlsServer("    location /img/ { add_header Cache-Control public; }\n"),
				"nginx/sites-enabled/b.conf": tlsServer("    location /img/ { add_header_inherit merge; add_header Cache-Control public; }\n"),
			},
			findings: []string{"CR-1 webserver/hsts nginx/sites-enabled/a.conf:9", "ST-1 webserver/security-headers nginx/sites-enabled/a.conf:9"}},
		{name: "upstream TLS: default off, explicit off, explicit on",
			files: map[string]string{"nginx/sites-enabled/a.conf": tlsServer("    location /a/ { proxy_pass https://10.0.0.1; }\n    location /b/ { proxy_ssl_verify off; proxy_pass https://10.0.0.2; }\n    location /c/ { proxy_ssl_verify on; proxy_pass https://10.0.0.3; }\n    location /d/ { grpc_pass grpcs://10.0.0.4:443; }\n")},
			findings: []string{
				"CR-1 webserver/upstream-tls-unverified nginx/sites-enabled/a.conf:10",
				"CR-1 webserver/upstream-tls-unverified nginx/sites-enabled/a.conf:12",
				"CR-1 webserver/upstream-tls-unverified nginx/sites-enabled/a.conf:9",
			}},
		{name: "a missing include makes the verdict unknown, a distribution file does not",
			files: map[string]string{
				"nginx/nginx.conf": "http { server_tokens off; include mime.types; server { listen 443 ssl; location /admin/ { include snippets/sso.conf; } } }\n",
			},
			findings: []string{"CR-1 webserver/hsts nginx/nginx.conf:1", "ST-1 webserver/security-headers nginx/nginx.conf:1"},
			unknown: []string{
				"CR-1=nginx/nginx.conf:1: cannot tell which headers location /admin/ in the server block at line 1 sends: include snippets/sso.conf at nginx/nginx.conf:1 could not be followed (nginx/snippets/sso.conf: not in the repository)",
				"ST-1=nginx/nginx.conf:1: cannot tell which headers location /admin/ in the server block at line 1 sends: include snippets/sso.conf at nginx/nginx.conf:1 could not be followed (nginx/snippets/sso.conf: not in the repository)",
				"ZT-1=nginx/nginx.conf:1: cannot tell whether location /admin/ in the server block at line 1 asks for credentials: include snippets/sso.conf at nginx/nginx.conf:1 could not be followed (nginx/snippets/sso.conf: not in the repository)",
			}},
		{name: "syntax error: unknown with the place, other files still checked",
			files: map[string]string{
				"nginx/nginx.conf":    "http {\n  server_tokens off;\n  include conf.d/*.conf;\n}\n",
				"nginx/conf.d/a.conf": "server {\n  listen 80;\n  return 301 https://$host;\n",
				".htaccess":           "Options +Indexes\n",
			},
			findings: []string{"ST-1 webserver/directory-listing .htaccess:1"},
			unknown: []string{
				`CR-1=nginx/conf.d/a.conf:4:1: unexpected end of file, expecting "}" (block "server" at line 1 is not closed); the nginx configuration was not checked`,
				`ST-1=nginx/conf.d/a.conf:4:1: unexpected end of file, expecting "}" (block "server" at line 1 is not closed); the nginx configuration was not checked`,
				`ZT-1=nginx/conf.d/a.conf:4:1: unexpected end of file, expecting "}" (block "server" at line 1 is not closed); the nginx configuration was not checked`,
				`ZT-2=nginx/conf.d/a.conf:4:1: unexpected end of file, expecting "}" (block "server" at line 1 is not closed); the nginx configuration was not checked`,
			}},
		{name: "an include leaving the repository is refused and reported",
			files: map[string]string{"nginx/nginx.conf": "http { server_tokens off; include ../../../etc/passwd; }\n"},
			unknown: []string{
				"CR-1=nginx/nginx.conf:1:27: include ../../../etc/passwd not followed: it leaves the repository",
				"ST-1=nginx/nginx.conf:1:27: include ../../../etc/passwd not followed: it leaves the repository",
				"ZT-1=nginx/nginx.conf:1:27: include ../../../etc/passwd not followed: it leaves the repository",
				"ZT-2=nginx/nginx.conf:1:27: include ../../../etc/passwd not followed: it leaves the repository",
			}},
		{name: "server_tokens: default on in an http block, explicit on anywhere",
			files: map[string]string{
				"nginx/nginx.conf":  "http { server { listen 127.0.0.1:80; } }\n",
				"conf.d/other.conf": "server { listen 127.0.0.1:81; server_tokens build; }\n",
			},
			findings: []string{"ST-1 webserver/version-banner conf.d/other.conf:1", "ST-1 webserver/version-banner nginx/nginx.conf:1"}},
		{name: "legacy protocols and directory listings",
			files:    map[string]string{"nginx/sites-enabled/a.conf": tlsServer("    ssl_protocols TLSv1.2 TLSv1.3;\n    location /x/ { autoindex on; proxy_ssl_protocols SSLv3 TLSv1.2; proxy_pass http://127.0.0.1:1; }\n")},
			findings: []string{"CR-1 webserver/legacy-tls-protocol nginx/sites-enabled/a.conf:10", "ST-1 webserver/directory-listing nginx/sites-enabled/a.conf:10"}},
		{name: "a snippet is judged where it is included, even when its path sorts first",
			files: map[string]string{
				"conf.d/admin.conf":       "location /admin/ { root /srv; }\n",
				"sites-enabled/site.conf": strings.Replace(tlsServer("    include ../conf.d/admin.conf;\n"), "server_tokens off;", "server_tokens off; auth_basic x; auth_basic_user_file f;", 1),
			}},
		{name: "a file included by nginx.conf is checked once, in context",
			files: map[string]string{
				"nginx/nginx.conf":           "http { server_tokens off; include sites-enabled/*.conf; include sites-enabled/*.conf; }\n",
				"nginx/sites-enabled/a.conf": tlsServer("    location /admin { root /srv; }\n"),
			},
			findings: []string{"ZT-1 webserver/admin-without-auth nginx/sites-enabled/a.conf:9"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, c.files)
			if got, want := summary(r), strings.Join(c.findings, "\n"); got != want {
				t.Errorf("findings:\n%s\nwant:\n%s", got, want)
			}
			if got, want := unknowns(r), strings.Join(c.unknown, "\n"); got != want {
				t.Errorf("unknown:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestApacheCases(t *testing.T) {
	const headers = "Header always set Content-Security-Policy \"default-src 'self'\"\nHeader always set X-Frame-Options DENY\nHeader always set X-Content-Type-Options nosniff\nHeader always set Referrer-Policy no-referrer\n"
	const hsts = "Header always set Strict-Transport-Security \"max-age=63072000\"\n"
	for _, c := range []struct {
		name     string
		files    map[string]string
		findings []string
	}{
		{name: "clean TLS vhost", files: map[string]string{"apache2/sites-available/a.conf": "<VirtualHost *:443>\nSSLEngine on\nSSLProtocol -all +TLSv1.2 +TLSv1.3\n" + headers + hsts + "</VirtualHost>\n"}},
		{name: "Require lines form an implicit RequireAny",
			files: map[string]string{"apache2/sites-available/a.conf": "<VirtualHost *:443>\nSSLEngine on\n" + headers + hsts +
				"<Location /reports>\nAuthType Basic\nRequire valid-user\nRequire ip 10.0.0.0/8\n</Location>\n" +
				"<Location /ok>\nAuthType Basic\n<RequireAll>\nRequire valid-user\nRequire ip 10.0.0.0/8\n</RequireAll>\n</Location>\n" +
				"<Location /admin>\nRequire all granted\n</Location>\n</VirtualHost>\n"},
			findings: []string{"ZT-1 webserver/admin-without-auth apache2/sites-available/a.conf:20", "ZT-2 webserver/ip-only-access apache2/sites-available/a.conf:11"}},
		{name: "mod_access_compat: Satisfy Any with a password is IP-only; allow,deny with all is open",
			files: map[string]string{
				"a/.htaccess": "AuthType Basic\nRequire valid-user\nOrder deny,allow\nDeny from all\nAllow from 10.0.0.0/8\nSatisfy Any\n",
				"b/.htaccess": "Order allow,deny\nAllow from all\n",
			},
			findings: []string{"ZT-2 webserver/ip-only-access a/.htaccess:5"}},
		{name: "plain vhost that rewrites to HTTPS is fine; one that serves is not",
			files: map[string]string{
				"httpd/conf.d/a.conf": "<VirtualHost *:80>\nRewriteEngine On\nRewriteCond %{HTTPS} off\nRewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [L,R=301]\n</VirtualHost>\n",
				"httpd/conf.d/b.conf": "<VirtualHost 192.0.2.1:80>\nDocumentRoot /srv\n" + headers + "</VirtualHost>\n<VirtualHost 127.0.0.1:8080>\nDocumentRoot /srv\n" + headers + "</VirtualHost>\n",
			},
			findings: []string{"CR-1 webserver/plain-http httpd/conf.d/b.conf:1"}},
		{name: "SSLProtocol arithmetic and proxy defaults",
			files:    map[string]string{"apache2/sites-available/a.conf": "<VirtualHost *:443>\nSSLEngine on\nSSLProtocol TLSv1.2 +TLSv1.1\nProxyPass / https://10.0.0.1/\n" + headers + hsts + "</VirtualHost>\n"},
			findings: []string{"CR-1 webserver/legacy-tls-protocol apache2/sites-available/a.conf:3", "CR-1 webserver/upstream-tls-unverified apache2/sites-available/a.conf:4"}},
		{name: "main config without ServerTokens; Options All lists directories",
			files:    map[string]string{"apache2/apache2.conf": "<Directory /srv>\nOptions All\n</Directory>\n"},
			findings: []string{"ST-1 webserver/directory-listing apache2/apache2.conf:2", "ST-1 webserver/version-banner apache2/apache2.conf:0"}},
		{name: "status handler anywhere is an admin page",
			files:    map[string]string{"apache2/conf-enabled/status.conf": "<Location /status-x>\nSetHandler server-status\n</Location>\n"},
			findings: []string{"ZT-1 webserver/admin-without-auth apache2/conf-enabled/status.conf:1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, c.files)
			if got, want := summary(r), strings.Join(c.findings, "\n"); got != want {
				t.Errorf("findings:\n%s\nwant:\n%s", got, want)
			}
			if len(r.Unknown) > 0 {
				t.Errorf("unknown: %s", unknowns(r))
			}
		})
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		path, src string
		want      kind
	}{
		{"etc/nginx/conf.d/app.conf", "server { listen 80; }", kindNginx},
		{"deploy/nginx/snippets/ssl.conf", "ssl_protocols TLSv1.2;", kindNginx},
		{"docker/site.conf", "# site\nserver {\n listen 80;\n}", kindNginx},
		{"docker/other.conf", "upstream_addr 1;", kindNone},
		{"config/redis.conf", "bind 127.0.0.1\nport 6379\n", kindNone},
		{"supervisor/conf.d/worker.conf", "[program:worker]\ncommand=x\n", kindNone},
		{"etc/conf.d/redis.conf", "bind 127.0.0.1\n", kindNone},
		{"etc/httpd/conf.d/ssl.conf", "Listen 443 https\n<VirtualHost _default_:443>\n</VirtualHost>\n", kindApache},
		{"apache2/sites-available/site.conf", "<VirtualHost *:80>\n</VirtualHost>\n", kindApache},
		{"apache2/mods-available/x.conf", "Foo bar\n", kindNone},
		{"sites-enabled/default", "server {\n listen 80;\n}\n", kindNginx},
		{"conf.d/a.conf", "Require all granted\n", kindApache},
		{"vhosts/x.conf", "<VirtualHost *:80>\n</VirtualHost>\n", kindApache},
	} {
		k, decided, worth := candidate(c.path)
		if worth && !decided {
			k = classify(c.path, []byte(c.src))
		}
		if k != c.want {
			t.Errorf("%s: kind %d, want %d", c.path, k, c.want)
		}
	}
}

func TestNotApplicable(t *testing.T) {
	r := run(t, map[string]string{"README.md": "x", "redis.conf": "bind 127.0.0.1\n"})
	if len(r.NotApplicable) != 4 || r.NotApplicable["ZT-1"] != "no nginx or Apache configuration found" || len(r.Findings) != 0 {
		t.Fatalf("result %+v", r)
	}
}

func TestMessages(t *testing.T) {
	r := run(t, map[string]string{"nginx/nginx.conf": "http {\n" + tlsServer("location /static/ { add_header X-A b; autoindex on; }\n") + "}\n"})
	if len(r.Findings) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range r.Findings {
		if f.Message == "" || f.Fix == "" || f.Key == "" || f.Location.Line == 0 || f.Severity != "" {
			t.Errorf("incomplete finding %+v", f)
		}
		if !strings.HasSuffix(f.Message, ".") || !strings.HasSuffix(f.Fix, ".") {
			t.Errorf("%s: message and fix should be sentences: %q / %q", f.Rule, f.Message, f.Fix)
		}
	}
}

func TestCancelled(t *testing.T) {
	tg := testutil.RepoTarget(t, map[string]string{"nginx.conf": "http {}"}, fileset.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New().Run(ctx, tg); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestProbeMetadata(t *testing.T) {
	p := New()
	if p.Name() != "webserver/config" || strings.Join(p.Controls(), ",") != "ZT-1,ZT-2,CR-1,ST-1" || len(p.Kinds()) != 1 || p.Kinds()[0] != policy.KindRepo {
		t.Fatalf("metadata %s %v %v", p.Name(), p.Controls(), p.Kinds())
	}
	if d, ok := p.(probe.Describer); !ok || d.Description() == "" {
		t.Fatal("probe needs a one-line description")
	}
}

// Crafted configurations must not make the checks quadratic.
func TestPathologicalConfigsAreFast(t *testing.T) {
	const n = 20000
	loc := strings.Repeat("location /a { allow 10.0.0.1; deny all; add_header X y; }\n", n)
	for name, files := range map[string]map[string]string{
		"many locations":  {"nginx/nginx.conf": "http { server { listen 443 ssl; " + loc + "} }"},
		"many servers":    {"nginx/nginx.conf": "http { " + strings.Repeat("server { listen 80; location /admin { } }\n", n) + "}"},
		"many vhosts":     {"apache2/apache2.conf": strings.Repeat("<VirtualHost *:80>\n<Location /admin>\nRequire ip 1.2.3.4\n</Location>\n</VirtualHost>\n", n)},
		"deep locations":  {"nginx/nginx.conf": "http { server { " + strings.Repeat("location /a { ", 60) + strings.Repeat("}", 60) + " } }"},
		"include fan-out": {"nginx/nginx.conf": "http { " + strings.Repeat("include s.conf;\n", 500) + "}", "nginx/s.conf": "server { listen 80; }\n"},
		"many gaps":       {"nginx/nginx.conf": "http { " + strings.Repeat("server { listen 80; location /admin { include x.conf; } }\n", n) + "}"},
	} {
		start := time.Now()
		run(t, files)
		if d := time.Since(start); d > testutil.WorkBound(10*time.Second) {
			t.Errorf("%s: %v", name, d)
		}
	}
}
