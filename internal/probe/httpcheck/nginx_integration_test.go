//go:build integration

package httpcheck

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/netx"
	"github.com/posture-dev/posture/internal/target"
	"github.com/posture-dev/posture/internal/testutil"
	"github.com/posture-dev/posture/internal/testutil/nginxtest"
)

// Extra sites beside the shared presets: the mistakes these checks exist for, and the
// near misses that must stay quiet on a real nginx.
func extraSites() []nginxtest.Site {
	good := `add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
add_header Content-Security-Policy "default-src 'self'" always;
add_header X-Content-Type-Options "nosniff" always;
add_header X-Frame-Options "DENY" always;
add_header Referrer-Policy "no-referrer" always;
server_tokens off;`
	return []nginxtest.Site{
		{Name: "exposed", Directives: good + "\nlocation = /server-status { return 200 '<h1>Apache Server Status for localhost</h1><dt>Server Version: Apache</dt>'; default_type text/html; }",
			Files: map[string]string{
				"index.html":          "<!doctype html><title>exposed</title>",
				".env":                "APP_KEY=base64:integrationsecret\nDB_PASSWORD=integrationpw\n",
				"wp-config.php.bak":   "<?php\ndefine( 'DB_PASSWORD', 'integrationpw' );\n",
				"uploads/a.sql":       "select 1;\n",
				"wp-json/wp/v2/users": `[{"id":1,"slug":"admin"}]`,
			},
		},
		// A single-page app answers every path with its index page; a protected admin
		// area answers 401; a login page is served at /admin.
		{Name: "spa", Directives: good + `
location / { try_files $uri /index.html; }
location /phpmyadmin/ { auth_basic "admin"; auth_basic_user_file htpasswd-none; }
location = /admin { default_type text/html; return 200 '<html><head><title>Admin</title></head><body><form method="post"><input name="u"><input type="password" name="p"></form></body></html>'; }`,
			Files: map[string]string{"index.html": "<!doctype html><html><head><title>App</title></head><body><div id=root></div></body></html>"},
		},
		// HTML sent gzip-compressed over HTTPS: a BREACH note, nothing more.
		{Name: "gzip", Directives: good + "\ngzip on;\ngzip_min_length 1;",
			Files: map[string]string{"index.html": "<!doctype html><html><head><title>Compressed</title></head><body>" + strings.Repeat("<p>text</p>", 50) + "</body></html>"}},
	}
}

func TestAgainstNginx(t *testing.T) {
	sites := append(nginxtest.Presets(), extraSites()...)
	for i := range sites {
		if sites[i].Name == "exposed" {
			sites[i].Directives = strings.Replace(sites[i].Directives, "location = /server-status", "autoindex on;\nlocation = /server-status", 1)
		}
	}
	srv := nginxtest.Start(t, sites...)

	tests := []struct {
		site string
		want []string // exactly these rules
		// unverified: the certificate is meant to fail verification; the checks run anyway.
		unverified bool
	}{
		{site: "modern", want: []string{"http/version-banner"}},
		{site: "intermediate", want: []string{"http/version-banner"}},
		{site: "legacy", want: []string{"http/version-banner"}},
		{site: "no-hsts", want: []string{"http/hsts-missing", "http/version-banner"}},
		{site: "listing", want: []string{"http/directory-listing", "http/version-banner"}},
		{site: "git-exposed", want: []string{"http/git-config", "http/git-head", "http/version-banner"}},
		{site: "expired", want: []string{"http/version-banner"}, unverified: true},
		{site: "wrong-host", want: []string{"http/version-banner"}, unverified: true},
		{site: "self-signed", want: []string{"http/version-banner"}, unverified: true},
		{site: "incomplete-chain", want: []string{"http/version-banner"}, unverified: true},
		{site: "rsa1024", want: []string{"http/version-banner"}},
		// nginxtest's plain-HTTP server blocks keep server_tokens on, so the banner shows
		// on the redirect even where the https side turns it off.
		{site: "exposed", want: []string{"http/directory-listing", "http/dotenv", "http/server-status", "http/version-banner", "http/wp-config-backup", "http/wp-users-enumeration"}},
		{site: "spa", want: []string{"http/version-banner"}},
		{site: "gzip", want: []string{"http/breach", "http/version-banner"}},
	}
	for _, tt := range tests {
		t.Run(tt.site, func(t *testing.T) {
			n := netx.New(netx.Options{RootCAs: srv.CAPool, Timeout: 5 * time.Second})
			p := NewWithOptions(n, Options{PlainHTTPAddr: srv.HTTPAddr[tt.site]})
			tg, err := target.Parse("https://" + srv.Addr[tt.site] + "/")
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			res, err := p.Run(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			// The target: a full audit of one host in under 2 s on loopback (the
			// HTTP part is a share of it).
			if d := time.Since(start); d > testutil.WorkBound(2*time.Second) {
				t.Errorf("took %v", d)
			}
			var got []string
			for _, f := range res.Findings {
				if !slices.Contains(got, f.Rule) {
					got = append(got, f.Rule)
				}
			}
			sort.Strings(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("rules %v, want %v:\n%s", got, tt.want, dump(res))
			}
			if len(res.Unknown) != 0 {
				t.Errorf("unknown:\n%s", dump(res))
			}
			if !strings.Contains(res.Evidence[ctlTLS], "redirects to https://") && !slices.Contains(got, "http/hsts-missing") {
				t.Errorf("CR-1 evidence %q should show the plain-HTTP redirect", res.Evidence[ctlTLS])
			}
			failed := map[string]bool{}
			for _, f := range res.Findings {
				failed[f.Control] = true
			}
			for _, c := range []string{ctlAdmin, ctlClock, ctlDebug} {
				if res.Evidence[c] == "" && !failed[c] {
					t.Errorf("%s: no pass evidence:\n%s", c, dump(res))
				}
			}
			warned := len(res.Warnings) > 0 && strings.Contains(res.Warnings[0], "did not verify")
			if warned != tt.unverified {
				t.Errorf("certificate warning %v, want %v: %q", warned, tt.unverified, res.Warnings)
			}
			all := dump(res)
			for _, s := range []string{"integrationsecret", "integrationpw"} {
				if strings.Contains(all, s) {
					t.Errorf("output shows the secret %q:\n%s", s, all)
				}
			}
		})
	}
}
