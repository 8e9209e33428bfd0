package serverjobs

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/governance"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/jobs/jobstest"
	"github.com/posture-dev/posture/internal/keys"
)

// Every replica ensures the built-in schedules; attaching the governance service adds
// the daily sweep and gives the service the alert notifier.
func TestStartEnsuresSchedulesAndGovernanceSweep(t *testing.T) {
	ctx := context.Background()
	st := jobstest.Open(t, jobstest.SQLite(t))
	k, err := keys.OpenFile(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.New(st, audit.Options{Signer: k})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(context.Background()) })
	rt, err := Start(ctx, Config{Store: st, Audit: l, DataDir: t.TempDir(), VulnDBDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Stop()
	g := &governance.Service{St: st}
	if err := rt.AttachGovernance(ctx, g); err != nil {
		t.Fatal(err)
	}
	if g.Alerts != rt.Notifier {
		t.Errorf("governance service did not get the notifier")
	}
	list, err := rt.Scheduler.ListSchedules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range list {
		got[s.Name] = s.JobKind + " " + s.Spec
	}
	for name, want := range map[string]string{
		"retention":          "retention.purge daily 03:30",
		"policy-pack-expiry": PackExpiryKind + " daily 08:00",
		"vulndb-rematch":     jobs.RematchKind + " every 1h0m0s",
		"governance-sweep":   governance.SweepKind + " " + GovernanceSweepSchedule,
	} {
		if got[name] != want {
			t.Errorf("schedule %s = %q, want %q", name, got[name], want)
		}
	}
}
