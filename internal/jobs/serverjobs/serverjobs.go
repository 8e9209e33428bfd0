// Package serverjobs wires posture serve's background work: one worker pool and one
// scheduler per replica, with the handlers of alert delivery, scheduled backups, the
// retention purge and the policy pack expiry check, and the built-in schedules that
// every replica ensures at start (docs/jobs.md).
package serverjobs

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"filippo.io/age"

	"github.com/posture-dev/posture/internal/alert"
	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/backup"
	"github.com/posture-dev/posture/internal/deviation"
	"github.com/posture-dev/posture/internal/governance"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/retention"
	"github.com/posture-dev/posture/internal/scanjob"
	"github.com/posture-dev/posture/internal/store"
	"github.com/posture-dev/posture/internal/vulndb"
)

// PackExpiryKind checks the policy pack's review date daily and alerts.
const PackExpiryKind = "alert.pack-expiry"

// Config is what posture serve hands over.
type Config struct {
	Store   *store.Store
	Audit   *audit.Log
	DataDir string
	// Wrapper wraps alert channel secrets; nil if the key provider cannot.
	Wrapper keys.Wrapper
	Pack    *policy.Pack
	Logger  *slog.Logger
	Now     func() time.Time

	Concurrency int
	// BackupSchedule ("daily 02:00"); empty disables scheduled backups.
	BackupSchedule   string
	BackupRecipients []age.Recipient
	BackupKeep       int
	Retention        retention.Policy
	// RetentionSchedule defaults to "daily 03:30".
	RetentionSchedule string
	ToolVersion       string

	// Scheduled scans and re-matching (internal/scanjob). VulnDBDir defaults to
	// $POSTURE_DB, else the directory `posture db update` uses by default.
	VulnDBDir string
	// RematchSchedule is how often the vulnerability database is checked for newer
	// data (after `posture db update`); default "every 1h".
	RematchSchedule string
	// ScanRootCAs verifies endpoint certificates in scheduled scans; nil is the system roots.
	ScanRootCAs *x509.CertPool
	// ScanAllowLocalRepos lets repository targets be local paths (tests only).
	ScanAllowLocalRepos bool
	// BaseURL makes links in alerts absolute.
	BaseURL string
}

// Runtime is the running pool and scheduler.
type Runtime struct {
	Queue     *jobs.Queue
	Pool      *jobs.Pool
	Scheduler *jobs.Scheduler
	Notifier  *alert.Notifier
	Channels  *alert.Channels
	Scanner   *scanjob.Scanner
	Rematcher *scanjob.Rematcher
	gov       atomic.Pointer[governance.Service]
	baseURL   string
	stop      context.CancelFunc
	wg        sync.WaitGroup
}

// Start registers the handlers, ensures the built-in schedules and starts the pool and
// scheduler; Stop ends them (jobs in flight get the pool's grace period).
func Start(ctx context.Context, c Config) (*Runtime, error) {
	if c.Store == nil || c.Audit == nil {
		return nil, errors.New("serverjobs: a store and an audit log are required")
	}
	if c.BackupSchedule != "" && len(c.BackupRecipients) == 0 {
		return nil, errors.New("scheduled backups need --backup-recipient (a passphrase would have to be stored on the server)")
	}
	log := c.Logger
	if log == nil {
		log = slog.Default()
	}
	q := jobs.NewQueue(c.Store, c.Now)
	pool := jobs.NewPool(c.Store, jobs.PoolOptions{Concurrency: c.Concurrency, Now: c.Now, Logger: log})
	sched := jobs.NewScheduler(q, jobs.SchedulerOptions{Logger: log, OnEnqueue: pool.Wake})
	rt := &Runtime{Queue: q, Pool: pool, Scheduler: sched, Notifier: alert.NewNotifier(q), Channels: alert.NewChannels(c.Store, c.Wrapper, c.Now)}

	pool.Handle(alert.DeliverKind, (&alert.Deliverer{St: c.Store, Wrapper: c.Wrapper, Now: c.Now, Logger: log}).Handler())
	purger := &retention.Purger{Store: c.Store, Audit: c.Audit, Policy: c.Retention, Now: c.Now}
	pool.Handle(retention.JobKind, purger.Handler())
	pool.Handle(PackExpiryKind, func(ctx context.Context, j *jobs.Job) error {
		if c.Pack == nil {
			return nil
		}
		now := time.Now
		if c.Now != nil {
			now = c.Now
		}
		_, err := rt.Notifier.PackExpiry(ctx, c.Pack, now())
		return err
	})
	vdb := c.VulnDBDir
	if vdb == "" {
		if vdb = os.Getenv("POSTURE_DB"); vdb == "" {
			vdb = vulndb.DefaultDir()
		}
	}
	rt.baseURL = c.BaseURL
	rt.Scanner = &scanjob.Scanner{Store: c.Store, Queue: q, Notifier: rt.Notifier, DataDir: c.DataDir, VulnDBDir: vdb, Pack: c.Pack,
		RootCAs: c.ScanRootCAs, AllowLocalRepos: c.ScanAllowLocalRepos, BaseURL: c.BaseURL, ToolVersion: c.ToolVersion, Now: c.Now, Logger: log,
		Deviations: func(ctx context.Context, system string) ([]deviation.Deviation, error) {
			if g := rt.gov.Load(); g != nil {
				return g.ActiveDeviations(ctx, system, c.BaseURL)
			}
			return nil, nil
		}}
	pool.Handle(jobs.ScanSystemKind, rt.Scanner.Handler())
	pool.Handle(jobs.ScanAlertKind, rt.Scanner.AlertHandler())
	rt.Rematcher = &scanjob.Rematcher{Store: c.Store, Notifier: rt.Notifier, VulnDBDir: vdb, BaseURL: c.BaseURL, Now: c.Now, Logger: log}
	pool.Handle(jobs.RematchKind, rt.Rematcher.Handler())
	if c.BackupSchedule != "" {
		pool.Handle(backup.JobKind, backup.Scheduled{Store: c.Store, DataDir: c.DataDir, Recipients: c.BackupRecipients, Keep: c.BackupKeep,
			ToolVersion: c.ToolVersion, Audit: c.Audit, Now: c.Now}.Handler())
	}

	retSpec := c.RetentionSchedule
	if retSpec == "" {
		retSpec = "daily 03:30"
	}
	rematchSpec := c.RematchSchedule
	if rematchSpec == "" {
		rematchSpec = "every 1h"
	}
	builtin := []jobs.ScheduleInput{
		{Name: "retention", JobKind: retention.JobKind, Spec: retSpec, CreatedBy: "system"},
		{Name: "policy-pack-expiry", JobKind: PackExpiryKind, Spec: "daily 08:00", CreatedBy: "system"},
		{Name: "vulndb-rematch", JobKind: jobs.RematchKind, Spec: rematchSpec, CreatedBy: "system"},
	}
	if c.BackupSchedule != "" {
		builtin = append(builtin, jobs.ScheduleInput{Name: "backup", JobKind: backup.JobKind, Spec: c.BackupSchedule, CreatedBy: "system"})
	}
	for _, s := range builtin {
		if err := sched.EnsureSchedule(ctx, s); err != nil {
			return nil, fmt.Errorf("schedule %s: %w", s.Name, err)
		}
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	rt.stop = stop
	rt.wg.Add(2)
	go func() { defer rt.wg.Done(); pool.Run(runCtx) }()
	go func() { defer rt.wg.Done(); sched.Run(runCtx) }()
	log.Info("background jobs started", "worker", pool.Worker())
	return rt, nil
}

// GovernanceSweepSchedule is when the governance sweep (deviation reminders, overdue
// attestations, unapproved emergency changes) runs.
const GovernanceSweepSchedule = "daily 07:00"

// AttachGovernance gives the jobs the governance service: it receives the alert
// notifier, its Sweep runs daily as governance.SweepKind, and scheduled scans apply its
// active deviations as `posture scan --server` does. posture serve calls it once the
// service exists (it is built after the jobs start).
func (r *Runtime) AttachGovernance(ctx context.Context, g *governance.Service) error {
	if g.Alerts == nil {
		g.Alerts = r.Notifier
	}
	r.gov.Store(g)
	r.Pool.Handle(governance.SweepKind, func(ctx context.Context, _ *jobs.Job) error {
		_, err := g.Sweep(ctx)
		return err
	})
	if err := r.Scheduler.EnsureSchedule(ctx, jobs.ScheduleInput{Name: "governance-sweep", JobKind: governance.SweepKind, Spec: GovernanceSweepSchedule, CreatedBy: "system"}); err != nil {
		return fmt.Errorf("schedule governance-sweep: %w", err)
	}
	return nil
}

// Stop ends the pool and scheduler and waits for them.
func (r *Runtime) Stop() {
	r.stop()
	r.wg.Wait()
}
