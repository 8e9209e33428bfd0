package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/probe/host"
	"github.com/posture-dev/posture/internal/target"
)

// clockProbe is the host probe that judges SC-1 on this machine.
func clockProbe() probe.Probe {
	for _, p := range host.New(host.Options{}) {
		if p.Name() == "host/clock" {
			return p
		}
	}
	return nil
}

// checkServeClock refuses to start the server when the host's clock is known to be
// unsynchronised: every audit event is stamped with it (P6, LG-1), and a log whose times
// cannot be trusted proves nothing. A clock that cannot be judged (a container, no time
// daemon) is a warning, not a refusal: the host may well keep time by means posture
// cannot see.
func checkServeClock(ctx context.Context, p probe.Probe) (warning string, err error) {
	if p == nil {
		return "cannot check the system clock: no clock probe", nil
	}
	r, err := p.Run(ctx, &target.Target{Kind: "host", Name: "host:local", Host: "local"})
	if err != nil {
		return "cannot check the system clock: " + err.Error(), nil
	}
	var bad []string
	for _, f := range r.Findings {
		if f.Control == "SC-1" {
			bad = append(bad, f.Message)
		}
	}
	if len(bad) > 0 {
		return "", fmt.Errorf("the system clock is not synchronised (%s); audit events would carry untrustworthy times. Fix time synchronisation (chrony, systemd-timesyncd), or start with --allow-unsynchronised-clock to accept that", strings.Join(bad, "; "))
	}
	if why := r.Unknown["SC-1"]; why != "" {
		return "cannot tell whether the system clock is synchronised: " + why, nil
	}
	return "", nil
}
