package containers

import (
	"fmt"
	"path"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/container"
	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
)

// Rules for compose files.
const (
	RuleComposeReadOnly   = "compose/read-only-not-set"
	RuleComposePrivileged = "compose/privileged"
	RuleComposeLatest     = "compose/image-latest"
	RuleComposeRoot       = "compose/user-root"
	RuleComposeUpgrade    = "compose/upgrade-at-start"
	RuleComposeReplicas   = "compose/single-replica"
)

type composeFile struct {
	f     fileset.File
	shown string
	c     *container.Compose
	stage stage
	why   string
}

func (s *scan) composeFiles(files []fileset.File) error {
	var parsed []*composeFile
	// bases holds, per directory, the base file that overrides amend.
	bases := map[string]*composeFile{}
	for _, f := range files {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		data, err := s.t.Files.Read(f)
		if err != nil {
			s.unknown(err.Error(), controls...)
			continue
		}
		s.found.compose++
		st, why := fileStage(f.Path)
		c, err := container.ParseCompose(data)
		if err != nil {
			cs := []string{ctlAuth, ctlImmutable, ctlScale}
			if st == stageDev {
				cs = []string{ctlAuth, ctlSeparate}
			}
			s.unknown(parseProblem(f.Path, err), cs...)
			continue
		}
		cf := &composeFile{f: f, shown: fileset.Display(f.Path), c: c, stage: st, why: why}
		parsed = append(parsed, cf)
		if isBaseCompose(f.Name()) && bases[f.Dir()] == nil {
			bases[f.Dir()] = cf
		}
	}
	for _, cf := range parsed {
		for _, sv := range cf.c.Services {
			var base *baseService
			if b := bases[cf.f.Dir()]; b != nil && b != cf {
				for _, bs := range b.c.Services {
					if bs.Name == sv.Name {
						base = &baseService{file: b, svc: bs}
					}
				}
			}
			s.composeService(cf, sv, base)
		}
	}
	return nil
}

// baseService is the service of a base compose file that an override amends.
type baseService struct {
	file *composeFile
	svc  *container.Service
}

// composeService checks one service. base is the service of the same name in the base
// file when sv is in an override file that amends it: what sv does not set comes from
// base, and checks for a missing setting are left to the base file's own service.
func (s *scan) composeService(cf *composeFile, sv *container.Service, base *baseService) {
	partial := base != nil
	where := fmt.Sprintf("service %s in %s", sv.Name, cf.shown)
	v := svc{
		path: cf.f.Path, where: where, key: "service " + sv.Name, line: sv.Line,
		env: map[string]envVal{}, partial: partial,
	}
	stg, why := cf.stage, cf.why
	if base != nil {
		s.composeEnv(base.file, base.svc, &v)
	}
	s.composeEnv(cf, sv, &v)
	for _, ef := range sv.EnvFiles {
		if stg == stageUnmarked && prodWord(path.Base(ef.Path)) {
			stg, why = stageProd, fmt.Sprintf("its env_file %s says production", ef.Path)
		}
	}
	image, entrypoint, cmd, build := sv.Image, sv.Entrypoint, sv.Command, sv.Build
	cmdPath := cf.f.Path
	if base != nil {
		if image == nil {
			image, build = base.svc.Image, base.svc.Build
		}
		if !entrypoint.Set && !cmd.Set {
			entrypoint, cmd, cmdPath = base.svc.Entrypoint, base.svc.Command, base.file.f.Path
		}
	}
	if image != nil {
		v.image, v.imageLine = parseImage(image.Value), image.Line
	}
	for _, c := range []container.Command{entrypoint, cmd} {
		if !c.Set {
			continue
		}
		words := c.Words
		if words == nil {
			words = argv(c.Shell)
		}
		v.args = append(v.args, expandShellArgs(words)...)
		if v.argsLine == 0 {
			v.argsLine, v.argsPath = c.Line, cmdPath
		}
	}
	for _, p := range sv.Ports {
		if p.Publishes {
			v.published = append(v.published, p)
		}
	}
	if image != nil && build == nil {
		s.auth(v)
	}
	switch stg {
	case stageDev:
		s.examined[ctlSeparate] = true
		s.prodHosts(v, why)
		return
	case stageProd:
		s.composeReplicas(cf, sv, v, why, partial)
	}
	s.examined[ctlImmutable] = true
	s.composeImmutable(cf, sv, v, partial)
}

// composeEnv adds a service's env_file and environment variables to v; env_file entries
// come first, because environment overrides them.
func (s *scan) composeEnv(cf *composeFile, sv *container.Service, v *svc) {
	for _, ef := range sv.EnvFiles {
		p := path.Join(cf.f.Dir(), ef.Path)
		f, ok := s.t.Files.Lookup(p)
		if !ok {
			if ef.Required {
				v.envOpen = true
			}
			continue
		}
		data, err := s.t.Files.Read(f)
		if err != nil {
			v.envOpen = true
			continue
		}
		for _, e := range container.ParseEnvFile(data) {
			v.env[e.Name] = envVal{value: e.Value, path: p, line: e.Line, literal: true}
		}
	}
	for _, e := range sv.Env {
		if !e.HasValue {
			// Passed through from the shell that runs compose: set, value unknown.
			v.env[e.Name] = envVal{path: cf.f.Path, line: e.Line}
			continue
		}
		v.env[e.Name] = envVal{value: e.Value, path: cf.f.Path, line: e.Line, literal: !strings.Contains(e.Value, "${")}
	}
}

func (s *scan) composeFinding(control, rule string, cf *composeFile, sv *container.Service, line int, evidence, msg, fix string) {
	s.add(finding.Finding{
		Control: control, Rule: rule, Key: "service " + sv.Name,
		Location: finding.Location{Path: cf.f.Path, Line: line},
		Evidence: finding.Plain(evidence),
		Message:  msg, Fix: fix,
	})
}

func (s *scan) composeImmutable(cf *composeFile, sv *container.Service, v svc, partial bool) {
	where := capitalize(v.where)
	if sv.Image != nil && sv.Build == nil && !v.image.variable() && v.image.latest() {
		tag := "has no tag, which means :latest"
		if v.image.tag == "latest" {
			tag = "uses the latest tag"
		}
		s.composeFinding(ctlImmutable, RuleComposeLatest, cf, sv, sv.Image.Line, "image: "+sv.Image.Value,
			fmt.Sprintf("%s runs the image %s, which %s: each pull can bring a different, unreviewed image.", where, sv.Image.Value, tag),
			"Pin the image to a version and its digest (name:1.2.3@sha256:…) and let Renovate or Dependabot propose updates.")
	}
	if sv.Privileged != nil && strings.EqualFold(sv.Privileged.Value, "true") {
		s.composeFinding(ctlImmutable, RuleComposePrivileged, cf, sv, sv.Privileged.Line, "privileged: "+sv.Privileged.Value,
			fmt.Sprintf("%s runs privileged: the container has every capability and the host's devices, so whoever takes it over controls the host.", where),
			"Remove privileged: true and add only the capabilities the service needs (cap_add), or none.")
	}
	switch {
	case sv.ReadOnly != nil && !strings.EqualFold(sv.ReadOnly.Value, "true"):
		s.composeFinding(ctlImmutable, RuleComposeReadOnly, cf, sv, sv.ReadOnly.Line, "read_only: "+sv.ReadOnly.Value,
			fmt.Sprintf("%s sets read_only: %s, so the running container can change its own files and code.", where, sv.ReadOnly.Value),
			"Set read_only: true and give the paths the service must write a tmpfs or a volume.")
	case sv.ReadOnly == nil && !partial:
		s.composeFinding(ctlImmutable, RuleComposeReadOnly, cf, sv, sv.Line, "",
			fmt.Sprintf("%s does not set read_only: true, so the running container can change its own files and code.", where),
			"Set read_only: true and give the paths the service must write a tmpfs or a volume.")
	}
	if sv.User != nil {
		name, _, _ := strings.Cut(sv.User.Value, ":")
		if name == "root" || name == "0" {
			s.composeFinding(ctlImmutable, RuleComposeRoot, cf, sv, sv.User.Line, "user: "+sv.User.Value,
				fmt.Sprintf("%s sets user: %s, so the container runs as root.", where, sv.User.Value),
				"Run the service as an unprivileged user (user: \"10001:10001\") and give it ownership of only the paths it writes.")
		}
	}
	for _, c := range []struct {
		name string
		cmd  container.Command
	}{{"entrypoint", sv.Entrypoint}, {"command", sv.Command}} {
		if up := upgradeIn(c.cmd.Text()); c.cmd.Set && up != "" {
			s.composeFinding(ctlImmutable, RuleComposeUpgrade, cf, sv, c.cmd.Line, c.name+": … "+up+" …",
				fmt.Sprintf("The %s of %s runs %s when the container starts, so each container installs whatever package versions are current that day instead of running the image that was tested.", c.name, v.where, up),
				"Upgrade packages when the image is built and rebuild it regularly; keep package managers out of the start command.")
		}
	}
}

// composeReplicas reports a service of a production compose file that runs one
// instance: deploy.replicas (or the older scale) unset, 0 or 1, unless deploy.mode is
// global (one per node).
func (s *scan) composeReplicas(cf *composeFile, sv *container.Service, v svc, why string, partial bool) {
	s.examined[ctlScale] = true
	if sv.DeployMode != nil && sv.DeployMode.Value == "global" {
		return
	}
	n := sv.Replicas
	key := "deploy.replicas"
	if n == nil && sv.Scale != nil {
		n, key = sv.Scale, "scale"
	}
	msgTail := "one container failing, or its host, takes the service down, and nothing shows that it can run as more than one instance."
	fix := "Run at least two replicas (deploy.replicas: 2 or more) and keep state in shared storage, or record why this service must be a single instance."
	if n == nil {
		if partial {
			return
		}
		s.composeFinding(ctlScale, RuleComposeReplicas, cf, sv, sv.Line, "",
			fmt.Sprintf("%s, a production file (%s), does not set deploy.replicas, so it runs one instance: %s", capitalize(v.where), why, msgTail), fix)
		return
	}
	if r, ok := container.Int(n); ok && r <= 1 {
		s.composeFinding(ctlScale, RuleComposeReplicas, cf, sv, n.Line, key+": "+n.Value,
			fmt.Sprintf("%s, a production file (%s), sets %s: %d, so it runs %s: %s", capitalize(v.where), why, key, r, instances(r), msgTail), fix)
	}
}

func instances(n int) string {
	if n == 1 {
		return "one instance"
	}
	return "no instance"
}
