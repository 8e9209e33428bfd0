package host

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

var update = flag.Bool("update", false, "rewrite golden files")

var localHost = &target.Target{Kind: policy.KindHost, Name: "host:local", Host: "local"}

// fixture returns an env reading the tree under testdata/dir, as a non-root user unless
// root is set.
func fixture(t *testing.T, dir string, root bool) *env {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", dir))
	if err != nil {
		t.Fatal(err)
	}
	return treeEnv(abs, root)
}

func treeEnv(dir string, root bool) *env {
	e := newEnv(Options{Root: dir})
	e.euid = 1000
	if root {
		e.euid = 0
	}
	return e
}

// summary renders a result for golden files: stable order, no host-specific text.
func summary(p probe.Probe, r *probe.Result) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "finding %s %s %s\n  message: %s\n  evidence: %s\n", f.Control, f.Rule, f.Location, f.Message, f.Evidence.Text)
	}
	for _, c := range p.Controls() {
		if s := r.Unknown[c]; s != "" {
			fmt.Fprintf(&b, "unknown %s: %s\n", c, s)
		}
		if s := r.NotApplicable[c]; s != "" {
			fmt.Fprintf(&b, "n/a %s: %s\n", c, s)
		}
		if s := r.Evidence[c]; s != "" {
			fmt.Fprintf(&b, "evidence %s: %s\n", c, s)
		}
	}
	ws := append([]string(nil), r.Warnings...)
	sort.Strings(ws)
	for _, w := range ws {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func run(t *testing.T, p probe.Probe) *probe.Result {
	t.Helper()
	r, err := p.Run(context.Background(), localHost)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSSHDGolden(t *testing.T) {
	for _, name := range []string{"weak", "hardened", "netmatch", "broken", "none"} {
		t.Run(name, func(t *testing.T) {
			p := &sshdProbe{fixture(t, "sshd/"+name, false)}
			golden(t, "sshd-"+name, summary(p, run(t, p)))
		})
	}
}

func TestSSHDFindings(t *testing.T) {
	rules := func(dir string) map[string]string {
		p := &sshdProbe{fixture(t, "sshd/"+dir, false)}
		out := map[string]string{}
		for _, f := range run(t, p).Findings {
			out[f.Rule+" "+f.Control] += f.Location.String() + ";"
		}
		return out
	}
	weak := rules("weak")
	// PasswordAuthentication is not set: OpenSSH's default (yes) applies.
	if weak[RuleSSHPassword+" ZT-3"] != "/etc/ssh/sshd_config;" {
		t.Errorf("weak password: %v", weak)
	}
	if weak[RuleSSHRootLogin+" ZT-1"] != "/etc/ssh/sshd_config:5;" || weak[RuleSSHEmptyPassword+" ZT-1"] != "/etc/ssh/sshd_config:6;" {
		t.Errorf("weak root/empty: %v", weak)
	}
	if h := rules("hardened"); len(h) != 0 {
		t.Errorf("hardened: first value (the drop-in) must win: %v", h)
	}
	n := rules("netmatch")
	if n[RuleSSHNetworkGate+" ZT-2"] != "/etc/ssh/sshd_config:4;" {
		t.Errorf("netmatch ZT-2: %v", n)
	}
	if n[RuleSSHPassword+" ZT-3"] != "/etc/ssh/sshd_config:5;/etc/ssh/sshd_config:8;" || n[RuleSSHRootLogin+" ZT-1"] != "/etc/ssh/sshd_config:6;" {
		t.Errorf("netmatch ZT-1/ZT-3: %v", n)
	}
}

func TestRetentionGolden(t *testing.T) {
	for _, name := range []string{"bounded", "forever"} {
		t.Run(name, func(t *testing.T) {
			p := &retentionProbe{fixture(t, "retention/"+name, false)}
			golden(t, "retention-"+name, summary(p, run(t, p)))
		})
	}
	t.Run("empty", func(t *testing.T) {
		p := &retentionProbe{treeEnv(t.TempDir(), false)}
		r := run(t, p)
		if r.NotApplicable[ctlRetention] == "" || r.NotApplicable[ctlRetentionLG] == "" || len(r.Findings) != 0 {
			t.Fatalf("%s", summary(p, r))
		}
	})
}

func TestRejectsOtherTargets(t *testing.T) {
	for _, p := range New(Options{Root: t.TempDir()}) {
		for _, tg := range []*target.Target{{Kind: policy.KindHost, Host: "db1"}, {Kind: policy.KindRepo, Root: "/x"}} {
			if _, err := p.Run(context.Background(), tg); err == nil {
				t.Errorf("%s ran on %+v", p.Name(), tg)
			}
		}
	}
}
