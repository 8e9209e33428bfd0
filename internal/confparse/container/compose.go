package container

import (
	"sort"
	"strconv"
	"strings"
)

// Compose is a docker-compose file (the Compose Specification, and the older version 2
// and 3 files, which have the same services section).
type Compose struct {
	Services []*Service
}

// Service is one entry under services.
type Service struct {
	Name string
	Line int
	// Node is the service's mapping, for settings the model does not name.
	Node *Node
	// Image, User, ReadOnly, Privileged, ContainerName and Replicas (deploy.replicas),
	// Scale and DeployMode (deploy.mode) are nil when not set.
	Image, User, ReadOnly, Privileged, ContainerName *Node
	Replicas, Scale, DeployMode                      *Node
	Build                                            *Build
	Env                                              []EnvVar
	EnvFiles                                         []EnvFile
	Command, Entrypoint                              Command
	Ports                                            []Port
	Volumes                                          []*Node
}

// Build is a service's build section.
type Build struct {
	Line                int
	Context, Dockerfile string
}

// EnvVar is one environment variable of a service or container.
type EnvVar struct {
	Name string
	// Value is the literal value; HasValue is false for a compose pass-through
	// ("- NAME", "NAME:" with no value), whose value comes from the shell running compose.
	Value    string
	HasValue bool
	// ValueFrom names where a Kubernetes value comes from (secretKeyRef, configMapKeyRef,
	// fieldRef, resourceFieldRef) when it is not literal.
	ValueFrom string
	Line      int
}

// EnvFile is an env_file entry of a service.
type EnvFile struct {
	Path     string
	Line     int
	Required bool
}

// Command is a command or entrypoint, in string (Shell) or list (Words) form.
type Command struct {
	Set   bool
	Line  int
	Shell string
	Words []string
	// Lines holds the line of each of Words.
	Lines []int
}

// Text is the command as one string, for searching it.
func (c Command) Text() string {
	if c.Words != nil {
		return strings.Join(c.Words, " ")
	}
	return c.Shell
}

// Port is a published or exposed port.
type Port struct {
	Raw  string
	Line int
	// HostIP is the address the port is published on ("" for all addresses); Published
	// is the host port ("" for an ephemeral one); Target is the container port.
	HostIP, Published, Target string
	// Publishes is set when the port is reachable from outside the container network:
	// compose ports entries (even "80", which takes an ephemeral host port).
	Publishes bool
}

// composeTopLevel are the keys of the Compose Specification other than services; in a
// version 1 file, which has no services key, every other top-level key is a service.
var composeTopLevel = map[string]bool{"version": true, "name": true, "include": true, "networks": true, "volumes": true, "secrets": true, "configs": true, "models": true}

// ParseCompose reads a compose file. Extension fields (x-*) are not services; their
// anchors are resolved where services merge them in.
func ParseCompose(data []byte) (*Compose, error) {
	docs, err := ParseYAML(data)
	if err != nil {
		return nil, err
	}
	out := &Compose{}
	if len(docs) == 0 {
		return out, nil
	}
	root := docs[0].Root
	if root.Kind != Map {
		if root.Kind == Scalar && root.Null {
			return out, nil
		}
		return nil, &Error{Line: root.Line, Col: root.Col, Msg: "the top level of a compose file must be a mapping"}
	}
	services := root.Get("services")
	if services == nil {
		// Version 1: services at the top level.
		services = &Node{Kind: Map}
		for i, k := range root.Keys {
			if !composeTopLevel[k] && !strings.HasPrefix(k, "x-") && root.Vals[i].Kind == Map {
				services.Add(k, root.KeyLines[i], root.Vals[i])
			}
		}
	}
	if services.Kind != Map {
		if services.Null {
			return out, nil
		}
		return nil, &Error{Line: services.Line, Col: services.Col, Msg: "services must be a mapping"}
	}
	for i, name := range services.Keys {
		if strings.HasPrefix(name, "x-") {
			continue
		}
		n := services.Vals[i]
		if n.Kind != Map {
			if n.Null {
				n = &Node{Kind: Map, Line: n.Line}
			} else {
				return nil, &Error{Line: n.Line, Col: n.Col, Msg: "service " + name + " must be a mapping"}
			}
		}
		sv := service(name, n)
		sv.Line = services.KeyLines[i]
		out.Services = append(out.Services, sv)
	}
	return out, nil
}

func service(name string, n *Node) *Service {
	s := &Service{
		Name: name, Line: n.Line, Node: n,
		Image: set(n.Get("image")), User: set(n.Get("user")), ReadOnly: set(n.Get("read_only")),
		Privileged: set(n.Get("privileged")), ContainerName: set(n.Get("container_name")),
		Replicas: set(n.Path("deploy", "replicas")), Scale: set(n.Get("scale")),
		DeployMode: set(n.Path("deploy", "mode")),
		Env:        composeEnv(n.Get("environment")),
		Command:    command(n.Get("command")), Entrypoint: command(n.Get("entrypoint")),
	}
	if b := n.Get("build"); b.IsSet() {
		s.Build = &Build{Line: b.Line}
		if b.Kind == Scalar {
			s.Build.Context = b.Value
		} else {
			s.Build.Context, s.Build.Dockerfile = b.Get("context").Text(), b.Get("dockerfile").Text()
		}
		if s.Build.Context == "" {
			s.Build.Context = "."
		}
	}
	switch ef := n.Get("env_file"); {
	case ef == nil:
	case ef.Kind == Scalar && !ef.Null:
		s.EnvFiles = append(s.EnvFiles, EnvFile{Path: ef.Value, Line: ef.Line, Required: true})
	case ef.Kind == Seq:
		for _, it := range ef.Items {
			switch it.Kind {
			case Scalar:
				s.EnvFiles = append(s.EnvFiles, EnvFile{Path: it.Value, Line: it.Line, Required: true})
			case Map:
				req := it.Get("required").Text() != "false"
				s.EnvFiles = append(s.EnvFiles, EnvFile{Path: it.Get("path").Text(), Line: it.Line, Required: req})
			}
		}
	}
	if ports := n.Get("ports"); ports != nil && ports.Kind == Seq {
		for _, it := range ports.Items {
			s.Ports = append(s.Ports, composePort(it))
		}
	}
	if vols := n.Get("volumes"); vols != nil && vols.Kind == Seq {
		s.Volumes = vols.Items
	}
	return s
}

func set(n *Node) *Node {
	if !n.IsSet() {
		return nil
	}
	return n
}

// composeEnv reads environment in its mapping and list forms.
func composeEnv(n *Node) []EnvVar {
	var out []EnvVar
	switch {
	case n == nil:
	case n.Kind == Map:
		for i, k := range n.Keys {
			v := n.Vals[i]
			e := EnvVar{Name: k, Line: v.Line}
			if v.Kind == Scalar && !v.Null {
				e.Value, e.HasValue = v.Value, true
			}
			out = append(out, e)
		}
	case n.Kind == Seq:
		for _, it := range n.Items {
			if it.Kind != Scalar || it.Null {
				continue
			}
			k, v, ok := strings.Cut(it.Value, "=")
			out = append(out, EnvVar{Name: k, Value: v, HasValue: ok, Line: it.Line})
		}
	}
	return out
}

func command(n *Node) Command {
	switch {
	case !n.IsSet():
		return Command{}
	case n.Kind == Scalar:
		return Command{Set: true, Line: n.Line, Shell: n.Value}
	case n.Kind == Seq:
		c := Command{Set: true, Line: n.Line, Words: []string{}}
		for _, it := range n.Items {
			if it.Kind == Scalar {
				c.Words = append(c.Words, it.Value)
				c.Lines = append(c.Lines, it.Line)
			}
		}
		return c
	}
	return Command{}
}

// composePort reads a ports entry in the short ("[ip:]host:container[/proto]") or long
// (target, published, host_ip) syntax.
func composePort(n *Node) Port {
	p := Port{Line: n.Line, Publishes: true}
	if n.Kind == Map {
		p.Target, p.Published, p.HostIP = n.Get("target").Text(), n.Get("published").Text(), n.Get("host_ip").Text()
		p.Raw = "target " + p.Target
		if p.Published != "" {
			p.Raw = p.Published + ":" + p.Target
		}
		return p
	}
	p.Raw = n.Value
	s, _, _ := strings.Cut(n.Value, "/")
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "]:"); i > 0 {
			p.HostIP, s = s[1:i], s[i+2:]
		}
	}
	parts := strings.Split(s, ":")
	switch len(parts) {
	case 1:
		p.Target = parts[0]
	case 2:
		p.Published, p.Target = parts[0], parts[1]
	default:
		if p.HostIP == "" {
			p.HostIP = strings.Join(parts[:len(parts)-2], ":")
		}
		p.Published, p.Target = parts[len(parts)-2], parts[len(parts)-1]
	}
	return p
}

// ParseEnvFile reads a compose env_file (KEY=VALUE lines, # comments, optional quotes and
// "export "), keeping each variable's line.
func ParseEnvFile(data []byte) []EnvVar {
	var out []EnvVar
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(strings.TrimSuffix(l, "\r"))
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		l = strings.TrimPrefix(l, "export ")
		k, v, ok := strings.Cut(l, "=")
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if j := strings.Index(v, " #"); j >= 0 {
			v = strings.TrimSpace(v[:j])
		}
		out = append(out, EnvVar{Name: k, Value: v, HasValue: ok, Line: i + 1})
	}
	return out
}

// Int reads a scalar as an integer.
func Int(n *Node) (int, bool) {
	s, ok := n.Str()
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(strings.TrimSpace(s))
	return v, err == nil
}

// SortedKeys returns a string map's keys in order, for deterministic output.
func SortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
