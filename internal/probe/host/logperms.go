package host

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// Rules of the log permissions probe.
const (
	RuleLogWorldReadable = "host/log-world-readable"
	RuleLogGroupWritable = "host/log-group-writable"
	RuleLogWorldWritable = "host/log-world-writable"
)

const ctlLogAccess = "LG-2"

// loginDBs are the login accounting files that are world-readable (and writable by the
// utmp group) by design, so that last(1), lastlog(8) and faillog(8) work for every user.
// They are not reported; docs/host.md says so.
var loginDBs = map[string]bool{"/var/log/wtmp": true, "/var/log/btmp": true, "/var/log/lastlog": true, "/var/log/faillog": true}

type logPermsProbe struct{ *env }

func (*logPermsProbe) Name() string               { return "host/log-permissions" }
func (*logPermsProbe) Controls() []string         { return []string{ctlLogAccess} }
func (*logPermsProbe) Kinds() []policy.TargetKind { return hostKinds }
func (*logPermsProbe) Description() string {
	return "no log file under /var/log is readable by every user or writable by its group or everyone (symlinks are not followed)"
}

func (p *logPermsProbe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	if err := checkTarget(t); err != nil {
		return nil, err
	}
	r := &probe.Result{}
	if !p.isDir("/var/log") {
		r.MarkNotApplicable(ctlLogAccess, "there is no /var/log")
		return r, nil
	}
	var unreadable []string
	checked, found, seen := 0, 0, 0
	// ReadDir never follows symbolic links, and a link is skipped rather than opened, so a
	// loop of links cannot make the walk run forever; depth and entry counts bound it too.
	var walk func(dir string, depth int) error
	walk = func(dir string, depth int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if depth > maxLogDepth {
			unreadable = append(unreadable, dir+" (deeper than "+fmt.Sprint(maxLogDepth)+" levels)")
			return nil
		}
		ents, err := p.ReadDir(dir)
		if err != nil {
			unreadable = append(unreadable, fmt.Sprintf("%s (%s)", dir, errReason(err)))
			return nil
		}
		for _, ent := range ents {
			if seen++; seen > maxLogEntries {
				return nil
			}
			name := path.Join(dir, ent.Name())
			if ent.Type()&fs.ModeSymlink != 0 {
				continue
			}
			if ent.IsDir() {
				if err := walk(name, depth+1); err != nil {
					return err
				}
				continue
			}
			if !ent.Type().IsRegular() {
				continue
			}
			fi, err := os.Lstat(p.hostPath(name))
			if err != nil {
				unreadable = append(unreadable, fmt.Sprintf("%s (%s)", name, errReason(err)))
				continue
			}
			checked++
			if loginDBs[name] {
				continue
			}
			mode := fi.Mode().Perm()
			owner := ownerOf(fi)
			rule, what := "", ""
			switch {
			case mode&0o002 != 0:
				rule, what = RuleLogWorldWritable, "writable by every user: anyone can forge or erase entries"
			case mode&0o020 != 0:
				rule, what = RuleLogGroupWritable, "writable by its group: members can forge or erase entries"
			case mode&0o004 != 0:
				rule, what = RuleLogWorldReadable, "readable by every user: whatever the log records (user names, addresses, request data) is open to any local account"
			default:
				continue
			}
			if found++; found > maxFindings {
				continue
			}
			add(r, ctlLogAccess, rule, name, 0, rule,
				fmt.Sprintf("%s %s %s", mode, owner, name),
				fmt.Sprintf("Log file %s is %s.", name, what),
				fmt.Sprintf("Restrict it (e.g. `chmod 0640 %s`, group adm) and fix the mode the program or logrotate `create` line creates it with.", name))
		}
		return nil
	}
	if err := walk("/var/log", 0); err != nil {
		return nil, err
	}
	if found > maxFindings {
		r.Warnings = append(r.Warnings, fmt.Sprintf("host/log-permissions: %d log files have loose permissions; only the first %d are listed", found, maxFindings))
	}
	if seen > maxLogEntries {
		r.MarkUnknown(ctlLogAccess, fmt.Sprintf("/var/log has more than %d entries; only the first were examined", maxLogEntries))
	}
	if len(unreadable) > 0 {
		reason := "could not examine " + strings.Join(limitList(unreadable, 10), ", ")
		if p.notRoot() {
			reason += "; run as root to examine them"
		}
		r.MarkUnknown(ctlLogAccess, reason)
	}
	if checked == 0 && len(unreadable) == 0 {
		r.MarkNotApplicable(ctlLogAccess, "/var/log holds no files")
		return r, nil
	}
	r.Attest(ctlLogAccess, fmt.Sprintf("%d files under /var/log examined", checked))
	return r, nil
}

func ownerOf(fi os.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("uid=%d gid=%d", st.Uid, st.Gid)
	}
	return ""
}

func limitList(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
}
