package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// stubProbe is a probe whose behaviour each test sets.
type stubProbe struct {
	name     string
	controls []string
	run      func(ctx context.Context, t *target.Target) (*probe.Result, error)
}

func (s stubProbe) Name() string               { return s.name }
func (s stubProbe) Controls() []string         { return s.controls }
func (s stubProbe) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (s stubProbe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	return s.run(ctx, t)
}

var fixedNow = func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) }

func scan(t *testing.T, dir string, probes []probe.Probe, mut ...func(*Options)) *TargetResult {
	t.Helper()
	pack, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := target.Parse(dir)
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{Pack: pack, Probes: probes, Now: fixedNow}
	for _, m := range mut {
		m(&opt)
	}
	res, err := Run(context.Background(), []*target.Target{tg}, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res.Targets[0]
}

func status(tr *TargetResult, id string) *ControlResult {
	for _, c := range tr.Controls {
		if c.Control.ID == id {
			return c
		}
	}
	return nil
}

func finds(control, path, key string) stubProbe {
	return stubProbe{name: "test/" + strings.ToLower(control), controls: []string{control}, run: func(context.Context, *target.Target) (*probe.Result, error) {
		r := &probe.Result{}
		r.Add(finding.Finding{Control: control, Rule: "test/rule", Location: finding.Location{Path: path, Line: 3}, Message: "m", Fix: "f", Key: key})
		return r, nil
	}}
}

func TestStatuses(t *testing.T) {
	dir := t.TempDir()
	probes := []probe.Probe{
		finds("VM-1", "package.json", "k"),
		stubProbe{name: "test/broken", controls: []string{"VM-2"}, run: func(context.Context, *target.Target) (*probe.Result, error) {
			return nil, errors.New("could not parse thing")
		}},
		stubProbe{name: "test/panics", controls: []string{"VM-5"}, run: func(context.Context, *target.Target) (*probe.Result, error) {
			panic("boom")
		}},
		stubProbe{name: "test/clean", controls: []string{"CH-1"}, run: func(context.Context, *target.Target) (*probe.Result, error) {
			return &probe.Result{}, nil
		}},
		stubProbe{name: "test/nothing", controls: []string{"SC-8"}, run: func(context.Context, *target.Target) (*probe.Result, error) {
			r := &probe.Result{}
			r.MarkNotApplicable("SC-8", "no WordPress here")
			return r, nil
		}},
	}
	tr := scan(t, dir, probes)
	cases := []struct {
		id     string
		want   finding.Status
		reason string
	}{
		{"VM-1", finding.Fail, "1 open finding"},
		{"VM-2", finding.Unknown, "could not parse thing"},
		{"VM-5", finding.Unknown, "probe crashed: boom"},
		{"CH-1", finding.Pass, "checked by test/clean"},
		{"SC-8", finding.NotApplicable, "no WordPress here"},
		{"CR-2", finding.NotApplicable, "checked on endpoint targets, not repo"},
		{"CR-3", finding.Unknown, "no automated check"},
		{"ST-2", finding.Pass, "engine/deviations"},
	}
	for _, c := range cases {
		got := status(tr, c.id)
		if got.Status != c.want || !strings.Contains(got.Reason, c.reason) {
			t.Errorf("%s: %s (%q), want %s containing %q", c.id, got.Status, got.Reason, c.want, c.reason)
		}
	}
}

func writeDeviations(t *testing.T, dir, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, ".posture"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".posture", "deviations.yaml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDeviations(t *testing.T) {
	base := `deviations:
  - id: D1
    control: VM-1
    match: {path: "package.json"}
    reason: r
    requested_by: alice@example.com
    approved_by: %s
    approved_on: %s
    expires: %s
`
	cases := []struct {
		name                  string
		approver, on, expires string
		wantVM1, wantST2      finding.Status
		problem               string
	}{
		{"approved by a second person", "bob@example.com", "2026-10-01", "2027-01-01", finding.Deviation, finding.Pass, ""},
		{"approved by its requester", "ALICE@example.com ", "2026-10-01", "2027-01-01", finding.Fail, finding.Fail, "approved by its own requester"},
		{"expired", "bob@example.com", "2025-10-01", "2026-11-28", finding.Fail, finding.Fail, "expired on 2026-11-28"},
		{"expires today still holds", "bob@example.com", "2025-10-01", "2026-11-29", finding.Deviation, finding.Pass, ""},
		{"not approved", `""`, "2026-10-01", "2027-01-01", finding.Fail, finding.Fail, "is not approved"},
		{"no expiry", "bob@example.com", "2026-10-01", `""`, finding.Fail, finding.Fail, "no expiry"},
		{"approval in the future", "bob@example.com", "2027-10-01", "2028-01-01", finding.Fail, finding.Fail, "in the future"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeDeviations(t, dir, fmt.Sprintf(base, c.approver, c.on, c.expires))
			tr := scan(t, dir, []probe.Probe{finds("VM-1", "package.json", "k")})
			vm1, st2 := status(tr, "VM-1"), status(tr, "ST-2")
			if vm1.Status != c.wantVM1 || st2.Status != c.wantST2 {
				t.Fatalf("VM-1 %s (%s), ST-2 %s (%s); want %s, %s", vm1.Status, vm1.Reason, st2.Status, st2.Reason, c.wantVM1, c.wantST2)
			}
			if c.problem != "" {
				if len(st2.Findings) != 1 || !strings.Contains(st2.Findings[0].Message, c.problem) {
					t.Fatalf("ST-2 findings %+v lack %q", st2.Findings, c.problem)
				}
				if st2.Findings[0].Location.Line != 2 {
					t.Errorf("ST-2 finding at line %d, want 2", st2.Findings[0].Location.Line)
				}
			}
			if vm1.Status == finding.Deviation && vm1.Findings[0].Suppressed.Deviation != "D1" {
				t.Errorf("suppression not recorded: %+v", vm1.Findings[0].Suppressed)
			}
		})
	}
}

func TestDeviationByFingerprintSurvivesLineMoves(t *testing.T) {
	dir := t.TempDir()
	first := scan(t, dir, []probe.Probe{finds("VM-1", "package.json", "k")})
	fp := status(first, "VM-1").Findings[0].Fingerprint
	writeDeviations(t, dir, `deviations:
  - id: D1
    control: VM-1
    match: {fingerprint: `+fp+`}
    reason: r
    requested_by: a@example.com
    approved_by: b@example.com
    approved_on: 2026-01-01
    expires: 2027-01-01
`)
	moved := stubProbe{name: "test/vm-1", controls: []string{"VM-1"}, run: func(context.Context, *target.Target) (*probe.Result, error) {
		r := &probe.Result{}
		r.Add(finding.Finding{Control: "VM-1", Rule: "test/rule", Location: finding.Location{Path: "package.json", Line: 40}, Message: "m", Fix: "f", Key: "k"})
		return r, nil
	}}
	if got := status(scan(t, dir, []probe.Probe{moved}), "VM-1").Status; got != finding.Deviation {
		t.Fatalf("finding moved to another line is no longer silenced: %s", got)
	}
}

func TestMalformedDeviationsFileSilencesNothing(t *testing.T) {
	dir := t.TempDir()
	writeDeviations(t, dir, "deviations:\n  - id: D1\n    colour: red\n")
	tr := scan(t, dir, []probe.Probe{finds("VM-1", "package.json", "k")})
	if st := status(tr, "ST-2"); st.Status != finding.Unknown || !strings.Contains(st.Reason, `deviations.yaml:3`) {
		t.Fatalf("ST-2 = %s (%s)", st.Status, st.Reason)
	}
	if status(tr, "VM-1").Status != finding.Fail {
		t.Fatal("a malformed deviations file silenced a finding")
	}
}

func TestOnlyAndSkip(t *testing.T) {
	dir := t.TempDir()
	tr := scan(t, dir, []probe.Probe{finds("VM-1", "p", "k")}, func(o *Options) { o.Only = []string{"VM"}; o.Skip = []string{"VM-4"} })
	for _, c := range tr.Controls {
		if c.Control.Section != "VM" || c.Control.ID == "VM-4" {
			t.Errorf("control %s should not be in the report", c.Control.ID)
		}
	}
	if len(tr.Controls) != 4 {
		t.Errorf("%d controls, want 4", len(tr.Controls))
	}
}

func TestCancelledScanReportsUnknown(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	slow := stubProbe{name: "test/slow", controls: []string{"VM-1"}, run: func(ctx context.Context, _ *target.Target) (*probe.Result, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	fast := finds("VM-5", "SECURITY.md", "k")
	pack, _ := policy.Default()
	tg, _ := target.Parse(dir)
	go func() { <-started; cancel() }()
	res, err := Run(ctx, []*target.Target{tg}, Options{Pack: pack, Probes: []probe.Probe{fast, slow}, Now: fixedNow, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted {
		t.Fatal("result not marked interrupted")
	}
	if st := status(res.Targets[0], "VM-1"); st.Status != finding.Unknown {
		t.Errorf("VM-1 = %s, want unknown", st.Status)
	}
	if st := status(res.Targets[0], "VM-5"); st.Status != finding.Fail && st.Status != finding.Unknown {
		t.Errorf("VM-5 = %s", st.Status)
	}
}

func TestSeverityOverrideWins(t *testing.T) {
	dir := t.TempDir()
	p := finds("VM-1", "p", "k")
	tr := scan(t, dir, []probe.Probe{p}, func(o *Options) {
		o.Pack.Control("VM-1").Severity = policy.Critical
		o.Pack.Control("VM-1").SeverityOverridden = true
	})
	if sev := status(tr, "VM-1").Findings[0].Severity; sev != policy.Critical {
		t.Fatalf("severity %s, want critical", sev)
	}
}

func TestST2FindingsCarrySeverityAndFailTheScan(t *testing.T) {
	dir := t.TempDir()
	writeDeviations(t, dir, "deviations:\n  - id: D\n    control: VM-1\n    match: {path: x}\n    reason: r\n    requested_by: a\n    approved_by: a\n    approved_on: 2026-01-01\n    expires: 2027-01-01\n")
	pack, _ := policy.Default()
	tg, _ := target.Parse(dir)
	res, err := Run(context.Background(), []*target.Target{tg}, Options{Pack: pack, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	st2 := status(res.Targets[0], "ST-2")
	if len(st2.Findings) != 1 || st2.Findings[0].Severity != policy.High || !res.Failing(policy.High) {
		t.Fatalf("ST-2 findings %+v; failing=%v", st2.Findings, res.Failing(policy.High))
	}
}

func TestInfoFindingsAreNotesThatDoNotFail(t *testing.T) {
	note := func(control string, sev policy.Severity) stubProbe {
		return stubProbe{name: "test/note-" + strings.ToLower(control), controls: []string{control}, run: func(context.Context, *target.Target) (*probe.Result, error) {
			r := &probe.Result{}
			r.Add(finding.Finding{Control: control, Rule: "test/note", Severity: sev, Location: finding.Location{Path: "p"}, Message: "m", Fix: "f", Key: "k"})
			return r, nil
		}}
	}
	tr := scan(t, t.TempDir(), []probe.Probe{note("VM-1", policy.Info), note("VM-2", policy.Low)}, func(o *Options) {
		o.Pack.Control("VM-1").Severity = policy.Critical
		o.Pack.Control("VM-1").SeverityOverridden = true
	})
	vm1 := status(tr, "VM-1")
	if vm1.Status != finding.Pass || !strings.Contains(vm1.Reason, "1 note") {
		t.Errorf("VM-1 with only an info finding: %s (%q), want pass mentioning the note", vm1.Status, vm1.Reason)
	}
	if len(vm1.Findings) != 1 || vm1.Findings[0].Severity != policy.Info {
		t.Errorf("the note must stay in the report at info severity, even under a severity override: %+v", vm1.Findings)
	}
	if vm2 := status(tr, "VM-2"); vm2.Status != finding.Fail {
		t.Errorf("VM-2 with a low finding: %s, want fail", vm2.Status)
	}
}
