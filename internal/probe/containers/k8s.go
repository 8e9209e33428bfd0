package containers

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/container"
	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
)

// Rules for Kubernetes manifests.
const (
	RuleK8sWritableRoot = "k8s/root-filesystem-writable"
	RuleK8sPrivileged   = "k8s/privileged"
	RuleK8sEscalation   = "k8s/privilege-escalation"
	RuleK8sRoot         = "k8s/run-as-root"
	RuleK8sLatest       = "k8s/image-latest"
	RuleK8sUpgrade      = "k8s/upgrade-at-start"
	RuleK8sReplicas     = "k8s/single-replica"
	RuleK8sDBReplicas   = "k8s/single-replica-database"
)

type manifestFile struct {
	f     fileset.File
	shown string
	objs  []*container.Object
	stage stage
	why   string
}

var helmSourceLine = []byte("# Source: ")

// readManifest reads a YAML file that may hold Kubernetes objects. Files that do not look
// like manifests are not this probe's; unrendered Helm templates are recorded as not
// examined, because their YAML only exists once helm has filled it in.
func (s *scan) readManifest(f fileset.File) (manifestFile, bool) {
	data, err := s.t.Files.Read(f)
	if err != nil || !container.LooksLikeManifest(data) {
		return manifestFile{}, false
	}
	templated := bytes.Contains(data, []byte("{{")) && !bytes.Contains(data, helmSourceLine)
	if templated && s.inChart(f.Path) {
		s.helm = append(s.helm, f.Path)
		s.t.Files.Skip(f.Path, "unrendered Helm template ({{ }}); scan the output of helm template to check it")
		return manifestFile{}, false
	}
	st, why := fileStage(f.Path)
	objs, err := container.ParseManifests(data)
	if err != nil && templated {
		// Manifests templated by other tools (Jinja, envsubst-style {{ }}) are not YAML
		// until they are rendered either.
		s.helm = append(s.helm, f.Path)
		s.t.Files.Skip(f.Path, "templated manifest ({{ }}) that is not YAML until rendered; scan the rendered output to check it")
		return manifestFile{}, false
	}
	s.found.manifests++
	if err != nil {
		cs := []string{ctlAuth, ctlImmutable, ctlScale}
		if st == stageDev {
			cs = []string{ctlAuth, ctlSeparate}
		}
		s.unknown(parseProblem(f.Path, err), cs...)
		return manifestFile{}, false
	}
	for _, o := range objs {
		switch o.Kind {
		case "ConfigMap":
			s.configMaps[o.Name] = stringMapOf(o.Root.Get("data"))
		case "Secret":
			keys := stringMapOf(o.Root.Get("data"))
			for k, v := range stringMapOf(o.Root.Get("stringData")) {
				keys[k] = v
			}
			s.secrets[o.Name] = keys
		case "HorizontalPodAutoscaler":
			ref := o.Root.Path("spec", "scaleTargetRef")
			min := 1
			if n, ok := container.Int(o.Root.Path("spec", "minReplicas")); ok {
				min = n
			}
			s.hpas[ref.Get("kind").Text()+"/"+ref.Get("name").Text()] = hpa{min: min, line: o.Line, path: f.Path}
		}
	}
	return manifestFile{f: f, shown: fileset.Display(f.Path), objs: objs, stage: st, why: why}, true
}

// inChart reports a file in the templates directory of a Helm chart (a directory with
// a Chart.yaml), at any depth below it.
func (s *scan) inChart(p string) bool {
	dir := path.Dir(p)
	for dir != "." && dir != "/" {
		if path.Base(dir) == "templates" {
			if _, ok := s.t.Files.Lookup(path.Join(path.Dir(dir), "Chart.yaml")); ok {
				return true
			}
		}
		dir = path.Dir(dir)
	}
	return false
}

func stringMapOf(n *container.Node) map[string]string {
	out := map[string]string{}
	if n == nil || n.Kind != container.Map {
		return out
	}
	for i, k := range n.Keys {
		out[k] = n.Vals[i].Text()
	}
	return out
}

// objectStage classifies an object of an unmarked file by its namespace, name and labels.
func objectStage(o *container.Object) (stage, string) {
	if o.Namespace != "" && prodWord(o.Namespace) {
		return stageProd, "namespace " + o.Namespace
	}
	if prodWord(o.Name) {
		return stageProd, "name " + o.Name
	}
	for _, labels := range []map[string]string{o.Labels, o.PodLabels} {
		for _, k := range sortedKeys(labels) {
			if prodWord(labels[k]) {
				return stageProd, "label " + k + ": " + labels[k]
			}
		}
	}
	// Only dev and development: "local" in a namespace names storage provisioners and
	// the like, not an environment.
	for _, w := range words(o.Namespace) {
		if w == "dev" || w == "development" {
			return stageDev, "namespace " + o.Namespace
		}
	}
	return stageUnmarked, ""
}

func objectName(o *container.Object) string {
	n := o.Name
	if n == "" {
		n = "(unnamed)"
	}
	if o.Namespace != "" {
		n = o.Namespace + "/" + n
	}
	return o.Kind + " " + n
}

type k8sObject struct {
	m     manifestFile
	o     *container.Object
	name  string // "Deployment shop/web"
	where string // "Deployment shop/web in k8s/app.yaml (rendered from …)"
}

func (s *scan) k8sFile(m manifestFile) {
	for _, o := range m.objs {
		stg, why := m.stage, m.why
		if stg == stageUnmarked {
			stg, why = objectStage(o)
		}
		ko := k8sObject{m: m, o: o, name: objectName(o)}
		ko.where = fmt.Sprintf("%s in %s", ko.name, m.shown)
		if o.Source != "" {
			ko.where += " (rendered from " + o.Source + ")"
		}
		if o.Pod != nil {
			for _, c := range o.Pod.Containers {
				s.k8sContainer(ko, c, stg, why)
			}
		}
		if stg != stageDev && container.HasReplicas(o.Kind) {
			s.k8sReplicas(ko, stg, why)
		}
	}
}

func isTrue(n *container.Node) bool  { return n != nil && strings.EqualFold(n.Value, "true") }
func isFalse(n *container.Node) bool { return n != nil && strings.EqualFold(n.Value, "false") }

func (s *scan) k8sContainer(ko k8sObject, c *container.K8sContainer, stg stage, why string) {
	kind := "container"
	if c.Init {
		kind = "init container"
	}
	v := svc{
		path: ko.m.f.Path, where: fmt.Sprintf("%s %s of %s", kind, c.Name, ko.where),
		key: ko.name + " " + c.Name, line: c.Line, env: map[string]envVal{}, k8s: true,
	}
	for _, ef := range c.EnvFrom {
		src := s.configMaps
		if ef.Kind == "secret" {
			src = s.secrets
		}
		data, ok := src[ef.Name]
		if !ok {
			v.envOpen = true
			continue
		}
		for _, k := range sortedKeys(data) {
			v.env[ef.Prefix+k] = envVal{value: data[k], path: ko.m.f.Path, line: ef.Line, literal: ef.Kind == "configMap"}
		}
	}
	for _, e := range c.Env {
		v.env[e.Name] = envVal{value: e.Value, path: ko.m.f.Path, line: e.Line, literal: e.ValueFrom == "" && !strings.Contains(e.Value, "$(")}
	}
	if c.Image != nil {
		v.image, v.imageLine = parseImage(c.Image.Value), c.Image.Line
	}
	for _, cmd := range []container.Command{c.Command, c.Args} {
		if !cmd.Set {
			continue
		}
		v.args = append(v.args, expandShellArgs(cmd.Words)...)
		if v.argsLine == 0 {
			v.argsLine = cmd.Line
		}
	}
	for _, p := range c.Ports {
		if p.Publishes {
			v.published = append(v.published, p)
		}
	}
	s.auth(v)
	if stg == stageDev {
		s.examined[ctlSeparate] = true
		s.prodHosts(v, why)
		return
	}
	s.examined[ctlImmutable] = true
	s.k8sImmutable(ko, c, v)
}

func (s *scan) k8sFinding(control, rule string, v svc, line int, evidence, msg, fix string) {
	s.add(finding.Finding{
		Control: control, Rule: rule, Key: v.key,
		Location: finding.Location{Path: v.path, Line: line},
		Evidence: finding.Plain(evidence),
		Message:  msg, Fix: fix,
	})
}

func (s *scan) k8sImmutable(ko k8sObject, c *container.K8sContainer, v svc) {
	sc, pod := c.SecurityContext, ko.o.Pod.SecurityContext
	where := capitalize(v.where)
	switch ro := sc.ReadOnlyRootFilesystem; {
	case isTrue(ro):
	case ro != nil:
		s.k8sFinding(ctlImmutable, RuleK8sWritableRoot, v, ro.Line, "readOnlyRootFilesystem: "+ro.Value,
			fmt.Sprintf("%s sets readOnlyRootFilesystem: %s, so the running container can change its own files and code.", where, ro.Value),
			"Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the container must write.")
	default:
		s.k8sFinding(ctlImmutable, RuleK8sWritableRoot, v, c.Line, "",
			fmt.Sprintf("%s does not set readOnlyRootFilesystem: true, so the running container can change its own files and code.", where),
			"Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the container must write.")
	}
	if p := sc.Privileged; isTrue(p) {
		s.k8sFinding(ctlImmutable, RuleK8sPrivileged, v, p.Line, "privileged: true",
			fmt.Sprintf("%s runs privileged: it has every capability and the node's devices, so whoever takes it over controls the node.", where),
			"Remove privileged: true and add only the capabilities the container needs (securityContext.capabilities.add), or none.")
	}
	switch ape := sc.AllowEscalation; {
	case isFalse(ape):
	case ape != nil:
		s.k8sFinding(ctlImmutable, RuleK8sEscalation, v, ape.Line, "allowPrivilegeEscalation: "+ape.Value,
			fmt.Sprintf("%s sets allowPrivilegeEscalation: %s, so a process in it can gain more privileges than it started with (setuid binaries, file capabilities).", where, ape.Value),
			"Set securityContext.allowPrivilegeEscalation: false.")
	default:
		s.k8sFinding(ctlImmutable, RuleK8sEscalation, v, c.Line, "",
			fmt.Sprintf("%s does not set allowPrivilegeEscalation: false, so a process in it can gain more privileges than it started with (setuid binaries, file capabilities).", where),
			"Set securityContext.allowPrivilegeEscalation: false.")
	}
	user, nonRoot := sc.RunAsUser, sc.RunAsNonRoot
	userFrom, nonRootFrom := "", ""
	if user == nil && pod.RunAsUser != nil {
		user, userFrom = pod.RunAsUser, " (from the pod's securityContext)"
	}
	if nonRoot == nil && pod.RunAsNonRoot != nil {
		nonRoot, nonRootFrom = pod.RunAsNonRoot, " (from the pod's securityContext)"
	}
	switch uid, ok := container.Int(user); {
	case user != nil && ok && uid == 0:
		s.k8sFinding(ctlImmutable, RuleK8sRoot, v, user.Line, "runAsUser: 0",
			fmt.Sprintf("%s runs as root: runAsUser is 0%s.", where, userFrom),
			"Set runAsUser to an unprivileged ID (10001) and runAsNonRoot: true.")
	case user != nil:
	case isTrue(nonRoot):
	case nonRoot != nil:
		s.k8sFinding(ctlImmutable, RuleK8sRoot, v, nonRoot.Line, "runAsNonRoot: "+nonRoot.Value,
			fmt.Sprintf("%s sets runAsNonRoot: %s%s and no runAsUser, so it runs as the image's user, which is root unless the image sets another.", where, nonRoot.Value, nonRootFrom),
			"Set runAsNonRoot: true and runAsUser to an unprivileged ID (10001), in the pod's or the container's securityContext.")
	default:
		s.k8sFinding(ctlImmutable, RuleK8sRoot, v, c.Line, "",
			fmt.Sprintf("%s sets neither runAsNonRoot: true nor a runAsUser, so it runs as the image's user, which is root unless the image sets another.", where),
			"Set runAsNonRoot: true and runAsUser to an unprivileged ID (10001), in the pod's or the container's securityContext.")
	}
	if c.Image != nil && !v.image.variable() && v.image.latest() {
		tag := "has no tag, which means :latest"
		if v.image.tag == "latest" {
			tag = "uses the latest tag"
		}
		s.k8sFinding(ctlImmutable, RuleK8sLatest, v, c.Image.Line, "image: "+c.Image.Value,
			fmt.Sprintf("%s runs the image %s, which %s: each node can pull a different, unreviewed image.", where, c.Image.Value, tag),
			"Pin the image to a version and its digest (name:1.2.3@sha256:…) and let Renovate or Dependabot propose updates.")
	}
	for _, cmd := range []struct {
		name, verb string
		c          container.Command
	}{{"command", "runs", c.Command}, {"args", "run", c.Args}} {
		if up := upgradeIn(cmd.c.Text()); cmd.c.Set && up != "" {
			s.k8sFinding(ctlImmutable, RuleK8sUpgrade, v, cmd.c.Line, cmd.name+": … "+up+" …",
				fmt.Sprintf("The %s of %s %s %s when the container starts, so each container installs whatever package versions are current that day instead of running the image that was tested.", cmd.name, v.where, cmd.verb, up),
				"Upgrade packages when the image is built and rebuild it regularly; keep package managers out of the start command.")
			break
		}
	}
}

// k8sReplicas reports production workloads that run one pod, and database StatefulSets
// that run one pod wherever they are deployed.
func (s *scan) k8sReplicas(ko k8sObject, stg stage, why string) {
	o := ko.o
	database := ""
	if o.Kind == "StatefulSet" && o.Pod != nil {
		for _, c := range o.Pod.Containers {
			if c.Image != nil && !c.Init && parseImage(c.Image.Value).database() {
				database = parseImage(c.Image.Value).path
				break
			}
		}
	}
	if stg != stageProd && database == "" {
		return
	}
	s.examined[ctlScale] = true
	replicas, set := 1, false
	if o.Replicas != nil {
		if n, ok := container.Int(o.Replicas); ok {
			replicas, set = n, true
		} else {
			return // a value this probe cannot read, such as a string
		}
	}
	line := o.Line
	if o.Replicas != nil {
		line = o.Replicas.Line
	}
	if h, ok := s.hpas[o.Kind+"/"+o.Name]; ok {
		if h.min >= 2 {
			return
		}
		replicas, set = h.min, true
		line = o.Line
	}
	if replicas >= 2 {
		return
	}
	if !set && o.Pod == nil {
		return // a patch that leaves replicas to the base it amends
	}
	how := "does not set spec.replicas, which then defaults to 1"
	ev := ""
	switch {
	case s.hpas[o.Kind+"/"+o.Name].line > 0:
		how = fmt.Sprintf("is scaled by a HorizontalPodAutoscaler whose minReplicas is %d", replicas)
	case set:
		how = fmt.Sprintf("sets replicas: %d", replicas)
		ev = fmt.Sprintf("replicas: %d", replicas)
	}
	v := svc{path: ko.m.f.Path, key: ko.name}
	if database != "" {
		s.k8sFinding(ctlScale, RuleK8sDBReplicas, v, line, ev,
			fmt.Sprintf("%s runs the database %s and %s: the data lives on one pod and one volume, so losing either stops the service and can lose data.", capitalize(ko.where), database, how),
			"Run the database replicated (an operator or chart with replicas and failover), or use a managed database; record the reason where a single instance is intended.")
		return
	}
	s.k8sFinding(ctlScale, RuleK8sReplicas, v, line, ev,
		fmt.Sprintf("%s is a production workload (%s) and %s, so one pod failing, or its node, takes the service down.", capitalize(ko.where), why, how),
		"Set replicas: 2 or more (or a HorizontalPodAutoscaler with minReplicas: 2) and a PodDisruptionBudget, or record why this workload must be a single instance.")
}
