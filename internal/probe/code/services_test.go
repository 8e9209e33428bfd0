package code

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/testutil"
)

func runServices(t *testing.T, files map[string]string) *probe.Result {
	t.Helper()
	r, err := NewServiceConfig().Run(context.Background(), testutil.RepoTarget(t, files, fileset.Options{}))
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

func controlsOf(m map[string]string) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestServiceConfigs(t *testing.T) {
	for _, c := range []struct {
		name           string
		files          map[string]string
		want           string
		unknown, notAp string
	}{
		{
			name: "php.ini by environment",
			files: map[string]string{
				"docker/prod/php.ini":         "[PHP]\ndisplay_errors = On\nexpose_php = On\nallow_url_include = Off\n",
				"docker/dev/php.ini":          "display_errors = On\nexpose_php = On\n",
				"php/conf.d/zz-uploads.ini":   "allow_url_include = \"1\" ; legacy\n",
				"docker/prod/php-stderr.ini":  "display_errors = stderr\n",
				"config/php.production.ini":   "display_errors = Off\ndisplay_errors = On\n",
				"config/php.ini-development":  "display_errors = On\n",
				"tests/fixtures/prod/php.ini": "display_errors = On\n",
			},
			want: "SC-2 service-config/php-display-errors config/php.production.ini:2\n" +
				"SC-2 service-config/php-display-errors docker/prod/php.ini:2\n" +
				"ST-1 service-config/php-allow-url-include php/conf.d/zz-uploads.ini:1\n" +
				"ST-1 service-config/php-expose-php docker/prod/php.ini:3",
			notAp: "CR-1,ZT-3",
		},
		{
			name: "redis exposure and authentication",
			files: map[string]string{
				"redis/open.conf":        "bind 0.0.0.0\nprotected-mode no\n",
				"redis/local.conf":       "bind 127.0.0.1 -::1\nprotected-mode no\n",
				"redis/pass.conf":        "bind 0.0.0.0\nrequirepass \"s3cr3t-Value\"\n",
				"redis/acl.conf":         "bind * -::*\nuser default on >x ~* +@all\n",
				"redis/acl-nopass.conf":  "bind 10.0.0.5\nuser default on nopass ~* +@all\nuser app on >pw ~* +@all\n",
				"redis/protected.conf":   "protected-mode no\n",
				"redis/default-off.conf": "bind 0.0.0.0\nuser default off\nuser app on >pw ~* +@all\n",
				"redis/socket.conf":      "port 0\nunixsocket /run/redis.sock\nbind 0.0.0.0\n",
				"redis/main-redis.conf":  "include redis/common.conf\nrequirepass fromfile\n",
				"redis/common.conf":      "bind 0.0.0.0\n",
			},
			want: "ZT-3 service-config/redis-no-auth redis/acl-nopass.conf:1\n" +
				"ZT-3 service-config/redis-no-auth redis/open.conf:1\n" +
				"ZT-3 service-config/redis-no-auth redis/protected.conf:1",
			notAp: "CR-1,SC-2,ST-1",
		},
		{
			name: "redis include not in the repository",
			files: map[string]string{
				"redis.conf": "include /etc/redis/secrets.conf\nbind 0.0.0.0\n",
			},
			unknown: "ZT-3", notAp: "CR-1,SC-2,ST-1",
		},
		{
			name: "redis include resolved next to the file",
			files: map[string]string{
				"deploy/redis/redis.conf":          "bind 0.0.0.0\ninclude /etc/redis/conf.d/*.conf\n",
				"deploy/redis/conf.d/10-auth.conf": "requirepass \"from-include\"\n",
			},
			notAp: "CR-1,SC-2,ST-1",
		},
		{
			name: "redis aclfile",
			files: map[string]string{
				"redis.conf": "bind 0.0.0.0\naclfile /etc/redis/users.acl\nrequirepass ignored\n",
				"users.acl":  "user default on nopass ~* +@all\n",
			},
			want:  "ZT-3 service-config/redis-no-auth redis.conf:1",
			notAp: "CR-1,SC-2,ST-1",
		},
		{
			name: "mysql with includes",
			files: map[string]string{
				"mysql/my.cnf":             "[mysqld]\nbind-address = 0.0.0.0\n!includedir /etc/mysql/conf.d/\n",
				"mysql/conf.d/tls.cnf":     "[mysqld]\nrequire_secure_transport = ON\n",
				"mysql/conf.d/recover.cnf": "[mysqld]\nskip_grant_tables\n",
				"db/replica.cnf":           "[mariadb]\nbind-address=10.1.2.3\nrequire-secure-transport=OFF\n",
				"db/nossl.cnf":             "[mysqld]\nskip-ssl\nbind-address = 0.0.0.0\n",
				"db/client.cnf":            "[client]\nhost = db.prod.internal\nssl-mode = DISABLED\n",
				"db/client-local.cnf":      "[client]\nssl-mode = DISABLED\n",
				"db/loose.cnf":             "[mysqld]\nloose-skip-grant-tables = OFF\n",
				"certs/openssl.cnf":        "[ req ]\ndefault_bits = 2048\n",
			},
			want: "CR-1 service-config/mysql-client-tls-disabled db/client.cnf:3\n" +
				"CR-1 service-config/mysql-plaintext-network db/replica.cnf:2\n" +
				"CR-1 service-config/mysql-server-tls-disabled db/nossl.cnf:2\n" +
				"ZT-3 service-config/mysql-skip-grant-tables mysql/conf.d/recover.cnf:2",
			notAp: "SC-2,ST-1",
		},
		{
			name: "mysql includedir not in the repository",
			files: map[string]string{
				"my.cnf": "[mysqld]\nbind-address = 0.0.0.0\n!includedir /etc/mysql/conf.d/\n",
			},
			unknown: "CR-1", notAp: "SC-2,ST-1",
		},
		{
			name: "wordpress development configs",
			files: map[string]string{
				"wp-config-local.php":   "<?php\ndefine( 'DB_HOST', 'shop-prod.c9akciq32.eu-west-1.rds.amazonaws.com' );\n",
				"wp-config.dev.php":     "<?php\ndefine('DB_HOST', 'db-production:3306');\n",
				"wp-config-staging.php": "<?php\ndefine('DB_HOST', 'staging-db.c9akciq32.eu-west-1.rds.amazonaws.com');\n",
				"wp-config-sample.php":  "<?php\ndefine('DB_HOST', 'prod-db');\n",
				"wp-config.php":         "<?php\ndefine('WP_ENVIRONMENT_TYPE', 'local');\ndefine('DB_HOST', 'mysql.production.internal');\n",
				"site/wp-config.php":    "<?php\ndefine('DB_HOST', 'mysql.production.internal');\n",
				"local-config.php":      "<?php\ndefine('DB_HOST', getenv('DB_HOST'));\n",
			},
			want: "SC-2 service-config/wp-dev-production-db wp-config-local.php:2\n" +
				"SC-2 service-config/wp-dev-production-db wp-config.dev.php:2\n" +
				"SC-2 service-config/wp-dev-production-db wp-config.php:3",
			notAp: "CR-1,ST-1,ZT-3",
		},
		{
			name:  "nothing to examine",
			files: map[string]string{"README.md": "hi\n"},
			notAp: "CR-1,SC-2,ST-1,ZT-3",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runServices(t, c.files)
			if got := summary(r); got != c.want {
				t.Errorf("findings:\n%s\nwant:\n%s", got, c.want)
			}
			if got := controlsOf(r.Unknown); got != c.unknown {
				t.Errorf("unknown: %s (%v), want %s", got, r.Unknown, c.unknown)
			}
			if got := controlsOf(r.NotApplicable); got != c.notAp {
				t.Errorf("not applicable: %s, want %s", got, c.notAp)
			}
		})
	}
}

func TestEnvironmentOf(t *testing.T) {
	for p, want := range map[string]environment{
		"deploy/prod/php.ini":         envProduction,
		"php.production.ini":          envProduction,
		"docker/dev/php.ini":          envNonProduction,
		"prod/php.ini-development":    envNonProduction,
		"php.ini":                     envUnmarked,
		"config/live-site/php.ini":    envProduction,
		"deploy/product-site/php.ini": envUnmarked,
	} {
		if got := environmentOf(p); got != want {
			t.Errorf("environmentOf(%q) = %v, want %v", p, got, want)
		}
	}
}
