package code

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
	"github.com/posture-dev/posture/internal/textscan"
)

// serviceControls are the controls the service-config probe reports under.
var serviceControls = []string{"CR-1", "ST-1", "ZT-3", "SC-2"}

// ServiceConfig checks the configuration of the services an application runs on: PHP
// (php.ini), Redis (redis.conf), MySQL/MariaDB (option files) and WordPress development
// configs. Each format is parsed by its own reader; nothing here is a pattern over text.
type ServiceConfig struct{}

// NewServiceConfig returns the service-config probe.
func NewServiceConfig() ServiceConfig { return ServiceConfig{} }

func (ServiceConfig) Name() string               { return "code/service-config" }
func (ServiceConfig) Controls() []string         { return append([]string(nil), serviceControls...) }
func (ServiceConfig) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (ServiceConfig) Description() string {
	return "php.ini (display_errors in production, expose_php, allow_url_include), redis.conf (authentication when reachable), MySQL/MariaDB option files (skip-grant-tables, TLS) and WordPress development configs (production database hosts)"
}

// configKind is the service a configuration file belongs to, by its name.
type configKind int

const (
	kindNone configKind = iota
	kindPHPIni
	kindRedis
	kindMySQL
	kindWordPress
)

func configKindOf(p string) configKind {
	base := strings.ToLower(path.Base(p))
	ext := path.Ext(base)
	switch {
	case ext == ".cnf" || base == "my.ini":
		return kindMySQL
	case base == "php.ini" || strings.HasPrefix(base, "php.ini-") || base == ".user.ini":
		return kindPHPIni
	case ext == ".ini" && (strings.HasPrefix(base, "php") || strings.Contains(strings.ToLower(dirOf(p)), "php")):
		return kindPHPIni
	case ext == ".conf" && strings.Contains(strings.ToLower(p), "redis") && !strings.Contains(base, "sentinel"):
		return kindRedis
	case base == "wp-config.php" || base == "local-config.php" || wpDevName(base):
		return kindWordPress
	}
	return kindNone
}

// services is one run of the probe over one target.
type services struct {
	t       *target.Target
	r       *probe.Result
	tree    *tree
	checked map[string]bool
	cache   map[string]*readResult
}

type readResult struct {
	data []byte
	err  error
}

func (ServiceConfig) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	s := &services{t: t, r: &probe.Result{}, tree: newTree(t.Files), checked: map[string]bool{}, cache: map[string]*readResult{}}
	byKind := map[configKind][]fileset.File{}
	for _, f := range t.Files.Files() {
		if textscan.IsTestPath(f.Path) || textscan.IsThirdParty(f.Path) {
			continue
		}
		if k := configKindOf(f.Path); k != kindNone {
			byKind[k] = append(byKind[k], f)
		}
	}
	for _, sk := range t.Files.Skipped() {
		if _, inScope := t.Files.Lookup(sk.Path); inScope || textscan.IsTestPath(sk.Path) {
			continue
		}
		k := configKindOf(sk.Path)
		if k == kindWordPress && !wpDevName(strings.ToLower(path.Base(sk.Path))) {
			continue // wp-config.php itself is the wordpress probe's to report
		}
		for _, c := range kindControls(k) {
			s.r.MarkUnknown(c, sk.Path+": "+sk.Reason)
		}
	}
	s.phpInis(byKind[kindPHPIni])
	s.redisConfs(byKind[kindRedis])
	s.mysqlConfs(byKind[kindMySQL])
	s.wordpressDev(byKind[kindWordPress])
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, c := range serviceControls {
		if !s.checked[c] && s.r.Unknown[c] == "" {
			s.r.MarkNotApplicable(c, naReasons[c])
		}
	}
	return s.r, nil
}

var naReasons = map[string]string{
	"CR-1": "no MySQL/MariaDB option file",
	"ST-1": "no php.ini",
	"ZT-3": "no redis.conf or MySQL/MariaDB option file",
	"SC-2": "no php.ini marked as production and no WordPress development config",
}

// kindControls lists the controls a kind of file can decide, for unreadable files.
func kindControls(k configKind) []string {
	switch k {
	case kindPHPIni:
		return []string{"ST-1", "SC-2"}
	case kindRedis:
		return []string{"ZT-3"}
	case kindMySQL:
		return []string{"ZT-3", "CR-1"}
	case kindWordPress:
		return []string{"SC-2"}
	}
	return nil
}

// read returns a file's content once per run (includes may name a file twice); a failure
// makes the given controls unknown.
func (s *services) read(p string, controls ...string) ([]byte, bool) {
	rr, ok := s.cache[p]
	if !ok {
		rr = &readResult{}
		if f, inScope := s.t.Files.Lookup(p); inScope {
			rr.data, rr.err = s.t.Files.Read(f)
		} else {
			rr.err = fmt.Errorf("%s: not in the scanned files", fileset.Display(p))
		}
		s.cache[p] = rr
	}
	if rr.err != nil {
		for _, c := range controls {
			s.r.MarkUnknown(c, rr.err.Error())
		}
		return nil, false
	}
	return rr.data, true
}

// add records a finding about a setting at a line of a file.
func (s *services) add(control, rule string, sev policy.Severity, p string, line int, evidence, message, fix string) {
	s.r.Add(finding.Finding{
		Control:  control,
		Rule:     "service-config/" + rule,
		Severity: sev,
		Location: finding.Location{Path: p, Line: line},
		Evidence: plainRedacted(evidence),
		Message:  message,
		Fix:      fix,
		Key:      rule,
	})
}

// plainRedacted is evidence with any credential in it redacted, marked as such.
func plainRedacted(text string) finding.Evidence {
	red := redactCredentials(text)
	e := finding.Plain(red)
	e.Redacted = red != text
	return e
}
