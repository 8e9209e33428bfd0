package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/store"
)

// JobKind is the job of a scheduled backup.
const JobKind = "backup.run"

// Scheduled configures scheduled backups: posture serve registers Handler with its
// worker pool and a schedule that enqueues JobKind.
type Scheduled struct {
	Store   *store.Store
	DataDir string
	// Dir receives the archives; default DataDir/backups (which backups leave out).
	Dir        string
	Recipients []age.Recipient
	// Keep is how many archives to keep; older ones are deleted after a successful
	// backup. Default 7.
	Keep        int
	ToolVersion string
	Audit       *audit.Log
	Now         func() time.Time
}

const archivePrefix, archiveSuffix = "posture-backup-", ".age"

// Handler writes one archive named after the job, so that a re-run of the same job
// (after a lost lease) replaces its own file instead of adding one, then prunes.
// The backup and the pruning are audited as the system's actions.
func (s Scheduled) Handler() jobs.Handler {
	return func(ctx context.Context, j *jobs.Job) error {
		if len(s.Recipients) == 0 {
			return jobs.Permanent(fmt.Errorf("backup: no recipients configured"))
		}
		dir := s.Dir
		if dir == "" {
			dir = filepath.Join(s.DataDir, "backups")
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		name := archivePrefix + now().UTC().Format("20060102T150405Z") + "-job" + strconv.FormatInt(j.ID, 10) + archiveSuffix
		// A re-run of this job replaces the archive of its earlier run.
		if old, _ := filepath.Glob(filepath.Join(dir, archivePrefix+"*-job"+strconv.FormatInt(j.ID, 10)+archiveSuffix)); len(old) > 0 {
			for _, o := range old {
				os.Remove(o)
			}
		}
		ev := audit.Event{Actor: "system", Action: "backup.create", Object: "backup:" + name, Outcome: audit.Success, Source: "job:" + strconv.FormatInt(j.ID, 10)}
		if s.Audit != nil {
			if err := s.Audit.Append(ctx, ev); err != nil {
				return fmt.Errorf("backup: audit: %w", err)
			}
		}
		tmp, err := os.CreateTemp(dir, ".tmp-")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		m, err := Create(ctx, tmp, Options{Store: s.Store, DataDir: s.DataDir, Recipients: s.Recipients, ToolVersion: s.ToolVersion, Now: s.Now})
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), filepath.Join(dir, name))
		}
		if err != nil {
			if s.Audit != nil {
				ev.Outcome, ev.Details = audit.Error, map[string]string{"error": truncate(err.Error())}
				_ = s.Audit.Append(context.WithoutCancel(ctx), ev)
			}
			return err
		}
		removed, err := Prune(dir, s.Keep)
		if s.Audit != nil && len(removed) > 0 {
			_ = s.Audit.Append(ctx, audit.Event{Actor: "system", Action: "backup.prune", Object: "backups", Outcome: audit.Success,
				Source: ev.Source, Details: map[string]string{"removed": strings.Join(removed, " "), "entries": strconv.Itoa(len(m.Entries))}})
		}
		return err
	}
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}

// Prune deletes all but the newest keep archives in dir (by the time in their names,
// which sort as text) and returns the names it deleted. keep ≤ 0 means 7.
func Prune(dir string, keep int) ([]string, error) {
	if keep <= 0 {
		keep = 7
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), archivePrefix) && strings.HasSuffix(e.Name(), archiveSuffix) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var removed []string
	for len(names) > keep {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil {
			return removed, err
		}
		removed = append(removed, names[0])
		names = names[1:]
	}
	return removed, nil
}
