package code

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/ini"
	"github.com/posture-dev/posture/internal/fileset"
)

// mysqlOption is one option line, normalised, with the file it is in.
type mysqlOption struct {
	path string
	name string // lower case, '-' for '_', without a loose- prefix
	e    ini.Entry
}

// mysqlState is what a MySQL/MariaDB option file, with its includes, leaves in force:
// options in server groups and in client groups, in the order the server reads them.
type mysqlState struct {
	server, client []mysqlOption
	unresolved     []string
	errors         []string
}

var (
	serverGroup = regexp.MustCompile(`^(?:mysqld|server|mariadb|mariadbd|galera|mysqld\d+)(?:-[\d.]+)?$`)
	clientGroup = regexp.MustCompile(`^(?:client|mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mysqlslap|client-server|client-mariadb|mariadb-client)$`)
)

// isMySQLFile tells MySQL option files from other .cnf files (OpenSSL's uses the same
// extension): it has a server or client group, or includes other option files.
func isMySQLFile(f *ini.File) bool {
	for _, e := range f.Entries {
		g := strings.ToLower(e.Section)
		if e.Kind != ini.Option || serverGroup.MatchString(g) || clientGroup.MatchString(g) {
			return true
		}
	}
	return false
}

func (s *services) mysqlConfs(files []fileset.File) {
	parsed := map[string]*ini.File{}
	parse := func(p string) *ini.File {
		if f, ok := parsed[p]; ok {
			return f
		}
		var f *ini.File
		if data, ok := s.read(p, "ZT-3", "CR-1"); ok {
			f = ini.Parse(data, ini.MySQL)
		}
		parsed[p] = f
		return f
	}
	included := map[string]bool{}
	var roots []string
	for _, f := range files {
		pf := parse(f.Path)
		if pf == nil || !isMySQLFile(pf) {
			continue
		}
		roots = append(roots, f.Path)
		for _, e := range pf.Entries {
			for _, t := range s.mysqlInclude(f.Path, e) {
				included[t] = true
			}
		}
	}
	for _, p := range roots {
		if included[p] {
			continue
		}
		st := &mysqlState{}
		s.applyMySQL(st, p, parse, map[string]bool{})
		s.judgeMySQL(p, st)
	}
}

// mysqlInclude resolves an !include or !includedir entry to repository files.
func (s *services) mysqlInclude(from string, e ini.Entry) []string {
	switch e.Kind {
	case ini.Include:
		out, _ := s.tree.resolveFile(from, e.Value)
		return out
	case ini.IncludeDir:
		out, _ := s.tree.resolveDir(from, e.Value, ".cnf")
		return out
	}
	return nil
}

func (s *services) applyMySQL(st *mysqlState, p string, parse func(string) *ini.File, seen map[string]bool) {
	if seen[p] {
		return
	}
	seen[p] = true
	f := parse(p)
	if f == nil {
		st.unresolved = append(st.unresolved, fileset.Display(p)+" (unreadable)")
		return
	}
	shown := fileset.Display(p)
	for _, e := range f.Errors {
		st.errors = append(st.errors, fmt.Sprintf("%s:%d: %s; the server refuses to start with this file", shown, e.Line, e.Msg))
	}
	for _, e := range f.Entries {
		switch e.Kind {
		case ini.Include, ini.IncludeDir:
			var targets []string
			var ok bool
			if e.Kind == ini.Include {
				targets, ok = s.tree.resolveFile(p, e.Value)
			} else {
				targets, ok = s.tree.resolveDir(p, e.Value, ".cnf")
			}
			if !ok {
				st.unresolved = append(st.unresolved, e.Value)
				continue
			}
			for _, t := range targets {
				s.applyMySQL(st, t, parse, seen)
			}
			continue
		}
		o := mysqlOption{path: p, name: normalizeMySQL(e.Key), e: e}
		g := strings.ToLower(e.Section)
		switch {
		case serverGroup.MatchString(g):
			st.server = append(st.server, o)
		case clientGroup.MatchString(g):
			st.client = append(st.client, o)
		}
	}
}

func normalizeMySQL(key string) string {
	k := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(key)), "_", "-")
	return strings.TrimPrefix(k, "loose-")
}

// flag is the last setting of boolean option base among opts, MySQL's way: "base",
// "base=1|0|on|off", "enable-base", and "skip-base" / "disable-base" for false.
func flag(opts []mysqlOption, base string) (value bool, at *mysqlOption) {
	for i := range opts {
		o := &opts[i]
		switch o.name {
		case base:
			v := true
			if o.e.HasValue {
				b, ok := ini.Bool(o.e.Value)
				v = !ok || b // MySQL reads an unknown value for a flag as set
			}
			value, at = v, o
		case "enable-" + base:
			value, at = true, o
		case "skip-" + base, "disable-" + base:
			value, at = false, o
		}
	}
	return value, at
}

// option is the last setting of a valued option.
func option(opts []mysqlOption, name string) *mysqlOption {
	var at *mysqlOption
	for i := range opts {
		if opts[i].name == name {
			at = &opts[i]
		}
	}
	return at
}

func (s *services) judgeMySQL(p string, st *mysqlState) {
	s.checked["ZT-3"], s.checked["CR-1"] = true, true
	shown := fileset.Display(p)
	for _, e := range st.errors {
		s.r.MarkUnknown("ZT-3", e)
		s.r.MarkUnknown("CR-1", e)
	}
	if on, at := flag(st.server, "skip-grant-tables"); on {
		s.add("ZT-3", "mysql-skip-grant-tables", "critical", at.path, at.e.Line, at.e.Text,
			fmt.Sprintf("skip-grant-tables is set in the server options of %s, so the server checks no passwords and every client that reaches it has full privileges.", shown),
			"Remove skip-grant-tables; to reset a lost password, use --init-file once and restart without it.")
	}
	sslOn, sslAt := flag(st.server, "ssl")
	if !sslOn && sslAt != nil {
		s.add("CR-1", "mysql-server-tls-disabled", "", sslAt.path, sslAt.e.Line, sslAt.e.Text,
			fmt.Sprintf("TLS is switched off in the server options of %s, so every client connection, with its credentials and data, is in clear text.", shown),
			"Remove the line that disables TLS, configure ssl_cert/ssl_key, and set require_secure_transport = ON.")
	}
	s.mysqlNetwork(p, st, sslAt != nil && !sslOn)
	s.mysqlClient(p, st)
}

// mysqlNetwork reports a server that listens beyond loopback without requiring TLS.
func (s *services) mysqlNetwork(p string, st *mysqlState, tlsOff bool) {
	bind := option(st.server, "bind-address")
	if bind == nil || tlsOff {
		return // the default address depends on version and packaging; TLS off is reported already
	}
	var exposed []string
	for _, a := range strings.Split(bind.e.Value, ",") {
		if a = strings.TrimSpace(a); a != "" && !loopbackAddress(a) {
			exposed = append(exposed, a)
		}
	}
	if len(exposed) == 0 {
		return
	}
	if off, _ := flag(st.server, "skip-networking"); off {
		return
	}
	required, reqAt := flag(st.server, "require-secure-transport")
	if required {
		return
	}
	shown := fileset.Display(p)
	if reqAt == nil && len(st.unresolved) > 0 {
		s.r.MarkUnknown("CR-1", fmt.Sprintf("%s: the server listens on %s and require_secure_transport is not set here; not found in the repository: %s", shown, strings.Join(exposed, ", "), strings.Join(st.unresolved, ", ")))
		return
	}
	why := "require_secure_transport is not set"
	if reqAt != nil {
		why = fmt.Sprintf("require_secure_transport is %s (%s:%d)", reqAt.e.Value, fileset.Display(reqAt.path), reqAt.e.Line)
	}
	s.add("CR-1", "mysql-plaintext-network", "medium", bind.path, bind.e.Line, bind.e.Text,
		fmt.Sprintf("The server configured by %s listens on %s and %s, so clients may connect and send credentials and data without TLS.", shown, strings.Join(exposed, ", "), why),
		"Set require_secure_transport = ON (with ssl_cert/ssl_key configured), or bind to the interfaces that need it only.")
}

// mysqlClient reports client groups that switch TLS off towards a server elsewhere.
func (s *services) mysqlClient(p string, st *mysqlState) {
	host := option(st.client, "host")
	if host == nil || loopbackAddress(host.e.Value) {
		return // the default host is localhost, over the socket
	}
	at := option(st.client, "ssl-mode")
	if at == nil || !strings.EqualFold(strings.TrimSpace(at.e.Value), "disabled") {
		on, sslAt := flag(st.client, "ssl")
		if on || sslAt == nil {
			return
		}
		at = sslAt
	}
	s.add("CR-1", "mysql-client-tls-disabled", "", at.path, at.e.Line, at.e.Text,
		fmt.Sprintf("The client options in %s switch TLS off for connections to %s, so credentials and data cross the network in clear text.", fileset.Display(p), host.e.Value),
		"Use ssl-mode=VERIFY_IDENTITY (MySQL) or ssl-verify-server-cert (MariaDB) with the server's CA in ssl-ca.")
}
