package host

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/sshd"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// Rules of the sshd probe.
const (
	RuleSSHPassword      = "host/sshd-password-login"
	RuleSSHRootLogin     = "host/sshd-root-login"
	RuleSSHEmptyPassword = "host/sshd-empty-passwords"
	RuleSSHNetworkGate   = "host/sshd-match-address-relaxes-auth"
)

const (
	ctlPrivileged = "ZT-1"
	ctlNetwork    = "ZT-2"
	ctlServices   = "ZT-3"
)

const sshdConfig = "/etc/ssh/sshd_config"

// sshdDefaults are OpenSSH's compiled-in defaults (since 7.0) for the keywords judged.
var sshdDefaults = map[string]string{
	"passwordauthentication":       "yes",
	"kbdinteractiveauthentication": "yes",
	"permitrootlogin":              "prohibit-password",
	"permitemptypasswords":         "no",
	"usepam":                       "no",
	"authenticationmethods":        "any",
	"hostbasedauthentication":      "no",
}

// sshdAliases are older names sshd still accepts for a keyword.
var sshdAliases = map[string]string{"challengeresponseauthentication": "kbdinteractiveauthentication"}

type sshdProbe struct{ *env }

func (*sshdProbe) Name() string       { return "host/sshd" }
func (*sshdProbe) Controls() []string { return []string{ctlPrivileged, ctlNetwork, ctlServices} }
func (*sshdProbe) Kinds() []policy.TargetKind {
	return hostKinds
}
func (*sshdProbe) Description() string {
	return "sshd_config (with Include and Match blocks) forbids root login and empty passwords, does not allow password login, and no Match Address block relaxes authentication"
}

// setting is the effective value of one keyword in one context.
type setting struct {
	value string
	d     *sshd.Directive // nil: the default
}

func (s setting) at(def string) (string, int) {
	if s.d == nil {
		return def, 0
	}
	return s.d.File, s.d.Line
}

// sshdView is the effective configuration of one context: the global one, or the global
// one with one Match block applied.
type sshdView map[string]setting

func viewOf(blocks ...*sshd.Block) sshdView {
	v := sshdView{}
	for k, def := range sshdDefaults {
		v[k] = setting{value: def}
	}
	set := map[string]bool{}
	for _, b := range blocks {
		for i := range b.Directives {
			d := &b.Directives[i]
			k := d.Keyword
			if a, ok := sshdAliases[k]; ok {
				k = a
			}
			if _, judged := sshdDefaults[k]; !judged || set[k] {
				continue
			}
			set[k] = true
			val := strings.ToLower(d.Value())
			if k == "authenticationmethods" {
				val = strings.Join(d.Args, " ")
			}
			v[k] = setting{value: val, d: d}
		}
	}
	return v
}

// passwordLogin says whether a password alone can log in, and through which keyword.
func (v sshdView) passwordLogin() (bool, setting) {
	pw := v["passwordauthentication"]
	kbd := v["kbdinteractiveauthentication"]
	pwOn := pw.value == "yes"
	// keyboard-interactive asks for a password only through PAM.
	kbdOn := kbd.value == "yes" && v["usepam"].value == "yes"
	methods := v["authenticationmethods"]
	if methods.value != "any" && methods.value != "" {
		for _, list := range strings.Fields(methods.value) {
			only := true
			for _, m := range strings.Split(list, ",") {
				m, _, _ = strings.Cut(m, ":")
				switch {
				case m == "password" && pwOn:
				case m == "keyboard-interactive" && kbdOn:
				default:
					only = false
				}
			}
			if only {
				return true, methods
			}
		}
		return false, methods
	}
	if pwOn {
		return true, pw
	}
	if kbdOn {
		return true, kbd
	}
	return false, pw
}

var rootRank = map[string]int{"no": 0, "forced-commands-only": 1, "prohibit-password": 2, "without-password": 2, "yes": 3}

// networkCriteria are Match criteria that select by where a connection comes from or
// arrives.
var networkCriteria = []string{"address", "host", "localaddress", "localport", "rdomain"}

func (p *sshdProbe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	if err := checkTarget(t); err != nil {
		return nil, err
	}
	r := &probe.Result{}
	ctls := []string{ctlPrivileged, ctlNetwork, ctlServices}
	c, err := sshd.Load(p, sshdConfig)
	if err != nil {
		for _, ctl := range ctls {
			if os.IsNotExist(err) {
				r.MarkNotApplicable(ctl, "no OpenSSH server configuration ("+sshdConfig+")")
			} else {
				r.MarkUnknown(ctl, fmt.Sprintf("%s: %v", sshdConfig, err))
			}
		}
		return r, nil
	}
	for _, e := range c.Errors {
		for _, ctl := range ctls {
			r.MarkUnknown(ctl, "sshd configuration: "+e.Error()+" (sshd refuses to start on it, so the running server may use another configuration)")
		}
	}
	// Match All applies to every connection and overrides the global section.
	var all []*sshd.Block
	var cond []*sshd.Block
	for _, m := range c.Matches {
		if m.Has("all") && len(m.Criteria) == 1 {
			all = append(all, m)
		} else {
			cond = append(cond, m)
		}
	}
	global := viewOf(append(all, c.Global)...)
	p.judge(r, global, "", nil)

	relaxedByNet := 0
	for _, m := range cond {
		v := viewOf(append(append([]*sshd.Block{m}, all...), c.Global)...)
		scope := fmt.Sprintf(" for connections matching `%s` (%s:%d)", m.Match.Text, m.Match.File, m.Match.Line)
		relax := p.judge(r, v, scope, global)
		if len(relax) == 0 {
			continue
		}
		isNet := false
		for _, n := range networkCriteria {
			isNet = isNet || m.Has(n)
		}
		if !isNet {
			continue
		}
		relaxedByNet++
		add(r, ctlNetwork, RuleSSHNetworkGate, m.Match.File, m.Match.Line, "match:"+m.Match.Text,
			m.Match.Text+": "+strings.Join(relax, "; "),
			"sshd relaxes authentication by network location: connections matching `"+m.Match.Text+"` get "+strings.Join(relax, ", ")+", so where a caller connects from stands in for who they are.",
			"Remove the relaxation from the Match block: require the same authentication (keys, no root, no passwords) from every network, and use network rules only as an extra layer.")
	}
	if relaxedByNet == 0 {
		r.Attest(ctlNetwork, fmt.Sprintf("%d Match blocks in %s, none relaxes authentication by network location", len(c.Matches), strings.Join(c.Files, ", ")))
	}
	pw, _ := global.passwordLogin()
	r.Attest(ctlPrivileged, fmt.Sprintf("PermitRootLogin %s, PermitEmptyPasswords %s", global["permitrootlogin"].value, global["permitemptypasswords"].value))
	r.Attest(ctlServices, fmt.Sprintf("password login %s (PasswordAuthentication %s, KbdInteractiveAuthentication %s, UsePAM %s)", onOff(pw), global["passwordauthentication"].value, global["kbdinteractiveauthentication"].value, global["usepam"].value))
	return r, nil
}

func onOff(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

// judge reports what is weak in a view. For a Match block (base != nil) only what the
// block makes weaker than the global view is reported, and returned as descriptions.
func (p *sshdProbe) judge(r *probe.Result, v sshdView, scope string, base sshdView) []string {
	var relax []string
	pw, via := v.passwordLogin()
	basePw := false
	if base != nil {
		basePw, _ = base.passwordLogin()
	}
	if pw && (base == nil || !basePw) {
		file, line := via.at(sshdConfig)
		ev := fmt.Sprintf("PasswordAuthentication %s, KbdInteractiveAuthentication %s, UsePAM %s, AuthenticationMethods %s", v["passwordauthentication"].value, v["kbdinteractiveauthentication"].value, v["usepam"].value, v["authenticationmethods"].value)
		if via.d == nil {
			ev += " (OpenSSH default)"
		}
		add(r, ctlServices, RuleSSHPassword, file, line, "password"+scope, ev,
			"sshd accepts a password alone to log in"+scope+": a guessed, reused or phished password is enough to get a shell.",
			"Set `PasswordAuthentication no` and `KbdInteractiveAuthentication no` (or require a key first: `AuthenticationMethods publickey,password`) and use SSH keys or certificates.")
		relax = append(relax, "password login")
	}
	root := v["permitrootlogin"]
	if rootRank[root.value] == 3 && (base == nil || rootRank[base["permitrootlogin"].value] < 3) {
		file, line := root.at(sshdConfig)
		how := "with a key"
		if pw {
			how = "with a password or a key"
		}
		add(r, ctlPrivileged, RuleSSHRootLogin, file, line, "root"+scope, "PermitRootLogin yes",
			"sshd lets root log in directly "+how+scope+": the most privileged account is reachable without an individual identity or a privilege step.",
			"Set `PermitRootLogin no` (or `prohibit-password` if automation needs root keys) and have people log in as themselves and use sudo.")
		relax = append(relax, "root login")
	} else if base != nil && rootRank[root.value] > rootRank[base["permitrootlogin"].value] {
		relax = append(relax, "PermitRootLogin "+root.value)
	}
	empty := v["permitemptypasswords"]
	if empty.value == "yes" && pw && (base == nil || base["permitemptypasswords"].value != "yes") {
		file, line := empty.at(sshdConfig)
		add(r, ctlPrivileged, RuleSSHEmptyPassword, file, line, "empty"+scope, "PermitEmptyPasswords yes with password login enabled",
			"sshd lets accounts with an empty password log in"+scope+": no secret at all stands between the network and a shell.",
			"Set `PermitEmptyPasswords no` and lock accounts without a password (`passwd -l`).")
		relax = append(relax, "empty passwords")
	}
	if base != nil && v["hostbasedauthentication"].value == "yes" && base["hostbasedauthentication"].value != "yes" {
		relax = append(relax, "host-based authentication")
	}
	return relax
}
