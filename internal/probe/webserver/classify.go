package webserver

import (
	"bytes"
	"path"
	"strings"
)

// kind is what a file is, for this probe.
type kind int

const (
	kindNone kind = iota
	kindNginx
	kindApache
	kindHtaccess
)

// candidate reports whether a file's path makes it worth reading to classify, and
// whether the path alone decides (main files and .htaccess).
func candidate(p string) (k kind, decided, worth bool) {
	base := path.Base(p)
	switch strings.ToLower(base) {
	case "nginx.conf":
		return kindNginx, true, true
	case "httpd.conf", "apache2.conf":
		return kindApache, true, true
	case ".htaccess":
		return kindHtaccess, true, true
	}
	if strings.HasSuffix(strings.ToLower(base), ".conf") {
		return kindNone, false, true
	}
	// Debian's sites-available/default and its siblings often have no extension.
	if !strings.Contains(base, ".") {
		for _, d := range dirs(p) {
			if d == "sites-available" || d == "sites-enabled" {
				return kindNone, false, true
			}
		}
	}
	return kindNone, false, false
}

func dirs(p string) []string {
	d := path.Dir(p)
	if d == "." {
		return nil
	}
	return strings.Split(strings.ToLower(d), "/")
}

// classify decides from the path and content what a candidate .conf file is. Many
// programs keep *.conf files, often in conf.d/ directories (redis.conf, supervisor,
// fail2ban), so outside directories named for nginx or Apache the content must look
// like one of them: nginx where the first directive is a known nginx directive that ends
// in ";" or opens a block, Apache where a line opens a known Apache section or the first
// directive is a known Apache one.
func classify(p string, src []byte) kind {
	var nginxDir, apacheDir, sharedDir bool
	for _, d := range dirs(p) {
		switch {
		case strings.Contains(d, "nginx"):
			nginxDir = true
		case d == "apache2" || d == "apache" || d == "httpd" || strings.HasPrefix(d, "apache2"):
			apacheDir = true
		case d == "conf.d" || d == "sites-available" || d == "sites-enabled" || d == "conf-available" || d == "conf-enabled" || d == "snippets" || d == "vhosts.d" || d == "extra":
			sharedDir = true
		}
	}
	switch {
	case nginxDir:
		if looksApache(src) && !looksNginx(src, false) {
			return kindApache
		}
		return kindNginx
	case apacheDir:
		if looksApache(src) {
			return kindApache
		}
	case sharedDir:
		if looksNginx(src, false) {
			return kindNginx
		}
		if looksApache(src) {
			return kindApache
		}
	default:
		if looksNginx(src, true) {
			return kindNginx
		}
		if looksApacheStrict(src) {
			return kindApache
		}
	}
	return kindNone
}

// nginxDirectives are directives that start nginx configuration files in practice.
var nginxDirectives = toSet("server", "location", "http", "events", "upstream", "map", "include", "listen", "server_name",
	"root", "index", "proxy_pass", "proxy_set_header", "add_header", "ssl_certificate", "ssl_certificate_key", "ssl_protocols",
	"ssl_ciphers", "ssl_session_cache", "gzip", "gzip_types", "client_max_body_size", "access_log", "error_log", "user",
	"worker_processes", "worker_rlimit_nofile", "pid", "log_format", "fastcgi_pass", "fastcgi_param", "return", "rewrite",
	"try_files", "set", "if", "limit_req_zone", "limit_conn_zone", "auth_basic", "allow", "deny", "resolver", "charset",
	"expires", "sendfile", "keepalive_timeout", "types", "default_type", "real_ip_header", "set_real_ip_from",
	"proxy_cache_path", "stream", "geo", "split_clients", "load_module", "server_tokens", "autoindex", "proxy_http_version",
	"proxy_read_timeout", "proxy_buffering", "tcp_nopush", "tcp_nodelay", "daemon", "worker_connections", "more_set_headers")

// nginxTop are the directives that, alone, mark a .conf file anywhere as nginx.
var nginxTop = toSet("http", "server", "events", "upstream", "map", "stream", "geo")

var apacheSections = []string{"<virtualhost", "<directory", "<directorymatch", "<location", "<locationmatch", "<files",
	"<filesmatch", "<ifmodule", "<ifdefine", "<ifversion", "<requireall", "<requireany", "<requirenone", "<limit", "<limitexcept", "<proxy", "<macro"}

var apacheDirectives = toSet("servername", "serveralias", "serveradmin", "documentroot", "require", "options", "allowoverride",
	"loadmodule", "listen", "sslengine", "sslprotocol", "sslcertificatefile", "header", "rewriteengine", "rewriterule", "rewritecond",
	"servertokens", "serversignature", "alias", "proxypass", "proxypassreverse", "order", "allow", "deny", "authtype", "authname",
	"authuserfile", "include", "includeoptional", "errorlog", "customlog", "loglevel", "redirect", "redirectmatch", "directoryindex",
	"addtype", "addhandler", "setenvif", "php_value", "php_flag", "php_admin_value", "errordocument", "expiresactive", "expiresbytype",
	"serverroot", "timeout", "keepalive", "mutex", "pidfile", "user", "group", "hostnamelookups", "accessfilename", "namevirtualhost",
	"traceenable", "sethandler", "filesmatch", "satisfy")

func toSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// significantLines yields the lines that are neither blank nor comments.
func significantLines(src []byte, fn func(line string) bool) {
	for _, raw := range bytes.Split(src, []byte("\n")) {
		l := strings.TrimSpace(string(raw))
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if !fn(l) {
			return
		}
	}
}

// looksNginx looks at the first directive: a known name, and a statement that ends in
// ";" or opens a block on its line. strict asks for a block-opening top-level directive
// (http {, server {, events { …), for files in directories that say nothing.
func looksNginx(src []byte, strict bool) bool {
	ok := false
	significantLines(src, func(l string) bool {
		name := l
		if i := strings.IndexAny(l, " \t;{"); i >= 0 {
			name = l[:i]
		}
		rest := l[len(name):]
		if i := strings.Index(rest, " #"); i >= 0 {
			rest = rest[:i]
		}
		rest = strings.TrimSpace(rest)
		if strict {
			ok = nginxTop[name] && strings.HasSuffix(rest, "{")
		} else {
			ok = nginxDirectives[name] && (strings.HasSuffix(rest, ";") || strings.Contains(rest, "{"))
		}
		return false
	})
	return ok
}

func looksApache(src []byte) bool {
	first, ok := true, false
	significantLines(src, func(l string) bool {
		lower := strings.ToLower(l)
		for _, s := range apacheSections {
			if strings.HasPrefix(lower, s) && len(lower) > len(s) && (lower[len(s)] == ' ' || lower[len(s)] == '\t' || lower[len(s)] == '>') {
				ok = true
				return false
			}
		}
		if first {
			first = false
			name := lower
			if i := strings.IndexAny(lower, " \t"); i >= 0 {
				name = lower[:i]
			}
			if apacheDirectives[name] && !strings.HasSuffix(lower, ";") && !strings.HasSuffix(lower, "{") {
				ok = true
				return false
			}
		}
		return true
	})
	return ok
}

// looksApacheStrict asks for the first line to open one of the sections that only
// Apache uses.
func looksApacheStrict(src []byte) bool {
	ok := false
	significantLines(src, func(l string) bool {
		lower := strings.ToLower(l)
		for _, s := range []string{"<virtualhost ", "<directory ", "<ifmodule ", "<location "} {
			ok = ok || strings.HasPrefix(lower, s)
		}
		return false
	})
	return ok
}
