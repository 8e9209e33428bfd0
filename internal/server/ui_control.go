package server

import (
	"net/http"
	"sort"

	"github.com/posture-dev/posture/internal/store"
)

// The control page: what the policy asks (from the embedded pack), which systems'
// latest scans have findings under it, with the evidence and the fix.

// maxControlDetails bounds how many systems' stored reports one control page reads for
// evidence and fixes; the findings of the others are listed without them.
const maxControlDetails = 25

// ControlView is the control page's data and GET /api/v1/controls/{control}.
type ControlView struct {
	ID            string          `json:"id"`
	Title         string          `json:"title"`
	Description   string          `json:"description"`
	Section       string          `json:"section"`
	SectionTitle  string          `json:"section_title"`
	Severity      string          `json:"severity"`
	Verification  []string        `json:"verification"`
	Targets       []string        `json:"targets"`
	NotApplicable string          `json:"not_applicable,omitempty"`
	InPack        bool            `json:"in_pack"`
	Systems       []ControlSystem `json:"systems"`
	Failing       int             `json:"failing_systems"`
}

// ControlSystem is a system whose latest scan has findings under the control. Failing
// is whether any is open and above info (what fails a control); the others are notes
// or silenced by deviations.
type ControlSystem struct {
	Name     string        `json:"name"`
	Failing  bool          `json:"failing"`
	Findings []FindingJSON `json:"findings"`
	// DetailsOmitted is set when evidence and fixes were not read for this system.
	DetailsOmitted bool `json:"details_omitted,omitempty"`
}

func (s *Server) controlView(w http.ResponseWriter, r *http.Request, html bool) (*ControlView, bool) {
	id := r.PathValue("control")
	if !controlIDRE.MatchString(id) {
		s.fail(w, r, html, http.StatusBadRequest, "Bad control", "A control ID looks like CR-2.")
		return nil, false
	}
	v := &ControlView{ID: id, Systems: []ControlSystem{}, Verification: []string{}, Targets: []string{}}
	if pack, err := defaultPack(); err == nil {
		if c := pack.Control(id); c != nil {
			v.InPack = true
			v.Title, v.Description, v.Section, v.Severity, v.NotApplicable = c.Title, c.Description, c.Section, string(c.Severity), c.NotApplicable
			for _, x := range c.Verification {
				v.Verification = append(v.Verification, string(x))
			}
			for _, x := range c.Targets {
				v.Targets = append(v.Targets, string(x))
			}
			if sec := pack.Section(c.Section); sec != nil {
				v.SectionTitle = sec.Title
			}
		}
	}
	ctx := r.Context()
	found, err := s.st.FindingsByControl(ctx, id)
	if err != nil {
		s.unavailable(w, r, html, "findings of control", err)
		return nil, false
	}
	if !v.InPack && len(found) == 0 {
		s.fail(w, r, html, http.StatusNotFound, "No such control", "The policy pack has no control "+id+" and no scan reported one.")
		return nil, false
	}
	systems, err := s.st.ListSystems(ctx)
	if err != nil {
		s.unavailable(w, r, html, "listing systems", err)
		return nil, false
	}
	names := map[int64]string{}
	for _, sys := range systems {
		names[sys.ID] = sys.Name
	}
	bySys := map[int64][]store.Finding{}
	var order []int64
	for _, f := range found {
		if _, ok := bySys[f.SystemID]; !ok {
			order = append(order, f.SystemID)
		}
		bySys[f.SystemID] = append(bySys[f.SystemID], f.Finding)
	}
	sort.Slice(order, func(i, j int) bool { return names[order[i]] < names[order[j]] })
	for n, sysID := range order {
		cs := ControlSystem{Name: names[sysID], Findings: []FindingJSON{}}
		var details *reportDetails
		if n < maxControlDetails {
			details, err = s.scanDetails(ctx, bySys[sysID][0].ScanID)
			if err != nil {
				s.log.Warn("reading stored report", "request_id", RequestID(ctx), "err", err)
			}
		}
		cs.DetailsOmitted = details == nil
		tr, err := s.st.TriageOf(ctx, sysID)
		if err != nil {
			s.unavailable(w, r, html, "triage", err)
			return nil, false
		}
		for _, f := range bySys[sysID] {
			fj := findingJSON(f, details, tr)
			fj.System = cs.Name
			cs.Findings = append(cs.Findings, fj)
			if f.Status == store.FindingOpen && f.Severity != "info" {
				cs.Failing = true
			}
		}
		sortFindings(cs.Findings)
		if cs.Failing {
			v.Failing++
		}
		v.Systems = append(v.Systems, cs)
	}
	return v, true
}

func (s *Server) apiControl(w http.ResponseWriter, r *http.Request) {
	if v, ok := s.controlView(w, r, false); ok {
		writeJSON(w, http.StatusOK, v)
	}
}

func (s *Server) controlPage(w http.ResponseWriter, r *http.Request) {
	if v, ok := s.controlView(w, r, true); ok {
		s.page(w, r, "control", v.ID+" "+v.Title, map[string]any{"V": v})
	}
}
