package containers

import (
	"regexp"
	"strings"
)

// upgradeRE matches package-manager commands that upgrade installed packages. Run when a
// container starts, they make every container a different system from the image that
// was built and tested. Options may stand between the tool and its subcommand
// (apt-get -y upgrade).
var upgradeRE = regexp.MustCompile(`(?:^|[\s;&|(` + "`" + `'"])((?:apt-get|apt|aptitude)(?:\s+-\S+)*\s+(?:upgrade|dist-upgrade|full-upgrade)|apk(?:\s+-\S+)*\s+upgrade|(?:yum|dnf|microdnf|tdnf)(?:\s+-\S+)*\s+(?:update|upgrade|distro-sync)|zypper(?:\s+-\S+)*\s+(?:update|up|dist-upgrade|dup|patch))(?:$|[\s;&|)` + "`" + `'"])`)

// upgradeIn returns the first upgrade command in shell text, or "".
func upgradeIn(text string) string {
	m := upgradeRE.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(m[1]), " ")
}

// scriptUpgrades finds upgrade commands in a script file, line by line, skipping
// comments; it returns the first one and its line.
func scriptUpgrades(data []byte) (string, int) {
	for i, l := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if cmd := upgradeIn(t); cmd != "" {
			return cmd, i + 1
		}
	}
	return "", 0
}

// argv splits a command string on blanks, honouring quotes, the way compose splits a
// string command (it does not run a shell).
func argv(s string) []string {
	var out []string
	var w strings.Builder
	var quote rune
	in := false
	for _, c := range s {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(c)
		case c == '"' || c == '\'':
			quote, in = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				out = append(out, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteRune(c)
			in = true
		}
	}
	if in {
		out = append(out, w.String())
	}
	return out
}

// flagValue returns the value of a command-line option in argv, given as "--name value",
// "--name=value" or (for single-letter options) "-n value" / "-nvalue"; ok says whether
// the option is present at all.
func flagValue(args []string, names ...string) (string, bool) {
	for i, a := range args {
		for _, n := range names {
			switch {
			case a == n:
				if i+1 < len(args) {
					return args[i+1], true
				}
				return "", true
			case strings.HasPrefix(a, n+"="):
				return a[len(n)+1:], true
			case len(n) == 2 && n[0] == '-' && n[1] != '-' && strings.HasPrefix(a, n) && len(a) > 2 && !strings.HasPrefix(a, "--"):
				return a[2:], true
			}
		}
	}
	return "", false
}

// expandShellArgs splits "sh -c '...'" strings into their words, so that options given
// inside a shell command are seen like any other.
func expandShellArgs(args []string) []string {
	var out []string
	for _, a := range args {
		if strings.ContainsAny(a, " \t\n") {
			out = append(out, argv(a)...)
		} else {
			out = append(out, a)
		}
	}
	return out
}
