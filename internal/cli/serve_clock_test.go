package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

type fixedClockProbe struct{ r *probe.Result }

func (fixedClockProbe) Name() string               { return "host/clock" }
func (fixedClockProbe) Controls() []string         { return []string{"SC-1"} }
func (fixedClockProbe) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindHost} }
func (p fixedClockProbe) Run(context.Context, *target.Target) (*probe.Result, error) {
	return p.r, nil
}

func TestServeRefusesAKnownUnsynchronisedClock(t *testing.T) {
	unsynced := &probe.Result{}
	unsynced.Add(finding.Finding{Control: "SC-1", Message: "the kernel reports the clock unsynchronised"})
	unknown := &probe.Result{}
	unknown.MarkUnknown("SC-1", "this looks like a container")
	for _, tt := range []struct {
		name      string
		r         *probe.Result
		refuse    bool
		warnMatch string
	}{
		{"synchronised", &probe.Result{}, false, ""},
		{"known unsynchronised", unsynced, true, ""},
		{"cannot tell", unknown, false, "container"},
	} {
		warn, err := checkServeClock(context.Background(), fixedClockProbe{tt.r})
		if (err != nil) != tt.refuse {
			t.Errorf("%s: err = %v, want refusal %v", tt.name, err, tt.refuse)
		}
		if !strings.Contains(warn, tt.warnMatch) || (tt.warnMatch == "" && warn != "") {
			t.Errorf("%s: warning %q, want one containing %q", tt.name, warn, tt.warnMatch)
		}
	}
	if clockProbe() == nil {
		t.Error("the host probes have no host/clock probe")
	}
}
