package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/posture-dev/posture/internal/store"
)

// The findings list: the findings of every system's latest scan, filtered, with
// triage (acknowledge, false positive, clear) for engineers and up. Triage is audited
// before it is written.

const findingsPageSize = 50

// findingsQuery is the filter of the findings page and API, parsed from the URL query.
type findingsQuery struct {
	System, Section, Control, Severity, Status, Triage string
	Page                                               int
}

func parseFindingsQuery(q url.Values) (findingsQuery, error) {
	f := findingsQuery{System: q.Get("system"), Section: q.Get("section"), Control: q.Get("control"), Severity: q.Get("severity"),
		Status: q.Get("status"), Triage: q.Get("triage"), Page: 1}
	switch {
	case f.System != "" && !validSystemName(f.System):
		return f, errors.New(systemNameRule)
	case f.Section != "" && !sectionIDRE.MatchString(f.Section):
		return f, errors.New("section: a section ID such as CR")
	case f.Control != "" && !controlIDRE.MatchString(f.Control):
		return f, errors.New("control: a control ID such as CR-2")
	case f.Severity != "" && !reportSeverity[f.Severity]:
		return f, errors.New("severity: info, low, medium, high or critical")
	case f.Status != "" && f.Status != "open" && f.Status != "suppressed":
		return f, errors.New("status: open or suppressed")
	case f.Triage != "" && f.Triage != "untriaged" && !store.TriageState(f.Triage).Valid():
		return f, errors.New("triage: untriaged, acknowledged or false-positive")
	}
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			return f, errors.New("page: a positive number")
		}
		f.Page = n
	}
	return f, nil
}

// values is the query string of f, for links and the redirect after triage.
func (f findingsQuery) values(page int) url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"system": f.System, "section": f.Section, "control": f.Control, "severity": f.Severity, "status": f.Status, "triage": f.Triage} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

// FindingsJSON is GET /api/v1/findings.
type FindingsJSON struct {
	Total    int           `json:"total"`
	Page     int           `json:"page"`
	PageSize int           `json:"page_size"`
	Findings []FindingJSON `json:"findings"`
}

func (s *Server) listFindings(w http.ResponseWriter, r *http.Request, html bool) (findingsQuery, *FindingsJSON, bool) {
	q, err := parseFindingsQuery(r.URL.Query())
	if err != nil {
		s.fail(w, r, html, http.StatusBadRequest, "Bad filter", err.Error())
		return q, nil, false
	}
	ff := store.FindingFilter{Section: q.Section, Control: q.Control, Severity: q.Severity, Status: store.FindingStatus(q.Status), Triage: q.Triage,
		Limit: findingsPageSize, Offset: (q.Page - 1) * findingsPageSize}
	out := &FindingsJSON{Page: q.Page, PageSize: findingsPageSize, Findings: []FindingJSON{}}
	if q.System != "" {
		sys, err := s.st.SystemByName(r.Context(), q.System)
		if errors.Is(err, store.ErrNotFound) {
			return q, out, true // a filter naming no system matches nothing
		} else if err != nil {
			s.unavailable(w, r, html, "reading system", err)
			return q, nil, false
		}
		ff.SystemID = sys.ID
	}
	found, total, err := s.st.LatestFindings(r.Context(), ff)
	if err != nil {
		s.unavailable(w, r, html, "listing findings", err)
		return q, nil, false
	}
	out.Total = total
	for _, f := range found {
		fj := findingJSON(f.Finding, nil, nil)
		fj.System = f.SystemName
		fj.Triage = triageJSON(f.Triage)
		out.Findings = append(out.Findings, fj)
	}
	return q, out, true
}

func (s *Server) apiFindings(w http.ResponseWriter, r *http.Request) {
	if _, out, ok := s.listFindings(w, r, false); ok {
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Server) findingsPage(w http.ResponseWriter, r *http.Request) {
	q, out, ok := s.listFindings(w, r, true)
	if !ok {
		return
	}
	systems, err := s.st.ListSystems(r.Context())
	if err != nil {
		s.unavailable(w, r, true, "listing systems", err)
		return
	}
	var names []string
	for _, sys := range systems {
		names = append(names, sys.Name)
	}
	var sections []SectionJSON
	if pack, err := defaultPack(); err == nil {
		for _, sec := range pack.Sections {
			sections = append(sections, SectionJSON{ID: sec.ID, Title: sec.Title})
		}
	}
	pages := (out.Total + findingsPageSize - 1) / findingsPageSize
	data := map[string]any{"Q": q, "F": out, "SystemNames": names, "Sections": sections, "Pages": pages,
		"Return": q.values(q.Page).Encode(), "Severities": []string{"critical", "high", "medium", "low", "info"}}
	if q.Page > 1 {
		data["Prev"] = "/findings?" + q.values(q.Page-1).Encode()
	}
	if q.Page < pages {
		data["Next"] = "/findings?" + q.values(q.Page+1).Encode()
	}
	s.page(w, r, "findings", "Findings", data)
}

// TriageRequest is POST /api/v1/findings/triage. State "none" clears a decision.
type TriageRequest struct {
	System      string `json:"system"`
	Fingerprint string `json:"fingerprint"`
	State       string `json:"state"`
	Reason      string `json:"reason"`
}

// triage checks and carries out a triage request, returning the status and message to
// answer with.
func (s *Server) triage(r *http.Request, t TriageRequest) (int, string) {
	object := fmt.Sprintf("finding:%s/%s", t.System, t.Fingerprint)
	reject := func(status int, msg string) (int, string) {
		if err := s.Audit(r, "finding.triage", object, OutcomeFailure, msg); err != nil {
			return http.StatusServiceUnavailable, ErrAuditUnavailable.Error()
		}
		return status, msg
	}
	t.Reason = strings.TrimSpace(t.Reason)
	switch {
	case !validSystemName(t.System):
		object = "finding:?"
		return reject(http.StatusBadRequest, systemNameRule)
	case !fingerprintRE.MatchString(t.Fingerprint):
		object = "finding:" + t.System + "/?"
		return reject(http.StatusBadRequest, "fingerprint: 32 hex digits")
	case t.State != "none" && !store.TriageState(t.State).Valid():
		return reject(http.StatusBadRequest, "state: acknowledged, false-positive or none (to clear)")
	case t.State != "none" && t.Reason == "":
		return reject(http.StatusBadRequest, "give a reason: it is shown to everyone who sees the finding")
	case len(t.Reason) > 2000:
		return reject(http.StatusBadRequest, "the reason is longer than 2000 bytes")
	}
	if err := checkName("reason", t.Reason, 2000); err != nil {
		return reject(http.StatusBadRequest, err.Error())
	}
	ctx := r.Context()
	sys, err := s.st.SystemByName(ctx, t.System)
	if errors.Is(err, store.ErrNotFound) {
		return reject(http.StatusNotFound, "no such system")
	} else if err != nil {
		s.log.Error("triage", "request_id", RequestID(ctx), "err", err)
		return http.StatusServiceUnavailable, "the database is unavailable"
	}
	// Only findings of the latest scan can be triaged: those are the ones shown.
	if found, _, err := s.st.LatestFindings(ctx, store.FindingFilter{SystemID: sys.ID, Fingerprint: t.Fingerprint, Limit: 1}); err != nil {
		s.log.Error("triage", "request_id", RequestID(ctx), "err", err)
		return http.StatusServiceUnavailable, "the database is unavailable"
	} else if len(found) == 0 {
		return reject(http.StatusNotFound, "no such finding in the system's latest scan")
	}
	detail := t.State
	if t.Reason != "" {
		detail += ": " + t.Reason
	}
	if err := s.Audit(r, "finding.triage", object, OutcomeSuccess, truncate(detail, 2100)); err != nil {
		return http.StatusServiceUnavailable, ErrAuditUnavailable.Error()
	}
	if t.State == "none" {
		err = s.st.ClearTriage(ctx, sys.ID, t.Fingerprint)
		if errors.Is(err, store.ErrNotFound) {
			return http.StatusOK, "not triaged"
		}
	} else {
		err = s.st.SetTriage(ctx, store.Triage{SystemID: sys.ID, Fingerprint: t.Fingerprint, State: store.TriageState(t.State), Reason: t.Reason, By: PrincipalFrom(ctx).Actor()})
	}
	if err != nil {
		_ = s.Audit(r, "finding.triage", object, OutcomeError, "not recorded")
		s.log.Error("triage", "request_id", RequestID(ctx), "err", err)
		return http.StatusServiceUnavailable, "the database is unavailable"
	}
	return http.StatusOK, "recorded"
}

func (s *Server) apiTriage(w http.ResponseWriter, r *http.Request) {
	var t TriageRequest
	if !isJSON(r) {
		s.auditedReject(w, r, false, "finding.triage", "finding:?", http.StatusUnsupportedMediaType, "send Content-Type: application/json")
		return
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		s.auditedReject(w, r, false, "finding.triage", "finding:?", http.StatusBadRequest, "malformed triage JSON: "+jsonErr(err))
		return
	}
	status, msg := s.triage(r, t)
	if status == http.StatusServiceUnavailable && msg == ErrAuditUnavailable.Error() {
		AuditFailed(w)
		return
	}
	key := "status"
	if status >= 400 {
		key = "error"
	}
	writeJSON(w, status, map[string]any{key: msg})
}

func (s *Server) triageForm(w http.ResponseWriter, r *http.Request) {
	status, msg := s.triage(r, TriageRequest{System: r.PostFormValue("system"), Fingerprint: r.PostFormValue("fingerprint"),
		State: r.PostFormValue("state"), Reason: r.PostFormValue("reason")})
	switch {
	case status == http.StatusServiceUnavailable && msg == ErrAuditUnavailable.Error():
		AuditFailed(w)
	case status >= 400:
		s.fail(w, r, true, status, "Triage not recorded", msg)
	default:
		// Back to the list as it was filtered; the filter is re-encoded, never echoed.
		back, _ := url.ParseQuery(r.PostFormValue("return"))
		q, err := parseFindingsQuery(back)
		target := "/findings"
		if err == nil {
			if enc := q.values(q.Page).Encode(); enc != "" {
				target += "?" + enc
			}
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	}
}
