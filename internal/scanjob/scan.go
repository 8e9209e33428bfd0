// Package scanjob is the server scanning by itself (P7 item 6): the scan.system job scans
// a system's inventory targets — endpoints and hosts directly, repositories from a
// shallow clone — through the same engine and probes as `posture scan`, and records the
// report exactly as an uploaded one; the vulndb.rematch job matches the stored packages
// of every system's latest scan against an updated vulnerability database and alerts on
// new matches without a rescan (docs/jobs.md).
package scanjob

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/alert"
	"github.com/posture-dev/posture/internal/deviation"
	"github.com/posture-dev/posture/internal/engine"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/netx"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/probe/registry"
	"github.com/posture-dev/posture/internal/probe/vulns"
	"github.com/posture-dev/posture/internal/report"
	"github.com/posture-dev/posture/internal/server"
	"github.com/posture-dev/posture/internal/store"
	"github.com/posture-dev/posture/internal/target"
)

// Scanner runs scan.system jobs.
type Scanner struct {
	Store    *store.Store
	Queue    *jobs.Queue
	Notifier *alert.Notifier
	// DataDir holds the work directory: clones go to DATA/work/<job>/ and are removed
	// when the job ends.
	DataDir string
	// VulnDBDir is the offline vulnerability database VM-3 matches against.
	VulnDBDir string
	// Pack is the policy pack scans are judged against; nil is the default pack.
	Pack *policy.Pack
	// RootCAs verifies endpoint certificates (posture scan's --ca-file); nil is the
	// system roots.
	RootCAs *x509.CertPool
	// Deviations, when set, returns the server's active deviations of a system, which
	// the engine applies as `posture scan --server` does.
	Deviations func(ctx context.Context, system string) ([]deviation.Deviation, error)
	// AllowLocalRepos lets repository locators be local paths or file:// URLs. For tests
	// only: on a server it would let an inventory entry read the server's disk.
	AllowLocalRepos bool
	CloneTimeout    time.Duration // default DefaultCloneTimeout
	MaxRepoBytes    int64         // default DefaultMaxRepoBytes
	// ScanTimeout bounds the whole scan; default 30 min.
	ScanTimeout time.Duration
	// BaseURL prefixes links in alerts ("https://posture.example.com").
	BaseURL     string
	ToolVersion string
	Now         func() time.Time
	Logger      *slog.Logger
}

// UploadedBy is how a scan recorded by job id names its uploader.
func UploadedBy(jobID int64) string { return "job:" + strconv.FormatInt(jobID, 10) }

// Handler is the scan.system job handler.
func (s *Scanner) Handler() jobs.Handler {
	return func(ctx context.Context, j *jobs.Job) error {
		var p jobs.ScanPayload
		if err := j.Decode(&p); err != nil {
			return err
		}
		return s.run(ctx, j, p.SystemID)
	}
}

// AlertHandler is the scan.alert job handler: the new-findings alert of a recorded
// scan, keyed by the scan so a re-run alerts once.
func (s *Scanner) AlertHandler() jobs.Handler {
	return func(ctx context.Context, j *jobs.Job) error {
		var p struct {
			SystemID int64  `json:"system_id"`
			System   string `json:"system"`
		}
		if err := j.Decode(&p); err != nil {
			return err
		}
		_, err := s.Notifier.NewFindings(ctx, p.SystemID, strings.TrimSuffix(s.BaseURL, "/")+"/systems/"+p.System)
		return err
	}
}

func (s *Scanner) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func (s *Scanner) run(ctx context.Context, j *jobs.Job, systemID int64) error {
	// No "already recorded?" check is needed: the scan commits only with the job's
	// completion (Finish below), so a job that runs again has recorded nothing.
	by := UploadedBy(j.ID)
	sys, err := s.Store.GetSystem(ctx, systemID)
	if errors.Is(err, store.ErrNotFound) {
		return jobs.Permanent(fmt.Errorf("system %d no longer exists", systemID))
	} else if err != nil {
		return err
	}
	if len(sys.Targets) == 0 {
		return jobs.Permanent(fmt.Errorf("system %s has no targets to scan", sys.Name))
	}
	timeout := s.ScanTimeout
	if timeout <= 0 {
		timeout = 30 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	work := filepath.Join(s.DataDir, "work", strconv.FormatInt(j.ID, 10))
	// A previous attempt of this job may have left its clones behind (a killed worker).
	if err := os.RemoveAll(work); err != nil {
		return fmt.Errorf("clear work directory: %w", err)
	}
	if err := os.MkdirAll(work, 0o700); err != nil {
		return fmt.Errorf("work directory: %w", err)
	}
	defer func() {
		if err := os.RemoveAll(work); err != nil {
			s.log().Warn("remove scan work directory", "job", j.ID, "err", err)
		}
	}()

	targets, err := s.targets(ctx, sys, work)
	if err != nil {
		return err
	}
	raw, err := s.scan(ctx, sys, targets)
	if err != nil {
		return err
	}
	in, err := server.ScanInputFromReport(raw, by)
	if err != nil {
		// The engine wrote a report the server refuses: a bug, not a passing condition.
		return jobs.Permanent(fmt.Errorf("scan of %s: %w", sys.Name, err))
	}
	return j.Finish(ctx, func(tx *store.Tx) error {
		sc, err := s.Store.RecordScanTx(ctx, tx, sys.ID, in)
		if err != nil {
			return err
		}
		_, _, err = s.Queue.EnqueueTx(ctx, tx, jobs.Spec{Kind: jobs.ScanAlertKind, DedupKey: "scan-alert:" + strconv.FormatInt(sc.ID, 10),
			Payload: map[string]any{"system_id": sys.ID, "system": sys.Name, "scan_id": sc.ID}})
		return err
	})
}

// targets turns the system's inventory into scan targets, cloning its repositories.
// Repository targets are named by their locator (with any credentials redacted), not
// the clone's path, so that reports and deviations of repository scope name them the
// same way in every run.
func (s *Scanner) targets(ctx context.Context, sys store.System, work string) ([]*target.Target, error) {
	var out []*target.Target
	for i, t := range sys.Targets {
		switch t.Kind {
		case store.Repo:
			dest := filepath.Join(work, "repo-"+strconv.Itoa(i))
			if err := clone(ctx, t.Locator, dest, cloneOptions{timeout: s.CloneTimeout, maxBytes: s.MaxRepoBytes, allowLocal: s.AllowLocalRepos}); err != nil {
				return nil, fmt.Errorf("system %s: %w", sys.Name, err)
			}
			tt, err := target.Parse(dest)
			if err != nil {
				return nil, fmt.Errorf("system %s: %w", sys.Name, err)
			}
			tt.Name = finding.RedactURLsIn(t.Locator)
			out = append(out, tt)
		case store.Endpoint:
			if !strings.HasPrefix(t.Locator, "https://") && !strings.HasPrefix(t.Locator, "http://") {
				return nil, jobs.Permanent(fmt.Errorf("system %s: endpoint %q is not an http(s) URL", sys.Name, finding.RedactURLsIn(t.Locator)))
			}
			tt, err := target.Parse(t.Locator)
			if err != nil {
				return nil, jobs.Permanent(fmt.Errorf("system %s: %w", sys.Name, err))
			}
			out = append(out, tt)
		case store.Host:
			tt, err := target.Parse("host:" + strings.TrimPrefix(t.Locator, "host:"))
			if err != nil {
				return nil, jobs.Permanent(fmt.Errorf("system %s: %w", sys.Name, err))
			}
			out = append(out, tt)
		}
	}
	return out, nil
}

// scan runs the engine and returns the JSON report, with the locked packages of the
// repository targets in it (the server stores them for re-matching).
func (s *Scanner) scan(ctx context.Context, sys store.System, targets []*target.Target) ([]byte, error) {
	pack := s.Pack
	if pack == nil {
		var err error
		if pack, err = policy.Default(); err != nil {
			return nil, jobs.Permanent(err)
		}
	}
	var devs []deviation.Deviation
	if s.Deviations != nil {
		var err error
		if devs, err = s.Deviations(ctx, sys.Name); err != nil {
			return nil, fmt.Errorf("deviations of %s: %w", sys.Name, err)
		}
	}
	nx := netx.New(netx.Options{RootCAs: s.RootCAs, Now: s.Now})
	probes := registry.All(registry.Config{Vulns: vulns.Options{DBDir: s.VulnDBDir, Now: s.Now}, Net: nx})
	defer func() {
		for _, p := range probes {
			if c, ok := p.(io.Closer); ok {
				_ = c.Close()
			}
		}
	}()
	res, err := engine.Run(ctx, targets, engine.Options{Pack: pack, Probes: probes, Jobs: 2, Now: s.Now, Deviations: devs, Logger: s.Logger})
	if err != nil {
		return nil, fmt.Errorf("scan of %s: %w", sys.Name, err)
	}
	if res.Interrupted {
		// A partial report's unknowns would read as the system's state.
		return nil, fmt.Errorf("scan of %s interrupted (time limit or shutdown); not recorded", sys.Name)
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, "json", res, report.Meta{Version: s.toolVersion()}, report.Options{FailOn: policy.High, Packages: LockedPackages(targets)}); err != nil {
		return nil, jobs.Permanent(fmt.Errorf("report of %s: %w", sys.Name, err))
	}
	return buf.Bytes(), nil
}

func (s *Scanner) toolVersion() string {
	if s.ToolVersion != "" {
		return s.ToolVersion
	}
	return "dev"
}

// LockedPackages is the locked packages of each repository target, as a report carries
// them to the server: scheduled scans and posture scan --upload send the same.
func LockedPackages(targets []*target.Target) map[string][]report.Package {
	out := map[string][]report.Package{}
	for _, t := range targets {
		if p := report.Packages(probe.LockedPackages(t)); len(p) > 0 {
			out[t.Name] = p
		}
	}
	return out
}
