package server

import (
	"errors"
	"net/http"
	"regexp"
	"sort"
	"sync"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/store"
)

// uiRoutes are the inventory, scan upload and web UI routes (P6 items 6 and 7). Pages
// and their JSON twins need the same permission; writes need systems:write,
// findings:triage or scans:write.
func (s *Server) uiRoutes() []Route {
	s.ui = newUIState()
	return []Route{
		{"GET", "/systems", PermSystemsRead, s.systemsPage, 0},
		{"GET", "/systems/new", PermSystemsWrite, s.systemNewPage, 0},
		{"POST", "/systems", PermSystemsWrite, s.systemCreateForm, 0},
		{"GET", "/systems/{system}", PermSystemsRead, s.systemPage, 0},
		{"GET", "/systems/{system}/edit", PermSystemsWrite, s.systemEditPage, 0},
		{"POST", "/systems/{system}", PermSystemsWrite, s.systemUpdateForm, 0},
		{"GET", "/controls/{control}", PermFindingsRead, s.controlPage, 0},
		{"GET", "/findings", PermFindingsRead, s.findingsPage, 0},
		{"POST", "/findings/triage", PermFindingsTriage, s.triageForm, 0},

		{"GET", "/api/v1/dashboard", PermDashboardRead, s.dashboardJSON, 0},
		{"GET", "/api/v1/systems", PermSystemsRead, s.apiListSystems, 0},
		{"POST", "/api/v1/systems", PermSystemsWrite, s.apiCreateSystem, 0},
		{"GET", "/api/v1/systems/{system}", PermSystemsRead, s.apiGetSystem, 0},
		{"PUT", "/api/v1/systems/{system}", PermSystemsWrite, s.apiUpdateSystem, 0},
		{"POST", "/api/v1/systems/{system}/scans", PermScansWrite, s.uploadScan, MaxUploadBytes},
		{"GET", "/api/v1/controls/{control}", PermFindingsRead, s.apiControl, 0},
		{"GET", "/api/v1/findings", PermFindingsRead, s.apiFindings, 0},
		{"POST", "/api/v1/findings/triage", PermFindingsTriage, s.apiTriage, 0},
	}
}

// uiState is what the pages derive from the database and may keep: only caches keyed
// by immutable scan IDs or by the store's change stamp, so every replica serves the same
// answer and none needs another's memory.
type uiState struct {
	dashMu sync.Mutex
	dash   map[string]*dashboardCache
	// reports caches the parsed details (control statuses, evidence, fixes) of stored
	// reports by scan ID; a recorded scan never changes.
	reports *reportCache
}

func newUIState() *uiState {
	return &uiState{dash: map[string]*dashboardCache{}, reports: newReportCache(32)}
}

// defaultPack is the embedded policy pack: what each control asks, its section titles.
var defaultPack = sync.OnceValues(policy.Default)

// systemNameRE is what a system name may be: it appears in URL paths and in
// `posture scan --system`, so no separators, no dot-dot, nothing to escape.
var systemNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// reservedNames would collide with fixed paths under /systems/.
var reservedNames = map[string]bool{"new": true}

func validSystemName(name string) bool {
	return systemNameRE.MatchString(name) && !reservedNames[name]
}

const systemNameRule = "a system name is 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit"

// systemFromPath finds the system named in the {system} path segment. It answers the
// request itself (400, 404, 503) and returns false when there is none.
func (s *Server) systemFromPath(w http.ResponseWriter, r *http.Request, html bool) (store.System, bool) {
	name := r.PathValue("system")
	if !validSystemName(name) {
		s.fail(w, r, html, http.StatusBadRequest, "Bad system name", systemNameRule+".")
		return store.System{}, false
	}
	sys, err := s.st.SystemByName(r.Context(), name)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.fail(w, r, html, http.StatusNotFound, "No such system", "There is no system named "+name+".")
			return store.System{}, false
		}
		s.unavailable(w, r, html, "reading system", err)
		return store.System{}, false
	}
	return sys, true
}

// fail answers with an error page (html) or a JSON error.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, html bool, status int, title, msg string) {
	if html {
		s.render(w, r, status, "message", map[string]any{"Title": title, "Message": msg})
		return
	}
	writeJSON(w, status, map[string]any{"error": msg})
}

func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, html bool, what string, err error) {
	s.log.Error(what, "request_id", RequestID(r.Context()), "err", err)
	s.fail(w, r, html, http.StatusServiceUnavailable, "Unavailable", "The database is unavailable; try again later.")
}

// page renders an HTML page, adding what every UI page's navigation needs.
func (s *Server) page(w http.ResponseWriter, r *http.Request, name, title string, data map[string]any) {
	data["Title"] = title
	data["Nav"] = name
	p := PrincipalFrom(r.Context())
	data["CSRF"] = p.CSRFToken()
	data["CanWriteSystems"] = p.Can(PermSystemsWrite)
	data["CanTriage"] = p.Can(PermFindingsTriage)
	s.render(w, r, http.StatusOK, name, data)
}

func sortStableBy[T any](s []T, less func(a, b T) bool) {
	sort.SliceStable(s, func(i, j int) bool { return less(s[i], s[j]) })
}
