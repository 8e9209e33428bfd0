package code

import (
	"context"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/testutil"
)

func TestRulesProbe(t *testing.T) {
	files := map[string]string{
		"cmd/client.go":             "package main\n\nvar c = &tls.Config{InsecureSkipVerify: true}\n",
		"cmd/client_test.go":        "package main\n\nvar c = &tls.Config{InsecureSkipVerify: true}\n",
		"vendor/x/y.go":             "package y\n\nvar c = &tls.Config{InsecureSkipVerify: true}\n",
		"web/api.js":                "const u = 'http://svc:Rk29vq7LmZ@partner-api.net/x?token=abc123def&page=2';\n",
		".env.production":           "DATABASE_URL=postgres://app:Pq8vLm2@db.internal:5432/app?sslmode=disable\n",
		"app/admin.php":             "<?php\nif ($_SERVER['REMOTE_ADDR'] === '10.0.0.5') { $admin = true; }\n",
		"README.md":                 "InsecureSkipVerify: true\n",
		"bin/blob.go":               "package x\x00\nvar c = tls.Config{InsecureSkipVerify: true}\n",
		"node_modules/a/index.js":   "eval(req.query.x)\n",
		"app/templates/page.min.js": "eval(req.query.x)\n",
	}
	r, err := New().Run(context.Background(), testutil.RepoTarget(t, files, fileset.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	want := "CR-1 code/db-tls-disabled .env.production:1\n" +
		"CR-1 code/go-tls-insecure-skip-verify cmd/client.go:3\n" +
		"CR-1 code/http-url-credentials web/api.js:1\n" +
		"ZT-2 code/php-client-address-privilege app/admin.php:2"
	if got := summary(r); got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	for _, f := range r.Findings {
		for _, secret := range []string{"Rk29vq7LmZ", "abc123def", "Pq8vLm2"} {
			if strings.Contains(f.Evidence.Text, secret) {
				t.Errorf("%s: evidence leaks %q: %s", f.Rule, secret, f.Evidence.Text)
			}
		}
		if f.Rule == "code/http-url-credentials" && (!f.Evidence.Redacted || !strings.Contains(f.Evidence.Text, "page=2")) {
			t.Errorf("evidence %q: want credentials redacted, other parameters kept", f.Evidence.Text)
		}
		if f.Rule == "code/db-tls-disabled" && !strings.Contains(f.Evidence.Text, "sslmode=disable") {
			t.Errorf("evidence %q lost the setting it is about", f.Evidence.Text)
		}
	}
	if len(r.NotApplicable)+len(r.Unknown) != 0 {
		t.Errorf("unexpected marks: n/a %v, unknown %v", r.NotApplicable, r.Unknown)
	}
}

func TestRulesProbeNotApplicable(t *testing.T) {
	r, err := New().Run(context.Background(), testutil.RepoTarget(t, map[string]string{
		"config/app.yaml":  "port: 8080\n",
		"tests/test_x.py":  "eval(request.args['x'])\n",
		"docs/example.txt": "verify=False\n",
	}, fileset.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	// Only CR-1 has rules for configuration files; the other controls read code only.
	if got := controlsOf(r.NotApplicable); got != "CR-3,ST-1,ZT-2" || len(r.Findings) != 0 {
		t.Errorf("n/a %s, findings %d", got, len(r.Findings))
	}
}

func TestEvidenceWindowKeepsCredentialsWhole(t *testing.T) {
	line := strings.Repeat("x", 50) + ` u = "http://user1:Zq8vLm2pW@api.partner.net/v1"; ` + strings.Repeat("y", 60) + ` sslmode=disable`
	m := Match{LineText: line, Column: strings.Index(line, "sslmode") + 1}
	if e := evidence(m); strings.Contains(e.Text, "Zq8vLm2pW") || strings.Contains(e.Text, "vLm2pW") {
		t.Errorf("evidence leaks the password: %s", e.Text)
	}
}
