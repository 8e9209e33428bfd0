// Package registry is the one place where probes are registered. Adding a probe is adding
// a line here; the engine, policy lint and documentation read this list.
package registry

import (
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/probe/hygiene"
	// WP "github.com/posture-dev/posture/internal/probe/wordpress"
)

// All returns every probe posture ships, in a stable order.
func All() []probe.Probe {
	return []probe.Probe{
		hygiene.SecurityContact{},
		hygiene.UpdateTooling{},
		hygiene.Lockfiles{},
		hygiene.CodeOwners{},
		// WP wordpress.New(),
	}
}

// Controls maps each probe's name to the controls it reports under, for policy lint.
func Controls() map[string][]string {
	out := map[string][]string{}
	for _, p := range All() {
		out[p.Name()] = p.Controls()
	}
	return out
}
