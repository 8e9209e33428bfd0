package containers

import (
	"fmt"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/container"
	"github.com/posture-dev/posture/internal/finding"
)

// Rules for services that accept callers without credentials (ZT-3) and development
// files that name production hosts (SC-2); they apply to compose and Kubernetes alike.
const (
	RuleRedisNoAuth      = "containers/redis-without-password"
	RuleMySQLEmptyRoot   = "containers/mysql-empty-root-password"
	RulePostgresTrust    = "containers/postgres-trust-auth"
	RuleMongoNoAuth      = "containers/mongodb-without-auth"
	RuleSearchNoSecurity = "containers/search-security-disabled"
	RuleMemcachedNoSASL  = "containers/memcached-without-sasl"
	RuleEmptyPassword    = "containers/bitnami-empty-password"
	RuleProdHostInDev    = "containers/production-host-in-dev"
)

// svc is what the authentication and host checks need of a compose service or a
// Kubernetes container.
type svc struct {
	path  string
	where string // "service redis in docker-compose.yml"
	key   string
	line  int
	image imageRef
	// imageLine is where the image is named.
	imageLine int
	// args are the words of the entrypoint and command (compose) or command and args
	// (Kubernetes), with "sh -c" strings split into words.
	args     []string
	argsLine int
	argsPath string
	env      map[string]envVal
	// envOpen is set when variables may come from somewhere this probe cannot read (an
	// env_file that is not in the repository, a Secret defined elsewhere): checks that
	// need a variable to be absent then stay silent.
	envOpen bool
	// partial is a compose service that an override file only amends: settings it does
	// not name come from the base file.
	partial bool
	// published lists the ports reachable from outside the container network.
	published []container.Port
	k8s       bool
}

type envVal struct {
	value   string
	path    string
	line    int
	literal bool // a value written in the file, not a reference to a secret
}

func (v svc) get(name string) (envVal, bool) {
	e, ok := v.env[name]
	return e, ok
}

// nonEmpty reports a variable set to something other than the empty string (or to a
// reference whose value is not in the file, which is taken as set).
func (v svc) nonEmpty(names ...string) bool {
	for _, n := range names {
		if e, ok := v.env[n]; ok && (!e.literal || e.value != "") {
			return true
		}
	}
	return false
}

func yes(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "1", "on":
		return true
	}
	return false
}

// authFinding reports at line of file p (v's own file when p is ""). A service of an
// override file reports only what the override itself says: what it inherits from the
// base file is reported there.
func (s *scan) authFinding(v svc, rule, key string, line int, p string, evidence, msg, fix string) {
	if p == "" {
		p = v.path
	}
	if v.partial && p != v.path {
		return
	}
	s.add(finding.Finding{
		Control: ctlAuth, Rule: rule, Key: v.key + " " + key,
		Location: finding.Location{Path: p, Line: line},
		Evidence: finding.Plain(evidence),
		Message:  msg, Fix: fix,
	})
}

// auth runs the authentication checks for the service the image is recognised as.
func (s *scan) auth(v svc) {
	fam := v.image.family()
	if fam == famNone {
		return
	}
	s.examined[ctlAuth] = true
	name := v.image.path
	// Bitnami images refuse to start without a password unless ALLOW_EMPTY_PASSWORD says
	// otherwise, whatever the service.
	if v.image.bitnami() {
		if e, ok := v.get("ALLOW_EMPTY_PASSWORD"); ok && yes(e.value) {
			s.authFinding(v, RuleEmptyPassword, "ALLOW_EMPTY_PASSWORD", e.line, e.path, "ALLOW_EMPTY_PASSWORD="+e.value,
				fmt.Sprintf("%s runs %s with ALLOW_EMPTY_PASSWORD=%s, so %s starts without a password and lets in any client that can reach it.", capitalize(v.where), name, e.value, fam),
				"Remove ALLOW_EMPTY_PASSWORD and give the service a password from a secret (the image's *_PASSWORD or *_PASSWORD_FILE variable).")
		}
		if fam != famSearch && fam != famMemcached {
			return
		}
	}
	switch fam {
	case famRedis:
		s.redis(v)
	case famMySQL:
		s.mysql(v)
	case famPostgres:
		if e, ok := v.get("POSTGRES_HOST_AUTH_METHOD"); ok && strings.EqualFold(strings.TrimSpace(e.value), "trust") {
			s.authFinding(v, RulePostgresTrust, "POSTGRES_HOST_AUTH_METHOD", e.line, e.path, "POSTGRES_HOST_AUTH_METHOD="+e.value,
				fmt.Sprintf("%s runs %s with POSTGRES_HOST_AUTH_METHOD=trust, so PostgreSQL lets every client that can reach it log in as any user without a password.", capitalize(v.where), name),
				"Remove POSTGRES_HOST_AUTH_METHOD (the default asks for a password) and set POSTGRES_PASSWORD from a secret.")
		}
	case famMongo:
		s.mongo(v)
	case famSearch:
		s.search(v)
	case famMemcached:
		s.memcached(v)
	}
}

func (s *scan) redis(v svc) {
	args := v.args
	pass, given := flagValue(args, "--requirepass")
	if given && pass != "" {
		return
	}
	for _, a := range args {
		// A configuration file may set requirepass; redis.conf files are checked on
		// their own.
		if strings.HasSuffix(a, ".conf") {
			return
		}
	}
	if e, ok := v.get("REDIS_ARGS"); ok && strings.Contains(e.value, "--requirepass") {
		return
	}
	if v.partial || (v.envOpen && v.image.name() != "redis" && v.image.name() != "valkey") {
		return
	}
	extra := ""
	if v.nonEmpty("REDIS_PASSWORD") {
		extra = " REDIS_PASSWORD is set, but the official image does not read it; only --requirepass (or a config file) turns authentication on."
	}
	line := v.line
	ev := "image: " + v.image.raw
	if v.argsLine > 0 {
		line, ev = v.argsLine, safeArgs(args)
	}
	without := "without --requirepass"
	if given {
		without = "with an empty --requirepass"
	}
	s.authFinding(v, RuleRedisNoAuth, "requirepass", line, "", ev,
		fmt.Sprintf("%s runs %s %s, so any client that can reach port 6379 can read, change and delete the data, and run commands on the server.%s", capitalize(v.where), v.image.path, without, extra),
		"Start Redis with --requirepass (its value from a secret) or an ACL file, and give the clients the password.")
}

func (s *scan) mysql(v svc) {
	rootSet := v.nonEmpty("MYSQL_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD_FILE", "MARIADB_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD_FILE", "MARIADB_ROOT_PASSWORD_HASH", "MYSQL_RANDOM_ROOT_PASSWORD", "MARIADB_RANDOM_ROOT_PASSWORD")
	if rootSet {
		return
	}
	for _, n := range []string{"MYSQL_ALLOW_EMPTY_PASSWORD", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "MARIADB_ALLOW_EMPTY_PASSWORD"} {
		e, ok := v.get(n)
		if !ok || e.value == "" {
			continue
		}
		note := ""
		if !yes(e.value) {
			note = fmt.Sprintf(" (the image only checks that it is not empty, so %q switches it on too)", e.value)
		}
		s.authFinding(v, RuleMySQLEmptyRoot, n, e.line, e.path, n+"="+e.value,
			fmt.Sprintf("%s runs %s with %s%s and no root password, so the root account of the database has an empty password.", capitalize(v.where), v.image.path, n, note),
			"Remove "+n+" and set the root password from a secret (MYSQL_ROOT_PASSWORD_FILE or MARIADB_ROOT_PASSWORD_FILE), or MYSQL_RANDOM_ROOT_PASSWORD.")
		return
	}
	for _, n := range []string{"MYSQL_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD"} {
		if e, ok := v.get(n); ok && e.literal && e.value == "" {
			s.authFinding(v, RuleMySQLEmptyRoot, n, e.line, e.path, n+"=",
				fmt.Sprintf("%s runs %s with %s set to the empty string, so the root account of the database has no password.", capitalize(v.where), v.image.path, n),
				"Set the root password from a secret (MYSQL_ROOT_PASSWORD_FILE or MARIADB_ROOT_PASSWORD_FILE).")
			return
		}
	}
}

func (s *scan) mongo(v svc) {
	if hasArg(v.args, "--noauth") {
		s.authFinding(v, RuleMongoNoAuth, "--noauth", v.argsLine, v.argsPath, safeArgs(v.args),
			fmt.Sprintf("%s runs %s with --noauth, so every client that can reach it has full access to every database.", capitalize(v.where), v.image.path),
			"Remove --noauth and set MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD (from a secret) so that mongod requires authentication.")
		return
	}
	if hasArg(v.args, "--auth") || v.nonEmpty("MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_USERNAME_FILE") || v.partial || v.envOpen {
		return
	}
	s.authFinding(v, RuleMongoNoAuth, "root-user", v.line, "", "image: "+v.image.raw,
		fmt.Sprintf("%s runs %s without MONGO_INITDB_ROOT_USERNAME or --auth, so mongod starts without access control and every client that can reach it has full access.", capitalize(v.where), v.image.path),
		"Set MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD (from a secret), which turns authentication on, and create application users with the roles they need.")
}

func hasArg(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}

// searchSettings are the environment variables and -E options that switch the security
// of Elasticsearch or OpenSearch off, with the value that does so.
var searchSettings = []struct{ name, off string }{
	{"xpack.security.enabled", "false"},
	{"plugins.security.disabled", "true"},
	{"DISABLE_SECURITY_PLUGIN", "true"},
}

func (s *scan) search(v svc) {
	for _, st := range searchSettings {
		if e, ok := v.get(st.name); ok && strings.EqualFold(strings.TrimSpace(e.value), st.off) {
			s.searchFinding(v, st.name, e.line, e.path, st.name+"="+e.value)
			return
		}
		if val, ok := flagValue(v.args, "-E"+st.name); ok && strings.EqualFold(val, st.off) {
			s.searchFinding(v, st.name, v.argsLine, v.argsPath, "-E"+st.name+"="+val)
			return
		}
	}
	// Elasticsearch before 8.0 starts with security off unless it is switched on.
	if v.image.name() != "elasticsearch" || v.partial || v.envOpen || v.image.bitnami() {
		return
	}
	major, ok := v.image.majorVersion()
	if !ok || major >= 8 {
		return
	}
	if e, set := v.get("xpack.security.enabled"); set && strings.EqualFold(strings.TrimSpace(e.value), "true") {
		return
	}
	if val, set := flagValue(v.args, "-Expack.security.enabled"); set && strings.EqualFold(val, "true") {
		return
	}
	s.authFinding(v, RuleSearchNoSecurity, "xpack.security.enabled", v.imageLine, "", "image: "+v.image.raw,
		fmt.Sprintf("%s runs Elasticsearch %s, which starts with security off unless xpack.security.enabled=true, and does not set it; any client that can reach port 9200 can read and delete every index.", capitalize(v.where), v.image.tag),
		"Set xpack.security.enabled=true and give clients credentials, or move to Elasticsearch 8, which enables security by default.")
}

func (s *scan) searchFinding(v svc, setting string, line int, p, evidence string) {
	s.authFinding(v, RuleSearchNoSecurity, setting, line, p, evidence,
		fmt.Sprintf("%s runs %s with %s, which switches its security off, so any client that can reach the cluster can read, change and delete every index without credentials.", capitalize(v.where), v.image.path, evidence),
		"Remove the setting so that the security plugin is on, and give clients credentials.")
}

// loopback reports listen addresses that only the pod or container itself can reach.
func loopback(addr string) bool {
	for _, a := range strings.Split(addr, ",") {
		a = strings.TrimSpace(a)
		if a != "127.0.0.1" && a != "localhost" && a != "::1" && a != "[::1]" {
			return false
		}
	}
	return addr != ""
}

func (s *scan) memcached(v svc) {
	if hasArg(v.args, "-S") || hasArg(v.args, "--enable-sasl") || v.nonEmpty("MEMCACHED_PASSWORD") {
		return
	}
	listen, set := flagValue(v.args, "-l", "--listen")
	if set && loopback(listen) {
		return
	}
	if v.partial {
		return
	}
	how := "listens on every interface (memcached's default)"
	if set {
		how = "listens on " + listen
	}
	if len(v.published) > 0 {
		how += " and publishes port " + v.published[0].Raw
	}
	line, ev := v.line, "image: "+v.image.raw
	switch {
	case len(v.published) > 0:
		line, ev = v.published[0].Line, "ports: "+v.published[0].Raw
	case v.argsLine > 0:
		line, ev = v.argsLine, safeArgs(v.args)
	}
	s.authFinding(v, RuleMemcachedNoSASL, "sasl", line, "", ev,
		fmt.Sprintf("%s runs %s without SASL (-S), and it %s, so any client on the network can read, change and flush the cache.", capitalize(v.where), v.image.path, how),
		"Start memcached with -S and SASL credentials, or bind it to 127.0.0.1 (-l 127.0.0.1) when only a sidecar in the same pod uses it.")
}

// prodHosts reports, for a service of a development file, environment values that point
// at production hosts.
func (s *scan) prodHosts(v svc, fileWhy string) {
	for _, name := range sortedKeys(v.env) {
		e := v.env[name]
		if !e.literal {
			continue
		}
		for _, h := range hostsIn(e.value) {
			why := prodHost(h)
			if why == "" {
				continue
			}
			s.add(finding.Finding{
				Control: ctlSeparate, Rule: RuleProdHostInDev, Key: v.key + " " + name + " " + h,
				Location: finding.Location{Path: e.path, Line: e.line},
				// Only the host: the rest of the value may hold a password.
				Evidence: finding.Plain(name + ": host " + h),
				Message: fmt.Sprintf("%s, a development configuration (%s), points %s at %s, which looks like a production host (%s): running it locally can read or change production data.",
					capitalize(v.where), fileWhy, name, h, why),
				Fix: "Point development at a local or staging service, and keep production hosts in the production deployment's configuration only.",
			})
			break
		}
	}
}

// secretish are option names whose values are not shown in evidence.
var secretish = []string{"pass", "auth", "secret", "token", "key", "cred"}

func isSecretOption(opt string) bool {
	o := strings.ToLower(strings.TrimLeft(opt, "-"))
	for _, w := range secretish {
		if strings.Contains(o, w) {
			return true
		}
	}
	return false
}

// safeArgs joins a command for evidence, hiding the values of options that look like
// credentials (--masterauth x, --password=x), which the command line may carry.
func safeArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		switch {
		case strings.HasPrefix(a, "-") && strings.Contains(a, "="):
			k, _, _ := strings.Cut(a, "=")
			if isSecretOption(k) {
				a = k + "=…"
			}
		case i > 0 && strings.HasPrefix(args[i-1], "-") && !strings.Contains(args[i-1], "=") && isSecretOption(args[i-1]) && !strings.HasPrefix(a, "-"):
			a = "…"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
