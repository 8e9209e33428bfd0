package code

import (
	"fmt"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/redisconf"
	"github.com/posture-dev/posture/internal/fileset"
)

// redisState is what a redis.conf, with its includes, leaves in force. Redis applies lines
// in order and the last one wins, except for user lines, which add up.
type redisState struct {
	requirepass, bind, protected, port, aclfile *redisLine
	defaultUser                                 []string // ACL rules of the "default" user, in order
	unresolved                                  []string // includes that name no file in the repository
	errors                                      []string
	aclUnknown                                  bool
}

// redisLine is a directive and the file it is in (a root config or one it includes).
type redisLine struct {
	path string
	d    *redisconf.Directive
}

func (l *redisLine) arg() (string, bool) {
	if l == nil || len(l.d.Args) != 1 {
		return "", false
	}
	return l.d.Args[0], true
}

// redisConfs checks each redis.conf that no other one includes, with its includes.
func (s *services) redisConfs(files []fileset.File) {
	if len(files) == 0 {
		return
	}
	included := map[string]bool{}
	parsed := map[string]*redisconf.File{}
	parse := func(p string) *redisconf.File {
		if f, ok := parsed[p]; ok {
			return f
		}
		data, ok := s.read(p, "ZT-3")
		var f *redisconf.File
		if ok {
			f = redisconf.Parse(data)
		}
		parsed[p] = f
		return f
	}
	for _, f := range files {
		pf := parse(f.Path)
		if pf == nil {
			continue
		}
		for _, d := range pf.Directives {
			if d.Name == "include" && len(d.Args) == 1 {
				if targets, ok := s.tree.resolveFile(f.Path, d.Args[0]); ok {
					for _, t := range targets {
						included[t] = true
					}
				}
			}
		}
	}
	for _, f := range files {
		if included[f.Path] || parsed[f.Path] == nil {
			continue
		}
		st := &redisState{}
		s.applyRedis(st, f.Path, parse, map[string]bool{})
		s.judgeRedis(f.Path, st)
	}
}

func (s *services) applyRedis(st *redisState, p string, parse func(string) *redisconf.File, seen map[string]bool) {
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
		st.errors = append(st.errors, fmt.Sprintf("%s:%d: %s; Redis refuses to start with this file", shown, e.Line, e.Msg))
	}
	for i := range f.Directives {
		d := &f.Directives[i]
		at := &redisLine{path: p, d: d}
		switch d.Name {
		case "include":
			if len(d.Args) != 1 {
				continue
			}
			targets, ok := s.tree.resolveFile(p, d.Args[0])
			if !ok {
				st.unresolved = append(st.unresolved, d.Args[0])
				continue
			}
			for _, t := range targets {
				s.applyRedis(st, t, parse, seen)
			}
		case "requirepass":
			st.requirepass = at
		case "bind":
			st.bind = at
		case "protected-mode":
			st.protected = at
		case "port":
			st.port = at
		case "aclfile":
			st.aclfile = at
		case "user":
			if len(d.Args) > 0 && d.Args[0] == "default" {
				st.defaultUser = append(st.defaultUser, d.Args[1:]...)
			}
		}
	}
}

// defaultUserAuthenticates replays the default user's ACL rules on top of what
// requirepass set: clients that do not log in act as this user. With an aclfile Redis
// ignores requirepass.
func defaultUserAuthenticates(st *redisState) bool {
	pass := ""
	if st.aclfile == nil {
		pass, _ = st.requirepass.arg()
	}
	enabled, hasPass := true, pass != ""
	for _, rule := range st.defaultUser {
		switch {
		case rule == "on":
			enabled = true
		case rule == "off":
			enabled = false
		case rule == "nopass", rule == "resetpass", rule == "reset":
			hasPass = false
			if rule == "reset" {
				enabled = false
			}
		case strings.HasPrefix(rule, ">") || strings.HasPrefix(rule, "#"):
			hasPass = true
		}
	}
	return !enabled || hasPass
}

func (s *services) judgeRedis(p string, st *redisState) {
	shown := fileset.Display(p)
	for _, e := range st.errors {
		s.r.MarkUnknown("ZT-3", e)
	}
	if st.aclfile != nil && len(st.defaultUser) == 0 {
		s.aclFile(st)
	}
	if defaultUserAuthenticates(st) {
		s.checked["ZT-3"] = true
		return
	}
	// Nothing authenticates clients; whether that matters depends on who can connect.
	if port, _ := st.port.arg(); port == "0" {
		s.checked["ZT-3"] = true // TCP off: only the Unix socket, guarded by file permissions
		return
	}
	mode, _ := st.protected.arg()
	protectedOff := strings.EqualFold(mode, "no")
	var exposedBy []string
	if st.bind != nil {
		for _, a := range st.bind.d.Args {
			if !loopbackAddress(a) {
				exposedBy = append(exposedBy, a)
			}
		}
	}
	var at *redisLine
	var why string
	switch {
	case len(exposedBy) > 0:
		// Protected mode only guards a server with no bind line (Redis up to 6.2), so an
		// explicit non-loopback bind is reachable whatever protected-mode says.
		at, why = st.bind, "it listens on "+strings.Join(exposedBy, ", ")
		if protectedOff {
			why += " with protected-mode no"
		}
	case protectedOff && st.bind == nil:
		at, why = st.protected, "protected-mode is no and no bind line limits it to loopback, so it listens on every interface"
	default:
		s.checked["ZT-3"] = true
		return
	}
	switch {
	case len(st.unresolved) > 0:
		s.r.MarkUnknown("ZT-3", fmt.Sprintf("%s: clients are not authenticated unless an include sets a password; not found in the repository: %s", shown, strings.Join(st.unresolved, ", ")))
		return
	case st.aclUnknown:
		return
	}
	s.checked["ZT-3"] = true
	msg := fmt.Sprintf("Redis configured by %s accepts clients without a password: no requirepass and the default user has none, while %s.", shown, why)
	if at.path != p {
		msg = fmt.Sprintf("Redis configured by %s (with %s) accepts clients without a password: no requirepass and the default user has none, while %s.", shown, fileset.Display(at.path), why)
	}
	s.add("ZT-3", "redis-no-auth", "", at.path, at.d.Line, at.d.Text, msg,
		"Set requirepass (or give the default user a password with user default on >…, or switch it off and define users), bind only the interfaces that need it, and leave protected-mode yes.")
}

// aclFile reads the users file a redis.conf names, when the repository holds it, for the
// default user's rules; otherwise authentication cannot be judged.
func (s *services) aclFile(st *redisState) {
	name, ok := st.aclfile.arg()
	if !ok {
		return
	}
	targets, ok := s.tree.resolveFile(st.aclfile.path, name)
	if !ok || len(targets) != 1 {
		s.r.MarkUnknown("ZT-3", fmt.Sprintf("%s:%d: users are defined in %s, which is not in the repository; cannot tell if clients must authenticate", fileset.Display(st.aclfile.path), st.aclfile.d.Line, name))
		st.aclUnknown = true
		return
	}
	data, ok := s.read(targets[0], "ZT-3")
	if !ok {
		st.aclUnknown = true
		return
	}
	found := false
	for _, d := range redisconf.Parse(data).Directives {
		if d.Name == "user" && len(d.Args) > 0 && d.Args[0] == "default" {
			st.defaultUser = append(st.defaultUser, d.Args[1:]...)
			found = true
		}
	}
	if !found {
		// Redis creates the default user as "on nopass" when the ACL file omits it.
		st.defaultUser = append(st.defaultUser, "on", "nopass")
	}
}
