package host

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/systemdconf"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// Rules of the audit probe.
const (
	RuleNoAudit       = "host/audit-not-running"
	RuleAuditDisabled = "host/audit-disabled"
	RuleNoAuthLog     = "host/auth-logging-missing"
)

const (
	ctlAudit   = "SC-6"
	ctlAuthLog = "LG-1"
)

// auditDaemons are processes that record kernel audit events. auditd is the reference;
// the others read the same netlink stream or an eBPF equivalent.
var auditDaemons = []string{"auditd", "go-audit", "auditbeat", "falco", "tetragon", "sysmon", "osqueryd"}

type auditProbe struct{ *env }

func (*auditProbe) Name() string               { return "host/audit" }
func (*auditProbe) Controls() []string         { return []string{ctlAudit, ctlAuthLog} }
func (*auditProbe) Kinds() []policy.TargetKind { return hostKinds }
func (*auditProbe) Description() string {
	return "an audit daemon (auditd or equivalent) runs with kernel auditing enabled, and journald or a syslog daemon records authentication events"
}

func (p *auditProbe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	if err := checkTarget(t); err != nil {
		return nil, err
	}
	r := &probe.Result{}
	ps := p.readProcs()
	if ps.err != nil {
		r.MarkUnknown(ctlAudit, ps.err.Error())
		r.MarkUnknown(ctlAuthLog, ps.err.Error())
		return r, nil
	}
	container := p.container()
	p.audit(ctx, r, ps, container)
	p.authLog(r, ps, container)
	return r, nil
}

func (p *auditProbe) audit(ctx context.Context, r *probe.Result, ps *procs, container string) {
	name, pids := ps.running(auditDaemons...)
	if name == "" {
		switch {
		case ps.hidden != "":
			r.MarkUnknown(ctlAudit, "no audit daemon is visible, but "+ps.hidden)
		case container != "":
			r.MarkUnknown(ctlAudit, fmt.Sprintf("this looks like a container (%s): the kernel audit log belongs to the host, whose audit daemon cannot be seen from here — check the host", container))
		default:
			add(r, ctlAudit, RuleNoAudit, "", 0, "audit-daemon",
				"no process named "+strings.Join(auditDaemons, ", ")+" in /proc",
				"No audit daemon runs: logins, privileged commands and configuration changes are not recorded in an audit trail.",
				"Install and enable auditd (Debian/Ubuntu: `apt install auditd`; RHEL: `dnf install audit`) with rules for identity, privilege and configuration changes, and ship its log to central storage.")
		}
		return
	}
	ev := fmt.Sprintf("%s runs (pid %d)", name, pids[0])
	if name != "auditd" {
		r.Attest(ctlAudit, ev)
		return
	}
	if p.run == nil {
		r.MarkUnknown(ctlAudit, ev+"; whether kernel auditing is enabled is read with auditctl, which runs only on the live machine")
		return
	}
	if p.notRoot() {
		r.MarkUnknown(ctlAudit, ev+", but whether the kernel has auditing enabled needs root (auditctl -s); run posture as root to decide")
		return
	}
	out, err := p.run(ctx, "auditctl", "-s")
	if err != nil {
		if errors.Is(err, errNoCommand) {
			r.MarkUnknown(ctlAudit, ev+"; auditctl is not installed, so whether the kernel has auditing enabled is not known")
		} else {
			r.MarkUnknown(ctlAudit, ev+"; "+err.Error())
		}
		return
	}
	enabled, ok := parseAuditctlStatus(string(out))
	switch {
	case !ok:
		r.MarkUnknown(ctlAudit, ev+"; auditctl -s printed no \"enabled\" line")
	case enabled == "0":
		add(r, ctlAudit, RuleAuditDisabled, "", 0, "audit-enabled", ev+"; auditctl -s: enabled 0",
			"auditd runs but kernel auditing is disabled (auditctl -s reports enabled 0): no kernel audit events are recorded.",
			"Enable auditing (`auditctl -e 1`, and `-e 2` in the rules to lock it) and make it permanent in /etc/audit/rules.d.")
	default:
		r.Attest(ctlAudit, ev+"; auditctl -s: enabled "+enabled)
	}
}

// parseAuditctlStatus finds the "enabled N" line of `auditctl -s`.
func parseAuditctlStatus(s string) (string, bool) {
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "enabled" {
			return f[1], true
		}
	}
	return "", false
}

// authLog decides LG-1: journald running with storage, or a syslog daemon with a rule for
// the auth/authpriv facilities.
func (p *auditProbe) authLog(r *probe.Result, ps *procs, container string) {
	var ways []string
	if _, pids := ps.running("systemd-journald"); len(pids) > 0 {
		j := p.journald()
		switch j.storage {
		case "none":
			// Storage=none discards everything unless forwarded to syslog, judged below.
		case "volatile":
			ways = append(ways, "systemd-journald records the auth facility (Storage="+j.storage+": kept in /run only, lost at reboot)")
		default:
			ways = append(ways, "systemd-journald records the auth facility (storage "+j.effective+")")
		}
	}
	for _, d := range []string{"rsyslogd", "syslog-ng", "syslogd", "busybox-syslogd"} {
		if _, pids := ps.running(d); len(pids) > 0 {
			if file := p.syslogAuthRule(); file != "" {
				ways = append(ways, d+" writes auth,authpriv to "+file)
			} else {
				ways = append(ways, d+" runs (no auth rule recognised in its configuration; it may still log auth through a rule posture does not parse)")
			}
		}
	}
	if len(ways) > 0 {
		r.Attest(ctlAuthLog, strings.Join(ways, "; "))
		return
	}
	switch {
	case ps.hidden != "":
		r.MarkUnknown(ctlAuthLog, "no journald or syslog daemon is visible, but "+ps.hidden)
	case container != "":
		r.MarkUnknown(ctlAuthLog, fmt.Sprintf("this looks like a container (%s) without journald or a syslog daemon: logins to it, if any, are logged (or not) by the container runtime and the host, which cannot be seen from here", container))
	default:
		add(r, ctlAuthLog, RuleNoAuthLog, "", 0, "auth-logging",
			"no systemd-journald (with storage) nor rsyslogd/syslog-ng/syslogd process in /proc",
			"Authentication events are not logged: neither journald nor a syslog daemon runs to record the auth facility (sshd, sudo, login, PAM).",
			"Run systemd-journald with Storage=persistent, or rsyslog with `auth,authpriv.* /var/log/auth.log`, and ship the log to central storage.")
	}
}

// journaldState is the storage journald uses.
type journaldState struct {
	cfg       *systemdconf.Config
	storage   string // as configured ("auto" by default)
	effective string // persistent or volatile, after resolving auto
	at        systemdconf.Entry
}

func (e *env) journald() journaldState {
	c := systemdconf.Load(e, "journald.conf")
	j := journaldState{cfg: c, storage: "auto"}
	if s, ok := c.Get("Journal", "Storage"); ok {
		j.storage, j.at = strings.ToLower(s.Value), s
	}
	switch j.storage {
	case "auto":
		// auto is persistent exactly when /var/log/journal exists.
		if e.isDir("/var/log/journal") {
			j.effective = "persistent"
		} else {
			j.effective = "volatile"
		}
	default:
		j.effective = j.storage
	}
	return j
}

// syslogAuthRule returns the file an rsyslog/syslog-ng rule writes auth or authpriv to,
// from the traditional selector syntax, or "" when none is recognised.
func (e *env) syslogAuthRule() string {
	files := []string{"/etc/rsyslog.conf", "/etc/syslog.conf"}
	if m, err := e.Glob("/etc/rsyslog.d/*.conf"); err == nil {
		files = append(files, m...)
	}
	for _, f := range files {
		b, err := e.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' || line[0] == '$' {
				continue
			}
			fields := strings.Fields(line)
			if len(fields) < 2 {
				continue
			}
			if selectsAuth(fields[0]) {
				return strings.TrimPrefix(fields[len(fields)-1], "-")
			}
		}
	}
	return ""
}

// selectsAuth reports whether a syslog selector ("auth,authpriv.*", "*.*;auth.none")
// selects messages of the auth or authpriv facility.
func selectsAuth(sel string) bool {
	in := false
	for _, part := range strings.Split(sel, ";") {
		fac, pri, ok := strings.Cut(part, ".")
		if !ok {
			return false
		}
		for _, f := range strings.Split(fac, ",") {
			if f == "auth" || f == "authpriv" || f == "*" {
				in = pri != "none" && pri != "!*"
				if f != "*" && in {
					return true
				}
			}
		}
	}
	return in
}
