// Package containers checks how a repository builds and runs containers: Dockerfiles,
// docker-compose files and Kubernetes manifests (plain or rendered by Helm). It reports
// images that are not pinned, containers that run as root or can change themselves (SC-8),
// production workloads that run as a single instance (SC-3), databases and caches that
// accept callers without credentials (ZT-3) and development files that point at
// production hosts (SC-2).
package containers

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/container"
	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

const (
	ctlAuth      = "ZT-3"
	ctlSeparate  = "SC-2"
	ctlScale     = "SC-3"
	ctlImmutable = "SC-8"
)

var controls = []string{ctlAuth, ctlSeparate, ctlScale, ctlImmutable}

// New returns the container configuration probe.
func New() probe.Probe { return containersProbe{} }

type containersProbe struct{}

func (containersProbe) Name() string               { return "containers/config" }
func (containersProbe) Controls() []string         { return append([]string(nil), controls...) }
func (containersProbe) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (containersProbe) Description() string {
	return "Dockerfiles pin base images by digest and run as a non-root USER; compose services and Kubernetes containers are read-only, unprivileged and non-root with no :latest images; production workloads run more than one replica; Redis, MySQL/MariaDB, PostgreSQL, MongoDB, Elasticsearch/OpenSearch and memcached require credentials; development compose files and manifests name no production hosts"
}

// isDockerfile recognises Dockerfile, Containerfile and their suffixed and prefixed
// variants (Dockerfile.prod, api.Dockerfile, api.dockerfile). A lower-case prefix is not
// enough: dockerfile.go is source code.
func isDockerfile(name string) bool {
	n := strings.ToLower(name)
	// Documentation about a Dockerfile and templates that generate one are not
	// Dockerfiles a build reads.
	for _, ext := range []string{".dockerignore", ".md", ".txt", ".rst", ".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".template", ".erb", ".mustache"} {
		if strings.HasSuffix(n, ext) {
			return false
		}
	}
	for _, base := range []string{"Dockerfile", "Containerfile"} {
		if strings.EqualFold(name, base) || strings.HasPrefix(name, base+".") || strings.HasSuffix(n, "."+strings.ToLower(base)) {
			return true
		}
	}
	return false
}

func isYAML(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".yaml")
}

// isCompose recognises compose.yaml, docker-compose.yml and their variants
// (docker-compose.override.yml, compose.prod.yaml, docker-compose-dev.yml).
func isCompose(name string) bool {
	n := strings.ToLower(name)
	if !isYAML(n) {
		return false
	}
	for _, prefix := range []string{"docker-compose", "compose"} {
		if rest, ok := strings.CutPrefix(n, prefix); ok && rest != "" && strings.ContainsRune(".-_", rune(rest[0])) {
			return true
		}
	}
	return false
}

// isBaseCompose is the file that override files in its directory are merged onto.
func isBaseCompose(name string) bool {
	switch strings.ToLower(name) {
	case "compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml":
		return true
	}
	return false
}

// scan is one run of the probe over a repository.
type scan struct {
	ctx context.Context
	t   *target.Target
	r   *probe.Result
	// examined marks the controls that had something to judge.
	examined map[string]bool
	found    struct{ dockerfiles, compose, manifests int }
	helm     []string
	// configMaps and secrets hold the keys (and, for ConfigMaps, values) of the objects
	// that envFrom can name; hpas the autoscalers by the workload they scale.
	configMaps map[string]map[string]string
	secrets    map[string]map[string]string
	hpas       map[string]hpa
	findings   []finding.Finding
}

type hpa struct {
	min  int
	line int
	path string
}

func (containersProbe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	s := &scan{ctx: ctx, t: t, r: &probe.Result{}, examined: map[string]bool{},
		configMaps: map[string]map[string]string{}, secrets: map[string]map[string]string{}, hpas: map[string]hpa{}}
	var dockerfiles, composeFiles, yamls []fileset.File
	for _, f := range t.Files.Files() {
		switch name := f.Name(); {
		case isDockerfile(name):
			dockerfiles = append(dockerfiles, f)
		case isCompose(name):
			composeFiles = append(composeFiles, f)
		case isYAML(name):
			yamls = append(yamls, f)
		}
	}
	// Taken before reading, so that this probe's own read failures (which the inventory
	// also records as skipped) are not reported twice.
	var skipped []fileset.Skip
	for _, sk := range t.Files.Skipped() {
		if _, inScope := t.Files.Lookup(sk.Path); inScope {
			continue
		}
		if n := path.Base(sk.Path); isDockerfile(n) || isCompose(n) {
			skipped = append(skipped, sk)
		}
	}
	for _, sk := range skipped {
		cs := []string{ctlImmutable}
		if isCompose(path.Base(sk.Path)) {
			cs = controls
		}
		for _, c := range cs {
			s.r.MarkUnknown(c, sk.Path+": "+sk.Reason)
		}
	}

	// Manifests first: compose and Dockerfile checks do not need them, but the workload
	// checks need every ConfigMap, Secret and autoscaler in the tree.
	var manifests []manifestFile
	for _, f := range yamls {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if m, ok := s.readManifest(f); ok {
			manifests = append(manifests, m)
		}
	}
	for _, m := range manifests {
		s.k8sFile(m)
	}
	if err := s.composeFiles(composeFiles); err != nil {
		return nil, err
	}
	for _, f := range dockerfiles {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.dockerfile(f)
	}
	for _, f := range s.findings {
		s.r.Add(f)
	}

	if s.found.dockerfiles+s.found.compose+s.found.manifests == 0 && len(skipped) == 0 {
		why := "no Dockerfile, compose file or Kubernetes manifest found"
		if len(s.helm) > 0 {
			why += fmt.Sprintf(" (%d unrendered Helm template%s not examined; scan the output of helm template to check them)", len(s.helm), plural(len(s.helm)))
		}
		for _, c := range controls {
			s.r.MarkNotApplicable(c, why)
		}
		return s.r, nil
	}
	na := map[string]string{
		ctlImmutable: "no Dockerfile, and no compose service or Kubernetes workload outside development files",
		ctlScale:     "no production compose service or Kubernetes workload, and no database StatefulSet (production: a prod or production word in the path, namespace, name, labels or env_file)",
		ctlAuth:      "no Redis, MySQL/MariaDB, PostgreSQL, MongoDB, Elasticsearch/OpenSearch or memcached container found",
		ctlSeparate:  "no development compose file or manifest found (development: an override, dev, development or local word in the path)",
	}
	for _, c := range controls {
		if !s.examined[c] {
			s.r.MarkNotApplicable(c, na[c])
		}
	}
	return s.r, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (s *scan) add(f finding.Finding) { s.findings = append(s.findings, f) }

// unknown marks controls undecided because of a file.
func (s *scan) unknown(reason string, cs ...string) {
	for _, c := range cs {
		s.r.MarkUnknown(c, reason)
	}
}

// parseProblem formats a parse error as path:line:col: message.
func parseProblem(p string, err error) string {
	shown := fileset.Display(p)
	var ye *container.Error
	if errors.As(err, &ye) {
		if ye.Col > 0 {
			return fmt.Sprintf("%s:%d:%d: %s", shown, ye.Line, ye.Col, ye.Msg)
		}
		return fmt.Sprintf("%s:%d: %s", shown, ye.Line, ye.Msg)
	}
	return shown + ": " + err.Error()
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
