package container

import (
	"regexp"
	"sort"
	"strings"
)

// Object is one Kubernetes object of a manifest file.
type Object struct {
	APIVersion, Kind, Name, Namespace string
	Line                              int
	Labels                            map[string]string
	// Source is the chart template a Helm-rendered document came from (its
	// "# Source: chart/templates/x.yaml" comment), or "".
	Source string
	Root   *Node
	// Replicas is spec.replicas of the kinds that have it, nil when not set.
	Replicas *Node
	// Pod is the pod spec: the object's own for a Pod, its template's for the
	// controllers; nil for other kinds or when the template is missing (a patch).
	Pod *PodSpec
	// PodLabels are the labels of the pod template.
	PodLabels map[string]string
}

// PodSpec is what the model reads of a pod spec.
type PodSpec struct {
	Line int
	// SecurityContext is the pod-level one, which containers inherit runAsNonRoot and
	// runAsUser from.
	SecurityContext SecurityContext
	Containers      []*K8sContainer
}

// SecurityContext holds the settings that decide whether a container runs as root, can
// gain privileges and can write its root filesystem; each is nil when not set.
type SecurityContext struct {
	Line                                                                         int
	RunAsNonRoot, RunAsUser, ReadOnlyRootFilesystem, Privileged, AllowEscalation *Node
}

// K8sContainer is a container or init container of a pod spec.
type K8sContainer struct {
	Name string
	Line int
	Init bool
	// Image is nil when not set.
	Image *Node
	// Command and Args are the container's command and args.
	Command, Args   Command
	Env             []EnvVar
	EnvFrom         []EnvFrom
	SecurityContext SecurityContext
	Ports           []Port
}

// EnvFrom is an envFrom source: all keys of a ConfigMap or Secret become variables.
type EnvFrom struct {
	// Kind is "configMap" or "secret".
	Kind, Name, Prefix string
	Line               int
}

// podTemplatePath says where each workload kind keeps its pod template.
var podTemplatePath = map[string][]string{
	"Deployment":            {"spec", "template"},
	"StatefulSet":           {"spec", "template"},
	"DaemonSet":             {"spec", "template"},
	"ReplicaSet":            {"spec", "template"},
	"ReplicationController": {"spec", "template"},
	"Job":                   {"spec", "template"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template"},
	"Rollout":               {"spec", "template"}, // Argo Rollouts
}

// HasReplicas reports whether a kind runs a number of identical pods set by spec.replicas.
func HasReplicas(kind string) bool {
	switch kind {
	case "Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Rollout":
		return true
	}
	return false
}

// ParseManifests reads the Kubernetes objects of a multi-document YAML file. Documents
// without apiVersion and kind are not objects and are left out; a List's items are
// objects of their own.
func ParseManifests(data []byte) ([]*Object, error) {
	docs, err := ParseYAML(data)
	if err != nil {
		return nil, err
	}
	sources := helmSources(data)
	var out []*Object
	for _, d := range docs {
		src := sourceAt(sources, d.Line)
		root := d.Root
		if root.Kind != Map {
			continue
		}
		if items := root.Get("items"); strings.HasSuffix(root.Get("kind").Text(), "List") && items != nil && items.Kind == Seq {
			for _, it := range items.Items {
				if o := object(it, src); o != nil {
					out = append(out, o)
				}
			}
			continue
		}
		if o := object(root, src); o != nil {
			out = append(out, o)
		}
	}
	return out, nil
}

func object(n *Node, source string) *Object {
	api, kind := n.Get("apiVersion").Text(), n.Get("kind").Text()
	if api == "" || kind == "" {
		return nil
	}
	md := n.Get("metadata")
	o := &Object{
		APIVersion: api, Kind: kind, Line: n.Line, Root: n, Source: source,
		Name: md.Get("name").Text(), Namespace: md.Get("namespace").Text(),
		Labels: stringMap(md.Get("labels")),
	}
	if HasReplicas(kind) {
		o.Replicas = set(n.Path("spec", "replicas"))
	}
	switch {
	case kind == "Pod":
		o.Pod = podSpec(n.Get("spec"))
		o.PodLabels = o.Labels
	case podTemplatePath[kind] != nil:
		tpl := n.Path(podTemplatePath[kind]...)
		o.Pod = podSpec(tpl.Get("spec"))
		o.PodLabels = stringMap(tpl.Path("metadata", "labels"))
	}
	return o
}

func stringMap(n *Node) map[string]string {
	out := map[string]string{}
	if n == nil || n.Kind != Map {
		return out
	}
	for i, k := range n.Keys {
		if v, ok := n.Vals[i].Str(); ok {
			out[k] = v
		}
	}
	return out
}

func podSpec(n *Node) *PodSpec {
	if n == nil || n.Kind != Map {
		return nil
	}
	ps := &PodSpec{Line: n.Line, SecurityContext: securityContext(n.Get("securityContext"))}
	for _, key := range []string{"initContainers", "containers"} {
		list := n.Get(key)
		if list == nil || list.Kind != Seq {
			continue
		}
		for _, it := range list.Items {
			if it.Kind != Map {
				continue
			}
			ps.Containers = append(ps.Containers, k8sContainer(it, key == "initContainers"))
		}
	}
	if len(ps.Containers) == 0 {
		return nil
	}
	return ps
}

func securityContext(n *Node) SecurityContext {
	if n == nil || n.Kind != Map {
		return SecurityContext{}
	}
	return SecurityContext{
		Line:         n.Line,
		RunAsNonRoot: set(n.Get("runAsNonRoot")), RunAsUser: set(n.Get("runAsUser")),
		ReadOnlyRootFilesystem: set(n.Get("readOnlyRootFilesystem")),
		Privileged:             set(n.Get("privileged")), AllowEscalation: set(n.Get("allowPrivilegeEscalation")),
	}
}

func k8sContainer(n *Node, init bool) *K8sContainer {
	c := &K8sContainer{
		Name: n.Get("name").Text(), Line: n.Line, Init: init, Image: set(n.Get("image")),
		Command: command(n.Get("command")), Args: command(n.Get("args")),
		SecurityContext: securityContext(n.Get("securityContext")),
	}
	if env := n.Get("env"); env != nil && env.Kind == Seq {
		for _, it := range env.Items {
			name := it.Get("name").Text()
			if name == "" {
				continue
			}
			e := EnvVar{Name: name, Line: it.Line}
			if v := it.Get("value"); v.IsSet() {
				e.Value, e.HasValue = v.Text(), true
			} else if vf := it.Get("valueFrom"); vf != nil && vf.Kind == Map && len(vf.Keys) > 0 {
				e.ValueFrom = vf.Keys[0]
			} else {
				// An env entry without value is set to the empty string.
				e.HasValue = true
			}
			c.Env = append(c.Env, e)
		}
	}
	if ef := n.Get("envFrom"); ef != nil && ef.Kind == Seq {
		for _, it := range ef.Items {
			for _, k := range []string{"configMapRef", "secretRef"} {
				if ref := it.Get(k); ref != nil {
					c.EnvFrom = append(c.EnvFrom, EnvFrom{Kind: strings.TrimSuffix(k, "Ref"), Name: ref.Get("name").Text(), Prefix: it.Get("prefix").Text(), Line: it.Line})
				}
			}
		}
	}
	if ports := n.Get("ports"); ports != nil && ports.Kind == Seq {
		for _, it := range ports.Items {
			p := Port{Line: it.Line, Target: it.Get("containerPort").Text(), Published: it.Get("hostPort").Text(), HostIP: it.Get("hostIP").Text()}
			p.Raw, p.Publishes = p.Target, p.Published != ""
			c.Ports = append(c.Ports, p)
		}
	}
	return c
}

// helmSource marks a document of `helm template` output with the template it came from.
var helmSource = regexp.MustCompile(`^#\s*Source:\s*(\S.*?)\s*$`)

type sourceMark struct {
	line   int
	source string // "" at a document separator
}

// helmSources lists the "# Source:" comments and the document separators that end them,
// in line order.
func helmSources(data []byte) []sourceMark {
	var out []sourceMark
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimRight(l, "\r")
		switch {
		case strings.HasPrefix(l, "---"):
			out = append(out, sourceMark{line: i + 1})
		case strings.HasPrefix(l, "#"):
			if m := helmSource.FindStringSubmatch(l); m != nil {
				out = append(out, sourceMark{line: i + 1, source: m[1]})
			}
		}
	}
	return out
}

// sourceAt returns the template named by the last mark before line, unless a document
// separator came after it.
func sourceAt(marks []sourceMark, line int) string {
	i := sort.Search(len(marks), func(i int) bool { return marks[i].line >= line })
	if i == 0 {
		return ""
	}
	return marks[i-1].source
}

var (
	apiVersionLine = regexp.MustCompile(`(?m)^apiVersion:[ \t]*\S`)
	kindLine       = regexp.MustCompile(`(?m)^kind:[ \t]*\S`)
)

// LooksLikeManifest reports whether a YAML file has the top-level apiVersion and kind of
// a Kubernetes object, whether or not it parses.
func LooksLikeManifest(data []byte) bool {
	return apiVersionLine.Match(data) && kindLine.Match(data)
}
