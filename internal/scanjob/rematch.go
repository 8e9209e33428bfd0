package scanjob

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/alert"
	"github.com/posture-dev/posture/internal/cvss"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/osv"
	"github.com/posture-dev/posture/internal/store"
	"github.com/posture-dev/posture/internal/vulndb"
)

// Rematcher runs vulndb.rematch jobs: the stored packages of each system's latest scan
// are matched against the vulnerability database at VulnDBDir, and every match not seen
// before for that system (vuln_matches) raises one vulnerability.new alert. What is
// matched:
//
//   - scans the server ran itself: every locked package of their repository targets
//     (scan_packages, written with the scan);
//   - uploaded scans: only the packages their VM-3 findings name, read from the stored
//     report, since a report carries no full package list. A new advisory against
//     another package of an uploaded-only system shows up at its next scan instead.
//
// A match the latest scan already reported as a VM-3 finding is remembered without an
// alert: the scan's own finding.new alert covered it.
type Rematcher struct {
	Store     *store.Store
	Notifier  *alert.Notifier
	VulnDBDir string
	BaseURL   string
	Now       func() time.Time
	Logger    *slog.Logger
}

// Handler is the vulndb.rematch job handler.
func (r *Rematcher) Handler() jobs.Handler {
	return func(ctx context.Context, j *jobs.Job) error {
		var p jobs.RematchPayload
		if err := j.Decode(&p); err != nil {
			return err
		}
		data, _, err := r.Run(ctx, p.Force)
		if err != nil || data.IsZero() {
			return err
		}
		// The data time is recorded with the job's completion: a re-match that lost its
		// lease runs again, and vuln_matches keeps its alerts from repeating.
		now := r.now()
		return j.Finish(ctx, func(tx *store.Tx) error { return store.SetVulnDBDataTimeTx(ctx, tx, data, now) })
	}
}

func (r *Rematcher) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Rematcher) log() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Run re-matches when the database's data is newer than at the last re-match, or
// always with force. It returns the data time it matched against (zero when it did not
// run) and how many alerts it raised.
func (r *Rematcher) Run(ctx context.Context, force bool) (time.Time, int, error) {
	meta, err := vulndb.Status(r.VulnDBDir)
	if errors.Is(err, fs.ErrNotExist) {
		r.log().Info("vulnerability re-match: no database yet", "dir", r.VulnDBDir)
		return time.Time{}, 0, nil
	} else if err != nil {
		return time.Time{}, 0, fmt.Errorf("vulnerability database: %w", err)
	}
	data := meta.DataTime()
	last, err := r.Store.VulnDBDataTime(ctx)
	if err != nil {
		return time.Time{}, 0, err
	}
	if !force && !data.After(last) {
		return time.Time{}, 0, nil
	}
	db, err := vulndb.Open(r.VulnDBDir, r.now())
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("vulnerability database: %w", err)
	}
	defer db.Close()
	scans, err := r.Store.LatestScans(ctx)
	if err != nil {
		return time.Time{}, 0, err
	}
	alerts := 0
	for _, sc := range scans {
		n, err := r.system(ctx, db, sc)
		if err != nil {
			return time.Time{}, alerts, err
		}
		alerts += n
	}
	if data.IsZero() {
		data = r.now()
	}
	return data, alerts, nil
}

// vulnMatch is one advisory (a group of aliased records) matching one package.
type vulnMatch struct {
	pkg      store.Package
	id       string
	aliases  []string
	summary  string
	severity string
}

// component names a package in vuln_matches and alert keys: version-less, so that an
// upgrade to another affected version is not a new alert.
func component(p store.Package) string { return p.Ecosystem + "/" + p.Name }

func (r *Rematcher) system(ctx context.Context, db *vulndb.DB, sc store.Scan) (int, error) {
	raw, err := r.Store.ScanReport(ctx, sc.ID)
	if err != nil {
		return 0, err
	}
	reported, fromReport := reportVulns(raw)
	pkgs, ok, err := r.Store.ScanPackages(ctx, sc.ID)
	if err != nil {
		return 0, err
	}
	if !ok {
		pkgs = fromReport
	}
	var matches []vulnMatch
	seen := map[string]bool{}
	for _, p := range pkgs {
		for _, m := range match(db, p) {
			k := component(p) + "\x00" + m.id
			if seen[k] {
				continue
			}
			seen[k] = true
			matches = append(matches, m)
		}
	}
	if len(matches) == 0 {
		return 0, nil
	}
	sys, err := r.Store.GetSystem(ctx, sc.SystemID)
	if err != nil {
		return 0, err
	}
	now := r.now()
	alerts := 0
	err = r.Store.InTx(ctx, func(tx *store.Tx) error {
		alerts = 0
		for _, m := range matches {
			created, err := store.AddVulnMatchTx(ctx, tx, sys.ID, component(m.pkg), m.id, now)
			if err != nil {
				return err
			}
			if !created || reported[component(m.pkg)+"\x00"+m.id] || anyReported(reported, component(m.pkg), m.aliases) {
				continue
			}
			text := fmt.Sprintf("%s %s %s (target %s) is affected by %s", m.pkg.Ecosystem, m.pkg.Name, m.pkg.Version, m.pkg.Target, m.id)
			if len(m.aliases) > 0 {
				text += " (" + strings.Join(m.aliases, ", ") + ")"
			}
			if m.summary != "" {
				text += ": " + m.summary
			}
			text += ".\nFound by re-matching the system's latest scan against the updated vulnerability database; no rescan was needed."
			if _, err := r.Notifier.NotifyTx(ctx, tx, alert.Event{
				Kind: alert.KindNewVulnerability, Key: fmt.Sprintf("vuln:%d:%s:%s", sys.ID, component(m.pkg), m.id), Severity: m.severity,
				Subject: fmt.Sprintf("%s in %s: %s %s is vulnerable", m.id, sys.Name, m.pkg.Name, m.pkg.Version),
				Text:    text, Link: strings.TrimSuffix(r.BaseURL, "/") + "/systems/" + sys.Name, SystemID: sys.ID,
				Fields: map[string]string{"system": sys.Name, "package": m.pkg.Name, "ecosystem": m.pkg.Ecosystem, "version": m.pkg.Version, "vulnerability": m.id, "scan_id": fmt.Sprint(sc.ID)},
			}); err != nil {
				return err
			}
			alerts++
		}
		return nil
	})
	return alerts, err
}

func anyReported(reported map[string]bool, comp string, ids []string) bool {
	for _, id := range ids {
		if reported[comp+"\x00"+id] {
			return true
		}
	}
	return false
}

// match returns the advisories affecting one package version. A record the version
// cannot be compared against is skipped (the scan's VM-3 reports those as unknown).
func match(db *vulndb.DB, p store.Package) []vulnMatch {
	recs, err := db.Lookup(p.Ecosystem, p.Name)
	if err != nil || len(recs) == 0 {
		return nil
	}
	q := osv.Query{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version}
	var hits []osv.Vulnerability
	for _, v := range recs {
		if v.Withdrawn != nil {
			continue
		}
		for _, a := range v.Affected {
			if m, err := osv.Check(a, q); err == nil && m.Affected {
				hits = append(hits, v)
				break
			}
		}
	}
	var out []vulnMatch
	for _, g := range osv.Group(hits) {
		id, aliases := osv.IDs(g)
		m := vulnMatch{pkg: p, id: id, aliases: aliases, severity: groupSeverity(g)}
		for _, v := range g {
			if v.Summary != "" {
				m.summary = v.Summary
				break
			}
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// groupSeverity is the highest CVSS rating of the group's records, else the advisory
// database's label, else high (as VM-3 treats an unrated known vulnerability).
func groupSeverity(g []osv.Vulnerability) string {
	rank := map[string]int{"low": 1, "medium": 2, "high": 3, "critical": 4}
	best := ""
	consider := func(r string) {
		r = strings.ToLower(r)
		if r == "moderate" {
			r = "medium"
		}
		if rank[r] > rank[best] {
			best = r
		}
	}
	for _, v := range g {
		for _, s := range v.Severity {
			if sc, err := cvss.Parse(s.Score); err == nil && strings.HasPrefix(s.Type, "CVSS_") {
				consider(sc.Severity)
			}
		}
	}
	if best == "" {
		for _, v := range g {
			var ds struct {
				Severity string `json:"severity"`
			}
			if len(v.DatabaseSpecific) > 0 && json.Unmarshal(v.DatabaseSpecific, &ds) == nil {
				consider(ds.Severity)
			}
		}
	}
	if best == "" {
		best = "high"
	}
	return best
}

// reportVulns reads the VM-3 findings of a stored report: the (component, advisory id)
// pairs it already reported, ids and aliases both, and the packages they name. A report
// that cannot be read yields nothing (it was checked when it was recorded).
func reportVulns(raw []byte) (map[string]bool, []store.Package) {
	var rep struct {
		Targets []struct {
			Name     string `json:"name"`
			Controls []struct {
				ID       string `json:"id"`
				Findings []struct {
					Vulnerability *struct {
						ID      string   `json:"id"`
						Aliases []string `json:"aliases"`
						Package struct {
							Ecosystem string `json:"ecosystem"`
							Name      string `json:"name"`
							Version   string `json:"version"`
						} `json:"package"`
					} `json:"vulnerability"`
				} `json:"findings"`
			} `json:"controls"`
		} `json:"targets"`
	}
	known := map[string]bool{}
	if len(raw) == 0 || json.Unmarshal(raw, &rep) != nil {
		return known, nil
	}
	var pkgs []store.Package
	for _, t := range rep.Targets {
		for _, c := range t.Controls {
			if c.ID != "VM-3" {
				continue
			}
			for _, f := range c.Findings {
				v := f.Vulnerability
				if v == nil || v.Package.Name == "" || v.Package.Version == "" {
					continue
				}
				p := store.Package{Target: t.Name, Ecosystem: v.Package.Ecosystem, Name: v.Package.Name, Version: v.Package.Version}
				pkgs = append(pkgs, p)
				known[component(p)+"\x00"+v.ID] = true
				for _, a := range v.Aliases {
					known[component(p)+"\x00"+a] = true
				}
			}
		}
	}
	return known, pkgs
}
