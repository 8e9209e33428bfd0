package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// Inventory: systems and what they consist of, as pages (/systems) and JSON
// (/api/v1/systems). Engineers and admins edit; everyone signed in reads. Every change
// is audited before it is made.

// SystemJSON is a system in the API.
type SystemJSON struct {
	ID             int64     `json:"id,omitempty"`
	Name           string    `json:"name"`
	Owner          string    `json:"owner"`
	Environment    string    `json:"environment"`
	Classification string    `json:"classification"`
	Repositories   []string  `json:"repositories"`
	Endpoints      []string  `json:"endpoints"`
	Hosts          []string  `json:"hosts"`
	CreatedAt      time.Time `json:"created_at,omitzero"`
	UpdatedAt      time.Time `json:"updated_at,omitzero"`
}

func systemJSON(sys store.System) SystemJSON {
	out := SystemJSON{ID: sys.ID, Name: sys.Name, Owner: sys.Owner, Environment: string(sys.Environment), Classification: string(sys.Classification),
		Repositories: []string{}, Endpoints: []string{}, Hosts: []string{}, CreatedAt: sys.CreatedAt, UpdatedAt: sys.UpdatedAt}
	for _, t := range sys.Targets {
		switch t.Kind {
		case store.Repo:
			out.Repositories = append(out.Repositories, t.Locator)
		case store.Endpoint:
			out.Endpoints = append(out.Endpoints, t.Locator)
		case store.Host:
			out.Hosts = append(out.Hosts, t.Locator)
		}
	}
	return out
}

// Environments and classifications in the order forms offer them.
var (
	environments    = []string{"dev", "staging", "prod"}
	classifications = []string{"public", "internal", "confidential", "restricted"}
)

// input checks a system as submitted and turns it into the store's form. Messages are
// for the person who filled in the form.
func (j SystemJSON) input() (store.SystemInput, error) {
	in := store.SystemInput{Name: strings.TrimSpace(j.Name), Owner: strings.TrimSpace(j.Owner),
		Environment: store.Environment(strings.ToLower(strings.TrimSpace(j.Environment))), Classification: store.Classification(strings.ToLower(strings.TrimSpace(j.Classification)))}
	if !validSystemName(in.Name) {
		return in, fmt.Errorf("name %q: %s, and not \"new\"", truncate(in.Name, 100), systemNameRule)
	}
	if in.Owner == "" || len(in.Owner) > 200 {
		return in, errors.New("owner: say who is responsible (a team or a person, up to 200 characters)")
	}
	if !containsStr(environments, string(in.Environment)) {
		return in, fmt.Errorf("environment %q: choose dev, staging or prod", truncate(string(in.Environment), 32))
	}
	if !containsStr(classifications, string(in.Classification)) {
		return in, fmt.Errorf("classification %q: choose Public, Internal, Confidential or Restricted", truncate(string(in.Classification), 32))
	}
	seen := map[store.Target]bool{}
	add := func(kind store.TargetKind, list []string, check func(string) error) error {
		for _, v := range list {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if err := checkName(string(kind), v, 2048); err != nil {
				return err
			}
			if err := check(v); err != nil {
				return err
			}
			t := store.Target{Kind: kind, Locator: v}
			if !seen[t] {
				seen[t] = true
				in.Targets = append(in.Targets, t)
			}
		}
		return nil
	}
	if err := add(store.Repo, j.Repositories, func(string) error { return nil }); err != nil {
		return in, err
	}
	if err := add(store.Endpoint, j.Endpoints, checkEndpoint); err != nil {
		return in, err
	}
	if err := add(store.Host, j.Hosts, checkHost); err != nil {
		return in, err
	}
	if len(in.Targets) > 1000 {
		return in, errors.New("more than 1000 repositories, endpoints and hosts")
	}
	return in, nil
}

func containsStr(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func checkEndpoint(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return fmt.Errorf("endpoint %q: give an https:// URL (no credentials in it)", truncate(v, 100))
	}
	return nil
}

func checkHost(v string) error {
	if strings.ContainsAny(v, " /\\\"'<>") {
		return fmt.Errorf("host %q: give a host name or address", truncate(v, 100))
	}
	return nil
}

// ---- JSON API ----

func (s *Server) apiListSystems(w http.ResponseWriter, r *http.Request) {
	systems, err := s.st.ListSystems(r.Context())
	if err != nil {
		s.unavailable(w, r, false, "listing systems", err)
		return
	}
	out := []SystemJSON{}
	for _, sys := range systems {
		out = append(out, systemJSON(sys))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiGetSystem(w http.ResponseWriter, r *http.Request) {
	sys, ok := s.systemFromPath(w, r, false)
	if !ok {
		return
	}
	v, err := s.systemView(r, sys)
	if err != nil {
		s.unavailable(w, r, false, "reading system", err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func decodeSystemJSON(r *http.Request) (SystemJSON, error) {
	var j SystemJSON
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return j, fmt.Errorf("malformed system JSON: %v", jsonErr(err))
	}
	if dec.More() {
		return j, errors.New("malformed system JSON: data after the object")
	}
	return j, nil
}

func (s *Server) apiCreateSystem(w http.ResponseWriter, r *http.Request) {
	if !isJSON(r) {
		s.auditedReject(w, r, false, "system.create", "system:new", http.StatusUnsupportedMediaType, "send Content-Type: application/json")
		return
	}
	j, err := decodeSystemJSON(r)
	if err != nil {
		s.auditedReject(w, r, false, "system.create", "system:new", http.StatusBadRequest, err.Error())
		return
	}
	s.createSystem(w, r, j, false)
}

func (s *Server) apiUpdateSystem(w http.ResponseWriter, r *http.Request) {
	sys, ok := s.systemFromPath(w, r, false)
	if !ok {
		return
	}
	if !isJSON(r) {
		s.auditedReject(w, r, false, "system.update", "system:"+itoa(sys.ID), http.StatusUnsupportedMediaType, "send Content-Type: application/json")
		return
	}
	j, err := decodeSystemJSON(r)
	if err != nil {
		s.auditedReject(w, r, false, "system.update", "system:"+itoa(sys.ID), http.StatusBadRequest, err.Error())
		return
	}
	s.updateSystem(w, r, sys, j, false)
}

func isJSON(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return ct == "application/json" || strings.HasPrefix(ct, "application/json;")
}

// auditedReject records a refused change and answers it. A refusal that cannot be
// audited is answered 503 like any other unaudited action.
func (s *Server) auditedReject(w http.ResponseWriter, r *http.Request, html bool, action, object string, status int, msg string) {
	if err := s.Audit(r, action, object, OutcomeFailure, msg); err != nil {
		AuditFailed(w)
		return
	}
	s.fail(w, r, html, status, "Not saved", msg)
}

// createSystem is the create action of the form and the API. It returns the system on
// success, having answered the request only when !html.
func (s *Server) createSystem(w http.ResponseWriter, r *http.Request, j SystemJSON, html bool) (store.System, bool) {
	in, err := j.input()
	if err != nil {
		s.rejectSystem(w, r, html, "system.create", "system:new", j, err)
		return store.System{}, false
	}
	object := "system:" + in.Name
	if err := s.Audit(r, "system.create", object, OutcomeSuccess, describeSystem(in)); err != nil {
		AuditFailed(w)
		return store.System{}, false
	}
	sys, err := s.st.CreateSystem(r.Context(), in)
	if err != nil {
		_ = s.Audit(r, "system.create", object, OutcomeError, "not created")
		s.systemWriteFailed(w, r, html, j, err)
		return store.System{}, false
	}
	if !html {
		writeJSON(w, http.StatusCreated, systemJSON(sys))
	}
	return sys, true
}

func (s *Server) updateSystem(w http.ResponseWriter, r *http.Request, old store.System, j SystemJSON, html bool) (store.System, bool) {
	object := "system:" + itoa(old.ID)
	in, err := j.input()
	if err != nil {
		s.rejectSystem(w, r, html, "system.update", object, j, err)
		return store.System{}, false
	}
	if err := s.Audit(r, "system.update", object, OutcomeSuccess, describeChange(old, in)); err != nil {
		AuditFailed(w)
		return store.System{}, false
	}
	sys, err := s.st.UpdateSystem(r.Context(), old.ID, in)
	if err != nil {
		_ = s.Audit(r, "system.update", object, OutcomeError, "not updated")
		s.systemWriteFailed(w, r, html, j, err)
		return store.System{}, false
	}
	if !html {
		writeJSON(w, http.StatusOK, systemJSON(sys))
	}
	return sys, true
}

func (s *Server) rejectSystem(w http.ResponseWriter, r *http.Request, html bool, action, object string, j SystemJSON, err error) {
	if aerr := s.Audit(r, action, object, OutcomeFailure, err.Error()); aerr != nil {
		AuditFailed(w)
		return
	}
	if html {
		s.systemForm(w, r, http.StatusBadRequest, j, err.Error())
		return
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
}

func (s *Server) systemWriteFailed(w http.ResponseWriter, r *http.Request, html bool, j SystemJSON, err error) {
	status, msg := http.StatusServiceUnavailable, "The database is unavailable; try again later."
	switch {
	case errors.Is(err, store.ErrConflict):
		status, msg = http.StatusConflict, fmt.Sprintf("A system named %q already exists.", j.Name)
	case errors.Is(err, store.ErrInvalid):
		status, msg = http.StatusBadRequest, err.Error()
	case errors.Is(err, store.ErrNotFound):
		status, msg = http.StatusNotFound, "The system no longer exists."
	default:
		s.log.Error("writing system", "request_id", RequestID(r.Context()), "err", err)
	}
	if html && status != http.StatusServiceUnavailable {
		s.systemForm(w, r, status, j, msg)
		return
	}
	s.fail(w, r, html, status, "Not saved", msg)
}

// describeSystem and describeChange say what was written, for the audit detail.
func describeSystem(in store.SystemInput) string {
	return fmt.Sprintf("owner=%q environment=%s classification=%s targets=%d", in.Owner, in.Environment, in.Classification, len(in.Targets))
}

func describeChange(old store.System, in store.SystemInput) string {
	var ch []string
	if old.Name != in.Name {
		ch = append(ch, fmt.Sprintf("name %q→%q", old.Name, in.Name))
	}
	if old.Owner != in.Owner {
		ch = append(ch, fmt.Sprintf("owner %q→%q", old.Owner, in.Owner))
	}
	if old.Environment != in.Environment {
		ch = append(ch, fmt.Sprintf("environment %s→%s", old.Environment, in.Environment))
	}
	if old.Classification != in.Classification {
		ch = append(ch, fmt.Sprintf("classification %s→%s", old.Classification, in.Classification))
	}
	before, after := map[store.Target]bool{}, map[store.Target]bool{}
	for _, t := range old.Targets {
		before[t] = true
	}
	for _, t := range in.Targets {
		after[t] = true
		if !before[t] {
			ch = append(ch, fmt.Sprintf("+%s %s", t.Kind, t.Locator))
		}
	}
	for _, t := range old.Targets {
		if !after[t] {
			ch = append(ch, fmt.Sprintf("-%s %s", t.Kind, t.Locator))
		}
	}
	if len(ch) == 0 {
		return "no change"
	}
	return truncate(strings.Join(ch, "; "), 2000)
}

// ---- pages ----

type systemRow struct {
	store.System
	Repos, Endpoints, Hosts int
	LastScan                *store.Scan
}

func (s *Server) systemsPage(w http.ResponseWriter, r *http.Request) {
	systems, err := s.st.ListSystems(r.Context())
	if err != nil {
		s.unavailable(w, r, true, "listing systems", err)
		return
	}
	latest, err := s.st.LatestScans(r.Context())
	if err != nil {
		s.unavailable(w, r, true, "latest scans", err)
		return
	}
	byID := map[int64]*store.Scan{}
	for i := range latest {
		byID[latest[i].SystemID] = &latest[i]
	}
	rows := make([]systemRow, 0, len(systems))
	for _, sys := range systems {
		row := systemRow{System: sys, LastScan: byID[sys.ID]}
		for _, t := range sys.Targets {
			switch t.Kind {
			case store.Repo:
				row.Repos++
			case store.Endpoint:
				row.Endpoints++
			case store.Host:
				row.Hosts++
			}
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	s.page(w, r, "systems", "Systems", map[string]any{"Systems": rows})
}

func (s *Server) systemNewPage(w http.ResponseWriter, r *http.Request) {
	s.systemForm(w, r, http.StatusOK, SystemJSON{Environment: "prod", Classification: "internal"}, "")
}

func (s *Server) systemEditPage(w http.ResponseWriter, r *http.Request) {
	sys, ok := s.systemFromPath(w, r, true)
	if !ok {
		return
	}
	j := systemJSON(sys)
	s.systemForm(w, r, http.StatusOK, j, "")
}

// systemForm renders the create (j.ID == 0) or edit form, with an error to show.
func (s *Server) systemForm(w http.ResponseWriter, r *http.Request, status int, j SystemJSON, errMsg string) {
	title, action := "Add a system", "/systems"
	if j.ID != 0 {
		title, action = "Edit "+j.Name, "/systems/"+url.PathEscape(r.PathValue("system"))
	}
	p := PrincipalFrom(r.Context())
	s.render(w, r, status, "system-form", map[string]any{
		"Title": title, "Nav": "systems", "Action": action, "S": j, "Error": errMsg, "CSRF": p.CSRFToken(),
		"Environments": environments, "Classifications": classifications,
		"Repos": strings.Join(j.Repositories, "\n"), "Endpoints": strings.Join(j.Endpoints, "\n"), "Hosts": strings.Join(j.Hosts, "\n"),
	})
}

func formSystem(r *http.Request) SystemJSON {
	lines := func(k string) []string {
		return strings.Split(strings.ReplaceAll(r.PostFormValue(k), "\r\n", "\n"), "\n")
	}
	return SystemJSON{Name: r.PostFormValue("name"), Owner: r.PostFormValue("owner"), Environment: r.PostFormValue("environment"),
		Classification: r.PostFormValue("classification"), Repositories: lines("repositories"), Endpoints: lines("endpoints"), Hosts: lines("hosts")}
}

func (s *Server) systemCreateForm(w http.ResponseWriter, r *http.Request) {
	if sys, ok := s.createSystem(w, r, formSystem(r), true); ok {
		http.Redirect(w, r, "/systems/"+url.PathEscape(sys.Name), http.StatusSeeOther)
	}
}

func (s *Server) systemUpdateForm(w http.ResponseWriter, r *http.Request) {
	old, ok := s.systemFromPath(w, r, true)
	if !ok {
		return
	}
	j := formSystem(r)
	j.ID = old.ID
	if sys, ok := s.updateSystem(w, r, old, j, true); ok {
		http.Redirect(w, r, "/systems/"+url.PathEscape(sys.Name), http.StatusSeeOther)
	}
}
