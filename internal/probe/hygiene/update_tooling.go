package hygiene

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
	"github.com/posture-dev/posture/internal/yamlfile"
)

// UpdateTooling checks that Dependabot or Renovate watches every package ecosystem the
// repository uses (VM-2), so that new advisories turn into update pull requests.
type UpdateTooling struct{}

func (UpdateTooling) Name() string               { return "repo/dependency-update-tooling" }
func (UpdateTooling) Controls() []string         { return []string{"VM-2"} }
func (UpdateTooling) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (UpdateTooling) Description() string {
	return "Dependabot or Renovate is configured and covers every package ecosystem in the repository"
}

var (
	dependabotFiles = []string{".github/dependabot.yml", ".github/dependabot.yaml"}
	renovateFiles   = []string{"renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json", ".renovaterc.json5",
		".github/renovate.json", ".github/renovate.json5", ".gitlab/renovate.json", ".gitlab/renovate.json5"}
)

type dependabotConfig struct {
	Version int `yaml:"version"`
	Updates []struct {
		Ecosystem string `yaml:"package-ecosystem"`
	} `yaml:"updates"`
}

func (p UpdateTooling) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	present := presentEcosystems(t.Files.Files())
	if len(present) == 0 {
		r.MarkNotApplicable("VM-2", "no dependency manifests found")
		return r, nil
	}

	covered := map[string]string{} // ecosystem -> config file that covers it
	var configs []string

	for _, name := range dependabotFiles {
		f, ok := t.Files.Lookup(name)
		if !ok {
			continue
		}
		configs = append(configs, name)
		data, err := t.Files.Read(f)
		if err != nil {
			r.MarkUnknown("VM-2", err.Error())
			continue
		}
		var cfg dependabotConfig
		if err := yamlfile.DecodeLenient(data, &cfg); err != nil {
			r.Add(finding.Finding{
				Control: "VM-2", Rule: "repo/dependency-update-tooling/invalid-config",
				Location: finding.Location{Path: name, Line: yamlErrorLine(err)},
				Message:  "The Dependabot configuration does not parse, so Dependabot ignores it: " + firstLine(err.Error()),
				Fix:      "Correct the YAML so that Dependabot can read it.",
				Key:      "parse",
			})
			continue
		}
		if cfg.Version != 2 {
			r.Add(finding.Finding{
				Control: "VM-2", Rule: "repo/dependency-update-tooling/invalid-config",
				Location: finding.Location{Path: name, Line: 1},
				Message:  fmt.Sprintf("The Dependabot configuration declares version %d; Dependabot only reads version 2.", cfg.Version),
				Fix:      "Set `version: 2` and list the ecosystems under `updates`.",
				Key:      "version",
			})
			continue
		}
		for _, u := range cfg.Updates {
			for _, e := range ecosystems {
				if slices.Contains(e.dependabot, u.Ecosystem) {
					covered[e.dependabot[0]] = name
				}
			}
		}
	}

	for _, name := range renovateFiles {
		f, ok := t.Files.Lookup(name)
		if !ok {
			continue
		}
		configs = append(configs, name)
		data, err := t.Files.Read(f)
		if err != nil {
			r.MarkUnknown("VM-2", err.Error())
			continue
		}
		for e := range renovateCoverage(name, data, present) {
			covered[e] = name
		}
	}
	if pkg, ok := t.Files.Lookup("package.json"); ok {
		if data, err := t.Files.Read(pkg); err == nil {
			var m map[string]json.RawMessage
			if json.Unmarshal(data, &m) == nil && m["renovate"] != nil {
				configs = append(configs, "package.json")
				for e := range renovateCoverage("package.json", m["renovate"], present) {
					covered[e] = "package.json"
				}
			}
		}
	}

	if len(configs) == 0 {
		r.Add(finding.Finding{
			Control: "VM-2", Rule: "repo/dependency-update-tooling/missing",
			Message: fmt.Sprintf("No Dependabot or Renovate configuration, so nothing proposes updates for %s.", listEcosystems(present)),
			Fix:     "Add .github/dependabot.yml (or a Renovate config) covering each package ecosystem in the repository.",
			Key:     "missing",
		})
		return r, nil
	}
	missing := make([]string, 0)
	for e := range present {
		if _, ok := covered[e]; !ok {
			missing = append(missing, e)
		}
	}
	sort.Strings(missing)
	for _, e := range missing {
		r.Add(finding.Finding{
			Control: "VM-2", Rule: "repo/dependency-update-tooling/uncovered-ecosystem",
			Location: finding.Location{Path: configs[0]},
			Message:  fmt.Sprintf("The update tooling does not cover the %s ecosystem used by %s.", e, present[e]),
			Fix:      fmt.Sprintf("Add an `updates` entry with `package-ecosystem: %q` for the directory of %s.", e, present[e]),
			Key:      e,
		})
	}
	return r, nil
}

// renovateManagers maps Renovate's manager names to the ecosystems above.
var renovateManagers = map[string]string{
	"npm": "npm", "bun": "npm", "composer": "composer", "gomod": "gomod", "pip_requirements": "pip", "pip_setup": "pip",
	"pip-compile": "pip", "pep621": "pip", "pep723": "pip", "setup-cfg": "pip", "poetry": "pip", "pipenv": "pip",
	"bundler": "bundler", "cargo": "cargo", "maven": "maven", "gradle": "gradle", "nuget": "nuget",
	"dockerfile": "docker", "github-actions": "github-actions",
}

// renovateCoverage reads a Renovate config and returns the ecosystems it watches, or nil
// for "all of them" (Renovate's default). JSON5 is taken at its word because the standard
// library cannot read it; a disabled config covers nothing.
func renovateCoverage(name string, data []byte, present map[string]string) map[string]bool {
	all := map[string]bool{}
	for e := range present {
		all[e] = true
	}
	if strings.HasSuffix(name, ".json5") {
		return all
	}
	var cfg struct {
		Enabled         *bool    `json:"enabled"`
		EnabledManagers []string `json:"enabledManagers"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return all // .renovaterc may hold JSON5 too
	}
	if cfg.Enabled != nil && !*cfg.Enabled {
		return map[string]bool{}
	}
	if len(cfg.EnabledManagers) == 0 {
		return all
	}
	out := map[string]bool{}
	for _, m := range cfg.EnabledManagers {
		if e, ok := renovateManagers[m]; ok {
			out[e] = true
		}
	}
	return out
}

func listEcosystems(m map[string]string) string {
	var s []string
	for e, f := range m {
		s = append(s, fmt.Sprintf("%s (%s)", e, f))
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

func yamlErrorLine(err error) int {
	var ye yaml.Error
	if errors.As(err, &ye) {
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			return tk.Position.Line
		}
	}
	return 0
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
