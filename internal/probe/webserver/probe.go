// Package webserver checks nginx and Apache httpd configurations kept in a repository:
// authentication on admin paths (ZT-1), IP allow-lists used as the only gate (ZT-2),
// plain HTTP, legacy TLS, unverified upstream TLS and HSTS (CR-1), and directory
// listings, version banners and security headers (ST-1). Configurations are parsed by
// internal/confparse/nginx and internal/confparse/apache, with includes followed inside
// the repository; docs/webserver.md describes each rule and its limits.
package webserver

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/apache"
	"github.com/posture-dev/posture/internal/confparse/nginx"
	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// Rules this probe reports.
const (
	RuleAdminNoAuth      = "webserver/admin-without-auth"
	RuleIPOnly           = "webserver/ip-only-access"
	RulePlainHTTP        = "webserver/plain-http"
	RuleLegacyTLS        = "webserver/legacy-tls-protocol"
	RuleUpstreamTLS      = "webserver/upstream-tls-unverified"
	RuleHSTS             = "webserver/hsts"
	RuleDirectoryListing = "webserver/directory-listing"
	RuleVersionBanner    = "webserver/version-banner"
	RuleSecurityHeaders  = "webserver/security-headers"
)

const (
	ctlAdmin   = "ZT-1"
	ctlIPOnly  = "ZT-2"
	ctlTLS     = "CR-1"
	ctlHeaders = "ST-1"
)

var controls = []string{ctlAdmin, ctlIPOnly, ctlTLS, ctlHeaders}

// New returns the web-server configuration probe.
func New() probe.Probe { return webConfig{} }

type webConfig struct{}

func (webConfig) Name() string               { return "webserver/config" }
func (webConfig) Controls() []string         { return append([]string(nil), controls...) }
func (webConfig) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (webConfig) Description() string {
	return "nginx and Apache configurations (includes followed) require authentication on admin paths, do not gate on IP alone, redirect plain HTTP, use TLS 1.2+ with verified upstreams and HSTS, and send security headers without listings or version banners"
}

// config is one file this probe reads, with what it is.
type config struct {
	file fileset.File
	kind kind
	main bool // nginx.conf, httpd.conf, apache2.conf: read first, as roots of includes
}

func (webConfig) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	rp := newReporter(r)
	defer rp.flush()
	configs, err := find(ctx, t.Files, rp)
	if err != nil {
		return nil, err
	}
	if len(configs) == 0 {
		if len(rp.unknown) == 0 {
			for _, c := range controls {
				r.MarkNotApplicable(c, "no nginx or Apache configuration found")
			}
		}
		return r, nil
	}
	fsys := newInventoryFS(t.Files)
	// Every candidate is loaded first, so that a file another one includes (a snippet, a
	// site file under a main configuration) is judged only in the context it is included
	// in, whatever the order of their paths.
	trees := make([]*tree, len(configs))
	includedBy := map[string]bool{}
	for i, c := range configs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tr := &tree{c: c}
		trees[i] = tr
		var files []string
		switch c.kind {
		case kindNginx:
			tr.ngx, tr.err = nginx.Load(fsys, c.file.Path)
			if tr.ngx != nil {
				files = tr.ngx.Files
			}
		case kindApache:
			tr.ap, tr.err = apache.Load(fsys, c.file.Path)
			if tr.ap != nil {
				files = tr.ap.Files
			}
		}
		for _, f := range files {
			if f != c.file.Path {
				includedBy[f] = true
			}
		}
	}
	covered := map[string]bool{}
	// Roots first; then whatever only an include cycle reaches.
	for _, pass := range []bool{true, false} {
		for _, tr := range trees {
			if covered[tr.c.file.Path] || (pass && includedBy[tr.c.file.Path]) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			judge(rp, t.Files, tr, covered)
		}
	}
	return r, nil
}

// tree is one candidate with what Load made of it.
type tree struct {
	c   config
	ngx *nginx.Config
	ap  *apache.Config
	err error
}

func judge(rp *reporter, set *fileset.Set, tr *tree, covered map[string]bool) {
	c := tr.c
	covered[c.file.Path] = true
	if tr.err != nil {
		unknownAll(rp, fmt.Sprintf("%s: %v", fileset.Display(c.file.Path), tr.err))
		return
	}
	switch c.kind {
	case kindNginx:
		for _, f := range tr.ngx.Files {
			covered[f] = true
		}
		if !reportErrors(rp, tr.ngx.Errors, true) {
			checkNginx(rp, tr.ngx.Directives)
		}
	case kindApache:
		for _, f := range tr.ap.Files {
			covered[f] = true
		}
		if !reportErrors(rp, tr.ap.Errors, false) {
			checkApache(rp, c.file.Path, tr.ap.Directives, false, c.main)
		}
	case kindHtaccess:
		data, err := set.Read(c.file)
		if err != nil {
			unknownAll(rp, err.Error())
			return
		}
		ds, perr := apache.Parse(c.file.Path, data)
		if perr != nil {
			reportErrors(rp, []error{perr}, false)
			return
		}
		checkApache(rp, c.file.Path, ds, true, false)
	}
}

// find lists the configuration files, main ones first so that the files they include
// are read in their context and not again on their own.
func find(ctx context.Context, set *fileset.Set, rp *reporter) ([]config, error) {
	var out []config
	for _, f := range set.Files() {
		k, decided, worth := candidate(f.Path)
		if !worth {
			continue
		}
		if !decided {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			data, err := set.Read(f)
			if err != nil {
				continue // recorded as skipped by the inventory; judged below
			}
			k = classify(f.Path, data)
		}
		if k != kindNone {
			out = append(out, config{file: f, kind: k, main: decided && k != kindHtaccess})
		}
	}
	// A main configuration the scan could not read leaves its controls undecided.
	for _, s := range set.Skipped() {
		if _, inScope := set.Lookup(s.Path); inScope {
			continue
		}
		if k, decided, _ := candidate(s.Path); decided && k != kindNone {
			unknownAll(rp, s.Path+": "+s.Reason)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].main != out[j].main {
			return out[i].main
		}
		// A shallower main file (nginx/nginx.conf) is the root of deeper ones' includes
		// more often than the reverse.
		if di, dj := strings.Count(out[i].file.Path, "/"), strings.Count(out[j].file.Path, "/"); di != dj {
			return di < dj
		}
		return out[i].file.Path < out[j].file.Path
	})
	return out, nil
}

func unknownAll(rp *reporter, reason string) {
	for _, c := range controls {
		rp.markUnknown(c, reason)
	}
}

// reportErrors turns syntax errors and refused includes into unknowns. A syntax error
// anywhere in a tree stops its checks (nginx and httpd refuse to start on one, so what
// the server would run is not known); a refused include only leaves its own content
// out, and the checks that could depend on it say so.
func reportErrors(rp *reporter, errs []error, isNginx bool) (stop bool) {
	for _, err := range errs {
		msg := err.Error()
		refused := strings.Contains(msg, " not followed: ")
		if refused {
			unknownAll(rp, msg)
			continue
		}
		stop = true
		server := "Apache"
		if isNginx {
			server = "nginx"
		}
		unknownAll(rp, fmt.Sprintf("%s; the %s configuration was not checked", msg, server))
	}
	return stop
}
