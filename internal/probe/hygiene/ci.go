package hygiene

import (
	"context"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// ciStep is a place in a CI definition that runs a dependency scanner.
type ciStep struct {
	Path string
	Line int
	Tool string
	// Via is the CI definition that runs Path, when Path is a script it calls.
	Via    string
	Active bool
	// Why says why an inactive step never runs.
	Why string
}

func (s ciStep) String() string {
	out := fmt.Sprintf("%s at %s:%d", s.Tool, s.Path, s.Line)
	if s.Via != "" {
		out += " (run by " + s.Via + ")"
	}
	return out
}

// ciFiles is what the CI readers need from the inventory; tests and fuzzing give it
// directly.
type ciFiles struct {
	paths []string
	read  func(p string) ([]byte, error)
}

func (f ciFiles) has(p string) bool {
	i := sort.SearchStrings(f.paths, p)
	return i < len(f.paths) && f.paths[i] == p
}

// ciKind says which CI system reads a file, or "" for none.
func ciKind(p string) string {
	base := path.Base(p)
	yml := strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml")
	switch {
	case path.Dir(p) == ".github/workflows" && yml:
		return "github"
	case p == ".gitlab-ci.yml" || p == ".gitlab-ci.yaml":
		return "gitlab"
	case p == "bitbucket-pipelines.yml" || p == "bitbucket-pipelines.yaml":
		return "bitbucket"
	case p == ".circleci/config.yml" || p == ".circleci/config.yaml":
		return "circleci"
	case path.Dir(p) == "." && strings.HasPrefix(base, "azure-pipelines") && yml:
		return "azure"
	case base == "Jenkinsfile" && !installed(p):
		return "jenkins"
	case strings.HasPrefix(p, ".ci/"):
		// A CI entry point of this project's own kind: a CI system runs an executable
		// here. Only files that are scripts count (see scanCI).
		return "script"
	}
	return ""
}

// maxCIDepth bounds how far includes, local actions and called scripts are followed.
const maxCIDepth = 8

// ciBudget bounds the YAML nodes visited per scan: aliases make a document a graph that
// can be exponentially larger than the file when walked as a tree.
const ciBudget = 200_000

type ciScan struct {
	files    ciFiles
	steps    []ciStep
	defs     []string // CI definitions examined
	problems []string // CI definitions that could not be read, "path:line: why"
	// outside lists CI definitions included from elsewhere, which posture cannot read;
	// an organisation's shared security template may scan there.
	outside  []string
	visited  map[string]bool
	isScript map[string]bool // per path, so a script called in a loop is read once
	budget   int
}

// scanCI reads every CI definition in the tree and the scripts they call, and returns the
// dependency-scanning steps found.
func scanCI(ctx context.Context, files ciFiles) *ciScan {
	s := &ciScan{files: files, visited: map[string]bool{}, isScript: map[string]bool{}, budget: ciBudget}
	for _, p := range files.paths {
		if ctx.Err() != nil {
			break
		}
		kind := ciKind(p)
		if kind == "" {
			continue
		}
		data, err := files.read(p)
		if err != nil {
			s.problems = append(s.problems, err.Error())
			continue
		}
		if kind == "script" && !isScript(p, data) {
			continue
		}
		s.defs = append(s.defs, p)
		s.readCI(kind, p, data)
	}
	s.steps = dedupeSteps(s.steps)
	return s
}

func (s *ciScan) readCI(kind, p string, data []byte) {
	switch kind {
	case "jenkins":
		s.readJenkinsfile(p, data)
		return
	case "script":
		s.visited[p+"\x00true"] = true
		s.shell(p, 1, string(data), "", true, "", 0)
		return
	}
	docs, err := parseYAML(data)
	if err != nil {
		s.problems = append(s.problems, yamlProblem(p, err))
		return
	}
	if kind == "gitlab" {
		s.readGitLab(p, docs)
		return
	}
	var root *ynode
	if len(docs) > 0 {
		root = docs[0]
	}
	if root == nil || root.kind != yMap {
		s.problems = append(s.problems, p+": the top level is not a mapping, so the CI system cannot read it")
		return
	}
	switch kind {
	case "github":
		s.readWorkflow(p, root)
	case "bitbucket":
		s.walkBitbucket(p, root.get("pipelines"))
	case "circleci":
		s.readCircleCI(p, root)
	case "azure":
		s.walkAzure(p, root, true, "")
	}
}

func (s *ciScan) add(p string, line int, tool, via string, active bool, why string) {
	s.steps = append(s.steps, ciStep{Path: p, Line: line, Tool: tool, Via: via, Active: active, Why: why})
}

// spend takes one node from the budget; false means stop walking.
func (s *ciScan) spend() bool {
	s.budget--
	return s.budget >= 0
}

func dedupeSteps(in []ciStep) []ciStep {
	sort.SliceStable(in, func(i, j int) bool {
		a, b := in[i], in[j]
		if a.Active != b.Active {
			return a.Active
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Line < b.Line
	})
	return slices.Compact(in)
}

// --- shell ---

// shell reads the script text found in def at line base. Scanners it runs are steps;
// scripts it calls are read in turn.
func (s *ciScan) shell(def string, base int, text string, via string, active bool, why string, depth int, dirs ...string) {
	for _, c := range shellCommands(text) {
		line := base + c.line - 1
		use := analyseCommand(c.words)
		switch {
		case use.tool != "":
			s.add(def, line, use.tool, via, active, why)
		case use.inline != "" && depth < maxCIDepth:
			s.shell(def, line, use.inline, via, active, why, depth+1, dirs...)
		case use.script != "":
			by := via
			if by == "" {
				by = def
			}
			if p := s.resolveScript(use.script, append(slices.Clip(dirs), path.Dir(def))); p != "" {
				s.script(p, by, active, why, depth+1)
			}
		}
	}
}

// script reads a script file, once for each of active and inactive.
func (s *ciScan) script(p, via string, active bool, why string, depth int) {
	key := fmt.Sprintf("%s\x00%t", p, active) // the same key readCI marks entry points with
	if s.visited[key] || depth > maxCIDepth {
		return
	}
	s.visited[key] = true
	data, err := s.files.read(p)
	if err != nil {
		return
	}
	s.shell(p, 1, string(data), via, active, why, depth)
}

// resolveScript finds the repository file a command word names: relative to the root
// (where CI jobs start), or to one of dirs (the calling script's directory, after the
// usual `cd "$(dirname "$0")"`). Only scripts are followed.
func (s *ciScan) resolveScript(word string, dirs []string) string {
	if strings.HasPrefix(word, "$") {
		// "$GITHUB_WORKSPACE/x.sh", "${{ github.workspace }}/x.sh": the variable is a root.
		i := strings.Index(word, "/")
		if i < 0 {
			return ""
		}
		word = word[i:]
	}
	word = strings.TrimPrefix(strings.ReplaceAll(word, "\\", "/"), "/")
	cands := []string{path.Clean(word)}
	for _, d := range dirs {
		cands = append(cands, path.Join(d, word))
	}
	for _, c := range cands {
		if c == "." || strings.HasPrefix(c, "../") || !s.files.has(c) {
			continue
		}
		ok, seen := s.isScript[c]
		if !seen {
			data, err := s.files.read(c)
			ok = err == nil && isScript(c, data)
			s.isScript[c] = ok
		}
		if ok {
			return c
		}
	}
	return ""
}

// isScript is true for a file a shell would run: one with a #! line or a shell extension.
func isScript(p string, data []byte) bool {
	switch path.Ext(p) {
	case ".sh", ".bash", ".zsh", ".ksh":
		return true
	}
	return len(data) > 2 && data[0] == '#' && data[1] == '!'
}

// --- GitHub Actions ---

func (s *ciScan) readWorkflow(p string, root *ynode) {
	jobs := root.get("jobs")
	if jobs == nil || jobs.kind != yMap {
		s.problems = append(s.problems, fmt.Sprintf("%s:%d: the workflow has no jobs mapping", p, root.line))
		return
	}
	for i, name := range jobs.keys {
		job := jobs.vals[i]
		if job.kind != yMap || !s.spend() {
			continue
		}
		active, why := ghCondition(job.get("if"), "job "+name)
		if uses := job.get("uses"); uses != nil {
			u := strings.TrimSpace(uses.text())
			if t := actionTool(u, job.get("with")); t != "" {
				s.add(p, uses.line, t, "", active, why)
			} else if !strings.HasPrefix(u, "./") && active {
				s.outside = append(s.outside, fmt.Sprintf("%s:%d uses %s", p, uses.line, u))
			}
		}
		s.ghSteps(p, job.get("steps"), job.get("defaults").get("run").get("working-directory").text(), active, why, 0)
	}
}

// ghSteps reads a list of workflow or composite-action steps.
func (s *ciScan) ghSteps(p string, steps *ynode, workdir string, active bool, why string, depth int) {
	if steps == nil || steps.kind != ySeq {
		return
	}
	for _, st := range steps.items {
		if st.kind != yMap || !s.spend() {
			continue
		}
		a, w := active, why
		if ok, sw := ghCondition(st.get("if"), "the step"); !ok && a {
			a, w = false, sw
		}
		if uses := st.get("uses"); uses != nil {
			u := strings.TrimSpace(uses.text())
			if strings.HasPrefix(u, "./") {
				s.localAction(u, a, w, depth+1)
			} else if t := actionTool(u, st.get("with")); t != "" {
				s.add(p, uses.line, t, "", a, w)
			}
		}
		if run := st.get("run"); run != nil {
			dirs := []string{}
			if wd := st.get("working-directory").text(); wd != "" {
				dirs = append(dirs, wd)
			} else if workdir != "" {
				dirs = append(dirs, workdir)
			}
			s.shell(p, run.firstLine(), run.text(), "", a, w, depth, dirs...)
		}
	}
}

// localAction reads a composite action in the repository (uses: ./path).
func (s *ciScan) localAction(dir string, active bool, why string, depth int) {
	if depth > maxCIDepth {
		return
	}
	dir = path.Clean(dir)
	for _, name := range []string{"action.yml", "action.yaml"} {
		p := path.Join(dir, name)
		key := fmt.Sprintf("%s\x00%t", p, active)
		if !s.files.has(p) || s.visited[key] {
			continue
		}
		s.visited[key] = true
		data, err := s.files.read(p)
		if err != nil {
			s.problems = append(s.problems, err.Error())
			return
		}
		docs, err := parseYAML(data)
		if err != nil {
			s.problems = append(s.problems, yamlProblem(p, err))
			return
		}
		if len(docs) > 0 {
			s.ghSteps(p, docs[0].get("runs").get("steps"), "", active, why, depth)
		}
		return
	}
}

// ghCondition reads an `if:`; only a condition that is literally false is known never to
// run. Anything else depends on the event and is taken as possibly running.
func ghCondition(n *ynode, what string) (bool, string) {
	v, ok := n.str()
	if !ok {
		return true, ""
	}
	e := strings.TrimSpace(v)
	if in, ok := strings.CutPrefix(e, "${{"); ok {
		e = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(in), "}}"))
	}
	if strings.EqualFold(e, "false") {
		return false, fmt.Sprintf("%s has `if: %s`", what, strings.TrimSpace(v))
	}
	return true, ""
}

// actionTool names the dependency scanner a `uses:` reference runs, or "".
func actionTool(uses string, with *ynode) string {
	u := strings.ToLower(strings.TrimSpace(uses))
	if img, ok := strings.CutPrefix(u, "docker://"); ok {
		return scannerTool(imageName(img), strings.Fields(with.get("args").text()))
	}
	ref, _, _ := strings.Cut(u, "@")
	parts := strings.Split(ref, "/")
	if len(parts) < 2 {
		return ""
	}
	switch parts[0] + "/" + parts[1] {
	case "google/osv-scanner-action", "actions/dependency-review-action", "anchore/scan-action",
		"pypa/gh-action-pip-audit", "rustsec/audit-check", "actions-rs/audit-check",
		"golang/govulncheck-action", "dependency-check/dependency-check_action":
		return ref
	case "aquasecurity/trivy-action":
		typ := strings.ToLower(with.get("scan-type").text())
		if typ == "" {
			typ = "image"
		}
		_, known := trivyTargets[typ]
		scanners := with.get("scanners").text()
		if (known || strings.Contains(typ, "${{")) &&
			(scanners == "" || strings.Contains(scanners, "vuln") || strings.Contains(scanners, "${{")) {
			return ref
		}
	case "snyk/actions":
		if len(parts) < 3 || parts[2] == "setup" {
			return ""
		}
		cmd := strings.Fields(strings.ToLower(with.get("command").text()))
		if len(cmd) == 0 || cmd[0] == "test" || cmd[0] == "monitor" ||
			(cmd[0] == "container" && len(cmd) > 1 && (cmd[1] == "test" || cmd[1] == "monitor")) {
			return ref
		}
	case "embarkstudios/cargo-deny-action":
		cmd := strings.Fields(with.get("command").text())
		if len(cmd) == 0 {
			cmd = []string{"check"}
		}
		if cargoDenyAdvisories(cmd) {
			return ref
		}
	}
	return ""
}

// imageName is the repository part of an image reference: ghcr.io/google/osv-scanner:v2
// is "osv-scanner".
func imageName(img string) string {
	img, _, _ = strings.Cut(img, "@")
	base := path.Base(img)
	base, _, _ = strings.Cut(base, ":")
	return base
}

// --- GitLab CI ---

// gitlabReserved are top-level keys that are not jobs.
var gitlabReserved = map[string]bool{
	"default": true, "include": true, "stages": true, "variables": true, "workflow": true, "image": true,
	"services": true, "cache": true, "before_script": true, "after_script": true, "types": true, "spec": true,
}

type gitlabDef struct {
	path string
	job  *ynode
}

func (s *ciScan) readGitLab(p string, docs []*ynode) {
	g := &gitlabRead{s: s, jobs: map[string]gitlabDef{}, where: map[*ynode]string{}, seen: map[string]bool{p: true}}
	g.file(p, docs, 0)
	disabled := ""
	for _, v := range g.vars {
		if b := strings.ToLower(strings.TrimSpace(v.text())); b == "true" || b == "1" || b == "yes" {
			disabled = fmt.Sprintf("DEPENDENCY_SCANNING_DISABLED is set at line %d", v.line)
		}
	}
	for _, t := range g.templates {
		s.add(t.Path, t.Line, t.Tool, "", disabled == "", disabled)
	}
	anyActive := false
	for _, name := range g.order {
		def := g.jobs[name]
		if active, _ := g.jobActive(def.job); active && !strings.HasPrefix(name, ".") {
			anyActive = true
		}
		g.job(name, def)
	}
	// Global scripts run with every job, so they run if any job does.
	why := ""
	if !anyActive {
		why = "no job in the pipeline runs"
	}
	for _, gs := range g.global {
		for _, sc := range g.flatten(gs.node, 0) {
			s.shell(gs.path, sc.firstLine(), sc.text(), "", anyActive, why, 0)
		}
	}
}

type gitlabRead struct {
	s         *ciScan
	jobs      map[string]gitlabDef
	where     map[*ynode]string // the file each job is defined in
	order     []string
	seen      map[string]bool
	templates []ciStep
	vars      []*ynode
	global    []gitlabScript
}

// gitlabScript is a global before_script or after_script and the file it is in.
type gitlabScript struct {
	path string
	node *ynode
}

// file collects the jobs of one file and of the local files it includes. The including
// file's definitions win over included ones, as in GitLab.
func (g *gitlabRead) file(p string, docs []*ynode, depth int) {
	var roots []*ynode
	for _, d := range docs {
		if d.kind == yMap && !(len(d.keys) == 1 && d.keys[0] == "spec") {
			roots = append(roots, d)
		}
	}
	for _, root := range roots {
		for i, key := range root.keys {
			val := root.vals[i]
			switch {
			case key == "variables":
				if v := val.get("DEPENDENCY_SCANNING_DISABLED"); v != nil {
					g.vars = append(g.vars, v)
				}
			case key == "default":
				for _, k := range []string{"before_script", "after_script"} {
					if n := val.get(k); n != nil {
						g.global = append(g.global, gitlabScript{p, n})
					}
				}
			case key == "before_script" || key == "after_script":
				g.global = append(g.global, gitlabScript{p, val})
			case gitlabReserved[key]:
			default:
				if _, dup := g.jobs[key]; !dup && val.kind == yMap {
					g.jobs[key] = gitlabDef{p, val}
					g.where[val] = p
					g.order = append(g.order, key)
				}
			}
		}
	}
	for _, root := range roots {
		if inc := root.get("include"); inc != nil {
			g.include(p, inc, depth)
		}
	}
}

func (g *gitlabRead) include(from string, inc *ynode, depth int) {
	var items []*ynode
	if inc.kind == ySeq {
		items = inc.items
	} else {
		items = []*ynode{inc}
	}
	for _, it := range items {
		if !g.s.spend() {
			return
		}
		if it.kind == yScalar {
			v := strings.TrimSpace(it.value)
			if strings.Contains(v, "://") {
				g.s.outside = append(g.s.outside, fmt.Sprintf("%s:%d includes %s", from, it.line, v))
				continue
			}
			g.local(from, it.line, v, depth)
			continue
		}
		if t := it.get("template"); t != nil && gitlabScanningTemplate(t.text()) {
			g.templates = append(g.templates, ciStep{Path: from, Line: t.line, Tool: "GitLab template " + t.text()})
		}
		if c := it.get("component"); c != nil && strings.Contains(strings.ToLower(c.text()), "/dependency-scanning") {
			g.templates = append(g.templates, ciStep{Path: from, Line: c.line, Tool: "GitLab component " + c.text()})
		}
		if l := it.get("local"); l != nil {
			g.local(from, l.line, l.text(), depth)
		}
		for _, k := range []string{"project", "remote"} {
			if v := it.get(k); v != nil {
				g.s.outside = append(g.s.outside, fmt.Sprintf("%s:%d includes %s %s", from, v.line, k, v.text()))
			}
		}
	}
}

// gitlabScanningTemplate is true for GitLab's dependency scanning templates, and for
// Auto DevOps, which includes them.
func gitlabScanningTemplate(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "dependency-scanning") || strings.HasSuffix(n, "auto-devops.gitlab-ci.yml")
}

// local follows an include of files in this repository; GitLab allows globs there.
func (g *gitlabRead) local(from string, line int, pattern string, depth int) {
	if depth >= maxCIDepth {
		return
	}
	pattern = strings.TrimPrefix(strings.TrimSpace(pattern), "/")
	var matches []string
	if strings.ContainsAny(pattern, "*?[{") {
		for _, p := range g.s.files.paths {
			if ok, _ := doublestar.Match(pattern, p); ok {
				matches = append(matches, p)
			}
		}
	} else if g.s.files.has(pattern) {
		matches = []string{pattern}
	} else {
		g.s.problems = append(g.s.problems, fmt.Sprintf("%s:%d: includes %s, which is not in the repository", from, line, pattern))
		return
	}
	for _, p := range matches {
		if g.seen[p] {
			continue
		}
		g.seen[p] = true
		data, err := g.s.files.read(p)
		if err != nil {
			g.s.problems = append(g.s.problems, err.Error())
			continue
		}
		docs, err := parseYAML(data)
		if err != nil {
			g.s.problems = append(g.s.problems, yamlProblem(p, err))
			continue
		}
		g.s.defs = append(g.s.defs, p)
		g.file(p, docs, depth+1)
	}
}

// chain is a job followed by the jobs it extends, nearest first.
func (g *gitlabRead) chain(job *ynode) []*ynode {
	out := []*ynode{job}
	seen := map[*ynode]bool{job: true}
	for i := 0; i < len(out) && i < maxCIDepth*4; i++ {
		ext := out[i].get("extends")
		var names []*ynode
		if ext != nil && ext.kind == ySeq {
			names = ext.items
		} else if ext != nil {
			names = []*ynode{ext}
		}
		for _, n := range names {
			if d, ok := g.jobs[n.text()]; ok && !seen[d.job] {
				seen[d.job] = true
				out = append(out, d.job)
			}
		}
	}
	return out
}

// lookup returns the nearest value of key along a job's extends chain.
func (g *gitlabRead) lookup(job *ynode, key string) *ynode {
	for _, j := range g.chain(job) {
		if v := j.get(key); v != nil {
			return v
		}
	}
	return nil
}

// jobActive is false for jobs that can never run: hidden (".name") jobs are templates,
// `when: never` disables a job, and so do rules that all say `when: never`.
func (g *gitlabRead) jobActive(job *ynode) (bool, string) {
	if w := g.lookup(job, "when"); strings.TrimSpace(w.text()) == "never" {
		return false, fmt.Sprintf("the job has `when: never` (line %d)", w.line)
	}
	if rules := g.lookup(job, "rules"); rules != nil && rules.kind == ySeq && len(rules.items) > 0 {
		for _, r := range rules.items {
			if strings.TrimSpace(r.get("when").text()) != "never" {
				return true, ""
			}
		}
		return false, fmt.Sprintf("every rule of the job says `when: never` (line %d)", rules.line)
	}
	return true, ""
}

func (g *gitlabRead) job(name string, def gitlabDef) {
	if strings.HasPrefix(name, ".") {
		return // a hidden job is a template; the jobs that extend it are read instead
	}
	active, why := g.jobActive(def.job)
	for _, key := range []string{"before_script", "script", "after_script"} {
		for _, sc := range g.flatten(g.lookup(def.job, key), 0) {
			p := def.path
			for _, j := range g.chain(def.job) {
				if j.get(key) != nil {
					p = g.where[j]
					break
				}
			}
			g.s.shell(p, sc.firstLine(), sc.text(), "", active, why, 0)
		}
	}
}

// flatten turns a script (a string, a list, nested lists, !reference tags) into its lines.
func (g *gitlabRead) flatten(n *ynode, depth int) []*ynode {
	if n == nil || depth > maxCIDepth || !g.s.spend() {
		return nil
	}
	if n.tag == "!reference" && n.kind == ySeq && len(n.items) >= 2 {
		d, ok := g.jobs[n.items[0].text()]
		if !ok {
			return nil
		}
		v := d.job
		for _, k := range n.items[1:] {
			v = v.get(k.text())
		}
		return g.flatten(v, depth+1)
	}
	switch n.kind {
	case yScalar:
		return []*ynode{n}
	case ySeq:
		var out []*ynode
		for _, it := range n.items {
			out = append(out, g.flatten(it, depth+1)...)
		}
		return out
	}
	return nil
}

// --- Bitbucket Pipelines ---

// walkBitbucket finds every step under `pipelines` (default, branches, pull-requests,
// tags, custom, inside parallel and stage blocks).
func (s *ciScan) walkBitbucket(p string, n *ynode) {
	if n == nil || !s.spend() {
		return
	}
	switch n.kind {
	case yMap:
		for i, k := range n.keys {
			if k == "step" {
				s.bitbucketStep(p, n.vals[i])
				continue
			}
			s.walkBitbucket(p, n.vals[i])
		}
	case ySeq:
		for _, it := range n.items {
			s.walkBitbucket(p, it)
		}
	}
}

func (s *ciScan) bitbucketStep(p string, step *ynode) {
	for _, key := range []string{"script", "after-script"} {
		sc := step.get(key)
		if sc == nil || sc.kind != ySeq {
			continue
		}
		for _, it := range sc.items {
			switch it.kind {
			case yScalar:
				s.shell(p, it.firstLine(), it.value, "", true, "", 0)
			case yMap:
				if pipe := it.get("pipe"); pipe != nil {
					if t := pipeTool(pipe.text()); t != "" {
						s.add(p, pipe.line, t, "", true, "")
					}
				}
			}
		}
	}
}

// pipeTool names the scanner in a Bitbucket pipe ("snyk/snyk-scan:1.0.0").
func pipeTool(pipe string) string {
	name := imageName(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(pipe)), "docker://"))
	for _, t := range []string{"snyk-scan", "trivy", "osv-scanner", "grype", "dependency-check"} {
		if strings.Contains(name, t) {
			return "pipe " + strings.TrimSpace(pipe)
		}
	}
	return ""
}

// --- CircleCI ---

func (s *ciScan) readCircleCI(p string, root *ynode) {
	orbs := map[string]string{}
	if o := root.get("orbs"); o != nil && o.kind == yMap {
		for i, k := range o.keys {
			orbs[k] = strings.ToLower(o.vals[i].text())
		}
	}
	for _, section := range []string{"jobs", "commands"} {
		sec := root.get(section)
		if sec == nil || sec.kind != yMap {
			continue
		}
		for _, job := range sec.vals {
			s.circleSteps(p, job.get("steps"), orbs, true, "", 0)
		}
	}
}

func (s *ciScan) circleSteps(p string, steps *ynode, orbs map[string]string, active bool, why string, depth int) {
	if steps == nil || steps.kind != ySeq || depth > maxCIDepth {
		return
	}
	for _, st := range steps.items {
		if !s.spend() {
			return
		}
		if name, ok := st.str(); ok {
			if t := orbTool(name, orbs); t != "" {
				s.add(p, st.line, t, "", active, why)
			}
			continue
		}
		for i, k := range st.keys {
			v := st.vals[i]
			switch {
			case k == "run":
				cmd := v
				if v.kind == yMap {
					cmd = v.get("command")
				}
				if cmd != nil {
					s.shell(p, cmd.firstLine(), cmd.text(), "", active, why, 0)
				}
			case k == "when" || k == "unless":
				a, w := active, why
				if c := strings.TrimSpace(v.get("condition").text()); (k == "when" && c == "false") || (k == "unless" && c == "true") {
					a, w = false, fmt.Sprintf("the steps are under `%s: condition: %s` (line %d)", k, c, v.line)
				}
				s.circleSteps(p, v.get("steps"), orbs, a, w, depth+1)
			default:
				if t := orbTool(k, orbs); t != "" {
					s.add(p, st.line, t, "", active, why)
				}
			}
		}
	}
}

// orbTool names the scanner an orb command runs ("snyk/scan" with the snyk/snyk orb).
func orbTool(step string, orbs map[string]string) string {
	alias, cmd, ok := strings.Cut(step, "/")
	if !ok {
		return ""
	}
	if strings.HasPrefix(orbs[alias], "snyk/snyk") && cmd == "scan" {
		return "orb " + orbs[alias] + " " + cmd
	}
	return ""
}

// --- Azure Pipelines ---

// walkAzure reads steps wherever they are (top level, jobs, stages, templates).
// `enabled: false` and `condition: false` switch a step or a whole job off.
func (s *ciScan) walkAzure(p string, n *ynode, active bool, why string) {
	if n == nil || !s.spend() {
		return
	}
	switch n.kind {
	case ySeq:
		for _, it := range n.items {
			s.walkAzure(p, it, active, why)
		}
	case yMap:
		if e := n.get("enabled"); strings.EqualFold(strings.TrimSpace(e.text()), "false") && active {
			active, why = false, fmt.Sprintf("`enabled: false` at line %d", e.line)
		}
		if c := n.get("condition"); strings.EqualFold(strings.TrimSpace(c.text()), "false") && active {
			active, why = false, fmt.Sprintf("`condition: false` at line %d", c.line)
		}
		for i, k := range n.keys {
			v := n.vals[i]
			switch k {
			case "script", "bash", "pwsh", "powershell":
				if v.kind == yScalar {
					s.shell(p, v.firstLine(), v.value, "", active, why, 0)
				}
			case "task":
				if t := azureTask(v.text()); t != "" {
					s.add(p, v.line, t, "", active, why)
				}
			default:
				s.walkAzure(p, v, active, why)
			}
		}
	}
}

func azureTask(task string) string {
	name, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(task)), "@")
	switch name {
	case "snyksecurityscan", "dependency-check-build-task", "trivy":
		return "task " + task
	}
	return ""
}

// --- Jenkins ---

// readJenkinsfile reads the shell steps (sh, bat, powershell, pwsh) of a Jenkinsfile and
// the scanner plugins' steps, outside comments.
func (s *ciScan) readJenkinsfile(p string, data []byte) {
	for _, st := range groovySteps(string(data)) {
		if st.tool != "" {
			s.add(p, st.line, st.tool, "", true, "")
			continue
		}
		s.shell(p, st.line, st.text, "", true, "", 0)
	}
}

type groovyStep struct {
	line int
	text string // a shell step's script
	tool string // a scanner plugin's step
}

var groovyShellSteps = map[string]bool{"sh": true, "bat": true, "powershell": true, "pwsh": true}

// groovyPluginSteps are Jenkins plugin steps that scan dependencies.
var groovyPluginSteps = map[string]string{
	"snykSecurity":    "Jenkins step snykSecurity",
	"dependencyCheck": "Jenkins step dependencyCheck",
}

// groovySteps lexes Groovy just enough to skip comments and read string literals.
func groovySteps(src string) []groovyStep {
	var out []groovyStep
	line := 1
	pending := "" // the shell step whose script the next string literal is
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				end = len(src) - i - 2
			}
			line += strings.Count(src[i:i+2+end], "\n")
			i += end + 4
		case c == '\'' || c == '"':
			quote := src[i : i+1]
			if strings.HasPrefix(src[i:], strings.Repeat(quote, 3)) {
				quote = strings.Repeat(quote, 3)
			}
			start := line
			body, n := groovyString(src[i+len(quote):], quote)
			if pending != "" {
				out = append(out, groovyStep{line: start, text: body})
				pending = ""
			}
			line += strings.Count(src[i:min(len(src), i+len(quote)+n)], "\n")
			i += len(quote) + n
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			word := src[i:j]
			switch {
			case groovyShellSteps[word]:
				pending = word
			case word == "script" && pending != "":
				// sh(script: '…'): the named argument keeps the step pending.
			default:
				if t, ok := groovyPluginSteps[word]; ok {
					out = append(out, groovyStep{line: line, tool: t})
				}
				pending = ""
			}
			i = j
		case c == ' ' || c == '\t' || c == '\r' || c == '(' || c == ':':
			i++
		default:
			pending = ""
			i++
		}
	}
	return out
}

// groovyString reads a string literal's body up to quote; n is how many bytes it took,
// closing quote included.
func groovyString(s, quote string) (body string, n int) {
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], quote) {
			return b.String(), i + len(quote)
		}
		if s[i] == '\\' && i+1 < len(s) {
			if len(quote) == 3 && s[i+1] == '\n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i+1])
			}
			i += 2
			continue
		}
		if len(quote) == 1 && s[i] == '\n' {
			return b.String(), i // an unterminated string ends at the line
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), len(s)
}
