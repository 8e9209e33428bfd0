package wordpress

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/testutil"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

func tree(t *testing.T, files map[string]string, opt fileset.Options) *target.Target {
	t.Helper()
	return testutil.RepoTarget(t, files, opt)
}

func run(t *testing.T, tg *target.Target) *probe.Result {
	t.Helper()
	r, err := New().Run(context.Background(), tg)
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

func marks(m map[string]string) string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

const hardened = "<?php\ndefine( 'DISALLOW_FILE_MODS', true );\ndefine( 'FORCE_SSL_ADMIN', true );\n"

type probeCase struct {
	name     string
	files    map[string]string
	findings []string
	unknown  []string // "CONTROL=reason", sorted
	na       []string
}

var probeCases = []probeCase{
	{name: "no config", files: map[string]string{"index.php": "<?php"},
		na: []string{"CR-1=no wp-config.php found", "SC-2=no wp-config.php found", "SC-8=no wp-config.php found"}},
	{name: "sample config is not a config", files: map[string]string{"wordpress/wp-config-sample.php": "<?php"},
		na: []string{"CR-1=no wp-config.php found", "SC-2=no wp-config.php found", "SC-8=no wp-config.php found"}},
	{name: "weak config", files: map[string]string{"wp-config.php": "<?php\n// define( 'DISALLOW_FILE_EDIT', true );\ndefine( 'FORCE_SSL_ADMIN', false );\ndefine( 'WP_DEBUG', true );\n"},
		findings: []string{
			"CR-1 wordpress/force-ssl-admin wp-config.php:3",
			"SC-2 wordpress/debug-in-production wp-config.php:4",
			"SC-8 wordpress/file-edit wp-config.php:0",
			"SC-8 wordpress/file-mods wp-config.php:0",
		}},
	{name: "hardened config", files: map[string]string{"wp-config.php": hardened + "define( 'WP_DEBUG', false );\n"}},
	{name: "file edit off but mods allowed", files: map[string]string{"wp-config.php": "<?php\ndefine('DISALLOW_FILE_EDIT', TRUE);\ndefine('FORCE_SSL_ADMIN', 1);\n"},
		findings: []string{"SC-8 wordpress/file-mods wp-config.php:0"}},
	{name: "mods defined false", files: map[string]string{"wp-config.php": "<?php\ndefine('DISALLOW_FILE_MODS', false);\ndefine('FORCE_SSL_ADMIN', true);\n"},
		findings: []string{"SC-8 wordpress/file-edit wp-config.php:0", "SC-8 wordpress/file-mods wp-config.php:2"}},
	{name: "conditional true counts as set", files: map[string]string{"wp-config.php": "<?php\nif ( $prod ) {\n  define('DISALLOW_FILE_MODS', true);\n}\nisset($_SERVER['HTTPS']) && define('FORCE_SSL_ADMIN', true);\n"}},
	{name: "runtime value is unknown", files: map[string]string{"wp-config.php": "<?php\ndefine( 'DISALLOW_FILE_MODS', getenv( 'WP_FILE_MODS' ) === 'off' );\ndefine( 'FORCE_SSL_ADMIN', $https );\n"},
		unknown: []string{
			"CR-1=wp-config.php:3: FORCE_SSL_ADMIN is set from a runtime value ($https); cannot tell if it is true",
			"SC-8=wp-config.php:2: DISALLOW_FILE_MODS is set from a runtime value (getenv(...)); cannot tell if it is true",
		}},
	{name: "runtime file edit with mods missing", files: map[string]string{"wp-config.php": "<?php\ndefine('DISALLOW_FILE_EDIT', env('EDIT'));\ndefine('FORCE_SSL_ADMIN', true);\n"},
		findings: []string{"SC-8 wordpress/file-mods wp-config.php:0"},
		unknown:  []string{"SC-8=wp-config.php:2: DISALLOW_FILE_EDIT is set from a runtime value (env(...)); cannot tell if it is true"}},
	{name: "debug in explicit production", files: map[string]string{"wp-config.php": hardened + "define('WP_ENVIRONMENT_TYPE', 'production');\ndefine('WP_DEBUG', TRUE);\n"},
		findings: []string{"SC-2 wordpress/debug-in-production wp-config.php:5"}},
	{name: "debug in staging", files: map[string]string{"wp-config.php": hardened + "define('WP_ENVIRONMENT_TYPE', 'staging');\ndefine('WP_DEBUG', true);\n"}},
	{name: "debug with unrecognised environment", files: map[string]string{"wp-config.php": hardened + "define('WP_ENVIRONMENT_TYPE', 'Staging');\ndefine('WP_DEBUG', true);\n"},
		findings: []string{"SC-2 wordpress/debug-in-production wp-config.php:5"}},
	{name: "debug string false is on", files: map[string]string{"wp-config.php": hardened + "define('WP_DEBUG', 'false');\n"},
		findings: []string{"SC-2 wordpress/debug-in-production wp-config.php:4"}},
	{name: "conditional or runtime debug is not a finding", files: map[string]string{
		"a/wp-config.php": hardened + "if ( isset( $_GET['debug'] ) ) { define( 'WP_DEBUG', true ); }\n",
		"b/wp-config.php": hardened + "define( 'WP_DEBUG', getenv( 'WP_DEBUG' ) );\n",
	}},
	{name: "guarded debug is unconditional", files: map[string]string{"wp-config.php": hardened + "if ( ! defined( 'WP_DEBUG' ) ) {\n\tdefine( 'WP_DEBUG', true );\n}\n"},
		findings: []string{"SC-2 wordpress/debug-in-production wp-config.php:5"}},
	{name: "runtime environment is unknown", files: map[string]string{"wp-config.php": hardened + "define('WP_ENVIRONMENT_TYPE', getenv('WP_ENV'));\ndefine('WP_DEBUG', true);\n"},
		unknown: []string{"SC-2=wp-config.php:4: WP_ENVIRONMENT_TYPE is set from a runtime value (getenv(...)); cannot tell if WP_DEBUG (line 5) is on in production"}},
	{name: "conditional environment is unknown", files: map[string]string{"wp-config.php": hardened + "if ($local) define('WP_ENVIRONMENT_TYPE', 'local');\ndefine('WP_DEBUG', true);\n"},
		unknown: []string{"SC-2=wp-config.php:4: WP_ENVIRONMENT_TYPE is only set conditionally; cannot tell if WP_DEBUG (line 5) is on in production"}},
	{name: "file names decide the environment", files: map[string]string{
		"wp-config-local.php":       hardened + "define('WP_DEBUG', true);\n",
		"wp-config-development.php": hardened + "define('WP_DEBUG', true);\n",
		"wp-config-dev2.php":        hardened + "define('WP_DEBUG', true);\n",
		"wp-config-staging.php":     hardened + "define('WP_DEBUG', true);\n",
		"wp-config-testing.php":     hardened + "define('WP_DEBUG', true);\n",
		"wp-config-production.php":  hardened + "define('WP_ENVIRONMENT_TYPE', 'development');\ndefine('WP_DEBUG', true);\n",
		"wp-config-prod.php":        hardened + "define('WP_DEBUG', true);\n",
		"wp-config-eu.php":          hardened + "define('WP_DEBUG', true);\n",
	},
		findings: []string{
			"SC-2 wordpress/debug-in-production wp-config-eu.php:4",
			"SC-2 wordpress/debug-in-production wp-config-prod.php:4",
			"SC-2 wordpress/debug-in-production wp-config-production.php:5",
		}},
	{name: "every config is examined", files: map[string]string{"site/wp-config.php": hardened, "wp-config-local.php": "<?php\n"},
		findings: []string{
			"CR-1 wordpress/force-ssl-admin wp-config-local.php:0",
			"SC-8 wordpress/file-edit wp-config-local.php:0",
			"SC-8 wordpress/file-mods wp-config-local.php:0",
		}},
	{name: "syntax error leaves later constants unknown", files: map[string]string{"wp-config.php": "<?php\ndefine('DISALLOW_FILE_MODS', true);\n/* unfinished\ndefine('FORCE_SSL_ADMIN', true);\n"},
		unknown: []string{
			"CR-1=wp-config.php:3: unterminated /* comment; the rest of the file could not be read",
			"SC-2=wp-config.php:3: unterminated /* comment; the rest of the file could not be read",
		}},
	{name: "syntax error after everything was decided", files: map[string]string{"wp-config.php": hardened + "define('WP_DEBUG', false);\n$x = 'oops;\n"}},
	// WP_ENVIRONMENT_TYPE might be defined after the error, so even WP_DEBUG is undecided.
	{name: "syntax error makes missing constants unknown", files: map[string]string{"wp-config.php": "<?php\ndefine('FORCE_SSL_ADMIN', true);\ndefine('WP_DEBUG', true);\n$x = \"oops;\n"},
		unknown: []string{
			"SC-2=wp-config.php:4: unterminated double-quoted string; the rest of the file could not be read",
			"SC-8=wp-config.php:4: unterminated double-quoted string; the rest of the file could not be read",
		}},
}

func TestProbe(t *testing.T) {
	for _, c := range probeCases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, tree(t, c.files, fileset.Options{}))
			if got, want := summary(r), strings.Join(c.findings, "\n"); got != want {
				t.Errorf("findings:\n%s\nwant:\n%s", got, want)
			}
			if got, want := marks(r.Unknown), strings.Join(c.unknown, "\n"); got != want {
				t.Errorf("unknown:\n%s\nwant:\n%s", got, want)
			}
			if got, want := marks(r.NotApplicable), strings.Join(c.na, "\n"); got != want {
				t.Errorf("not applicable:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestFindingDetails(t *testing.T) {
	r := run(t, tree(t, map[string]string{"web/wp-config.php": "<?php\ndefine( 'DB_PASSWORD', 'hunter2' ); define( 'WP_DEBUG',\n  true );\n"}, fileset.Options{}))
	byRule := map[string]int{}
	for i, f := range r.Findings {
		byRule[f.Rule] = i
		if f.Severity != "" {
			t.Errorf("%s: severity %q set; the control's should apply", f.Rule, f.Severity)
		}
		if f.Message == "" || f.Fix == "" || f.Key == "" || f.Location.Path != "web/wp-config.php" {
			t.Errorf("incomplete finding %+v", f)
		}
		if strings.Contains(f.Evidence.Text, "hunter2") || strings.Contains(f.Message, "hunter2") {
			t.Errorf("%s leaks a neighbouring secret: %+v", f.Rule, f)
		}
	}
	mods := r.Findings[byRule[RuleFileMods]]
	if mods.Key != "DISALLOW_FILE_MODS" || mods.Location.Line != 0 || !mods.Evidence.IsZero() ||
		!strings.Contains(mods.Message, "DISALLOW_FILE_MODS is not defined in web/wp-config.php") {
		t.Errorf("file-mods finding: %+v", mods)
	}
	dbg := r.Findings[byRule[RuleDebugInProd]]
	if dbg.Control != "SC-2" || dbg.Key != "WP_DEBUG" || dbg.Location.Line != 2 ||
		dbg.Evidence.Text != "define( 'WP_DEBUG', true );" ||
		!strings.Contains(dbg.Message, "WP_ENVIRONMENT_TYPE is not defined") {
		t.Errorf("debug finding: %+v", dbg)
	}
}

func TestSkippedConfigIsUnknown(t *testing.T) {
	big := "<?php\n" + strings.Repeat("// padding\n", 20)
	r := run(t, tree(t, map[string]string{"wp-config.php": big, "README": "x"}, fileset.Options{MaxFileSize: 64}))
	if len(r.Findings) != 0 || len(r.NotApplicable) != 0 {
		t.Fatalf("result %+v", r)
	}
	for _, c := range []string{"SC-8", "CR-1", "SC-2"} {
		if !strings.HasPrefix(r.Unknown[c], "wp-config.php: larger than") {
			t.Errorf("%s unknown = %q", c, r.Unknown[c])
		}
	}
}

func TestUnreadableConfigIsUnknown(t *testing.T) {
	tg := tree(t, map[string]string{"wp-config-production.php": hardened}, fileset.Options{})
	if err := os.Remove(filepath.Join(tg.Root, "wp-config-production.php")); err != nil {
		t.Fatal(err)
	}
	r := run(t, tg)
	if len(r.Findings) != 0 || len(r.NotApplicable) != 0 {
		t.Fatalf("result %+v", r)
	}
	for _, c := range []string{"SC-8", "CR-1", "SC-2"} {
		if r.Unknown[c] != "wp-config-production.php: cannot be read: no such file or directory" {
			t.Errorf("%s unknown = %q", c, r.Unknown[c])
		}
	}
}

func TestCancelled(t *testing.T) {
	tg := tree(t, map[string]string{"wp-config.php": hardened}, fileset.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New().Run(ctx, tg); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestMessages(t *testing.T) {
	r := run(t, tree(t, map[string]string{"wp-config.php": "<?php\ndefine('DISALLOW_FILE_MODS', 0);\ndefine('WP_DEBUG', true);\n"}, fileset.Options{}))
	for _, f := range r.Findings {
		t.Logf("%s %s:%d\n  message: %s\n  evidence: %s\n  fix: %s", f.Rule, f.Location.Path, f.Location.Line, f.Message, f.Evidence.Text, f.Fix)
		if strings.Count(f.Message, ". ") > 0 || !strings.HasSuffix(f.Message, ".") || !strings.HasSuffix(f.Fix, ".") {
			t.Errorf("%s: message and fix should be one sentence each: %q / %q", f.Rule, f.Message, f.Fix)
		}
	}
}

func TestProbeMetadata(t *testing.T) {
	p := New()
	if p.Name() != "wordpress/wp-config" || strings.Join(p.Controls(), ",") != "SC-8,CR-1,SC-2" ||
		len(p.Kinds()) != 1 || p.Kinds()[0] != policy.KindRepo {
		t.Fatalf("metadata %s %v %v", p.Name(), p.Controls(), p.Kinds())
	}
	d, ok := p.(probe.Describer)
	if !ok || d.Description() == "" || strings.Contains(d.Description(), "\n") {
		t.Fatal("probe needs a one-line description")
	}
}
