package webserver

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/probe"
)

// inventoryFS lets the parsers follow includes through the repository's inventory only:
// files out of scope or over the size limit are never read, and nothing outside the
// root can be named.
type inventoryFS struct {
	set     *fileset.Set
	paths   []string
	skipped map[string]string
}

func newInventoryFS(set *fileset.Set) *inventoryFS {
	f := &inventoryFS{set: set, skipped: map[string]string{}}
	for _, file := range set.Files() {
		f.paths = append(f.paths, file.Path)
	}
	for _, s := range set.Skipped() {
		if _, ok := set.Lookup(s.Path); !ok {
			f.skipped[s.Path] = s.Reason
			f.paths = append(f.paths, s.Path)
		}
	}
	sort.Strings(f.paths)
	return f
}

func (f *inventoryFS) ReadFile(name string) ([]byte, error) {
	file, ok := f.set.Lookup(name)
	if !ok {
		if reason, skipped := f.skipped[name]; skipped {
			return nil, errors.New("not examined: " + reason)
		}
		if !f.set.InScope(name) {
			return nil, errors.New("out of the scan's scope")
		}
		return nil, fs.ErrNotExist
	}
	data, err := f.set.Read(file)
	var re *fileset.ReadError
	if errors.As(err, &re) {
		return nil, errors.New(re.Reason)
	}
	return data, err
}

func (f *inventoryFS) Glob(pattern string) ([]string, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range f.paths {
		if ok, _ := path.Match(pattern, p); ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// where is a finding's place.
type where struct {
	file string
	line int
}

// reporter collects findings and unknowns, once each: a snippet included in two server
// blocks, or by two top-level files, is one place in the repository.
type reporter struct {
	r       *probe.Result
	seen    map[string]bool
	unknown map[string]map[string]bool
	reasons map[string][]string // per control, in the order met
}

func newReporter(r *probe.Result) *reporter {
	return &reporter{r: r, seen: map[string]bool{}, unknown: map[string]map[string]bool{}, reasons: map[string][]string{}}
}

func (rp *reporter) add(control, rule string, at where, key, evidence, message, fix string) {
	id := rule + "\x00" + at.file + "\x00" + strconv.Itoa(at.line) + "\x00" + key
	if rp.seen[id] {
		return
	}
	rp.seen[id] = true
	f := finding.Finding{
		Control: control, Rule: rule, Key: key,
		Location: finding.Location{Path: at.file, Line: at.line},
		Message:  message, Fix: fix,
	}
	if evidence != "" {
		f.Evidence = finding.Plain(finding.RedactURLsIn(evidence))
	}
	rp.r.Add(f)
}

func (rp *reporter) markUnknown(control, reason string) {
	if rp.unknown[control] == nil {
		rp.unknown[control] = map[string]bool{}
	}
	if rp.unknown[control][reason] {
		return
	}
	rp.unknown[control][reason] = true
	rp.reasons[control] = append(rp.reasons[control], reason)
}

// maxReasons bounds what one control's unknown reason lists: a report needs the first
// places to look at, not thousands of lines.
const maxReasons = 10

// flush hands the unknowns to the result.
func (rp *reporter) flush() {
	for _, c := range controls {
		reasons := rp.reasons[c]
		if len(reasons) > maxReasons {
			rest := len(reasons) - maxReasons
			reasons = append(reasons[:maxReasons:maxReasons], fmt.Sprintf("and %d more %s", rest, plural(rest, "place", "places")))
		}
		for _, reason := range reasons {
			rp.r.MarkUnknown(c, reason)
		}
	}
}

// adminNames are first path segments of privileged pages: CMS back offices, server and
// application status pages, database consoles, debug and metrics endpoints.
var adminNames = map[string]string{
	"admin": "/admin", "wp-admin": "/wp-admin", "server-status": "/server-status", "server-info": "/server-info",
	"nginx_status": "/nginx_status", "phpmyadmin": "/phpmyadmin", "_debug": "/_debug", "metrics": "/metrics",
	"actuator": "/actuator", "balancer-manager": "/balancer-manager", "administrator": "/administrator",
}

// publicUnderAdmin are pages under an admin path that are public by design:
// WordPress's front end calls admin-ajax.php anonymously.
var publicUnderAdmin = []string{"/wp-admin/admin-ajax.php"}

// adminPrefix returns the admin path a prefix or exact location pattern covers.
func adminPrefix(p string) (string, bool) {
	for _, pub := range publicUnderAdmin {
		if strings.EqualFold(p, pub) {
			return "", false
		}
	}
	seg := strings.TrimPrefix(p, "/")
	if i := strings.IndexByte(seg, '/'); i >= 0 {
		seg = seg[:i]
	}
	name, ok := adminNames[strings.ToLower(seg)]
	return name, ok && strings.HasPrefix(p, "/")
}

// adminPathSegment finds an admin name among the segments of a file-system path, for
// Apache <Directory> sections.
func adminPathSegment(p string) (string, bool) {
	for _, seg := range strings.Split(strings.Trim(p, "/\"'"), "/") {
		if name, ok := adminNames[strings.ToLower(seg)]; ok {
			return name, true
		}
	}
	return "", false
}

var (
	adminSamples   = []string{"/admin", "/admin/", "/wp-admin/", "/wp-admin/index.php", "/server-status", "/server-info", "/nginx_status", "/phpmyadmin/", "/phpMyAdmin/", "/_debug/", "/metrics", "/actuator/", "/actuator/env", "/balancer-manager", "/administrator/"}
	ordinarySample = []string{"/", "/index.html", "/index.php", "/about/", "/static/app.js", "/blog/2024/post", "/images/logo.png"}
)

// adminRegex returns the admin path a regular-expression location matches, if it matches
// one and no ordinary page: "~ \.php$" also serves /wp-admin/index.php, but it is not a
// location for admin pages. Patterns Go cannot compile (PCRE-only syntax) are skipped.
func adminRegex(re string, caseless bool) (string, bool) {
	if caseless {
		re = "(?i)" + re
	}
	rx, err := regexp.Compile(re)
	if err != nil {
		return "", false
	}
	for _, s := range ordinarySample {
		if rx.MatchString(s) {
			return "", false
		}
	}
	for _, s := range adminSamples {
		if rx.MatchString(s) {
			name, _ := adminPrefix(s)
			return name, true
		}
	}
	return "", false
}

// headerSet is the response headers a scope adds, lower-cased name to value.
type headerSet map[string]string

// missingSecurityHeaders lists the OWASP headers a set lacks, in a fixed order.
func missingSecurityHeaders(h headerSet) []string {
	var out []string
	csp, hasCSP := h["content-security-policy"]
	if !hasCSP {
		out = append(out, "Content-Security-Policy")
	}
	if !strings.EqualFold(strings.TrimSpace(h["x-content-type-options"]), "nosniff") {
		out = append(out, "X-Content-Type-Options: nosniff")
	}
	if _, xfo := h["x-frame-options"]; !xfo && !strings.Contains(strings.ToLower(csp), "frame-ancestors") {
		out = append(out, "frame protection (X-Frame-Options or CSP frame-ancestors)")
	}
	if _, ok := h["referrer-policy"]; !ok {
		out = append(out, "Referrer-Policy")
	}
	return out
}

// minHSTS is 180 days, the shortest max-age that current guidance (and the HSTS
// preload list's floor of one year, by a margin) treats as meaningful.
const minHSTS = 15552000

var maxAgeRE = regexp.MustCompile(`(?i)max-age\s*=\s*"?(\d+)`)

// hstsProblem describes what is wrong with a Strict-Transport-Security value, or "".
func hstsProblem(value string, present bool) string {
	if !present {
		return "missing"
	}
	m := maxAgeRE.FindStringSubmatch(value)
	if m == nil {
		return "has no max-age, so browsers ignore it"
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err == nil && n >= minHSTS {
		return ""
	}
	return fmt.Sprintf("has max-age=%s, shorter than %d seconds (180 days)", m[1], minHSTS)
}

// legacyProtocols are the protocol names older than TLS 1.2, as nginx and mod_ssl spell
// them.
var legacyProtocols = []string{"SSLv2", "SSLv3", "TLSv1", "TLSv1.1"}

func isLegacyProtocol(p string) bool {
	for _, l := range legacyProtocols {
		if strings.EqualFold(p, l) {
			return true
		}
	}
	return false
}

// isLoopback reports whether a listen address only accepts connections from the host
// itself, where TLS would protect nothing that leaves the machine.
func isLoopback(addr string) bool {
	a := strings.ToLower(addr)
	switch {
	case strings.HasPrefix(a, "unix:"):
		return true
	case strings.HasPrefix(a, "127."), strings.HasPrefix(a, "[::1]"), strings.HasPrefix(a, "localhost"):
		return true
	}
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
