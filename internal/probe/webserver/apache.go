package webserver

import (
	"fmt"
	"path"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/apache"
)

// ascope is one level of Apache configuration: the server config (or an .htaccess
// file), a <VirtualHost>, or a <Directory>, <Location>, <Files> or <Proxy> section.
type ascope struct {
	d        *apache.Directive // nil for the file's top level
	kind     string
	parent   *ascope
	children []*ascope
	members  []*apache.Directive // own directives, conditional sections (<IfModule> …) looked through
	vhost    *ascope
	// Indexes built on first use.
	byName    map[string][]*apache.Directive
	authzList []*apache.Directive
	file      string
}

// transparent sections hold directives that apply to the enclosing level when their
// condition holds; posture assumes it does.
var transparent = toSet("ifmodule", "ifdefine", "ifversion", "if", "elseif", "else", "iffile", "ifdirective", "ifsection", "limit", "limitexcept")

var scopeSections = toSet("virtualhost", "directory", "directorymatch", "location", "locationmatch", "files", "filesmatch", "proxy", "proxymatch")

var authzContainers = toSet("requireall", "requireany", "requirenone")

func aat(d *apache.Directive) where { return where{file: d.Pos.File, line: d.Pos.Line} }

func (s *ascope) describe() string {
	switch {
	case s.kind == "htaccess":
		return s.file
	case s.d == nil:
		return "the server configuration of " + s.file
	case s.kind == "virtualhost":
		desc := "<VirtualHost " + strings.Join(s.d.Args, " ") + ">"
		for _, m := range s.members {
			if m.Is("ServerName") && len(m.Args) > 0 {
				desc += " (" + m.Args[0] + ")"
				break
			}
		}
		return desc
	}
	desc := "<" + s.d.Name + " " + strings.Join(s.d.Args, " ") + ">"
	if s.vhost != nil && s.vhost != s {
		desc += " in " + s.vhost.describe()
	}
	return desc
}

// own returns the members named name (case-insensitively). The index is built once
// per level, because checks ask the enclosing levels again for every section.
func (s *ascope) own(name string) []*apache.Directive {
	if s.byName == nil {
		s.byName = map[string][]*apache.Directive{}
		for _, m := range s.members {
			n := strings.ToLower(m.Name)
			s.byName[n] = append(s.byName[n], m)
		}
	}
	return s.byName[strings.ToLower(name)]
}

func (s *ascope) gap() *apache.Directive {
	for x := s; x != nil; x = x.parent {
		for _, m := range append(x.own("Include"), x.own("IncludeOptional")...) {
			if m.Include != nil && m.Include.Unresolved != "" {
				return m
			}
		}
	}
	return nil
}

type apacheCheck struct {
	rp     *reporter
	scopes []*ascope
	main   bool // the tree starts at httpd.conf or apache2.conf
}

func checkApache(rp *reporter, file string, ds []*apache.Directive, htaccess, main bool) {
	c := &apacheCheck{rp: rp, main: main}
	top := &ascope{kind: "server", file: file}
	if htaccess {
		top.kind = "htaccess"
	}
	c.build(top, ds)
	c.run()
}

func (c *apacheCheck) build(s *ascope, ds []*apache.Directive) {
	c.scopes = append(c.scopes, s)
	var visit func([]*apache.Directive)
	visit = func(ds []*apache.Directive) {
		for _, d := range ds {
			name := strings.ToLower(d.Name)
			switch {
			case !d.IsSection || authzContainers[name]:
				s.members = append(s.members, d)
			case transparent[name]:
				visit(d.Block)
			case scopeSections[name]:
				child := &ascope{d: d, kind: strings.TrimSuffix(name, "match"), parent: s, vhost: s.vhost, file: s.file}
				if name == "virtualhost" {
					child.vhost = child
				}
				s.children = append(s.children, child)
				c.build(child, d.Block)
			}
		}
	}
	visit(ds)
}

func (c *apacheCheck) run() {
	for _, s := range c.scopes {
		c.directives(s)
		c.ipOnly(s)
		c.admin(s)
		c.proxyTLS(s)
		if s.kind == "virtualhost" {
			c.vhost(s)
		}
	}
	if c.main {
		c.serverTokens()
	}
}

func (c *apacheCheck) directives(s *ascope) {
	for _, d := range s.members {
		switch {
		case d.Is("Options"):
			for _, a := range d.Args {
				if strings.EqualFold(a, "Indexes") || strings.EqualFold(a, "+Indexes") || strings.EqualFold(a, "All") {
					c.rp.add(ctlHeaders, RuleDirectoryListing, aat(d), "Options "+s.describe(), d.Text,
						fmt.Sprintf("Options %s in %s lets Apache list the files of every directory without an index file.", a, s.describe()),
						"Remove Indexes from Options (write Options -Indexes where a parent level enables it).")
					break
				}
			}
		case d.Is("ServerTokens"):
			if v := strings.ToLower(strings.Join(d.Args, " ")); v != "prod" && v != "productonly" {
				c.rp.add(ctlHeaders, RuleVersionBanner, aat(d), "ServerTokens", d.Text,
					fmt.Sprintf("ServerTokens %s makes Apache name its version (and more) in the Server header.", strings.Join(d.Args, " ")),
					"Set ServerTokens Prod.")
			}
		case d.Is("ServerSignature"):
			if v := strings.ToLower(firstWord(d.Args)); v == "on" || v == "email" {
				c.rp.add(ctlHeaders, RuleVersionBanner, aat(d), "ServerSignature", d.Text,
					fmt.Sprintf("ServerSignature %s adds the server's version to error pages and directory listings.", strings.Join(d.Args, " ")),
					"Set ServerSignature Off.")
			}
		case d.Is("SSLProtocol") || d.Is("SSLProxyProtocol"):
			if old := sslProtocols(d.Args); len(old) > 0 {
				c.rp.add(ctlTLS, RuleLegacyTLS, aat(d), d.Name, d.Text,
					fmt.Sprintf("%s in %s allows %s, protocol %s older than TLS 1.2 with known weaknesses.", d.Name, s.describe(), joinAnd(old), plural(len(old), "version", "versions")),
					fmt.Sprintf("Set %s -all +TLSv1.2 +TLSv1.3.", d.Name))
			}
		case d.Is("SSLProxyVerify") && strings.EqualFold(firstWord(d.Args), "none"),
			d.Is("SSLProxyVerify") && strings.EqualFold(firstWord(d.Args), "optional_no_ca"),
			d.Is("SSLProxyCheckPeerName") && strings.EqualFold(firstWord(d.Args), "off"),
			d.Is("SSLProxyCheckPeerCN") && strings.EqualFold(firstWord(d.Args), "off"):
			c.rp.add(ctlTLS, RuleUpstreamTLS, aat(d), d.Name, d.Text,
				fmt.Sprintf("%s %s in %s switches off checking of the backend's certificate, so a machine in the path can read and change proxied traffic.", d.Name, firstWord(d.Args), s.describe()),
				"Set SSLProxyVerify require with SSLProxyCACertificateFile, and leave SSLProxyCheckPeerName on.")
		}
	}
}

func firstWord(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// sslProtocols applies mod_ssl's rules: "all" is every supported version, +X and -X add
// and remove, and a bare name replaces what came before.
func sslProtocols(args []string) []string {
	all := []string{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
	on := map[string]bool{}
	for _, a := range args {
		sign := byte(0)
		if a != "" && (a[0] == '+' || a[0] == '-') {
			sign, a = a[0], a[1:]
		}
		set := []string{a}
		if strings.EqualFold(a, "all") {
			set = all
		}
		if sign == 0 {
			on = map[string]bool{}
		}
		for _, p := range set {
			p = canonicalProtocol(p)
			on[p] = sign != '-'
		}
	}
	var old []string
	for _, p := range legacyProtocols {
		if on[p] {
			old = append(old, p)
		}
	}
	return old
}

func canonicalProtocol(p string) string {
	for _, l := range append(legacyProtocols, "TLSv1.2", "TLSv1.3") {
		if strings.EqualFold(p, l) {
			return l
		}
	}
	return p
}

// --- authorization ---

type leaf int

const (
	leafOther leaf = iota
	leafIP
	leafIdentity
	leafGranted
	leafDenied
)

func requireLeaf(d *apache.Directive) (l leaf, negated bool) {
	args := d.Args
	if len(args) > 0 && strings.EqualFold(args[0], "not") {
		negated, args = true, args[1:]
	}
	if len(args) == 0 {
		return leafOther, negated
	}
	switch p := strings.ToLower(args[0]); {
	case p == "ip" || p == "host" || p == "forward-dns" || p == "local":
		return leafIP, negated
	case p == "all" && len(args) > 1 && strings.EqualFold(args[1], "granted"):
		return leafGranted, negated
	case p == "all":
		return leafDenied, negated
	case p == "env" || p == "method" || p == "expr":
		return leafOther, negated
	}
	// valid-user, user, group, ldap-*, dbd-group, claim, shib-session, file-owner …
	return leafIdentity, negated
}

// grants evaluates an authorization list as httpd does (several Require lines at one
// level form an implicit <RequireAny>) for a client that matches the IP rules or not
// and has authenticated or not. Conditions posture cannot judge (env, method, expr)
// count as not granting.
func grants(list []*apache.Directive, all bool, ip, id bool) bool {
	result := all
	for _, d := range list {
		var v bool
		name := strings.ToLower(d.Name)
		switch {
		case name == "require":
			l, neg := requireLeaf(d)
			switch l {
			case leafIP:
				v = ip
			case leafIdentity:
				v = id
			case leafGranted:
				v = true
			}
			if neg {
				if !all {
					continue // a negation cannot grant on its own
				}
				v = !v
			}
		case name == "requireall":
			v = grants(d.Block, true, ip, id)
		case name == "requireany":
			v = grants(d.Block, false, ip, id)
		case name == "requirenone":
			if !all {
				continue
			}
			v = !grants(d.Block, false, ip, id)
		default:
			continue
		}
		if all {
			result = result && v
		} else {
			result = result || v
		}
	}
	return result
}

func (s *ascope) authz() []*apache.Directive {
	if s.authzList == nil {
		s.authzList = []*apache.Directive{}
		for _, m := range s.members {
			if m.Is("Require") || (m.IsSection && authzContainers[strings.ToLower(m.Name)]) {
				s.authzList = append(s.authzList, m)
			}
		}
	}
	return s.authzList
}

// effectiveAuthz is the Require list in force: httpd's default AuthMerging Off makes a
// level with Require lines replace its parent's.
func (s *ascope) effectiveAuthz() ([]*apache.Directive, *ascope) {
	for x := s; x != nil; x = x.parent {
		if l := x.authz(); len(l) > 0 {
			return l, x
		}
	}
	return nil, nil
}

// legacy is the mod_access_compat (httpd 2.2) access control of one level.
type legacy struct {
	allowIP    *apache.Directive // Allow from <address>
	restricted bool              // only the Allow addresses get in
	denied     bool              // nobody gets in
	satisfyAny *apache.Directive
}

func (s *ascope) legacyAccess() legacy {
	var l legacy
	order, denyAll, allowAll := "deny,allow", false, false
	for x := s; x != nil; x = x.parent {
		var rules []*apache.Directive
		if x == s {
			rules = append(append(append(rules, x.own("Order")...), x.own("Deny")...), x.own("Allow")...)
		}
		for _, m := range append(rules, x.own("Satisfy")...) {
			switch {
			case m.Is("Order") && x == s:
				order = strings.ToLower(strings.Join(m.Args, ""))
			case m.Is("Deny") && x == s && len(m.Args) >= 2 && strings.EqualFold(m.Args[1], "all"):
				denyAll = true
			case m.Is("Allow") && x == s && len(m.Args) >= 2:
				if strings.EqualFold(m.Args[1], "all") {
					allowAll = true
				} else if l.allowIP == nil && !strings.HasPrefix(strings.ToLower(m.Args[1]), "env=") {
					l.allowIP = m
				}
			case m.Is("Satisfy") && l.satisfyAny == nil && strings.EqualFold(firstWord(m.Args), "any"):
				l.satisfyAny = m
			}
		}
	}
	switch {
	case l.allowIP != nil && (order == "allow,deny" || order == "mutual-failure" || denyAll) && !allowAll:
		l.restricted = true
	case l.allowIP == nil && !allowAll && (denyAll || order == "allow,deny") && len(s.own("Allow")) == 0 && (denyAll || len(s.own("Order")) > 0):
		l.denied = true
	}
	return l
}

// access summarises who gets into a level: anyone, an allowed address without
// credentials, or only authenticated users (or nobody).
func (s *ascope) access() (anonymous, ipOnly bool, via *apache.Directive, hasRules bool) {
	list, _ := s.effectiveAuthz()
	lg := s.legacyAccess()
	identity := len(list) > 0 && grants(list, false, true, true) && !grants(list, false, true, false) && !grants(list, false, false, false)
	if len(list) > 0 {
		hasRules = true
		anonymous = grants(list, false, false, false)
		ipOnly = grants(list, false, true, false) && !anonymous
		if ipOnly {
			via = firstIPRequire(list)
		}
	}
	if lg.restricted {
		hasRules = true
		if !identity || lg.satisfyAny != nil {
			ipOnly, via = true, lg.allowIP
			anonymous = false
		}
	}
	if lg.denied && len(list) == 0 {
		hasRules = true
	}
	return anonymous, ipOnly, via, hasRules
}

func firstIPRequire(list []*apache.Directive) *apache.Directive {
	for _, d := range list {
		if d.Is("Require") {
			if l, neg := requireLeaf(d); l == leafIP && !neg {
				return d
			}
		}
		if d.IsSection {
			if f := firstIPRequire(d.Block); f != nil {
				return f
			}
		}
	}
	return nil
}

// ipOnly reports a level whose own rules let clients in on their address alone.
func (c *apacheCheck) ipOnly(s *ascope) {
	own := s.authz()
	lg := s.legacyAccess()
	if len(own) == 0 && !lg.restricted {
		return
	}
	_, ipOnly, via, _ := s.access()
	if !ipOnly || via == nil {
		return
	}
	why := "nothing at this level asks for credentials"
	switch {
	case lg.restricted && lg.satisfyAny != nil:
		why = fmt.Sprintf("Satisfy Any (line %d) lets a client from an allowed address in without credentials", lg.satisfyAny.Pos.Line)
	case len(own) > 0 && grants(own, false, false, true):
		why = "Require lines at one level form an implicit <RequireAny>, so the address alone is enough; wrap them in <RequireAll>"
	}
	c.rp.add(ctlIPOnly, RuleIPOnly, aat(via), "ip "+s.describe(), via.Text,
		fmt.Sprintf("%s in %s restricts access by IP address alone: %s.", via.Text, s.describe(), why),
		"Require an authenticated user as well, inside <RequireAll> with the IP rule (or Satisfy All with mod_access_compat), and keep the address list only as an extra layer.")
}

var statusHandlers = toSet("server-status", "server-info", "balancer-manager", "ldap-status", "jk-status")

func (c *apacheCheck) admin(s *ascope) {
	if s.d == nil {
		return
	}
	var name string
	var ok bool
	arg := firstWord(s.d.Args)
	switch strings.ToLower(s.d.Name) {
	case "location":
		if strings.HasPrefix(arg, "~") && len(s.d.Args) > 1 {
			name, ok = adminRegex(s.d.Args[1], false)
		} else {
			name, ok = adminPrefix(arg)
		}
	case "locationmatch":
		name, ok = adminRegex(arg, false)
	case "directory", "directorymatch":
		name, ok = adminPathSegment(arg)
	}
	for _, m := range s.own("SetHandler") {
		if statusHandlers[strings.ToLower(firstWord(m.Args))] {
			name, ok = "the "+firstWord(m.Args)+" handler", true
		}
	}
	if !ok {
		return
	}
	anonymous, ipOnly, via, hasRules := s.access()
	if hasRules && !anonymous && !ipOnly {
		return
	}
	if g := s.gap(); g != nil {
		c.rp.markUnknown(ctlAdmin, fmt.Sprintf("%s: cannot tell whether %s asks for credentials: %s", aat(s.d), s.describe(), apacheGapReason(g)))
		return
	}
	why := "no Require for an authenticated user applies to it"
	switch {
	case ipOnly && via != nil:
		why = fmt.Sprintf("a client matching %s gets in without credentials", via.Text)
	case anonymous:
		if l, at := s.effectiveAuthz(); len(l) > 0 && at != nil {
			why = fmt.Sprintf("the Require lines in force (in %s) let anyone in", at.describe())
		}
	}
	c.rp.add(ctlAdmin, RuleAdminNoAuth, aat(s.d), s.describe(), s.d.Text,
		fmt.Sprintf("%s serves %s without authentication: %s.", s.describe(), name, why),
		"Add AuthType with an authentication provider and Require valid-user (or a group) to this section.")
}

func apacheGapReason(d *apache.Directive) string {
	return fmt.Sprintf("%s %s at %s could not be followed (%s)", d.Name, firstWord(d.Args), aat(d), d.Include.Unresolved)
}

// proxyTLS reports proxying to HTTPS backends without certificate checks: mod_ssl's
// SSLProxyVerify defaults to none.
func (c *apacheCheck) proxyTLS(s *ascope) {
	if s.kind != "virtualhost" && !(s.d == nil && s.kind == "server") {
		return
	}
	scope := c.under(s)
	if s.kind == "server" {
		// Virtual hosts are judged on their own; the server level covers the rest.
		scope = c.outsideVhosts()
	}
	var trigger *apache.Directive
	for _, d := range scope {
		switch {
		case d.Is("SSLProxyEngine") && strings.EqualFold(firstWord(d.Args), "on"):
			trigger = d
		case (d.Is("ProxyPass") || d.Is("ProxyPassMatch")) && len(d.Args) >= 2 && strings.HasPrefix(strings.ToLower(d.Args[1]), "https://"):
			trigger = d
		}
		if trigger != nil {
			break
		}
	}
	if trigger == nil {
		return
	}
	for x := s; x != nil; x = x.parent {
		if len(x.own("SSLProxyVerify")) > 0 {
			return // an explicit setting is judged where it is written
		}
	}
	if g := s.gap(); g != nil {
		c.rp.markUnknown(ctlTLS, fmt.Sprintf("%s: cannot tell whether SSLProxyVerify is set for %s: %s", aat(trigger), s.describe(), apacheGapReason(g)))
		return
	}
	c.rp.add(ctlTLS, RuleUpstreamTLS, aat(trigger), "SSLProxyVerify default "+s.describe(), trigger.Text,
		fmt.Sprintf("%s proxies to HTTPS backends without checking their certificates: SSLProxyVerify is not set and mod_ssl's default is none.", s.describe()),
		"Set SSLProxyVerify require with SSLProxyCACertificateFile naming the CA that signs the backends' certificates.")
}

// outsideVhosts returns every directive that is in no virtual host.
func (c *apacheCheck) outsideVhosts() []*apache.Directive {
	var out []*apache.Directive
	for _, x := range c.scopes {
		if x.vhost == nil {
			out = append(out, x.members...)
		}
	}
	return out
}

// under returns every directive of s and of the sections inside it.
func (c *apacheCheck) under(s *ascope) []*apache.Directive {
	out := append([]*apache.Directive(nil), s.members...)
	for _, x := range s.children {
		out = append(out, c.under(x)...)
	}
	return out
}

var redirectStatus = toSet("permanent", "temp", "seeother", "301", "302", "303", "307", "308")

// redirects reports whether a virtual host answers everything with a redirect to HTTPS
// or a refusal.
func (c *apacheCheck) redirects(v *ascope) bool {
	for _, d := range v.members {
		args := d.Args
		switch {
		case d.Is("Redirect") || d.Is("RedirectPermanent") || d.Is("RedirectMatch"):
			if len(args) > 0 && (redirectStatus[strings.ToLower(args[0])]) {
				args = args[1:]
			}
			if len(args) >= 2 && (args[0] == "/" || catchAll[args[0]] || args[0] == "^/?(.*)$") && strings.HasPrefix(strings.ToLower(args[1]), "https://") {
				return true
			}
		case d.Is("RewriteRule"):
			if len(args) >= 3 && strings.HasPrefix(strings.ToLower(args[1]), "https://") && strings.Contains(strings.ToUpper(args[2]), "R") {
				return true
			}
		}
	}
	if l := v.authz(); len(l) > 0 && !grants(l, false, true, true) {
		return true
	}
	return false
}

func vhostTLS(v *ascope) bool {
	for _, d := range v.members {
		if d.Is("SSLEngine") && strings.EqualFold(firstWord(d.Args), "on") {
			return true
		}
	}
	return false
}

func (c *apacheCheck) headerSet(v *ascope) (headerSet, map[string]*apache.Directive) {
	h, at := headerSet{}, map[string]*apache.Directive{}
	dirs := c.under(v)
	for p := v.parent; p != nil; p = p.parent {
		dirs = append(dirs, p.members...)
	}
	for _, d := range dirs {
		if !d.Is("Header") {
			continue
		}
		args := d.Args
		if len(args) > 0 && (strings.EqualFold(args[0], "always") || strings.EqualFold(args[0], "onsuccess")) {
			args = args[1:]
		}
		if len(args) < 3 {
			continue
		}
		switch strings.ToLower(args[0]) {
		case "set", "add", "append", "merge", "setifempty":
			name := strings.ToLower(args[1])
			if _, ok := h[name]; !ok {
				h[name], at[name] = args[2], d
			}
		}
	}
	return h, at
}

func (c *apacheCheck) vhost(v *ascope) {
	tls := vhostTLS(v)
	redirects := c.redirects(v)
	if g := v.gap(); g != nil && (!redirects || tls) {
		reason := fmt.Sprintf("%s: cannot tell what %s sends: %s", aat(v.d), v.describe(), apacheGapReason(g))
		c.rp.markUnknown(ctlTLS, reason)
		c.rp.markUnknown(ctlHeaders, reason)
		return
	}
	if !tls && !redirects {
		plain := false
		for _, a := range v.d.Args {
			host := a
			if i := strings.LastIndex(a, ":"); i >= 0 {
				host = a[:i]
			}
			if !isLoopback(host) {
				plain = true
			}
		}
		if plain {
			c.rp.add(ctlTLS, RulePlainHTTP, aat(v.d), "plain "+v.describe(), v.d.Text,
				fmt.Sprintf("%s serves content over plain HTTP instead of redirecting to HTTPS.", v.describe()),
				"Serve the site from a virtual host with SSLEngine on and make the plain-HTTP one only Redirect permanent / https://<host>/.")
		}
	}
	h, at := c.headerSet(v)
	if !redirects {
		if missing := missingSecurityHeaders(h); len(missing) > 0 {
			c.rp.add(ctlHeaders, RuleSecurityHeaders, aat(v.d), "headers "+v.describe(), v.d.Text,
				fmt.Sprintf("%s serves content without %s.", v.describe(), joinAnd(missing)),
				`Add the missing headers with Header always set …, for example Header always set X-Content-Type-Options "nosniff", in the virtual host or the server configuration.`)
		}
	}
	if tls {
		value, ok := h["strict-transport-security"]
		switch p := hstsProblem(value, ok); {
		case p == "":
		case p == "missing":
			c.rp.add(ctlTLS, RuleHSTS, aat(v.d), "hsts "+v.describe(), v.d.Text,
				fmt.Sprintf("%s is served over TLS without a Strict-Transport-Security header, so browsers keep trying plain HTTP first.", v.describe()),
				`Add Header always set Strict-Transport-Security "max-age=31536000; includeSubDomains" to the virtual host.`)
		default:
			d := at["strict-transport-security"]
			c.rp.add(ctlTLS, RuleHSTS, aat(d), "hsts "+v.describe(), d.Text,
				fmt.Sprintf("The Strict-Transport-Security header of %s %s, so browsers stop insisting on HTTPS too soon.", v.describe(), p),
				"Set max-age to at least 15552000 (180 days); 31536000 (a year) is usual.")
		}
	}
}

// serverTokens reports a main configuration that never sets ServerTokens: httpd's
// default, Full, names the version and the operating system.
func (c *apacheCheck) serverTokens() {
	top := c.scopes[0]
	for _, s := range c.scopes {
		if len(s.own("ServerTokens")) > 0 {
			return
		}
	}
	if g := top.gap(); g != nil {
		c.rp.markUnknown(ctlHeaders, fmt.Sprintf("%s: cannot tell whether ServerTokens is set: %s", top.file, apacheGapReason(g)))
		return
	}
	c.rp.add(ctlHeaders, RuleVersionBanner, where{file: top.file}, "ServerTokens default", "",
		fmt.Sprintf("ServerTokens is not set in %s or the files it includes, so httpd's default (Full) names its version and operating system in the Server header.", path.Base(top.file)),
		"Set ServerTokens Prod in the server configuration.")
}
