package hygiene

import (
	"path"
	"slices"
	"strings"
)

// shCmd is one simple command in a shell script: its words after quote removal, and the
// line (1-based, within the script) its first word is on.
type shCmd struct {
	words []string
	line  int
}

// maxShellDepth bounds nested command substitutions.
const maxShellDepth = 16

// shellCommands splits a shell script into simple commands. It is not a shell: it knows
// quoting, comments, line continuations, command separators, command substitution and
// here-documents, which is what it takes to tell `npm audit` from `# npm audit` or
// `echo "npm audit"`. Expansions are kept as written.
func shellCommands(text string) []shCmd {
	var out []shCmd
	lexShell(text, 1, 0, &out)
	return out
}

type shLexer struct {
	s       string
	i       int
	line    int
	depth   int
	out     *[]shCmd
	words   []string
	first   int // line of the command's first word
	word    strings.Builder
	inWord  bool
	redir   bool     // the word being read is a redirection target, not an argument
	heredoc []string // delimiters whose bodies start on the next line
	dashDoc []bool
}

func lexShell(s string, line, depth int, out *[]shCmd) {
	l := &shLexer{s: s, line: line, depth: depth, out: out}
	l.run()
}

func (l *shLexer) endWord() {
	if !l.inWord {
		return
	}
	w := l.word.String()
	l.word.Reset()
	l.inWord = false
	if l.redir {
		l.redir = false
		return
	}
	if len(l.words) == 0 {
		l.first = l.line
	}
	l.words = append(l.words, w)
}

func (l *shLexer) endCommand() {
	l.endWord()
	l.redir = false
	if len(l.words) > 0 {
		*l.out = append(*l.out, shCmd{words: l.words, line: l.first})
	}
	l.words = nil
}

func (l *shLexer) startWord() {
	if !l.inWord {
		l.inWord = true
		if len(l.words) == 0 {
			l.first = l.line
		}
	}
}

func (l *shLexer) run() {
	s := l.s
	for l.i < len(s) {
		c := s[l.i]
		switch {
		case c == '\\':
			if l.i+1 < len(s) && s[l.i+1] == '\n' {
				l.line++
				l.i += 2
				continue
			}
			l.startWord()
			if l.i+1 < len(s) {
				l.word.WriteByte(s[l.i+1])
			}
			l.i += 2
		case c == '\'':
			l.startWord()
			end := strings.IndexByte(s[l.i+1:], '\'')
			if end < 0 {
				end = len(s) - l.i - 1
			}
			body := s[l.i+1 : l.i+1+end]
			l.word.WriteString(body)
			l.line += strings.Count(body, "\n")
			l.i += end + 2
		case c == '"':
			l.startWord()
			l.i++
			l.doubleQuoted()
		case c == '`':
			l.startWord()
			l.substitution('`')
		case c == '$' && l.i+1 < len(s) && s[l.i+1] == '(':
			l.startWord()
			l.i++
			l.substitution('(')
		case c == '$' && l.i+1 < len(s) && s[l.i+1] == '{':
			l.startWord()
			end := matchClose(s, l.i+1, '{', '}')
			body := s[l.i:end]
			l.word.WriteString(body)
			l.line += strings.Count(body, "\n")
			l.i = end
		case c == '#' && !l.inWord:
			for l.i < len(s) && s[l.i] != '\n' {
				l.i++
			}
		case c == '\n':
			l.endCommand()
			l.line++
			l.i++
			l.skipHeredocs()
		case c == ';' || c == '&' || c == '|' || c == '(' || c == ')':
			l.endCommand()
			l.i++
		case c == '<' || c == '>':
			if l.inWord && strings.Trim(l.word.String(), "0123456789") == "" {
				l.word.Reset() // "2>": a file descriptor number, not an argument
				l.inWord = false
			}
			l.endWord()
			if strings.HasPrefix(s[l.i:], "<<") && !strings.HasPrefix(s[l.i:], "<<<") {
				l.i += 2
				l.readHeredocDelimiter()
				continue
			}
			// ">&2" and "2>&1" are one operator here, not a ">" and a command separator.
			for l.i < len(s) && (s[l.i] == '<' || s[l.i] == '>' || s[l.i] == '&') {
				l.i++
			}
			l.redir = true
		case c == ' ' || c == '\t' || c == '\r':
			l.endWord()
			l.i++
		default:
			l.startWord()
			l.word.WriteByte(c)
			l.i++
		}
	}
	l.endCommand()
}

// doubleQuoted reads up to the closing quote; substitutions inside are commands too.
func (l *shLexer) doubleQuoted() {
	s := l.s
	for l.i < len(s) {
		c := s[l.i]
		switch {
		case c == '"':
			l.i++
			return
		case c == '\\' && l.i+1 < len(s):
			if n := s[l.i+1]; n == '"' || n == '\\' || n == '$' || n == '`' {
				l.word.WriteByte(n)
			} else if n == '\n' {
				l.line++
			} else {
				l.word.WriteByte(c)
				l.word.WriteByte(n)
			}
			l.i += 2
		case c == '`':
			l.substitution('`')
		case c == '$' && l.i+1 < len(s) && s[l.i+1] == '(':
			l.i++
			l.substitution('(')
		default:
			if c == '\n' {
				l.line++
			}
			l.word.WriteByte(c)
			l.i++
		}
	}
}

// substitution lexes $(...) or `...` at l.i as a script of its own. Its text does not
// become part of the word: what it prints is unknown until the script runs.
func (l *shLexer) substitution(open byte) {
	s := l.s
	var end, bodyEnd int
	if open == '`' {
		j := l.i + 1
		for j < len(s) && s[j] != '`' {
			if s[j] == '\\' {
				j++
			}
			j++
		}
		bodyEnd, end = min(j, len(s)), min(j+1, len(s))
	} else {
		end = matchClose(s, l.i, '(', ')')
		bodyEnd = end
		if end > l.i+1 && s[end-1] == ')' {
			bodyEnd = end - 1
		}
	}
	body := s[min(l.i+1, bodyEnd):bodyEnd]
	if l.depth < maxShellDepth {
		lexShell(body, l.line, l.depth+1, l.out)
	}
	l.line += strings.Count(s[l.i:end], "\n")
	l.i = end
}

// matchClose returns the index after the bracket closing the one at s[i], honouring
// quotes; the end of s if it is never closed.
func matchClose(s string, i int, open, close byte) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '\'':
			if k := strings.IndexByte(s[j+1:], '\''); k >= 0 {
				j += k + 1
			} else {
				return len(s)
			}
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(s)
}

// readHeredocDelimiter reads the word after "<<" or "<<-"; the body is skipped at the
// end of the line, since it is data for the command, not commands.
func (l *shLexer) readHeredocDelimiter() {
	s := l.s
	dash := false
	if l.i < len(s) && s[l.i] == '-' {
		dash = true
		l.i++
	}
	for l.i < len(s) && (s[l.i] == ' ' || s[l.i] == '\t') {
		l.i++
	}
	var d strings.Builder
	for l.i < len(s) {
		c := s[l.i]
		if c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == ')' {
			break
		}
		if c != '\'' && c != '"' && c != '\\' {
			d.WriteByte(c)
		}
		l.i++
	}
	if d.Len() > 0 {
		l.heredoc = append(l.heredoc, d.String())
		l.dashDoc = append(l.dashDoc, dash)
	}
}

func (l *shLexer) skipHeredocs() {
	for k, delim := range l.heredoc {
		for l.i < len(l.s) {
			end := strings.IndexByte(l.s[l.i:], '\n')
			next := len(l.s)
			if end >= 0 {
				next = l.i + end + 1
			}
			ln := strings.TrimSuffix(strings.TrimSuffix(l.s[l.i:next], "\n"), "\r")
			if l.dashDoc[k] {
				ln = strings.TrimLeft(ln, "\t")
			}
			l.i = next
			if end >= 0 {
				l.line++
			}
			if ln == delim {
				break
			}
		}
	}
	l.heredoc, l.dashDoc = nil, nil
}

// commandUse is what a command means for dependency scanning: the scanner it runs, a
// script file it runs (to be read in turn), or a script given inline (bash -c '…').
type commandUse struct {
	tool   string
	script string
	inline string
}

// shellKeywords and prefixes that precede the command actually run.
var shellKeywords = map[string]bool{
	"if": true, "then": true, "else": true, "elif": true, "do": true, "while": true, "until": true,
	"!": true, "{": true, "}": true, "time": true, "exec": true, "command": true, "builtin": true,
	"nohup": true, "nice": true, "ionice": true, "stdbuf": true, "xvfb-run": true, "eval": true,
}

// runners run the tool named by their next word: "bundle exec", "poetry run", "npx".
var runners = map[string][]string{
	"npx": nil, "bunx": nil, "pnpx": nil, "uvx": nil,
	"pipx": {"run"}, "bundle": {"exec"}, "poetry": {"run"}, "pipenv": {"run"}, "uv": {"run", "tool run"},
	"pdm": {"run"}, "hatch": {"run"}, "rye": {"run"}, "npm": {"exec", "x"}, "pnpm": {"exec", "dlx"},
	"yarn": {"exec", "dlx"}, "bun": {"x"}, "mise": {"exec", "x"}, "go": {"tool"},
}

// valueFlags take the next word as their value in the wrappers and package managers
// below, so that word is not taken for a subcommand.
var valueFlags = map[string]bool{
	"-u": true, "-g": true, "-C": true, "--prefix": true, "--dir": true, "--cwd": true,
	"--workspace": true, "-w": true, "--filter": true, "-F": true, "--working-dir": true, "-d": true,
	"-p": true, "--package": true, "--with": true, "-tags": true, "-mod": true, "-modfile": true,
	"-ldflags": true, "-gcflags": true, "-o": true, "-k": true, "-s": true, "--signal": true,
	"--manifest-path": true, "--config": true, "-c": true, "--from": true,
}

// analyseCommand says what one command does for dependency scanning.
func analyseCommand(words []string) commandUse {
	w := unwrap(words)
	if len(w) == 0 {
		return commandUse{}
	}
	name := commandName(w[0])
	args := w[1:]
	switch name {
	case "bash", "sh", "zsh", "dash", "ksh", "source", ".":
		for i, a := range args {
			if a == "-c" || (len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.HasSuffix(a, "c")) {
				if i+1 < len(args) {
					return commandUse{inline: args[i+1]}
				}
				return commandUse{}
			}
			if !strings.HasPrefix(a, "-") {
				return commandUse{script: a}
			}
		}
		return commandUse{}
	}
	if t := scannerTool(name, args); t != "" {
		return commandUse{tool: t}
	}
	if strings.Contains(w[0], "/") {
		return commandUse{script: w[0]}
	}
	return commandUse{}
}

// unwrap strips variable assignments, shell keywords and runners (sudo, env, npx, go run,
// python -m, …) down to the command that does the work.
func unwrap(w []string) []string {
	for n := 0; len(w) > 0 && n < 32; n++ {
		first := w[0]
		name := commandName(first)
		switch {
		case isAssignment(first), shellKeywords[first]:
			w = w[1:]
		case name == "sudo" || name == "doas" || name == "env" || name == "timeout":
			w = skipFlags(w[1:])
			for len(w) > 0 && isAssignment(w[0]) {
				w = w[1:]
			}
			if name == "timeout" && len(w) > 0 {
				w = w[1:] // the duration
			}
		case (name == "python" || strings.HasPrefix(name, "python3") || name == "py") && len(w) > 2:
			i := slices.Index(w, "-m")
			if i < 0 || i+1 >= len(w) {
				return w
			}
			w = append([]string{strings.ReplaceAll(w[i+1], "_", "-")}, w[i+2:]...)
		case name == "go" && len(w) > 1 && w[1] == "run":
			rest := skipFlags(w[2:])
			if len(rest) == 0 {
				return nil
			}
			pkg, _, _ := strings.Cut(rest[0], "@")
			base := path.Base(strings.TrimSuffix(pkg, "/"))
			if base == "." || base == ".." || base == "/" {
				return nil // the current module's main package: its name says nothing
			}
			w = append([]string{base}, rest[1:]...)
		default:
			subs, ok := runners[name]
			if !ok {
				return w
			}
			if subs == nil {
				w = skipFlags(w[1:])
				break
			}
			n := runnerWords(w[1:], subs)
			if n == 0 {
				return w
			}
			w = skipFlags(w[1+n:])
		}
		if len(w) > 0 && w[0] == "--" {
			w = w[1:]
		}
	}
	return w
}

// runnerWords is how many words of w spell one of subs ("tool run" is two), or 0.
func runnerWords(w []string, subs []string) int {
	for _, sub := range subs {
		parts := strings.Fields(sub)
		if len(w) >= len(parts) && slices.Equal(w[:len(parts)], parts) {
			return len(parts)
		}
	}
	return 0
}

func skipFlags(w []string) []string {
	for len(w) > 0 && strings.HasPrefix(w[0], "-") && w[0] != "--" {
		if valueFlags[w[0]] && len(w) > 1 {
			w = w[1:]
		}
		w = w[1:]
	}
	return w
}

func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" {
		return false
	}
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// commandName is how a command word names its program: ./bin/trivy, trivy.exe and
// "$HOME/go/bin/govulncheck" all name the program after their last path element.
func commandName(w string) string {
	n := strings.ToLower(path.Base(strings.ReplaceAll(w, "\\", "/")))
	n, _, _ = strings.Cut(n, "@")
	for _, ext := range []string{".exe", ".sh", ".bat", ".cmd"} {
		n = strings.TrimSuffix(n, ext)
	}
	return n
}

// subcommand is the first argument that is not a flag (or a flag's value).
func subcommand(args []string) (string, []string) {
	rest := skipFlags(args)
	if len(rest) == 0 {
		return "", nil
	}
	return rest[0], rest[1:]
}

// onlyInfo is true when the arguments only ask for a version or help text.
func onlyInfo(args []string) bool {
	if len(args) == 0 {
		return false
	}
	for _, a := range args {
		switch a {
		case "--version", "-version", "-v", "-V", "version", "--help", "-help", "-h", "help":
		default:
			return false
		}
	}
	return true
}

var trivyTargets = map[string]string{
	"fs": "fs", "filesystem": "fs", "repo": "repo", "repository": "repo", "image": "image", "i": "image",
	"rootfs": "rootfs", "sbom": "sbom",
}

// scannerTool names the dependency scanner a command runs, or "" for anything else.
// Subcommands matter: `npm audit signatures` checks signatures, `trivy config` checks
// IaC and `snyk code test` checks source code; none of them looks for vulnerable packages.
func scannerTool(name string, args []string) string {
	if onlyInfo(args) {
		return ""
	}
	sub, rest := subcommand(args)
	switch name {
	case "osv-scanner", "govulncheck", "pip-audit", "audit-ci", "better-npm-audit":
		return name
	case "dependency-check":
		return "OWASP dependency-check"
	case "trivy":
		for _, a := range args {
			if t, ok := trivyTargets[a]; ok && trivyScansVulns(args) {
				return "trivy " + t
			}
		}
	case "grype":
		if !slices.Contains([]string{"db", "version", "completion", "config", "help"}, sub) {
			return "grype"
		}
	case "npm", "pnpm", "bun":
		if sub == "audit" && (len(rest) == 0 || rest[0] != "signatures") {
			return name + " audit"
		}
	case "yarn":
		if sub == "audit" {
			return "yarn audit"
		}
		if sub == "npm" && len(rest) > 0 && rest[0] == "audit" {
			return "yarn npm audit"
		}
	case "composer":
		if sub == "audit" {
			return "composer audit"
		}
	case "safety":
		if sub == "check" || sub == "scan" {
			return "safety " + sub
		}
	case "bundle-audit", "bundler-audit":
		if !slices.Contains([]string{"update", "download", "version", "help"}, sub) {
			return "bundle-audit"
		}
	case "bundle", "bundler":
		if sub == "audit" {
			return "bundle audit"
		}
	case "cargo":
		switch sub {
		case "audit":
			return "cargo audit"
		case "deny":
			if cargoDenyAdvisories(rest) {
				return "cargo deny"
			}
		}
	case "cargo-audit":
		return "cargo audit"
	case "cargo-deny":
		if cargoDenyAdvisories(args) {
			return "cargo deny"
		}
	case "posture":
		if sub == "scan" && postureChecksVulns(rest) {
			return "posture scan"
		}
	case "snyk":
		switch {
		case sub == "test" || sub == "monitor":
			return "snyk " + sub
		case sub == "container" && len(rest) > 0 && (rest[0] == "test" || rest[0] == "monitor"):
			return "snyk container " + rest[0]
		}
	case "mvn", "mvnw":
		for _, a := range args {
			if strings.Contains(a, "dependency-check-maven") || strings.HasPrefix(a, "dependency-check:") {
				return "OWASP dependency-check (Maven)"
			}
		}
	case "gradle", "gradlew":
		for _, a := range args {
			t := a[strings.LastIndexByte(a, ':')+1:]
			if t == "dependencyCheckAnalyze" || t == "dependencyCheckAggregate" {
				return "OWASP dependency-check (Gradle)"
			}
		}
	case "dotnet":
		if sub == "list" && slices.Contains(args, "--vulnerable") {
			return "dotnet list package --vulnerable"
		}
	}
	return ""
}

// trivyScansVulns is false when --scanners (formerly --security-checks) leaves out "vuln".
func trivyScansVulns(args []string) bool {
	for i, a := range args {
		for _, f := range []string{"--scanners", "--security-checks"} {
			v, ok := strings.CutPrefix(a, f+"=")
			if !ok && a == f && i+1 < len(args) {
				v, ok = args[i+1], true
			}
			if ok && !slices.Contains(strings.Split(v, ","), "vuln") {
				return false
			}
		}
	}
	return true
}

// cargoDenyAdvisories is true for `cargo deny check` with no list of checks, or one that
// includes advisories; `cargo deny check licenses` does not look at vulnerabilities.
func cargoDenyAdvisories(args []string) bool {
	sub, rest := subcommand(args)
	if sub != "check" {
		return false
	}
	var checks []string
	for _, a := range rest {
		if !strings.HasPrefix(a, "-") {
			checks = append(checks, a)
		}
	}
	return len(checks) == 0 || slices.Contains(checks, "advisories") || slices.Contains(checks, "all")
}

// postureChecksVulns is true unless --only or --skip leave out VM-3, the control under
// which posture reports vulnerable dependencies.
func postureChecksVulns(args []string) bool {
	listed := func(flag string) (bool, bool) {
		for i, a := range args {
			v, ok := strings.CutPrefix(a, flag+"=")
			if !ok && a == flag && i+1 < len(args) {
				v, ok = args[i+1], true
			}
			if ok {
				for _, id := range strings.Split(v, ",") {
					if id = strings.ToUpper(strings.TrimSpace(id)); id == "VM-3" || id == "VM" {
						return true, true
					}
				}
				return true, false
			}
		}
		return false, false
	}
	if given, has := listed("--only"); given && !has {
		return false
	}
	_, skipped := listed("--skip")
	return !skipped
}
