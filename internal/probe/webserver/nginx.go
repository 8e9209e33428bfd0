package webserver

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/nginx"
)

// scope is one level of nginx's configuration inheritance: the main file, http, server,
// location, if or limit_except.
type scope struct {
	d        *nginx.Directive // nil for the file's top level
	kind     string
	parent   *scope
	children []*scope
	own      []*nginx.Directive
	byName   map[string][]*nginx.Directive
	acl      []*nginx.Directive // allow and deny, in order
	server   *scope
	// synthetic marks a top level read as if inside http or server, for a file that is
	// not included by any nginx.conf in the repository.
	synthetic bool
}

// has returns the level's own directives named name. The index is built once per level:
// checks ask the enclosing levels again for every location, and an http block can hold
// thousands of servers.
func (s *scope) has(name string) []*nginx.Directive {
	s.index()
	return s.byName[name]
}

func (s *scope) index() {
	if s.byName != nil {
		return
	}
	s.byName = map[string][]*nginx.Directive{}
	for _, d := range s.own {
		s.byName[d.Name] = append(s.byName[d.Name], d)
		if d.Name == "allow" || d.Name == "deny" {
			s.acl = append(s.acl, d)
		}
	}
}

// nearest finds the closest level, from s outwards, that sets name: nginx's rule for
// every ordinary directive.
func (s *scope) nearest(name string) ([]*nginx.Directive, *scope) {
	for x := s; x != nil; x = x.parent {
		if ds := x.has(name); len(ds) > 0 {
			return ds, x
		}
	}
	return nil, nil
}

// harmlessIncludes are files that distributions ship and that set nothing these checks
// look at (MIME types, FastCGI parameters, the snakeoil certificate), so a repository
// that leaves them out loses nothing.
var harmlessIncludes = toSet("mime.types", "fastcgi_params", "fastcgi.conf", "scgi_params", "uwsgi_params", "proxy_params",
	"koi-utf", "koi-win", "win-utf", "fastcgi-php.conf", "snakeoil.conf")

// gap returns the first include, from s up to and including stop (or the top when stop
// is nil), whose content is missing from the tree and might change the verdict.
func (s *scope) gap(stop *scope) *nginx.Directive {
	for x := s; x != nil; x = x.parent {
		for _, d := range x.has("include") {
			if d.Include != nil && d.Include.Unresolved != "" && !harmlessIncludes[path.Base(firstArg(d))] {
				return d
			}
		}
		if x == stop {
			break
		}
	}
	return nil
}

func firstArg(d *nginx.Directive) string {
	if len(d.Args) == 0 {
		return ""
	}
	return d.Args[0]
}

func (s *scope) describe() string {
	switch s.kind {
	case "location":
		desc := "location " + strings.Join(s.d.Args, " ")
		if s.server != nil && !s.server.synthetic {
			desc += " in " + s.server.describe()
		}
		return desc
	case "server":
		if s.synthetic {
			return "the server this file is included in"
		}
		if names := s.has("server_name"); len(names) > 0 && len(names[0].Args) > 0 && names[0].Args[0] != "_" && names[0].Args[0] != "" {
			return "server " + names[0].Args[0]
		}
		return fmt.Sprintf("the server block at line %d", s.d.Pos.Line)
	case "if", "limit_except":
		desc := s.d.Text
		if s.parent != nil {
			desc += " in " + s.parent.describe()
		}
		return desc
	case "http":
		if s.synthetic {
			return "the http block this file is included in"
		}
		return "the http block"
	}
	return "the main context"
}

func at(d *nginx.Directive) where { return where{file: d.Pos.File, line: d.Pos.Line} }

// nginxCheck runs the checks on one configuration tree.
type nginxCheck struct {
	rp      *reporter
	servers []*scope
	scopes  []*scope // every http, server, location, if and limit_except level
	https   []*scope
}

// blockKinds are the contexts that take part in HTTP inheritance; everything else
// (events, stream, mail, upstream, map, types …) is not descended into.
var blockKinds = toSet("http", "server", "location", "if", "limit_except")

func checkNginx(rp *reporter, ds []*nginx.Directive) {
	c := &nginxCheck{rp: rp}
	top := &scope{kind: "main", own: ds}
	// A file no nginx.conf includes is read in the context its content implies.
	hasHTTP, hasServer, hasLocation := false, false, false
	for _, d := range ds {
		switch {
		case d.Name == "http" && d.IsBlock:
			hasHTTP = true
		case d.Name == "server" && d.IsBlock:
			hasServer = true
		case d.Name == "location" && d.IsBlock:
			hasLocation = true
		}
	}
	switch {
	case hasHTTP:
	case hasServer:
		top.kind, top.synthetic = "http", true
	case hasLocation:
		top.kind, top.synthetic = "server", true
		top.server = top
	default:
		top.kind, top.synthetic = "server", true
		top.server = top
	}
	c.walk(top)
	c.run()
}

func (c *nginxCheck) walk(s *scope) {
	if s.kind != "main" {
		c.scopes = append(c.scopes, s)
	}
	switch s.kind {
	case "server":
		if !s.synthetic {
			c.servers = append(c.servers, s)
		}
	case "http":
		c.https = append(c.https, s)
	}
	for _, d := range s.own {
		if !d.IsBlock || !blockKinds[d.Name] {
			continue
		}
		// http only opens at the top, server only inside http; anything else is a
		// misplaced block nginx itself would refuse.
		switch {
		case d.Name == "http" && s.kind != "main",
			d.Name == "server" && s.kind != "http",
			d.Name == "location" && s.kind != "server" && s.kind != "location",
			s.kind == "main" && d.Name != "http":
			continue
		}
		child := &scope{d: d, kind: d.Name, parent: s, own: d.Block, server: s.server}
		if d.Name == "server" {
			child.server = child
		}
		s.children = append(s.children, child)
		c.walk(child)
	}
}

func (c *nginxCheck) run() {
	for _, s := range c.scopes {
		c.directives(s)
		c.ipOnly(s)
		if s.kind == "location" {
			c.adminLocation(s)
		}
		c.upstreamTLS(s)
	}
	for _, s := range c.servers {
		c.plainHTTP(s)
		c.headers(s)
		c.bypass(s)
	}
	for _, h := range c.https {
		c.serverTokens(h)
	}
}

// directives reports settings that are wrong wherever they are written.
func (c *nginxCheck) directives(s *scope) {
	for _, d := range s.own {
		switch d.Name {
		case "autoindex":
			if strings.EqualFold(firstArg(d), "on") {
				c.rp.add(ctlHeaders, RuleDirectoryListing, at(d), "autoindex "+s.describe(), d.Text,
					fmt.Sprintf("autoindex is on in %s, so nginx lists the files of every directory without an index file.", s.describe()),
					"Remove autoindex on (the default is off) and publish an explicit index page where a listing is wanted.")
			}
		case "server_tokens":
			if v := strings.ToLower(firstArg(d)); v == "on" || v == "build" {
				c.rp.add(ctlHeaders, RuleVersionBanner, at(d), "server_tokens", d.Text,
					fmt.Sprintf("server_tokens is %s in %s, so nginx sends its version in the Server header and on error pages.", v, s.describe()),
					"Set server_tokens off; in the http block.")
			}
		case "ssl_protocols", "proxy_ssl_protocols", "grpc_ssl_protocols", "uwsgi_ssl_protocols":
			var old []string
			for _, a := range d.Args {
				if isLegacyProtocol(a) {
					old = append(old, a)
				}
			}
			if len(old) > 0 {
				c.rp.add(ctlTLS, RuleLegacyTLS, at(d), d.Name, d.Text,
					fmt.Sprintf("%s in %s enables %s, protocol %s older than TLS 1.2 with known weaknesses.", d.Name, s.describe(), joinAnd(old), plural(len(old), "version", "versions")),
					fmt.Sprintf("Set %s TLSv1.2 TLSv1.3;.", d.Name))
			}
		}
	}
}

// authNames are the directives that make nginx ask who the client is.
var authNames = []string{"auth_basic", "auth_request", "auth_jwt", "auth_digest", "auth_pam", "auth_ldap", "auth_gss", "auth_oidc"}

// auth returns the authentication in force at s, or nil. Each auth_* directive is
// inherited on its own and switched off by "off".
func (s *scope) auth() *nginx.Directive {
	for _, name := range authNames {
		if ds, _ := s.nearest(name); len(ds) > 0 && !strings.EqualFold(firstArg(ds[0]), "off") {
			return ds[0]
		}
	}
	return nil
}

// access returns the allow/deny list in force at s and the level it is written at;
// a level with any allow or deny replaces its parent's list.
func (s *scope) access() ([]*nginx.Directive, *scope) {
	for x := s; x != nil; x = x.parent {
		if x.index(); len(x.acl) > 0 {
			return x.acl, x
		}
	}
	return nil, nil
}

// allowList returns the first allow of a specific address, which makes an access list
// an IP allow-list (deny all alone closes a location, deny of one address blocks it).
func allowList(list []*nginx.Directive) *nginx.Directive {
	for _, d := range list {
		if d.Name == "allow" && !strings.EqualFold(firstArg(d), "all") {
			return d
		}
	}
	return nil
}

func deniesAll(list []*nginx.Directive) bool {
	for _, d := range list {
		if d.Name == "allow" {
			return false
		}
		if d.Name == "deny" && strings.EqualFold(firstArg(d), "all") {
			return true
		}
	}
	return false
}

func (s *scope) satisfyAny() *nginx.Directive {
	if ds, _ := s.nearest("satisfy"); len(ds) > 0 && strings.EqualFold(firstArg(ds[0]), "any") {
		return ds[0]
	}
	return nil
}

// ipOnly reports an allow-list written at s that lets clients in on their address
// alone, at s or in a level below that inherits it.
func (c *nginxCheck) ipOnly(s *scope) {
	s.index()
	list := s.acl
	allow := allowList(list)
	if allow == nil {
		return
	}
	where := s
	var why string
	check := func(x *scope) bool {
		switch {
		case x.auth() == nil:
			if g := x.gap(nil); g != nil {
				c.rp.markUnknown(ctlIPOnly, fmt.Sprintf("%s: cannot tell whether %s (%s) also asks for credentials: %s", at(allow).String(), x.describe(), allow.Text, gapReason(g)))
				return false
			}
			why = "no auth_basic, auth_request or auth_jwt applies there"
		case x.satisfyAny() != nil:
			why = fmt.Sprintf("satisfy any (line %d) lets a client from an allowed address in without credentials", x.satisfyAny().Pos.Line)
		default:
			return false
		}
		where = x
		return true
	}
	found := check(s)
	if !found {
		// A level below that inherits this list but switches authentication off.
		var walk func(x *scope) bool
		walk = func(x *scope) bool {
			for _, y := range x.children {
				if l, _ := y.access(); len(l) > 0 && l[0] != list[0] {
					continue
				}
				if check(y) || walk(y) {
					return true
				}
			}
			return false
		}
		found = walk(s)
	}
	if !found {
		return
	}
	scopeText := s.describe()
	if where != s {
		scopeText = fmt.Sprintf("%s, inherited by %s,", s.describe(), where.describe())
	}
	c.rp.add(ctlIPOnly, RuleIPOnly, at(allow), "allow "+s.describe(), allow.Text,
		fmt.Sprintf("%s in %s restricts access by IP address alone: %s.", strings.TrimSuffix(allow.Text, ";"), scopeText, why),
		"Require authentication as well (auth_basic, auth_request or auth_jwt with satisfy all, the default) and keep the allow-list only as an extra layer.")
}

func (w where) String() string { return fmt.Sprintf("%s:%d", w.file, w.line) }

func gapReason(d *nginx.Directive) string {
	return fmt.Sprintf("include %s at %s could not be followed (%s)", firstArg(d), at(d), d.Include.Unresolved)
}

// refuses reports whether a level answers every request itself without content: a
// return of an error or a redirect, deny all, or internal.
func (s *scope) refuses() bool { return s.closed(300) }

// closed reports a level that is internal, denies everyone, or returns a status of at
// least min.
func (s *scope) closed(min int) bool {
	if len(s.has("internal")) > 0 {
		return true
	}
	if list, _ := s.access(); deniesAll(list) {
		return true
	}
	for _, r := range s.has("return") {
		if code, _ := returnCode(r); code >= min {
			return true
		}
	}
	return false
}

// returnCode reads a return directive: its status and the URL of a redirect.
func returnCode(d *nginx.Directive) (code int, url string) {
	if len(d.Args) == 0 {
		return -1, ""
	}
	if _, err := fmt.Sscanf(d.Args[0], "%d", &code); err != nil {
		return 302, d.Args[0] // return URL; is a temporary redirect
	}
	if len(d.Args) > 1 {
		url = d.Args[1]
	}
	return code, url
}

func isRedirect(code int) bool {
	return code == 301 || code == 302 || code == 303 || code == 307 || code == 308
}

func (c *nginxCheck) adminLocation(s *scope) {
	args := s.d.Args
	if len(args) == 0 {
		return
	}
	var name string
	var ok bool
	switch {
	case len(args) >= 2 && (args[0] == "~" || args[0] == "~*"):
		name, ok = adminRegex(args[1], args[0] == "~*")
	case len(args) >= 2 && (args[0] == "=" || args[0] == "^~"):
		name, ok = adminPrefix(args[1])
	case len(args) == 1 && !strings.HasPrefix(args[0], "@"):
		name, ok = adminPrefix(args[0])
	}
	if len(s.has("stub_status")) > 0 {
		name, ok = "the nginx status page", true
	}
	if !ok || s.refuses() || s.auth() != nil {
		return
	}
	if g := s.gap(nil); g != nil {
		c.rp.markUnknown(ctlAdmin, fmt.Sprintf("%s: cannot tell whether %s asks for credentials: %s", at(s.d), s.describe(), gapReason(g)))
		return
	}
	extra := ""
	if list, _ := s.access(); allowList(list) != nil {
		extra = fmt.Sprintf(", only an IP allow-list (%s) stands in front of it", strings.TrimSuffix(allowList(list).Text, ";"))
	}
	c.rp.add(ctlAdmin, RuleAdminNoAuth, at(s.d), s.describe(), s.d.Text,
		fmt.Sprintf("%s serves %s without authentication: no auth_basic, auth_request or auth_jwt applies to it or to an enclosing block%s.", s.describe(), name, extra),
		"Add auth_basic with auth_basic_user_file, auth_request to an identity-aware proxy, or auth_jwt to this location or its server block.")
}

var passDirectives = []string{"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass"}

func (s *scope) proxies() bool {
	for _, n := range passDirectives {
		if len(s.has(n)) > 0 {
			return true
		}
	}
	return false
}

var phpSamples = []string{"index.php", "admin.php", "x.php"}

// bypass reports an authenticated admin prefix location whose PHP pages are served by a
// regular-expression location instead: nginx checks regular expressions after prefix
// locations and lets them win unless the prefix has ^~, so
// "location /wp-admin/ { auth_basic …; }" next to "location ~ \.php$ { fastcgi_pass …; }"
// serves /wp-admin/index.php without the password.
func (c *nginxCheck) bypass(server *scope) {
	var prefixes, regexes []*scope
	for _, s := range server.children {
		if s.kind != "location" {
			continue
		}
		switch a := s.d.Args; {
		case len(a) == 1 && !strings.HasPrefix(a[0], "@"):
			prefixes = append(prefixes, s)
		case len(a) >= 2 && (a[0] == "~" || a[0] == "~*"):
			regexes = append(regexes, s)
		}
	}
	for _, p := range prefixes {
		name, ok := adminPrefix(p.d.Args[0])
		// A location that hands its requests to an application has no PHP files under
		// the document root for a regular expression to serve.
		if !ok || p.auth() == nil || p.refuses() || p.proxies() {
			continue
		}
		for _, r := range regexes {
			if r.auth() != nil || r.refuses() {
				continue
			}
			re := r.d.Args[1]
			if r.d.Args[0] == "~*" {
				re = "(?i)" + re
			}
			rx, err := regexp.Compile(re)
			if err != nil {
				continue
			}
			base := strings.TrimSuffix(p.d.Args[0], "/") + "/"
			for _, sample := range phpSamples {
				if rx.MatchString(base + sample) {
					c.rp.add(ctlAdmin, RuleAdminNoAuth, at(p.d), p.describe()+" bypass", p.d.Text,
						fmt.Sprintf("%s asks for credentials, but %s (line %d) takes requests such as %s first and has no authentication, so %s pages are served without it.", p.describe(), "location "+strings.Join(r.d.Args, " "), r.d.Pos.Line, base+sample, name),
						fmt.Sprintf("Write the admin location as location ^~ %s so that regular-expression locations do not override it, and nest the PHP handling inside it.", base))
					break
				}
			}
		}
	}
}

// upstreamTLS reports proxying to HTTPS upstreams without checking their certificates.
// nginx's proxy_ssl_verify defaults to off, so an https:// proxy_pass encrypts but
// accepts any certificate unless verification is switched on: posture reports the
// default as well as an explicit off.
func (c *nginxCheck) upstreamTLS(s *scope) {
	for _, d := range s.own {
		var verify string
		switch {
		case d.Name == "proxy_pass" && strings.HasPrefix(strings.ToLower(firstArg(d)), "https://"):
			verify = "proxy_ssl_verify"
		case d.Name == "grpc_pass" && strings.HasPrefix(strings.ToLower(firstArg(d)), "grpcs://"):
			verify = "grpc_ssl_verify"
		case d.Name == "uwsgi_pass" && strings.HasPrefix(strings.ToLower(firstArg(d)), "suwsgi://"):
			verify = "uwsgi_ssl_verify"
		default:
			continue
		}
		ds, _ := s.nearest(verify)
		switch {
		case len(ds) > 0 && strings.EqualFold(firstArg(ds[0]), "on"):
		case len(ds) > 0:
			c.rp.add(ctlTLS, RuleUpstreamTLS, at(ds[0]), verify, ds[0].Text,
				fmt.Sprintf("%s is off for %s, so nginx accepts any certificate from the upstream %s and a machine in the path can read and change the traffic.", verify, s.describe(), firstArg(d)),
				fmt.Sprintf("Set %s on with %s_trusted_certificate naming the CA that signs the upstream's certificate.", verify, strings.TrimSuffix(verify, "_verify")))
		default:
			if g := s.gap(nil); g != nil {
				c.rp.markUnknown(ctlTLS, fmt.Sprintf("%s: cannot tell whether %s is on for %s: %s", at(d), verify, s.describe(), gapReason(g)))
				continue
			}
			c.rp.add(ctlTLS, RuleUpstreamTLS, at(d), verify+" "+firstArg(d), d.Text,
				fmt.Sprintf("%s in %s sends traffic to %s without checking its certificate: %s is not set and nginx's default is off.", d.Name, s.describe(), firstArg(d), verify),
				fmt.Sprintf("Set %s on with %s_trusted_certificate naming the CA that signs the upstream's certificate.", verify, strings.TrimSuffix(verify, "_verify")))
		}
	}
}

// listens sorts a server's listen directives into TLS and plain ones. A server without
// listen listens on port 80.
func (s *scope) listens() (tls, plain []*nginx.Directive) {
	sslOn := false
	if ds, _ := s.nearest("ssl"); len(ds) > 0 && strings.EqualFold(firstArg(ds[0]), "on") {
		sslOn = true
	}
	for _, d := range s.has("listen") {
		isTLS := sslOn
		for _, a := range d.Args[min(1, len(d.Args)):] {
			if a == "ssl" || a == "quic" {
				isTLS = true
			}
		}
		switch {
		case isTLS:
			tls = append(tls, d)
		case !isLoopback(firstArg(d)):
			plain = append(plain, d)
		}
	}
	return tls, plain
}

var catchAll = toSet("^", "^(.*)$", "^/(.*)$", "^/(.*)", "^(.*)", ".*", "^.*$", "(.*)", "^/", "/")

// redirects reports whether a server answers every plain-HTTP request with a redirect
// to HTTPS or a refusal, at the server level or in every location but the ACME
// challenge one.
func (s *scope) redirects() bool {
	for _, d := range s.own {
		switch d.Name {
		case "return":
			code, url := returnCode(d)
			if (isRedirect(code) && strings.HasPrefix(strings.ToLower(url), "https://")) || code >= 400 {
				return true
			}
		case "rewrite":
			if len(d.Args) >= 2 && catchAll[d.Args[0]] && strings.HasPrefix(strings.ToLower(d.Args[1]), "https://") {
				return true
			}
		case "if":
			cond := strings.Join(d.Args, " ")
			if d.IsBlock && (strings.Contains(cond, "$scheme") || strings.Contains(cond, "$https") || strings.Contains(cond, "x_forwarded_proto")) {
				for _, r := range d.Block {
					if r.Name != "return" {
						continue
					}
					if code, url := returnCode(r); isRedirect(code) && strings.HasPrefix(strings.ToLower(url), "https://") {
						return true
					}
				}
			}
		}
	}
	locations := 0
	for _, d := range s.own {
		if d.Name != "location" || !d.IsBlock {
			continue
		}
		if strings.Contains(strings.Join(d.Args, " "), "/.well-known/acme-challenge") {
			continue
		}
		locations++
		sub := &scope{d: d, kind: "location", parent: s, own: d.Block, server: s}
		// A redirect to another plain-HTTP address is not a way out of plain HTTP.
		if !sub.closed(400) && !sub.redirects() {
			return false
		}
	}
	return locations > 0
}

// noContent reports a server that answers everything with a redirect (to anywhere) or
// a refusal, so no page of its own reaches a browser.
func (s *scope) noContent() bool {
	if s.redirects() || s.refuses() {
		return true
	}
	locations := 0
	for _, d := range s.own {
		if d.Name != "location" || !d.IsBlock || strings.Contains(strings.Join(d.Args, " "), "/.well-known/acme-challenge") {
			continue
		}
		locations++
		if sub := (&scope{d: d, kind: "location", parent: s, own: d.Block, server: s}); !sub.refuses() {
			return false
		}
	}
	return locations > 0
}

func (c *nginxCheck) plainHTTP(s *scope) {
	tls, plain := s.listens()
	var first *nginx.Directive
	port := "80 (the default, as no listen is set)"
	switch {
	case len(plain) > 0:
		first = plain[0]
		port = firstArg(first)
	case len(s.has("listen")) > 0:
		return
	}
	if s.redirects() {
		return
	}
	if g := s.gap(s); g != nil {
		c.rp.markUnknown(ctlTLS, fmt.Sprintf("%s: cannot tell whether %s only redirects plain HTTP: %s", at(s.d), s.describe(), gapReason(g)))
		return
	}
	also := ""
	if len(tls) > 0 {
		also = ", although the same block also listens with TLS"
	}
	loc := s.d
	if first != nil {
		loc = first
	}
	c.rp.add(ctlTLS, RulePlainHTTP, at(loc), "plain "+s.describe(), loc.Text,
		fmt.Sprintf("%s listens for plain HTTP on %s and serves content there instead of redirecting to HTTPS%s.", s.describe(), port, also),
		"Serve the site only in a TLS server block and answer plain HTTP with return 301 https://$host$request_uri; (keeping only the ACME challenge location if one is needed).")
}

// addHeaders returns the headers in force at s under nginx's add_header inheritance: a
// level that has any add_header of its own inherits none from the levels above (unless
// add_header_inherit merge, nginx 1.29.3, says otherwise). def is the level whose
// add_header directives are in force, or nil when no level has any.
func (s *scope) addHeaders() (h headerSet, def *scope) {
	h = headerSet{}
	for x := s; x != nil; x = x.parent {
		own := false
		for _, d := range append(x.has("add_header"), x.has("more_set_headers")...) {
			if len(d.Args) >= 1 {
				own = true
				name, value := headerArgs(d)
				if _, seen := h[name]; !seen {
					h[name] = value
				}
			}
		}
		if own {
			if def == nil {
				def = x
			}
			if m, _ := x.nearest("add_header_inherit"); len(m) == 0 || !strings.EqualFold(firstArg(m[0]), "merge") {
				return h, def
			}
		}
	}
	return h, def
}

func headerArgs(d *nginx.Directive) (name, value string) {
	if d.Name == "more_set_headers" {
		for _, a := range d.Args {
			if strings.HasPrefix(a, "-") {
				continue
			}
			n, v, _ := strings.Cut(a, ":")
			return strings.ToLower(strings.TrimSpace(n)), strings.TrimSpace(v)
		}
		return "", ""
	}
	name = strings.ToLower(d.Args[0])
	if len(d.Args) > 1 {
		value = d.Args[1]
	}
	return name, value
}

// contentScopes are the server itself and its locations that answer with content
// (not a refusal, a redirect or an internal-only location), each with the level whose
// add_header set is in force there.
func (c *nginxCheck) contentScopes(server *scope) []*scope {
	var out []*scope
	if !server.noContent() {
		out = append(out, server)
	}
	var visit func(*scope)
	visit = func(x *scope) {
		for _, s := range x.children {
			visit(s)
			if s.kind != "location" || s.refuses() || s.redirects() || strings.Contains(strings.Join(s.d.Args, " "), "/.well-known/acme-challenge") {
				continue
			}
			out = append(out, s)
		}
	}
	visit(server)
	return out
}

func (c *nginxCheck) headers(server *scope) {
	tls, plain := server.listens()
	if len(tls) == 0 && len(plain) == 0 && len(server.has("listen")) > 0 {
		return // reachable from the host itself only
	}
	type group struct {
		def    *scope
		scopes []*scope
		h      headerSet
	}
	var groups []*group
	byDef := map[*scope]*group{}
	for _, s := range c.contentScopes(server) {
		h, def := s.addHeaders()
		g := byDef[def]
		if g == nil {
			g = &group{def: def, h: h}
			byDef[def] = g
			groups = append(groups, g)
		}
		g.scopes = append(g.scopes, s)
	}
	for _, g := range groups {
		missing := missingSecurityHeaders(g.h)
		hsts := ""
		var hstsAt *nginx.Directive
		if len(tls) > 0 {
			v, ok := g.h["strict-transport-security"]
			hsts = hstsProblem(v, ok)
			if g.def != nil {
				for _, d := range g.def.own {
					if d.Name != "add_header" && d.Name != "more_set_headers" || len(d.Args) == 0 {
						continue
					}
					if n, _ := headerArgs(d); n == "strict-transport-security" {
						hstsAt = d
					}
				}
			}
		}
		if len(missing) == 0 && hsts == "" {
			continue
		}
		// Every level between a content scope and the one whose headers apply could hold
		// an include with more add_header lines: those scopes are undecided, the others
		// still judged.
		clean := 0
		for _, s := range g.scopes {
			gp := s.gap(g.def)
			if gp == nil {
				clean++
				continue
			}
			where := s.d
			if where == nil {
				where = server.d
			}
			reason := fmt.Sprintf("%s: cannot tell which headers %s sends: %s", at(where), s.describe(), gapReason(gp))
			if len(missing) > 0 {
				c.rp.markUnknown(ctlHeaders, reason)
			}
			if hsts != "" {
				c.rp.markUnknown(ctlTLS, reason)
			}
		}
		if clean == 0 {
			continue
		}
		loc, subject := server.d, server.describe()
		// Headers a location lost by having add_header lines of its own.
		var lost []string
		lostHSTS, parentDesc := false, ""
		if g.def != nil && g.def.kind == "location" {
			loc, subject = g.def.d, g.def.describe()
			if ph, pdef := g.def.parent.addHeaders(); pdef != nil {
				parentDesc = pdef.describe()
				for _, m := range missing {
					if !containsString(missingSecurityHeaders(ph), m) {
						lost = append(lost, m)
					}
				}
				_, had := ph["strict-transport-security"]
				lostHSTS = had && hsts == "missing"
			}
		}
		if len(missing) > 0 {
			msg := fmt.Sprintf("%s serves content without %s.", subject, joinAnd(missing))
			if len(lost) > 0 {
				msg = fmt.Sprintf("%s serves content without %s: it has add_header lines of its own, so nginx does not inherit those set in %s.", subject, joinAnd(missing), parentDesc)
			}
			c.rp.add(ctlHeaders, RuleSecurityHeaders, at(loc), "headers "+subject, loc.Text, msg,
				"Add the missing headers with add_header … always; where the server's other headers are set, and repeat them (or include a shared snippet) in every location that has add_header lines of its own.")
		}
		switch {
		case hsts == "":
		case hsts == "missing":
			msg := fmt.Sprintf("%s is served over TLS without a Strict-Transport-Security header, so browsers keep trying plain HTTP first.", subject)
			if lostHSTS {
				msg = fmt.Sprintf("%s is served over TLS without Strict-Transport-Security: it has add_header lines of its own, so nginx drops the header set in %s.", subject, parentDesc)
			}
			c.rp.add(ctlTLS, RuleHSTS, at(loc), "hsts "+subject, loc.Text, msg,
				`Add add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always; to the TLS server block and to every location with add_header lines of its own.`)
		default:
			if hstsAt != nil {
				loc = hstsAt
			}
			c.rp.add(ctlTLS, RuleHSTS, at(loc), "hsts "+subject, loc.Text,
				fmt.Sprintf("The Strict-Transport-Security header of %s %s, so browsers stop insisting on HTTPS too soon.", subject, hsts),
				`Set max-age to at least 15552000 (180 days); 31536000 (a year) is usual.`)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// serverTokens reports an http block where no level sets server_tokens, for the servers
// that do not set it themselves: nginx's default is on.
func (c *nginxCheck) serverTokens(h *scope) {
	if h.synthetic || len(h.has("server_tokens")) > 0 {
		return
	}
	var unset []string
	for _, s := range c.servers {
		if s.parent == h && len(s.has("server_tokens")) == 0 {
			unset = append(unset, s.describe())
		}
	}
	if len(unset) == 0 && len(c.servers) > 0 {
		return
	}
	if g := h.gap(nil); g != nil {
		c.rp.markUnknown(ctlHeaders, fmt.Sprintf("%s: cannot tell whether server_tokens is off: %s", at(h.d), gapReason(g)))
		return
	}
	c.rp.add(ctlHeaders, RuleVersionBanner, at(h.d), "server_tokens default", h.d.Text,
		fmt.Sprintf("server_tokens is not set in the http block of %s, so nginx's default (on) sends its version in the Server header and on error pages.", h.d.Pos.File),
		"Set server_tokens off; in the http block.")
}
