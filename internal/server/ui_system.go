package server

import (
	"net/http"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// The system page: the latest scan, each control's status per target, and what is new,
// fixed and recurring since the scan before.

// ScanJSON is a recorded scan in the API.
type ScanJSON struct {
	ID          int64        `json:"id"`
	StartedAt   time.Time    `json:"started_at"`
	FinishedAt  time.Time    `json:"finished_at"`
	RecordedAt  time.Time    `json:"recorded_at"`
	UploadedBy  string       `json:"uploaded_by"`
	ToolVersion string       `json:"tool_version"`
	PackVersion string       `json:"pack_version"`
	Counts      store.Counts `json:"counts"`
}

func scanJSON(sc *store.Scan) *ScanJSON {
	if sc == nil {
		return nil
	}
	return &ScanJSON{ID: sc.ID, StartedAt: sc.StartedAt, FinishedAt: sc.FinishedAt, RecordedAt: sc.RecordedAt, UploadedBy: sc.UploadedBy,
		ToolVersion: sc.ToolVersion, PackVersion: sc.PackVersion, Counts: sc.Counts}
}

// FindingJSON is a finding in the API, with what the stored report adds.
type FindingJSON struct {
	System      string      `json:"system,omitempty"`
	Fingerprint string      `json:"fingerprint"`
	Control     string      `json:"control"`
	Section     string      `json:"section"`
	Rule        string      `json:"rule"`
	Severity    string      `json:"severity"`
	Target      string      `json:"target"`
	Location    string      `json:"location"`
	Message     string      `json:"message"`
	Status      string      `json:"status"`
	Evidence    string      `json:"evidence,omitempty"`
	Redacted    bool        `json:"redacted,omitempty"`
	Fix         string      `json:"fix,omitempty"`
	Triage      *TriageJSON `json:"triage,omitempty"`
}

// TriageJSON is a triage decision in the API.
type TriageJSON struct {
	State  string    `json:"state"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

func triageJSON(t *store.Triage) *TriageJSON {
	if t == nil {
		return nil
	}
	return &TriageJSON{State: string(t.State), Reason: t.Reason, By: t.By, At: t.At}
}

func findingJSON(f store.Finding, d *reportDetails, tr map[string]store.Triage) FindingJSON {
	out := FindingJSON{Fingerprint: f.Fingerprint, Control: f.Control, Section: f.Section, Rule: f.Rule, Severity: f.Severity,
		Target: f.Target, Location: f.Location, Message: f.Message, Status: string(f.Status)}
	if d != nil {
		if fd, ok := d.Findings[f.Fingerprint]; ok {
			out.Evidence, out.Redacted, out.Fix = fd.Evidence, fd.Redacted, fd.Fix
		}
	}
	if t, ok := tr[f.Fingerprint]; ok {
		out.Triage = triageJSON(&t)
	}
	return out
}

// ControlStatusJSON is one control's result on one target of the latest scan.
type ControlStatusJSON struct {
	Target   string `json:"target"`
	Control  string `json:"control"`
	Title    string `json:"title"`
	Section  string `json:"section"`
	Status   string `json:"status"`
	Reason   string `json:"reason"`
	Findings int    `json:"findings"`
}

// SystemView is the system page's data, and GET /api/v1/systems/{system}.
type SystemView struct {
	System    SystemJSON          `json:"system"`
	Latest    *ScanJSON           `json:"latest_scan"`
	Previous  *ScanJSON           `json:"previous_scan"`
	Controls  []ControlStatusJSON `json:"controls"`
	New       []FindingJSON       `json:"new"`
	Recurring []FindingJSON       `json:"recurring"`
	Fixed     []FindingJSON       `json:"fixed"`
	History   []ScanJSON          `json:"history"`
	// ReportMissing is set when the latest scan's stored report could not be read: the
	// per-control statuses, evidence and fixes are then absent.
	ReportMissing bool `json:"report_missing,omitempty"`
}

func (s *Server) systemView(r *http.Request, sys store.System) (*SystemView, error) {
	ctx := r.Context()
	v := &SystemView{System: systemJSON(sys), Controls: []ControlStatusJSON{}, New: []FindingJSON{}, Recurring: []FindingJSON{}, Fixed: []FindingJSON{}, History: []ScanJSON{}}
	d, err := s.st.FindingDiff(ctx, sys.ID)
	if err != nil {
		return nil, err
	}
	tr, err := s.st.TriageOf(ctx, sys.ID)
	if err != nil {
		return nil, err
	}
	v.Latest, v.Previous = scanJSON(d.Latest), scanJSON(d.Previous)
	var details *reportDetails
	if d.Latest != nil {
		details, err = s.scanDetails(ctx, d.Latest.ID)
		if err != nil {
			s.log.Warn("reading stored report", "request_id", RequestID(ctx), "scan", d.Latest.ID, "err", err)
		}
		v.ReportMissing = details == nil
	}
	if details != nil {
		for _, c := range details.Controls {
			v.Controls = append(v.Controls, ControlStatusJSON{Target: c.Target, Control: c.ID, Title: c.Title, Section: c.Section, Status: c.Status, Reason: c.Reason, Findings: c.Findings})
		}
	}
	for _, f := range d.New {
		v.New = append(v.New, findingJSON(f, details, tr))
	}
	for _, f := range d.Recurring {
		v.Recurring = append(v.Recurring, findingJSON(f, details, tr))
	}
	for _, f := range d.Fixed {
		v.Fixed = append(v.Fixed, findingJSON(f, nil, nil))
	}
	sortFindings(v.New)
	sortFindings(v.Recurring)
	sortFindings(v.Fixed)
	hist, err := s.st.SystemScans(ctx, sys.ID, 20)
	if err != nil {
		return nil, err
	}
	for i := range hist {
		v.History = append(v.History, *scanJSON(&hist[i]))
	}
	return v, nil
}

var severityOrder = map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}

func sortFindings(fs []FindingJSON) {
	sortStableBy(fs, func(a, b FindingJSON) bool {
		if severityOrder[a.Severity] != severityOrder[b.Severity] {
			return severityOrder[a.Severity] < severityOrder[b.Severity]
		}
		return a.Control < b.Control
	})
}

func (s *Server) systemPage(w http.ResponseWriter, r *http.Request) {
	sys, ok := s.systemFromPath(w, r, true)
	if !ok {
		return
	}
	v, err := s.systemView(r, sys)
	if err != nil {
		s.unavailable(w, r, true, "reading system", err)
		return
	}
	counts := map[string]int{}
	for _, c := range v.Controls {
		counts[c.Status]++
	}
	groups := []findingGroup{{"New findings", "new", v.New}, {"Fixed findings", "fixed", v.Fixed}, {"Recurring findings", "recurring", v.Recurring}}
	s.page(w, r, "system", sys.Name, map[string]any{"V": v, "Groups": groups, "StatusCounts": counts, "Statuses": []string{"fail", "unknown", "deviation", "pass", "not-applicable"}})
}

type findingGroup struct {
	Title, ID string
	Findings  []FindingJSON
}
