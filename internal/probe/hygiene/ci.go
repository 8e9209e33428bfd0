package hygiene

import (
	"context"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/posture-dev/posture/internal/yamlfile"
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
	var root *yamlfile.Node
	if len(docs) > 0 {
		root = docs[0]
	}
	if root == nil || root.Kind != yamlfile.Map {
		s.problems = append(s.problems, p+": the top level is not a mapping, so the CI system cannot read it")
		return
	}
	switch kind {
	case "github":
		s.readWorkflow(p, root)
	case "bitbucket":
		s.walkBitbucket(p, root.Get("pipelines"))
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

func (s *ciScan) readWorkflow(p string, root *yamlfile.Node) {
	jobs := root.Get("jobs")
	if jobs == nil || jobs.Kind != yamlfile.Map {
		s.problems = append(s.problems, fmt.Sprintf("%s:%d: the workflow has no jobs mapping", p, root.Line))
		return
	}
	for i, name := range jobs.Keys {
		job := jobs.Vals[i]
		if job.Kind != yamlfile.Map || !s.spend() {
			continue
		}
		active, why := ghCondition(job.Get("if"), "job "+name)
		if uses := job.Get("uses"); uses != nil {
			u := strings.TrimSpace(uses.Text())
			if t := actionTool(u, job.Get("with")); t != "" {
				s.add(p, uses.Line, t, "", active, why)
			} else if !strings.HasPrefix(u, "./") && active {
				s.outside = append(s.outside, fmt.Sprintf("%s:%d uses %s", p, uses.Line, u))
			}
		}
		s.ghSteps(p, job.Get("steps"), job.Get("defaults").Get("run").Get("working-directory").Text(), active, why, 0)
	}
}

// ghSteps reads a list of workflow or composite-action steps.
func (s *ciScan) ghSteps(p string, steps *yamlfile.Node, workdir string, active bool, why string, depth int) {
	if steps == nil || steps.Kind != yamlfile.Seq {
		return
	}
	for _, st := range steps.Items {
		if st.Kind != yamlfile.Map || !s.spend() {
			continue
		}
		a, w := active, why
		if ok, sw := ghCondition(st.Get("if"), "the step"); !ok && a {
			a, w = false, sw
		}
		if uses := st.Get("uses"); uses != nil {
			u := strings.TrimSpace(uses.Text())
			if strings.HasPrefix(u, "./") {
				s.localAction(u, a, w, depth+1)
			} else if t := actionTool(u, st.Get("with")); t != "" {
				s.add(p, uses.Line, t, "", a, w)
			}
		}
		if run := st.Get("run"); run != nil {
			dirs := []string{}
			if wd := st.Get("working-directory").Text(); wd != "" {
				dirs = append(dirs, wd)
			} else if workdir != "" {
				dirs = append(dirs, workdir)
			}
			s.shell(p, run.Line, run.Text(), "", a, w, depth, dirs...)
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
			s.ghSteps(p, docs[0].Get("runs").Get("steps"), "", active, why, depth)
		}
		return
	}
}

// ghCondition reads an `if:`; only a condition that is literally false is known never to
// run. Anything else depends on the event and is taken as possibly running.
func ghCondition(n *yamlfile.Node, what string) (bool, string) {
	v, ok := n.Str()
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
func actionTool(uses string, with *yamlfile.Node) string {
	u := strings.ToLower(strings.TrimSpace(uses))
	if img, ok := strings.CutPrefix(u, "docker://"); ok {
		return scannerTool(imageName(img), strings.Fields(with.Get("args").Text()))
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
		typ := strings.ToLower(with.Get("scan-type").Text())
		if typ == "" {
			typ = "image"
		}
		_, known := trivyTargets[typ]
		scanners := with.Get("scanners").Text()
		if (known || strings.Contains(typ, "${{")) &&
			(scanners == "" || strings.Contains(scanners, "vuln") || strings.Contains(scanners, "${{")) {
			return ref
		}
	case "snyk/actions":
		if len(parts) < 3 || parts[2] == "setup" {
			return ""
		}
		cmd := strings.Fields(strings.ToLower(with.Get("command").Text()))
		if len(cmd) == 0 || cmd[0] == "test" || cmd[0] == "monitor" ||
			(cmd[0] == "container" && len(cmd) > 1 && (cmd[1] == "test" || cmd[1] == "monitor")) {
			return ref
		}
	case "embarkstudios/cargo-deny-action":
		cmd := strings.Fields(with.Get("command").Text())
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
	job  *yamlfile.Node
}

func (s *ciScan) readGitLab(p string, docs []*yamlfile.Node) {
	g := &gitlabRead{s: s, jobs: map[string]gitlabDef{}, where: map[*yamlfile.Node]string{}, seen: map[string]bool{p: true}}
	g.file(p, docs, 0)
	disabled := ""
	for _, v := range g.vars {
		if b := strings.ToLower(strings.TrimSpace(v.Text())); b == "true" || b == "1" || b == "yes" {
			disabled = fmt.Sprintf("DEPENDENCY_SCANNING_DISABLED is set at line %d", v.Line)
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
			s.shell(gs.path, sc.Line, sc.Text(), "", anyActive, why, 0)
		}
	}
}

type gitlabRead struct {
	s         *ciScan
	jobs      map[string]gitlabDef
	where     map[*yamlfile.Node]string // the file each job is defined in
	order     []string
	seen      map[string]bool
	templates []ciStep
	vars      []*yamlfile.Node
	global    []gitlabScript
}

// gitlabScript is a global before_script or after_script and the file it is in.
type gitlabScript struct {
	path string
	node *yamlfile.Node
}

// file collects the jobs of one file and of the local files it includes. The including
// file's definitions win over included ones, as in GitLab.
func (g *gitlabRead) file(p string, docs []*yamlfile.Node, depth int) {
	var roots []*yamlfile.Node
	for _, d := range docs {
		if d.Kind == yamlfile.Map && !(len(d.Keys) == 1 && d.Keys[0] == "spec") {
			roots = append(roots, d)
		}
	}
	for _, root := range roots {
		for i, key := range root.Keys {
			val := root.Vals[i]
			switch {
			case key == "variables":
				if v := val.Get("DEPENDENCY_SCANNING_DISABLED"); v != nil {
					g.vars = append(g.vars, v)
				}
			case key == "default":
				for _, k := range []string{"before_script", "after_script"} {
					if n := val.Get(k); n != nil {
						g.global = append(g.global, gitlabScript{p, n})
					}
				}
			case key == "before_script" || key == "after_script":
				g.global = append(g.global, gitlabScript{p, val})
			case gitlabReserved[key]:
			default:
				if _, dup := g.jobs[key]; !dup && val.Kind == yamlfile.Map {
					g.jobs[key] = gitlabDef{p, val}
					g.where[val] = p
					g.order = append(g.order, key)
				}
			}
		}
	}
	for _, root := range roots {
		if inc := root.Get("include"); inc != nil {
			g.include(p, inc, depth)
		}
	}
}

func (g *gitlabRead) include(from string, inc *yamlfile.Node, depth int) {
	var items []*yamlfile.Node
	if inc.Kind == yamlfile.Seq {
		items = inc.Items
	} else {
		items = []*yamlfile.Node{inc}
	}
	for _, it := range items {
		if !g.s.spend() {
			return
		}
		if it.Kind == yamlfile.Scalar {
			v := strings.TrimSpace(it.Value)
			if strings.Contains(v, "://") {
				g.s.outside = append(g.s.outside, fmt.Sprintf("%s:%d includes %s", from, it.Line, v))
				continue
			}
			g.local(from, it.Line, v, depth)
			continue
		}
		if t := it.Get("template"); t != nil && gitlabScanningTemplate(t.Text()) {
			g.templates = append(g.templates, ciStep{Path: from, Line: t.Line, Tool: "GitLab template " + t.Text()})
		}
		if c := it.Get("component"); c != nil && strings.Contains(strings.ToLower(c.Text()), "/dependency-scanning") {
			g.templates = append(g.templates, ciStep{Path: from, Line: c.Line, Tool: "GitLab component " + c.Text()})
		}
		if l := it.Get("local"); l != nil {
			g.local(from, l.Line, l.Text(), depth)
		}
		for _, k := range []string{"project", "remote"} {
			if v := it.Get(k); v != nil {
				g.s.outside = append(g.s.outside, fmt.Sprintf("%s:%d includes %s %s", from, v.Line, k, v.Text()))
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
func (g *gitlabRead) chain(job *yamlfile.Node) []*yamlfile.Node {
	out := []*yamlfile.Node{job}
	seen := map[*yamlfile.Node]bool{job: true}
	for i := 0; i < len(out) && i < maxCIDepth*4; i++ {
		ext := out[i].Get("extends")
		var names []*yamlfile.Node
		if ext != nil && ext.Kind == yamlfile.Seq {
			names = ext.Items
		} else if ext != nil {
			names = []*yamlfile.Node{ext}
		}
		for _, n := range names {
			if d, ok := g.jobs[n.Text()]; ok && !seen[d.job] {
				seen[d.job] = true
				out = append(out, d.job)
			}
		}
	}
	return out
}

// lookup returns the nearest value of key along a job's extends chain.
func (g *gitlabRead) lookup(job *yamlfile.Node, key string) *yamlfile.Node {
	for _, j := range g.chain(job) {
		if v := j.Get(key); v != nil {
			return v
		}
	}
	return nil
}

// jobActive is false for jobs that can never run: hidden (".name") jobs are templates,
// `when: never` disables a job, and so do rules that all say `when: never`.
func (g *gitlabRead) jobActive(job *yamlfile.Node) (bool, string) {
	if w := g.lookup(job, "when"); strings.TrimSpace(w.Text()) == "never" {
		return false, fmt.Sprintf("the job has `when: never` (line %d)", w.Line)
	}
	if rules := g.lookup(job, "rules"); rules != nil && rules.Kind == yamlfile.Seq && len(rules.Items) > 0 {
		for _, r := range rules.Items {
			if strings.TrimSpace(r.Get("when").Text()) != "never" {
				return true, ""
			}
		}
		return false, fmt.Sprintf("every rule of the job says `when: never` (line %d)", rules.Line)
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
				if j.Get(key) != nil {
					p = g.where[j]
					break
				}
			}
			g.s.shell(p, sc.Line, sc.Text(), "", active, why, 0)
		}
	}
}

// flatten turns a script (a string, a list, nested lists, !reference tags) into its lines.
func (g *gitlabRead) flatten(n *yamlfile.Node, depth int) []*yamlfile.Node {
	if n == nil || depth > maxCIDepth || !g.s.spend() {
		return nil
	}
	if n.Tag == "!reference" && n.Kind == yamlfile.Seq && len(n.Items) >= 2 {
		d, ok := g.jobs[n.Items[0].Text()]
		if !ok {
			return nil
		}
		v := d.job
		for _, k := range n.Items[1:] {
			v = v.Get(k.Text())
		}
		return g.flatten(v, depth+1)
	}
	switch n.Kind {
	case yamlfile.Scalar:
		return []*yamlfile.Node{n}
	case yamlfile.Seq:
		var out []*yamlfile.Node
		for _, it := range n.Items {
			out = append(out, g.flatten(it, depth+1)...)
		}
		return out
	}
	return nil
}

// --- Bitbucket Pipelines ---

// walkBitbucket finds every step under `pipelines` (default, branches, pull-requests,
// tags, custom, inside parallel and stage blocks).
func (s *ciScan) walkBitbucket(p string, n *yamlfile.Node) {
	if n == nil || !s.spend() {
		return
	}
	switch n.Kind {
	case yamlfile.Map:
		for i, k := range n.Keys {
			if k == "step" {
				s.bitbucketStep(p, n.Vals[i])
				continue
			}
			s.walkBitbucket(p, n.Vals[i])
		}
	case yamlfile.Seq:
		for _, it := range n.Items {
			s.walkBitbucket(p, it)
		}
	}
}

func (s *ciScan) bitbucketStep(p string, step *yamlfile.Node) {
	for _, key := range []string{"script", "after-script"} {
		sc := step.Get(key)
		if sc == nil || sc.Kind != yamlfile.Seq {
			continue
		}
		for _, it := range sc.Items {
			switch it.Kind {
			case yamlfile.Scalar:
				s.shell(p, it.Line, it.Value, "", true, "", 0)
			case yamlfile.Map:
				if pipe := it.Get("pipe"); pipe != nil {
					if t := pipeTool(pipe.Text()); t != "" {
						s.add(p, pipe.Line, t, "", true, "")
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

func (s *ciScan) readCircleCI(p string, root *yamlfile.Node) {
	orbs := map[string]string{}
	if o := root.Get("orbs"); o != nil && o.Kind == yamlfile.Map {
		for i, k := range o.Keys {
			orbs[k] = strings.ToLower(o.Vals[i].Text())
		}
	}
	for _, section := range []string{"jobs", "commands"} {
		sec := root.Get(section)
		if sec == nil || sec.Kind != yamlfile.Map {
			continue
		}
		for _, job := range sec.Vals {
			s.circleSteps(p, job.Get("steps"), orbs, true, "", 0)
		}
	}
}

func (s *ciScan) circleSteps(p string, steps *yamlfile.Node, orbs map[string]string, active bool, why string, depth int) {
	if steps == nil || steps.Kind != yamlfile.Seq || depth > maxCIDepth {
		return
	}
	for _, st := range steps.Items {
		if !s.spend() {
			return
		}
		if name, ok := st.Str(); ok {
			if t := orbTool(name, orbs); t != "" {
				s.add(p, st.Line, t, "", active, why)
			}
			continue
		}
		for i, k := range st.Keys {
			v := st.Vals[i]
			switch {
			case k == "run":
				cmd := v
				if v.Kind == yamlfile.Map {
					cmd = v.Get("command")
				}
				if cmd != nil {
					s.shell(p, cmd.Line, cmd.Text(), "", active, why, 0)
				}
			case k == "when" || k == "unless":
				a, w := active, why
				if c := strings.TrimSpace(v.Get("condition").Text()); (k == "when" && c == "false") || (k == "unless" && c == "true") {
					a, w = false, fmt.Sprintf("the steps are under `%s: condition: %s` (line %d)", k, c, v.Line)
				}
				s.circleSteps(p, v.Get("steps"), orbs, a, w, depth+1)
			default:
				if t := orbTool(k, orbs); t != "" {
					s.add(p, st.Line, t, "", active, why)
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
func (s *ciScan) walkAzure(p string, n *yamlfile.Node, active bool, why string) {
	if n == nil || !s.spend() {
		return
	}
	switch n.Kind {
	case yamlfile.Seq:
		for _, it := range n.Items {
			s.walkAzure(p, it, active, why)
		}
	case yamlfile.Map:
		if e := n.Get("enabled"); strings.EqualFold(strings.TrimSpace(e.Text()), "false") && active {
			active, why = false, fmt.Sprintf("`enabled: false` at line %d", e.Line)
		}
		if c := n.Get("condition"); strings.EqualFold(strings.TrimSpace(c.Text()), "false") && active {
			active, why = false, fmt.Sprintf("`condition: false` at line %d", c.Line)
		}
		for i, k := range n.Keys {
			v := n.Vals[i]
			switch k {
			case "script", "bash", "pwsh", "powershell":
				if v.Kind == yamlfile.Scalar {
					s.shell(p, v.Line, v.Value, "", active, why, 0)
				}
			case "task":
				if t := azureTask(v.Text()); t != "" {
					s.add(p, v.Line, t, "", active, why)
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
