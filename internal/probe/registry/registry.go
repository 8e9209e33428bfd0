// Package registry is the one place where probes are registered. Adding a probe is adding
// a line here; the engine, policy lint and documentation read this list.
package registry

import (
	"github.com/posture-dev/posture/internal/netx"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/probe/changecontrol"
	"github.com/posture-dev/posture/internal/probe/code"
	"github.com/posture-dev/posture/internal/probe/containers"
	"github.com/posture-dev/posture/internal/probe/host"
	"github.com/posture-dev/posture/internal/probe/httpcheck"
	"github.com/posture-dev/posture/internal/probe/hygiene"
	"github.com/posture-dev/posture/internal/probe/personaldata"
	"github.com/posture-dev/posture/internal/probe/secrets"
	"github.com/posture-dev/posture/internal/probe/terraform"
	"github.com/posture-dev/posture/internal/probe/tlscheck"
	"github.com/posture-dev/posture/internal/probe/vulns"
	"github.com/posture-dev/posture/internal/probe/webserver"
	"github.com/posture-dev/posture/internal/probe/wordpress"
)

// Config carries the settings of probes that have any, as data from flags and .posture.yaml.
type Config struct {
	ChangeControl changecontrol.Options
	PersonalData  personaldata.Options
	Secrets       secrets.Options
	Vulns         vulns.Options
	// Host configures the probes of host targets.
	Host host.Options
	// Net is the shared dialer of endpoint probes; nil gives one with default options.
	Net *netx.Net
	// TLSProfile names the TLS profile endpoints are held to ("intermediate", "modern").
	TLSProfile string
}

// All returns every probe posture ships, in a stable order.
func All(cfg Config) []probe.Probe {
	if cfg.Net == nil {
		cfg.Net = netx.New(netx.Options{})
	}
	all := []probe.Probe{
		hygiene.SecurityContact{},
		hygiene.UpdateTooling{},
		hygiene.Lockfiles{},
		hygiene.CodeOwners{},
		changecontrol.CodeOwnersCoverage{},
		changecontrol.NewChangeReview(cfg.ChangeControl),
		changecontrol.NewPullRequestApprovals(cfg.ChangeControl),
		changecontrol.NewBranchProtection(cfg.ChangeControl),
		hygiene.DependencyScanning{},
		hygiene.DependencySources{},
		wordpress.New(),
		code.New(), code.NewServiceConfig(),
		webserver.New(),
		containers.New(),
		terraform.New(),
		secrets.New(cfg.Secrets),
		personaldata.New(cfg.PersonalData),
		vulns.New(cfg.Vulns),
	}
	all = append(all, tlscheck.New(cfg.Net, tlscheck.Options{Profile: cfg.TLSProfile}), httpcheck.New(cfg.Net))
	all = append(all, host.New(cfg.Host)...)
	return all
}

// Controls maps each probe's name to the controls it reports under, for policy lint.
func Controls() map[string][]string {
	out := map[string][]string{}
	for _, p := range All(Config{}) {
		out[p.Name()] = p.Controls()
	}
	return out
}
