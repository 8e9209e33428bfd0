package alert

import (
	"context"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/store"
)

func scanWith(at time.Time, fs ...store.FindingInput) store.ScanInput {
	return store.ScanInput{UploadedBy: "job:1", StartedAt: at, FinishedAt: at, Findings: fs}
}

func finding(fp, sev string) store.FindingInput {
	return store.FindingInput{Fingerprint: fp, Control: "CR-2", Rule: "r/x", Severity: sev, Message: "m", Status: store.FindingOpen}
}

func TestNewFindingsAlertOncePerScan(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.ch.Create(ctx, ChannelInput{Name: "all", Kind: Webhook, Config: Config{URL: "https://hooks.example/x"}, Secret: secret})
	sys, err := e.st.CreateSystem(ctx, store.SystemInput{Name: "payments", Owner: "o", Environment: store.Prod, Classification: store.Restricted})
	if err != nil {
		t.Fatal(err)
	}
	t1 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	e.st.RecordScan(ctx, sys.ID, scanWith(t1, finding("a", "high"), finding("b", "low")))
	if n, err := e.n.NewFindings(ctx, sys.ID, ""); n != 1 || err != nil {
		t.Fatalf("first scan: %d, %v", n, err)
	}
	if n, _ := e.n.NewFindings(ctx, sys.ID, ""); n != 0 {
		t.Fatal("alerted twice for one scan")
	}
	// Same findings again: nothing new.
	e.st.RecordScan(ctx, sys.ID, scanWith(t1.Add(time.Hour), finding("a", "high"), finding("b", "low")))
	if n, _ := e.n.NewFindings(ctx, sys.ID, ""); n != 0 {
		t.Fatal("alerted on recurring findings")
	}
	// A new low finding does not alert; a new critical does.
	e.st.RecordScan(ctx, sys.ID, scanWith(t1.Add(2*time.Hour), finding("a", "high"), finding("c", "low")))
	if n, _ := e.n.NewFindings(ctx, sys.ID, ""); n != 0 {
		t.Fatal("alerted on a new low finding")
	}
	e.st.RecordScan(ctx, sys.ID, scanWith(t1.Add(3*time.Hour), finding("a", "high"), finding("d", "critical")))
	if n, _ := e.n.NewFindings(ctx, sys.ID, ""); n != 1 {
		t.Fatal("no alert for a new critical finding")
	}
	ds, _ := Deliveries(ctx, e.st, 10)
	if len(ds) != 2 || ds[0].Key != "scan:4:new-findings" {
		t.Fatalf("deliveries %+v", ds)
	}
}

func TestPackExpiry(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.ch.Create(ctx, ChannelInput{Name: "all", Kind: Webhook, Config: Config{URL: "https://hooks.example/x"}, Secret: secret, Events: []string{KindPackExpiring}})
	exp, _ := policy.ParseDate("2026-06-30")
	p := &policy.Pack{Metadata: policy.Metadata{Name: "sep", Version: "1.0", Expires: exp}}
	for _, c := range []struct {
		now  string
		want int
	}{{"2026-05-01", 0}, {"2026-06-10", 1}, {"2026-06-11", 0}, {"2026-06-30", 0}, {"2026-07-01", 1}, {"2026-07-02", 0}} {
		now, _ := time.Parse("2006-01-02", c.now)
		if n, err := e.n.PackExpiry(ctx, p, now); n != c.want || err != nil {
			t.Errorf("%s: %d alerts (%v), want %d", c.now, n, err, c.want)
		}
	}
}
