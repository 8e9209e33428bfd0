package governance

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/store"
)

// Statuses, as reports use them; "not-recorded" is a record control nobody attested.
const (
	StatusPass          = "pass"
	StatusFail          = "fail"
	StatusDeviation     = "deviation"
	StatusUnknown       = "unknown"
	StatusNotApplicable = "not-applicable"
	StatusNoScan        = "no-scan"
)

var rank = map[string]int{StatusFail: 5, StatusUnknown: 4, StatusDeviation: 3, StatusPass: 2, StatusNotApplicable: 1, StatusNoScan: 0}

// Record is what stands behind a status: a scan, a deviation, a change, an attestation,
// a review.
type Record struct {
	Kind  string // scan, deviation, change, attestation, review, incident
	Label string
	Link  string // a path on the server
}

// Cell is one control's status on one system.
type Cell struct {
	System  string
	Status  string
	Reason  string
	Records []Record
}

// ReportControl is one control's row of the compliance report.
type ReportControl struct {
	Control *policy.Control
	Section string
	Cells   []Cell
}

// Report is the compliance report of the pack in force: every control, its status per
// system, and the evidence or record behind it.
type Report struct {
	Pack        PackStatus
	GeneratedAt time.Time
	Systems     []string
	Controls    []ReportControl
}

type scanControl struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Reason string `json:"reason"`
}

type scanReport struct {
	Targets []struct {
		Name     string        `json:"name"`
		Controls []scanControl `json:"controls"`
	} `json:"targets"`
}

// BuildReport evaluates every control for every system now.
func (s *Service) BuildReport(ctx context.Context) (*Report, error) {
	now := s.now()
	pack := s.pack()
	ps, err := s.CurrentPackStatus(ctx)
	if err != nil {
		return nil, err
	}
	systems, err := s.St.ListSystems(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(systems, func(i, j int) bool { return systems[i].Name < systems[j].Name })
	latest, err := s.St.LatestScans(ctx)
	if err != nil {
		return nil, err
	}
	scanOf := map[int64]store.Scan{}
	for _, sc := range latest {
		scanOf[sc.SystemID] = sc
	}
	rep := &Report{Pack: ps, GeneratedAt: now}
	cells := map[string][]Cell{} // by control
	for _, sys := range systems {
		rep.Systems = append(rep.Systems, sys.Name)
		byControl, scanRec, err := s.scanStatuses(ctx, scanOf, sys)
		if err != nil {
			return nil, err
		}
		recs, err := s.recordStatuses(ctx, sys, ps, now)
		if err != nil {
			return nil, err
		}
		for i := range pack.Controls {
			c := &pack.Controls[i]
			cell := Cell{System: sys.Name, Status: StatusNoScan, Reason: "no scan of this system"}
			if sc, ok := byControl[c.ID]; ok {
				cell.Status, cell.Reason = sc.Status, sc.Reason
				cell.Records = append(cell.Records, scanRec)
			}
			if r, ok := recs[c.ID]; ok {
				if cell.Status == StatusNoScan || cell.Status == StatusNotApplicable || rank[r.Status] > rank[cell.Status] || (r.Status == StatusPass && cell.Status == StatusUnknown && !c.Automated()) {
					cell.Status, cell.Reason = r.Status, r.Reason
				} else if r.Reason != "" {
					cell.Reason += "; " + r.Reason
				}
				cell.Records = append(cell.Records, r.Records...)
			} else if !c.Automated() && slices.Contains(c.Verification, policy.Record) && (cell.Status == StatusNoScan || cell.Status == StatusNotApplicable || cell.Status == StatusUnknown) {
				cell.Status, cell.Reason = StatusFail, "no record on the server"
			}
			cells[c.ID] = append(cells[c.ID], cell)
		}
	}
	for i := range pack.Controls {
		c := &pack.Controls[i]
		sec := c.Section
		if s := pack.Section(c.Section); s != nil {
			sec = s.ID + " " + s.Title
		}
		rep.Controls = append(rep.Controls, ReportControl{Control: c, Section: sec, Cells: cells[c.ID]})
	}
	return rep, nil
}

// scanStatuses reads each control's status from a system's latest scan, the worst over
// its targets.
func (s *Service) scanStatuses(ctx context.Context, scanOf map[int64]store.Scan, sys store.System) (map[string]scanControl, Record, error) {
	sc, ok := scanOf[sys.ID]
	if !ok {
		return nil, Record{}, nil
	}
	raw, err := s.St.ScanReport(ctx, sc.ID)
	if err != nil {
		return nil, Record{}, err
	}
	rec := Record{Kind: "scan", Label: fmt.Sprintf("scan %d of %s", sc.ID, sc.FinishedAt.UTC().Format("2006-01-02 15:04")), Link: "/systems/" + sys.Name}
	out := map[string]scanControl{}
	var rep scanReport
	if raw == nil || json.Unmarshal(raw, &rep) != nil {
		return out, rec, nil
	}
	for _, t := range rep.Targets {
		for _, c := range t.Controls {
			prev, seen := out[c.ID]
			if !seen || rank[c.Status] > rank[prev.Status] {
				if seen && prev.Status != c.Status {
					c.Reason = t.Name + ": " + c.Reason
				}
				out[c.ID] = c
			}
		}
	}
	return out, rec, nil
}

type recordStatus struct {
	Status, Reason string
	Records        []Record
}

// recordStatuses decides the record controls of one system from the server's records.
func (s *Service) recordStatuses(ctx context.Context, sys store.System, ps PackStatus, now time.Time) (map[string]recordStatus, error) {
	out := map[string]recordStatus{}
	// Deviations: active ones are what ST-2 documents.
	devs, err := store.GovDeviations(ctx, s.St, store.GovDeviationFilter{SystemID: sys.ID})
	if err != nil {
		return nil, err
	}
	st2 := recordStatus{Status: StatusPass}
	for _, d := range devs {
		status := deviationStatus(d, now)
		if status == "active" {
			st2.Records = append(st2.Records, Record{Kind: "deviation", Label: fmt.Sprintf("deviation %d (%s, approved by %s until %s)", d.ID, d.Control, Who(d.DecidedBy), d.ExpiresOn), Link: fmt.Sprintf("/deviations/%d", d.ID)})
		}
	}
	if len(st2.Records) > 0 {
		out["ST-2"] = st2
	}
	// Emergency changes (CH-3, and CH-4 for Confidential and Restricted systems).
	changes, err := store.GovChanges(ctx, s.St, sys.ID)
	if err != nil {
		return nil, err
	}
	ch := recordStatus{Status: StatusPass, Reason: "no emergency changes recorded"}
	var bad, pending int
	for _, c := range changes {
		if now.Sub(c.ChangedAt) > ChangeLookback {
			continue
		}
		status := changeStatus(c, now)
		ch.Records = append(ch.Records, Record{Kind: "change", Label: fmt.Sprintf("emergency change %d on %s: %s", c.ID, c.ChangedAt.Format("2006-01-02"), status), Link: fmt.Sprintf("/changes#change-%d", c.ID)})
		switch status {
		case "unapproved", "late":
			bad++
		case "pending":
			pending++
		}
	}
	switch {
	case bad > 0:
		ch.Status, ch.Reason = StatusFail, fmt.Sprintf("%d emergency change(s) not approved by a colleague within 24 hours", bad)
	case len(ch.Records) > 0:
		ch.Reason = fmt.Sprintf("%d emergency change(s), each approved by a colleague within 24 hours", len(ch.Records)-pending)
		if pending > 0 {
			ch.Reason += fmt.Sprintf("; %d awaiting approval within the window", pending)
		}
	}
	out["CH-3"] = ch
	if sys.Classification == store.Confidential || sys.Classification == store.Restricted {
		out["CH-4"] = ch
	}
	// Attestations: the latest per control decides.
	atts, err := store.GovAttestations(ctx, s.St, sys.ID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, a := range atts { // latest performed first
		v := attestationView(a, now)
		r := out[a.Control]
		r.Records = append(r.Records, Record{Kind: "attestation", Label: fmt.Sprintf("%s performed %s (%d evidence file(s)), due %s", a.Kind, a.PerformedOn, len(a.Evidence), v.Due), Link: fmt.Sprintf("/attestations#attestation-%d", a.ID)})
		if !seen[a.Control] {
			seen[a.Control] = true
			if v.Overdue {
				r.Status, r.Reason = StatusFail, fmt.Sprintf("%s overdue since %s", a.Kind, v.Due)
			} else if r.Status != StatusFail {
				r.Status, r.Reason = StatusPass, fmt.Sprintf("%s performed %s, next due %s", a.Kind, a.PerformedOn, v.Due)
			}
		}
		out[a.Control] = r
	}
	// Incidents (VM-5): open incidents move through the phases; closed ones have reviews.
	ids, err := store.IncidentIDsOfSystem(ctx, s.St, sys.ID)
	if err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		r := recordStatus{Status: StatusPass, Reason: fmt.Sprintf("%d incident(s) on record, handled through the defined phases", len(ids))}
		for _, n := range ids {
			r.Records = append(r.Records, Record{Kind: "incident", Label: fmt.Sprintf("incident %d", n), Link: fmt.Sprintf("/incidents/%d", n)})
		}
		out["VM-5"] = r
	}
	// PR-1: the pack in force and its recorded review.
	pr := recordStatus{Status: StatusPass, Reason: fmt.Sprintf("pack %s %s expires %s", ps.Name, ps.Version, ps.Expires)}
	switch {
	case ps.Expired:
		pr.Status, pr.Reason = StatusFail, fmt.Sprintf("pack %s %s expired on %s", ps.Name, ps.Version, ps.Expires)
	case !reviewFresh(ps.LastReview, now):
		pr.Status, pr.Reason = StatusFail, "no policy review recorded on the server in the last twelve months"
	}
	if ps.LastReview != nil {
		pr.Records = append(pr.Records, Record{Kind: "review", Label: fmt.Sprintf("reviewed by %s on %s", ps.LastReview.Reviewer, ps.LastReview.ReviewedOn), Link: "/policy"})
	}
	out["PR-1"] = pr
	return out, nil
}
