package server

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/governance"
	"github.com/posture-dev/posture/internal/store"
)

// Governance serves the P7 records (internal/governance): the deviation register,
// emergency changes, incidents, attestations with evidence, policy reviews and the
// compliance report. Build it, pass Routes() in Config.Routes, and Attach the server
// that New returns:
//
//	gov := server.NewGovernance(svc)
//	srv, err := server.New(server.Config{…, Routes: gov.Routes()})
//	gov.Attach(srv)
type Governance struct {
	g *governance.Service
	s *Server
}

// NewGovernance wraps a governance service for the server.
func NewGovernance(g *governance.Service) *Governance { return &Governance{g: g} }

// Attach gives the handlers the server they render pages with.
func (h *Governance) Attach(s *Server) { h.s = s }

// maxAttestationBody bounds an attestation form: one evidence file of the largest size
// the governance service accepts, plus the form's fields and multipart framing. Several
// files share it.
const maxAttestationBody = governance.MaxEvidenceSize + 1<<20

// Routes is the governance part of the route table.
func (h *Governance) Routes() []Route {
	w := h.wrap
	return []Route{
		{"GET", "/deviations", PermDeviationsRead, w(h.deviationsPage), 0},
		{"POST", "/deviations", PermDeviationsRequest, w(h.deviationRequest), 0},
		{"POST", "/deviations/import", PermDeviationsRequest, w(h.deviationImport), 0},
		{"GET", "/deviations/{id}", PermDeviationsRead, w(h.deviationPage), 0},
		{"POST", "/deviations/{id}/decision", PermDeviationsApprove, w(h.deviationDecide), 0},
		{"GET", "/api/v1/systems/{system}/deviations", PermDeviationsRead, w(h.apiActiveDeviations), 0},

		{"GET", "/changes", PermRecordsRead, w(h.changesPage), 0},
		{"POST", "/changes", PermRecordsWrite, w(h.changeRecord), 0},
		{"POST", "/changes/{id}/approve", PermChangesApprove, w(h.changeApprove), 0},

		{"GET", "/incidents", PermRecordsRead, w(h.incidentsPage), 0},
		{"POST", "/incidents", PermRecordsWrite, w(h.incidentOpen), 0},
		{"GET", "/incidents/{id}", PermRecordsRead, w(h.incidentPage), 0},
		{"POST", "/incidents/{id}", PermRecordsWrite, w(h.incidentUpdate), 0},
		{"GET", "/incidents/{id}/export.md", PermRecordsRead, w(h.incidentMarkdown), 0},

		{"GET", "/attestations", PermRecordsRead, w(h.attestationsPage), 0},
		{"POST", "/attestations", PermRecordsWrite, w(h.attestationRecord), maxAttestationBody},
		{"GET", "/evidence/{id}", PermEvidenceRead, w(h.evidenceDownload), 0},

		{"GET", "/policy", PermRecordsRead, w(h.policyPage), 0},
		{"POST", "/policy", PermPolicyReview, w(h.policyUpload), 0},
		{"GET", "/policy/{id}", PermRecordsRead, w(h.policyVersionPage), 0},
		{"POST", "/policy/{id}/review", PermPolicyReview, w(h.policyReview), 0},

		{"GET", "/report", PermRecordsRead, w(h.reportPage), 0},
	}
}

func (h *Governance) wrap(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.s == nil {
			http.Error(w, "governance is not attached to the server", http.StatusInternalServerError)
			return
		}
		fn(w, r)
	}
}

// actor is the principal as the governance service names it.
func actor(r *http.Request) governance.Actor {
	p := PrincipalFrom(r.Context())
	a := governance.Actor{Name: p.Actor(), RequestID: RequestID(r.Context()), Source: r.RemoteAddr}
	if p != nil && p.User != nil {
		a.UserID = p.User.ID
	}
	return a
}

// failed answers a governance error: the service has already audited refusals.
func (h *Governance) failed(w http.ResponseWriter, r *http.Request, html bool, title string, err error) {
	switch {
	case errors.Is(err, governance.ErrForbidden):
		h.s.fail(w, r, html, http.StatusForbidden, title, err.Error())
	case errors.Is(err, store.ErrInvalid):
		h.s.fail(w, r, html, http.StatusBadRequest, title, err.Error())
	case errors.Is(err, store.ErrNotFound):
		h.s.fail(w, r, html, http.StatusNotFound, title, err.Error())
	case errors.Is(err, store.ErrConflict):
		h.s.fail(w, r, html, http.StatusConflict, title, err.Error())
	case errors.Is(err, governance.ErrTampered):
		h.s.log.Error("evidence tampered", "request_id", RequestID(r.Context()), "err", err)
		h.s.fail(w, r, html, http.StatusInternalServerError, title, err.Error())
	default:
		h.s.unavailable(w, r, html, title, err)
	}
}

func pathID(r *http.Request) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return n, err == nil && n > 0
}

func (h *Governance) page(w http.ResponseWriter, r *http.Request, name, title string, data map[string]any) {
	p := PrincipalFrom(r.Context())
	for k, perm := range map[string]Permission{"CanRequest": PermDeviationsRequest, "CanApprove": PermDeviationsApprove, "CanWriteRecords": PermRecordsWrite,
		"CanApproveChanges": PermChangesApprove, "CanReadEvidence": PermEvidenceRead, "CanReview": PermPolicyReview} {
		data[k] = p.Can(perm)
	}
	h.s.page(w, r, name, title, data)
}

// systemNames lists the systems for forms.
func (h *Governance) systemNames(r *http.Request) []string {
	list, err := h.s.st.ListSystems(r.Context())
	if err != nil {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Name
	}
	return out
}

// --- deviations

func (h *Governance) deviationsPage(w http.ResponseWriter, r *http.Request) {
	system := r.URL.Query().Get("system")
	if system != "" && !validSystemName(system) {
		h.s.fail(w, r, true, http.StatusBadRequest, "Bad system name", systemNameRule+".")
		return
	}
	list, err := h.g.Deviations(r.Context(), system)
	if err != nil {
		h.failed(w, r, true, "Deviations", err)
		return
	}
	pack, _ := defaultPack()
	h.page(w, r, "gov-deviations", "Deviations", map[string]any{"Deviations": list, "System": system, "Systems": h.systemNames(r),
		"Pack": pack, "MaxExpiry": h.s.now().AddDate(1, 0, 0).Format(time.DateOnly), "Today": h.s.now().Format(time.DateOnly)})
}

func (h *Governance) deviationRequest(w http.ResponseWriter, r *http.Request) {
	n, err := h.g.RequestDeviation(r.Context(), actor(r), governance.DeviationRequest{
		System: r.PostFormValue("system"), Control: r.PostFormValue("control"), Scope: r.PostFormValue("scope"),
		Repository: r.PostFormValue("repository"), Fingerprint: r.PostFormValue("fingerprint"),
		Reason: r.PostFormValue("reason"), Compensating: r.PostFormValue("compensating"), Expires: r.PostFormValue("expires")})
	if err != nil {
		h.failed(w, r, true, "Deviation not requested", err)
		return
	}
	http.Redirect(w, r, "/deviations/"+strconv.FormatInt(n, 10), http.StatusSeeOther)
}

func (h *Governance) deviationImport(w http.ResponseWriter, r *http.Request) {
	f, _, err := r.FormFile("file")
	if err != nil {
		h.s.fail(w, r, true, http.StatusBadRequest, "Nothing imported", "Choose the repository's .posture/deviations.yaml.")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 256<<10))
	if err != nil {
		h.s.fail(w, r, true, http.StatusBadRequest, "Nothing imported", "The file could not be read.")
		return
	}
	ids, problems, err := h.g.ImportDeviations(r.Context(), actor(r), r.PostFormValue("system"), data)
	if err != nil {
		h.failed(w, r, true, "Nothing imported", err)
		return
	}
	msg := strconv.Itoa(len(ids)) + " request(s) created; each needs an approver who did not import it."
	if len(problems) > 0 {
		msg += " Not imported: " + strings.Join(problems, "; ")
	}
	h.s.render(w, r, http.StatusOK, "message", map[string]any{"Title": "Deviations imported", "Message": msg})
}

func (h *Governance) deviationPage(w http.ResponseWriter, r *http.Request) {
	n, ok := pathID(r)
	if !ok {
		h.s.fail(w, r, true, http.StatusNotFound, "No such deviation", "")
		return
	}
	d, err := h.g.Deviation(r.Context(), n)
	if err != nil {
		h.failed(w, r, true, "Deviation", err)
		return
	}
	p := PrincipalFrom(r.Context())
	own := p != nil && p.User != nil && p.User.ID == d.RequesterID
	h.page(w, r, "gov-deviation", "Deviation "+strconv.FormatInt(n, 10), map[string]any{"D": d, "Own": own})
}

func (h *Governance) deviationDecide(w http.ResponseWriter, r *http.Request) {
	n, ok := pathID(r)
	if !ok {
		h.s.fail(w, r, true, http.StatusNotFound, "No such deviation", "")
		return
	}
	approve := r.PostFormValue("decision") == "approve"
	if err := h.g.DecideDeviation(r.Context(), actor(r), n, approve, r.PostFormValue("note")); err != nil {
		h.failed(w, r, true, "Decision not recorded", err)
		return
	}
	http.Redirect(w, r, "/deviations/"+strconv.FormatInt(n, 10), http.StatusSeeOther)
}

// apiActiveDeviations is what `posture scan --server` pulls: the system's approved,
// unexpired deviations in the engine's form.
func (h *Governance) apiActiveDeviations(w http.ResponseWriter, r *http.Request) {
	sys, ok := h.s.systemFromPath(w, r, false)
	if !ok {
		return
	}
	base := "https://" + r.Host
	devs, err := h.g.ActiveDeviations(r.Context(), sys.Name, base)
	if err != nil {
		h.failed(w, r, false, "deviations", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"schema": "posture.deviations/v1", "system": sys.Name, "generated_at": h.s.now().UTC(), "deviations": nonNil(devs)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// --- emergency changes

func (h *Governance) changesPage(w http.ResponseWriter, r *http.Request) {
	list, err := h.g.Changes(r.Context(), "")
	if err != nil {
		h.failed(w, r, true, "Emergency changes", err)
		return
	}
	incidents, _ := h.g.Incidents(r.Context())
	h.page(w, r, "gov-changes", "Emergency changes", map[string]any{"Changes": list, "Systems": h.systemNames(r), "Incidents": incidents,
		"Now": h.s.now().UTC().Format("2006-01-02T15:04")})
}

func (h *Governance) changeRecord(w http.ResponseWriter, r *http.Request) {
	at, err := time.Parse("2006-01-02T15:04", r.PostFormValue("changed_at"))
	if err != nil {
		h.s.fail(w, r, true, http.StatusBadRequest, "Change not recorded", "When: a date and time (UTC), like 2026-03-01T14:30.")
		return
	}
	inc, _ := strconv.ParseInt(r.PostFormValue("incident"), 10, 64)
	if _, err := h.g.RecordChange(r.Context(), actor(r), governance.ChangeRecord{System: r.PostFormValue("system"), Summary: r.PostFormValue("summary"),
		Reason: r.PostFormValue("reason"), ChangedAt: at, ChangedBy: r.PostFormValue("changed_by"), IncidentID: inc}); err != nil {
		h.failed(w, r, true, "Change not recorded", err)
		return
	}
	http.Redirect(w, r, "/changes", http.StatusSeeOther)
}

func (h *Governance) changeApprove(w http.ResponseWriter, r *http.Request) {
	n, ok := pathID(r)
	if !ok {
		h.s.fail(w, r, true, http.StatusNotFound, "No such change", "")
		return
	}
	if err := h.g.ApproveChange(r.Context(), actor(r), n); err != nil {
		h.failed(w, r, true, "Approval not recorded", err)
		return
	}
	http.Redirect(w, r, "/changes", http.StatusSeeOther)
}

// --- incidents

func (h *Governance) incidentsPage(w http.ResponseWriter, r *http.Request) {
	list, err := h.g.Incidents(r.Context())
	if err != nil {
		h.failed(w, r, true, "Incidents", err)
		return
	}
	h.page(w, r, "gov-incidents", "Incidents", map[string]any{"Incidents": list, "Systems": h.systemNames(r), "Severities": governance.Severities})
}

func (h *Governance) incidentOpen(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	n, err := h.g.OpenIncident(r.Context(), actor(r), governance.IncidentInput{Title: r.PostFormValue("title"), Severity: r.PostFormValue("severity"),
		Owner: r.PostFormValue("owner"), Systems: r.PostForm["system"]})
	if err != nil {
		h.failed(w, r, true, "Incident not opened", err)
		return
	}
	http.Redirect(w, r, "/incidents/"+strconv.FormatInt(n, 10), http.StatusSeeOther)
}

func (h *Governance) incidentPage(w http.ResponseWriter, r *http.Request) {
	n, ok := h.incidentID(w, r)
	if !ok {
		return
	}
	in, err := h.g.Incident(r.Context(), n)
	if err != nil {
		h.failed(w, r, true, "Incident", err)
		return
	}
	h.page(w, r, "gov-incident", "Incident "+strconv.FormatInt(n, 10), map[string]any{"I": in, "Phases": governance.Phases})
}

func (h *Governance) incidentUpdate(w http.ResponseWriter, r *http.Request) {
	n, ok := h.incidentID(w, r)
	if !ok {
		return
	}
	ch, _ := strconv.ParseInt(r.PostFormValue("link_change"), 10, 64)
	if err := h.g.UpdateIncident(r.Context(), actor(r), n, governance.IncidentUpdate{Entry: r.PostFormValue("entry"), Phase: r.PostFormValue("phase"),
		Review: r.PostFormValue("review"), LinkFinding: r.PostFormValue("link_finding"), LinkChange: ch}); err != nil {
		h.failed(w, r, true, "Incident not updated", err)
		return
	}
	http.Redirect(w, r, "/incidents/"+strconv.FormatInt(n, 10), http.StatusSeeOther)
}

func (h *Governance) incidentMarkdown(w http.ResponseWriter, r *http.Request) {
	n, ok := h.incidentID(w, r)
	if !ok {
		return
	}
	in, err := h.g.Incident(r.Context(), n)
	if err != nil {
		h.failed(w, r, true, "Incident", err)
		return
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="incident-`+strconv.FormatInt(n, 10)+`.md"`)
	io.WriteString(w, governance.IncidentMarkdown(in))
}

// --- attestations

func (h *Governance) attestationsPage(w http.ResponseWriter, r *http.Request) {
	list, err := h.g.Attestations(r.Context(), "")
	if err != nil {
		h.failed(w, r, true, "Attestations", err)
		return
	}
	h.page(w, r, "gov-attestations", "Attestations", map[string]any{"Attestations": list, "Kinds": governance.AttestationKinds, "Systems": h.systemNames(r),
		"Today": h.s.now().Format(time.DateOnly), "MaxMiB": 1})
}

func (h *Governance) attestationRecord(w http.ResponseWriter, r *http.Request) {
	// The route's MaxBody (maxAttestationBody) bounds the whole form, which the CSRF
	// check has already read.
	var files []governance.EvidenceFile
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["evidence"] {
			f, err := fh.Open()
			if err != nil {
				h.s.fail(w, r, true, http.StatusBadRequest, "Attestation not recorded", "An evidence file could not be read.")
				return
			}
			data, err := io.ReadAll(io.LimitReader(f, governance.MaxEvidenceSize+1))
			f.Close()
			if err != nil {
				h.s.fail(w, r, true, http.StatusBadRequest, "Attestation not recorded", "An evidence file could not be read.")
				return
			}
			files = append(files, governance.EvidenceFile{Name: fh.Filename, Data: data})
		}
	}
	cadence, _ := strconv.Atoi(r.PostFormValue("cadence_days"))
	if _, err := h.g.RecordAttestation(r.Context(), actor(r), governance.AttestationInput{System: r.PostFormValue("system"), Kind: r.PostFormValue("kind"),
		Control: r.PostFormValue("control"), PerformedOn: r.PostFormValue("performed_on"), CadenceDays: cadence, Summary: r.PostFormValue("summary")}, files); err != nil {
		h.failed(w, r, true, "Attestation not recorded", err)
		return
	}
	http.Redirect(w, r, "/attestations", http.StatusSeeOther)
}

func (h *Governance) evidenceDownload(w http.ResponseWriter, r *http.Request) {
	n, ok := pathID(r)
	if !ok {
		h.s.fail(w, r, true, http.StatusNotFound, "No such evidence", "")
		return
	}
	e, data, err := h.g.Evidence(r.Context(), actor(r), n)
	if err != nil {
		h.failed(w, r, true, "Evidence", err)
		return
	}
	w.Header().Set("Content-Type", e.ContentType)
	// Always a download, never rendered in the server's origin.
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(e.Name, `"`, "_")+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(data)
}

// --- policy reviews

func (h *Governance) policyPage(w http.ResponseWriter, r *http.Request) {
	st, err := h.g.CurrentPackStatus(r.Context())
	if err != nil {
		h.failed(w, r, true, "Policy", err)
		return
	}
	versions, err := store.GovPolicyPacks(r.Context(), h.s.st)
	if err != nil {
		h.failed(w, r, true, "Policy", err)
		return
	}
	reviews, err := store.GovPolicyReviews(r.Context(), h.s.st, 0)
	if err != nil {
		h.failed(w, r, true, "Policy", err)
		return
	}
	h.page(w, r, "gov-policy", "Policy pack", map[string]any{"P": st, "Versions": versions, "Reviews": reviews})
}

func (h *Governance) policyUpload(w http.ResponseWriter, r *http.Request) {
	f, _, err := r.FormFile("pack")
	if err != nil {
		h.s.fail(w, r, true, http.StatusBadRequest, "Pack not loaded", "Choose a policy pack YAML file.")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, governance.MaxPackSize+1))
	if err != nil {
		h.s.fail(w, r, true, http.StatusBadRequest, "Pack not loaded", "The file could not be read.")
		return
	}
	up, err := h.g.UploadPack(r.Context(), actor(r), data)
	if err != nil {
		h.failed(w, r, true, "Pack not loaded", err)
		return
	}
	http.Redirect(w, r, "/policy/"+strconv.FormatInt(up.ID, 10), http.StatusSeeOther)
}

func (h *Governance) policyVersionPage(w http.ResponseWriter, r *http.Request) {
	n, ok := pathID(r)
	if !ok {
		h.s.fail(w, r, true, http.StatusNotFound, "No such pack version", "")
		return
	}
	row, up, err := h.g.PackVersion(r.Context(), n)
	if err != nil {
		h.failed(w, r, true, "Policy pack", err)
		return
	}
	reviews, _ := store.GovPolicyReviews(r.Context(), h.s.st, n)
	h.page(w, r, "gov-policy-version", "Policy pack "+row.Name+" "+row.Version, map[string]any{"Row": row, "Diff": up.Diff, "Reviews": reviews,
		"Today": h.s.now().Format(time.DateOnly)})
}

func (h *Governance) policyReview(w http.ResponseWriter, r *http.Request) {
	n, ok := pathID(r)
	if !ok {
		h.s.fail(w, r, true, http.StatusNotFound, "No such pack version", "")
		return
	}
	if err := h.g.RecordReview(r.Context(), actor(r), n, r.PostFormValue("reviewer"), r.PostFormValue("reviewed_on"), r.PostFormValue("notes")); err != nil {
		h.failed(w, r, true, "Review not recorded", err)
		return
	}
	http.Redirect(w, r, "/policy/"+strconv.FormatInt(n, 10), http.StatusSeeOther)
}

// --- compliance report

func (h *Governance) reportPage(w http.ResponseWriter, r *http.Request) {
	rep, err := h.g.BuildReport(r.Context())
	if err != nil {
		h.failed(w, r, true, "Compliance report", err)
		return
	}
	h.page(w, r, "gov-report", "Compliance report", map[string]any{"R": rep})
}

// incidentID reads the incident number from the path, answering 404 when there is none.
func (h *Governance) incidentID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	n, ok := pathID(r)
	if !ok {
		h.s.fail(w, r, true, http.StatusNotFound, "No such incident", "")
	}
	return n, ok
}
