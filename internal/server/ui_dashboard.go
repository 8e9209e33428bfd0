package server

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"sort"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// The dashboard: posture per policy section × system from each system's latest scan,
// and the trend of every section over the last trendDays days. It reads only
// scan_sections (one small row per scan and section, computed when the scan was
// recorded), never findings, and the result is cached under the store's change stamp,
// so a request costs one cheap query while nothing changes.

const trendDays = 90

// DashboardJSON is GET /api/v1/dashboard and the dashboard page's data.
type DashboardJSON struct {
	GeneratedAt time.Time     `json:"generated_at"`
	Environment string        `json:"environment,omitempty"`
	Sections    []SectionJSON `json:"sections"`
	Systems     []DashSystem  `json:"systems"`
	// Totals sums each section over the systems shown, in Sections order.
	Totals []DashCell `json:"section_totals"`
	Trend  TrendJSON  `json:"trend"`
}

// SectionJSON is a policy section.
type SectionJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// DashSystem is one row of the matrix.
type DashSystem struct {
	Name           string     `json:"name"`
	Owner          string     `json:"owner"`
	Environment    string     `json:"environment"`
	Classification string     `json:"classification"`
	LastScan       *time.Time `json:"last_scan"`
	Open           int        `json:"open_findings"`
	Cells          []DashCell `json:"cells"`
}

// DashCell is a system's (or all systems') state in one section: control results by
// status and open findings. State summarises it: fail if any control fails, else
// unknown if any could not be decided, else pass if any passed (or is covered by a
// deviation), n/a if nothing applied, none when no scan covered the section.
type DashCell struct {
	Section       string `json:"section"`
	State         string `json:"state"`
	Pass          int    `json:"pass"`
	Fail          int    `json:"fail"`
	Deviation     int    `json:"deviation"`
	NotApplicable int    `json:"not_applicable"`
	Unknown       int    `json:"unknown"`
	Open          int    `json:"open_findings"`
}

func (c *DashCell) add(p store.SectionPosture) {
	c.Pass += p.Pass
	c.Fail += p.Fail
	c.Deviation += p.Deviation
	c.NotApplicable += p.NotApplicable
	c.Unknown += p.Unknown
	c.Open += p.Findings.Open
}

func (c *DashCell) settle(scanned bool) {
	switch {
	case !scanned:
		c.State = "none"
	case c.Fail > 0:
		c.State = "fail"
	case c.Unknown > 0:
		c.State = "unknown"
	case c.Pass+c.Deviation > 0:
		c.State = "pass"
	default:
		c.State = "n/a"
	}
}

// TrendJSON is, per section and day, the share of decided control results that pass
// (pass or deviation among pass, fail, deviation and unknown), over every shown
// system's latest scan as of the end of that day. A value is null when no scan had
// covered the section by then.
type TrendJSON struct {
	Days   []string      `json:"days"`
	Series []TrendSeries `json:"series"`
}

// TrendSeries is one section's line.
type TrendSeries struct {
	Section string     `json:"section"`
	Title   string     `json:"title"`
	Percent []*float64 `json:"percent"`
}

// dashView is what the dashboard body template renders.
type dashView struct {
	M      *DashboardJSON
	Chart  template.HTML
	Legend []legendEntry
	Table  trendTable
}

type dashboardCache struct {
	key   string
	model *DashboardJSON
	body  template.HTML // the page's body, rendered once
	json  []byte        // the API's answer, encoded once
}

func (s *Server) dashboardJSON(w http.ResponseWriter, r *http.Request) {
	c, ok := s.dashboardData(w, r, false)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(c.json)
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	c, ok := s.dashboardData(w, r, true)
	if !ok {
		return
	}
	s.page(w, r, "dashboard", "Dashboard", map[string]any{"Body": c.body, "Env": c.model.Environment, "Environments": environments})
}

// dashboardData returns the cached dashboard for the request's filter, rebuilding it
// when the data changed (or the day did, which moves the trend window).
func (s *Server) dashboardData(w http.ResponseWriter, r *http.Request, html bool) (*dashboardCache, bool) {
	env := r.URL.Query().Get("environment")
	if env != "" && !containsStr(environments, env) {
		s.fail(w, r, html, http.StatusBadRequest, "Bad filter", "environment must be dev, staging or prod")
		return nil, false
	}
	ctx := r.Context()
	stamp, err := s.st.ChangeStamp(ctx)
	if err != nil {
		s.unavailable(w, r, html, "dashboard", err)
		return nil, false
	}
	now := s.now().UTC()
	key := stamp + "|" + now.Format(time.DateOnly)
	s.ui.dashMu.Lock()
	defer s.ui.dashMu.Unlock() // one rebuild at a time; the others then find it cached
	if c := s.ui.dash[env]; c != nil && c.key == key {
		return c, true
	}
	m, err := s.buildDashboard(ctx, env, now)
	if err != nil {
		s.unavailable(w, r, html, "dashboard", err)
		return nil, false
	}
	c := &dashboardCache{key: key, model: m}
	var buf bytes.Buffer
	view := dashView{M: m, Chart: trendSVG(m.Trend), Legend: trendLegend(m.Trend), Table: sampleTrend(m.Trend)}
	if err := s.pages.t["dashboard"].ExecuteTemplate(&buf, "dashboard-body", view); err != nil {
		s.log.Error("rendering dashboard", "err", err)
		s.fail(w, r, html, http.StatusInternalServerError, "Internal error", "The dashboard could not be rendered.")
		return nil, false
	}
	c.body = template.HTML(buf.String()) // produced by html/template: already escaped
	if c.json, err = json.Marshal(m); err != nil {
		s.log.Error("encoding dashboard", "err", err)
		s.fail(w, r, html, http.StatusInternalServerError, "Internal error", "The dashboard could not be encoded.")
		return nil, false
	}
	c.json = append(c.json, '\n')
	s.ui.dash[env] = c
	return c, true
}

func (s *Server) buildDashboard(ctx context.Context, env string, now time.Time) (*DashboardJSON, error) {
	systems, err := s.st.ListSystems(ctx)
	if err != nil {
		return nil, err
	}
	latest, err := s.st.LatestSections(ctx)
	if err != nil {
		return nil, err
	}
	firstDay := now.Truncate(24*time.Hour).AddDate(0, 0, -(trendDays - 1))
	history, err := s.st.PostureBySectionOverTime(ctx, store.PostureQuery{})
	if err != nil {
		return nil, err
	}
	shown := map[int64]bool{}
	m := &DashboardJSON{GeneratedAt: now, Environment: env}
	for _, sys := range systems {
		if env == "" || string(sys.Environment) == env {
			shown[sys.ID] = true
		}
	}

	// Sections: the pack's, in its order, then any others the scans used.
	secIndex := map[string]int{}
	addSection := func(id, title string) {
		if _, ok := secIndex[id]; !ok {
			secIndex[id] = len(m.Sections)
			m.Sections = append(m.Sections, SectionJSON{ID: id, Title: title})
		}
	}
	if pack, err := defaultPack(); err == nil {
		for _, sec := range pack.Sections {
			addSection(sec.ID, sec.Title)
		}
	}
	var extra []string
	for _, p := range latest {
		if _, ok := secIndex[p.Section]; !ok {
			extra = append(extra, p.Section)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		addSection(id, id)
	}

	bySystem := map[int64][]store.SectionPosture{}
	for _, p := range latest {
		bySystem[p.SystemID] = append(bySystem[p.SystemID], p)
	}
	m.Totals = make([]DashCell, len(m.Sections))
	totalScanned := make([]bool, len(m.Sections))
	for i, sec := range m.Sections {
		m.Totals[i].Section = sec.ID
	}
	m.Systems = []DashSystem{}
	for _, sys := range systems {
		if !shown[sys.ID] {
			continue
		}
		row := DashSystem{Name: sys.Name, Owner: sys.Owner, Environment: string(sys.Environment), Classification: string(sys.Classification),
			Cells: make([]DashCell, len(m.Sections))}
		scanned := make([]bool, len(m.Sections))
		for _, p := range bySystem[sys.ID] {
			i := secIndex[p.Section]
			row.Cells[i].add(p)
			m.Totals[i].add(p)
			scanned[i], totalScanned[i] = true, true
			row.Open += p.Findings.Open
			at := p.At
			row.LastScan = &at
		}
		for i := range row.Cells {
			row.Cells[i].Section = m.Sections[i].ID
			row.Cells[i].settle(scanned[i])
		}
		m.Systems = append(m.Systems, row)
	}
	for i := range m.Totals {
		m.Totals[i].settle(totalScanned[i])
	}
	m.Trend = buildTrend(history, shown, m.Sections, secIndex, firstDay)
	return m, nil
}

// buildTrend walks each system's scans in time order alongside the days of the window,
// so it costs one pass over the history however many days are shown.
func buildTrend(history []store.SectionPosture, shown map[int64]bool, sections []SectionJSON, secIndex map[string]int, firstDay time.Time) TrendJSON {
	type scanPoint struct {
		at   time.Time
		secs []store.SectionPosture
	}
	// history is ordered by system, time, scan: group it into scans per system.
	perSystem := map[int64][]scanPoint{}
	var lastScan int64 = -1
	for _, p := range history {
		if !shown[p.SystemID] {
			continue
		}
		pts := perSystem[p.SystemID]
		if p.ScanID != lastScan || len(pts) == 0 {
			pts = append(pts, scanPoint{at: p.At})
			lastScan = p.ScanID
		}
		pts[len(pts)-1].secs = append(pts[len(pts)-1].secs, p)
		perSystem[p.SystemID] = pts
	}
	t := TrendJSON{Days: make([]string, trendDays)}
	good := make([][]int, trendDays)
	decided := make([][]int, trendDays)
	for d := range trendDays {
		t.Days[d] = firstDay.AddDate(0, 0, d).Format(time.DateOnly)
		good[d], decided[d] = make([]int, len(sections)), make([]int, len(sections))
	}
	for _, pts := range perSystem {
		idx := -1
		for d := range trendDays {
			end := firstDay.AddDate(0, 0, d+1)
			for idx+1 < len(pts) && pts[idx+1].at.Before(end) {
				idx++
			}
			if idx < 0 {
				continue
			}
			for _, p := range pts[idx].secs {
				i, ok := secIndex[p.Section]
				if !ok {
					continue
				}
				good[d][i] += p.Pass + p.Deviation
				decided[d][i] += p.Pass + p.Deviation + p.Fail + p.Unknown
			}
		}
	}
	for i, sec := range sections {
		ser := TrendSeries{Section: sec.ID, Title: sec.Title, Percent: make([]*float64, trendDays)}
		for d := range trendDays {
			if decided[d][i] > 0 {
				v := float64(good[d][i]) * 100 / float64(decided[d][i])
				v = float64(int(v*10+0.5)) / 10
				ser.Percent[d] = &v
			}
		}
		t.Series = append(t.Series, ser)
	}
	return t
}
