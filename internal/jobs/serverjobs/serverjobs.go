// Package serverjobs wires posture serve's background work: one worker pool and one
// scheduler per replica, with the handlers of alert delivery, scheduled backups, the
// retention purge and the policy pack expiry check, and the built-in schedules that
// every replica ensures at start (docs/jobs.md).
package serverjobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"filippo.io/age"

	"github.com/posture-dev/posture/internal/alert"
	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/backup"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/retention"
	"github.com/posture-dev/posture/internal/store"
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
}

// Runtime is the running pool and scheduler.
type Runtime struct {
	Queue     *jobs.Queue
	Pool      *jobs.Pool
	Scheduler *jobs.Scheduler
	Notifier  *alert.Notifier
	Channels  *alert.Channels
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
	if c.BackupSchedule != "" {
		pool.Handle(backup.JobKind, backup.Scheduled{Store: c.Store, DataDir: c.DataDir, Recipients: c.BackupRecipients, Keep: c.BackupKeep,
			ToolVersion: c.ToolVersion, Audit: c.Audit, Now: c.Now}.Handler())
	}

	retSpec := c.RetentionSchedule
	if retSpec == "" {
		retSpec = "daily 03:30"
	}
	builtin := []jobs.ScheduleInput{
		{Name: "retention", JobKind: retention.JobKind, Spec: retSpec, CreatedBy: "system"},
		{Name: "policy-pack-expiry", JobKind: PackExpiryKind, Spec: "daily 08:00", CreatedBy: "system"},
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

// Stop ends the pool and scheduler and waits for them.
func (r *Runtime) Stop() {
	r.stop()
	r.wg.Wait()
}
