package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/testutil"
)

// procTree writes /proc/PID/comm files for the named processes under a temp root.
func procTree(t *testing.T, extra map[string]string, names ...string) string {
	t.Helper()
	files := map[string]string{"proc/1/comm": "init\n"}
	for i, n := range names {
		files["proc/"+strconv.Itoa(100+i)+"/comm"] = n + "\n"
	}
	for k, v := range extra {
		files[k] = v
	}
	return testutil.WriteTree(t, files)
}

// fakeRun answers commands from a table; a missing entry is "not installed".
func fakeRun(out map[string]string) func(context.Context, string, ...string) ([]byte, error) {
	return func(_ context.Context, name string, args ...string) ([]byte, error) {
		s, ok := out[name]
		if !ok {
			return nil, errNoCommand
		}
		if strings.HasPrefix(s, "ERR:") {
			return nil, errors.New(strings.TrimPrefix(s, "ERR:"))
		}
		return []byte(s), nil
	}
}

const chronyOK = `Reference ID    : A9FEA97B (169.254.169.123)
Stratum         : 4
System time     : 0.000012345 seconds fast of NTP time
Leap status     : Normal
`

func TestClock(t *testing.T) {
	synced := kernelClock{Status: 0x2001, Offset: 300 * time.Microsecond, MaxError: 20 * time.Millisecond}
	unsynced := kernelClock{State: timeError, Status: staUnsync, MaxError: 16 * time.Second}
	tests := []struct {
		name     string
		k        kernelClock
		procs    []string
		extra    map[string]string
		cmds     map[string]string
		rule     string // expected finding rule, "" for none
		unknown  string // substring of the unknown reason
		evidence string
	}{
		{"chrony synced", synced, []string{"chronyd"}, nil, map[string]string{"chronyc": chronyOK}, "", "", "leap status Normal"},
		{"chrony unsynced", synced, []string{"chronyd"}, nil, map[string]string{"chronyc": "Leap status     : Not synchronised\n"}, RuleClockUnsynced, "", ""},
		{"chrony far off", synced, []string{"chronyd"}, nil, map[string]string{"chronyc": "System time     : 2.5 seconds slow of NTP time\nLeap status     : Normal\n"}, RuleClockOffset, "", ""},
		{"ntpd offset", synced, []string{"ntpd"}, nil, map[string]string{"ntpq": "leap=00, offset=1500.2"}, RuleClockOffset, "", ""},
		{"timesyncd synced", synced, []string{"systemd-timesyncd"}, nil, map[string]string{"timedatectl": "NTP=yes\nNTPSynchronized=yes\n"}, "", "", "NTPSynchronized=yes"},
		{"kernel only synced", synced, nil, nil, nil, "", "", "kernel: synchronised"},
		{"kernel big offset", kernelClock{Offset: 2 * time.Second}, nil, nil, nil, RuleClockOffset, "", ""},
		{"stale discipline", kernelClock{MaxError: 3 * time.Second}, []string{"chronyd"}, nil, nil, RuleClockOffset, "", ""},
		{"daemon not synced yet", unsynced, []string{"systemd-timesyncd"}, nil, nil, RuleClockUnsynced, "", ""},
		{"no daemon", unsynced, nil, nil, nil, RuleClockUnsynced, "", ""},
		{"container", unsynced, nil, map[string]string{".dockerenv": ""}, nil, "", "looks like a container (/.dockerenv exists)", ""},
		{"chronyc broken", synced, []string{"chronyd"}, nil, map[string]string{"chronyc": "ERR:506 Cannot talk to daemon"}, "", "", "chronyc tracking failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := treeEnv(procTree(t, tt.extra, tt.procs...), true)
			k := tt.k
			e.adjtimex = func() (kernelClock, error) { return k, nil }
			e.run = fakeRun(tt.cmds)
			p := &clockProbe{e}
			r := run(t, p)
			got := ""
			if len(r.Findings) > 0 {
				got = r.Findings[0].Rule
			}
			if got != tt.rule || len(r.Findings) > 1 {
				t.Fatalf("findings %+v, want rule %q\n%s", r.Findings, tt.rule, summary(p, r))
			}
			if tt.unknown != "" && !strings.Contains(r.Unknown[ctlClock], tt.unknown) {
				t.Fatalf("unknown %q lacks %q", r.Unknown[ctlClock], tt.unknown)
			}
			if tt.evidence != "" && !strings.Contains(r.Evidence[ctlClock], tt.evidence) {
				t.Fatalf("evidence %q lacks %q", r.Evidence[ctlClock], tt.evidence)
			}
		})
	}
	// Not on the live machine: no system call, so unknown.
	p := &clockProbe{treeEnv(t.TempDir(), true)}
	if r := run(t, p); !strings.Contains(r.Unknown[ctlClock], "only on the live machine") {
		t.Fatalf("%s", summary(p, r))
	}
}

func TestAudit(t *testing.T) {
	rsyslog := map[string]string{"etc/rsyslog.conf": "*.*;auth,authpriv.none\t-/var/log/syslog\nauth,authpriv.*\t/var/log/auth.log\n"}
	tests := []struct {
		name   string
		root   bool
		procs  []string
		extra  map[string]string
		cmds   map[string]string
		sc6    string // "pass", "unknown", or a rule
		lg1    string
		detail string
	}{
		{"auditd as root", true, []string{"auditd", "systemd-journald"}, nil, map[string]string{"auditctl": "enabled 1\nfailure 1\npid 100\n"}, "pass", "pass", "enabled 1"},
		{"auditd disabled", true, []string{"auditd", "rsyslogd"}, rsyslog, map[string]string{"auditctl": "enabled 0\n"}, RuleAuditDisabled, "pass", "/var/log/auth.log"},
		{"auditd not root", false, []string{"auditd", "rsyslogd"}, rsyslog, nil, "unknown", "pass", "needs root"},
		{"equivalent", false, []string{"auditbeat", "systemd-journald"}, nil, nil, "pass", "pass", "auditbeat runs"},
		{"nothing", true, []string{"sshd"}, nil, nil, RuleNoAudit, RuleNoAuthLog, ""},
		{"journald storage none", true, []string{"auditd", "systemd-journald"}, map[string]string{"etc/systemd/journald.conf": "[Journal]\nStorage=none\n"}, map[string]string{"auditctl": "enabled 2\n"}, "pass", RuleNoAuthLog, ""},
		{"container", true, nil, map[string]string{".dockerenv": ""}, nil, "unknown", "unknown", "container"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := treeEnv(procTree(t, tt.extra, tt.procs...), tt.root)
			e.run = fakeRun(tt.cmds)
			p := &auditProbe{e}
			r := run(t, p)
			status := func(c string) string {
				for _, f := range r.Findings {
					if f.Control == c {
						return f.Rule
					}
				}
				if r.Unknown[c] != "" {
					return "unknown"
				}
				if r.Evidence[c] != "" {
					return "pass"
				}
				return "?"
			}
			s := summary(p, r)
			if status(ctlAudit) != tt.sc6 || status(ctlAuthLog) != tt.lg1 || !strings.Contains(s, tt.detail) {
				t.Fatalf("SC-6 %s LG-1 %s, want %s %s with %q:\n%s", status(ctlAudit), status(ctlAuthLog), tt.sc6, tt.lg1, tt.detail, s)
			}
		})
	}
}

func TestSelectsAuth(t *testing.T) {
	for sel, want := range map[string]bool{
		"auth,authpriv.*": true, "authpriv.info": true, "*.*": true, "*.*;auth,authpriv.none": false,
		"mail.*": false, "auth.none": false, "kern.*;authpriv.*": true, "garbage": false,
	} {
		if selectsAuth(sel) != want {
			t.Errorf("selectsAuth(%q) = %v", sel, !want)
		}
	}
}

func TestLogPermissions(t *testing.T) {
	root := testutil.WriteTree(t, map[string]string{
		"var/log/ok.log":         "x",
		"var/log/open.log":       "x",
		"var/log/gw.log":         "x",
		"var/log/ww.log":         "x",
		"var/log/wtmp":           "x",
		"var/log/app/nested.log": "x",
		"var/log/locked/in.log":  "x",
		"elsewhere/secret.log":   "x",
	})
	lg := filepath.Join(root, "var", "log")
	modes := map[string]os.FileMode{"ok.log": 0o640, "open.log": 0o644, "gw.log": 0o660, "ww.log": 0o666, "wtmp": 0o664, "app/nested.log": 0o604, "locked/in.log": 0o644}
	for f, m := range modes {
		if err := os.Chmod(filepath.Join(lg, f), m); err != nil {
			t.Fatal(err)
		}
	}
	// A symlink loop and a link out of /var/log: neither is followed.
	if err := os.Symlink(lg, filepath.Join(lg, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "elsewhere"), filepath.Join(lg, "out")); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(filepath.Join(root, "elsewhere", "secret.log"), 0o666)
	if err := os.Chmod(filepath.Join(lg, "locked"), 0o000); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(filepath.Join(lg, "locked"), 0o755) })

	p := &logPermsProbe{treeEnv(root, os.Geteuid() == 0)}
	start := time.Now()
	r := run(t, p)
	if d := time.Since(start); d > testutil.WorkBound(5*time.Second) {
		t.Fatalf("walk took %v", d)
	}
	got := map[string]string{}
	for _, f := range r.Findings {
		got[f.Location.Path] = f.Rule
	}
	want := map[string]string{
		"/var/log/open.log": RuleLogWorldReadable, "/var/log/gw.log": RuleLogGroupWritable,
		"/var/log/ww.log": RuleLogWorldWritable, "/var/log/app/nested.log": RuleLogWorldReadable,
	}
	if os.Geteuid() == 0 {
		// root reads a mode-000 directory.
		want["/var/log/locked/in.log"] = RuleLogWorldReadable
	} else if !strings.Contains(r.Unknown[ctlLogAccess], "/var/log/locked (permission denied)") || !strings.Contains(r.Unknown[ctlLogAccess], "run as root") {
		t.Errorf("unreadable directory not reported: %q", r.Unknown[ctlLogAccess])
	}
	if len(got) != len(want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	empty := &logPermsProbe{treeEnv(t.TempDir(), false)}
	if r := run(t, empty); r.NotApplicable[ctlLogAccess] == "" {
		t.Fatalf("no /var/log: %s", summary(empty, r))
	}
}
