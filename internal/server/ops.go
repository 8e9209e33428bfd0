package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/alert"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/store"
)

// Ops serves the operators' side of the background work (docs/jobs.md, docs/alerts.md):
// alert channels and the delivery log, the job queue and its log, and the scan schedule
// of each system. Build it from the running jobs, pass Routes() in Config.Routes and
// Attach the server, as with Governance.
//
// Permissions: channels, deliveries and jobs are config:write (admins) — a channel's
// destination can be a secret in itself (a Slack webhook path is a token) and the
// delivery log repeats alert texts; schedules are read with systems:read and set with
// systems:write, like the system's targets they scan (engineers and admins).
type Ops struct {
	q     *jobs.Queue
	sched *jobs.Scheduler
	ch    *alert.Channels
	s     *Server
}

// NewOps wraps the queue, scheduler and alert channels of serverjobs.Runtime.
func NewOps(q *jobs.Queue, sched *jobs.Scheduler, ch *alert.Channels) *Ops {
	return &Ops{q: q, sched: sched, ch: ch}
}

// Attach gives the handlers the server they render pages with.
func (o *Ops) Attach(s *Server) { o.s = s }

// Routes is the operators' part of the route table.
func (o *Ops) Routes() []Route {
	w := o.wrap
	r := func(method, pattern string, perm Permission, h http.HandlerFunc) Route {
		return Route{Method: method, Pattern: pattern, Perm: perm, Handler: w(h)}
	}
	return []Route{
		r("GET", "/ops/jobs", PermConfigWrite, o.jobsPage),
		r("GET", "/ops/jobs/{id}", PermConfigWrite, o.jobPage),
		r("POST", "/ops/rematch", PermConfigWrite, o.rematch),
		r("GET", "/api/v1/jobs", PermConfigWrite, o.apiJobs),
		r("GET", "/api/v1/jobs/{id}", PermConfigWrite, o.apiJob),
		r("POST", "/api/v1/jobs/rematch", PermConfigWrite, o.rematch),

		r("GET", "/ops/schedules", PermSystemsRead, o.schedulesPage),
		r("POST", "/ops/schedules", PermSystemsWrite, o.scheduleSet),
		r("POST", "/ops/schedules/{system}/scan", PermSystemsWrite, o.scanNow),
		r("GET", "/api/v1/schedules", PermSystemsRead, o.apiSchedules),
		r("PUT", "/api/v1/systems/{system}/schedule", PermSystemsWrite, o.scheduleSet),
		r("DELETE", "/api/v1/systems/{system}/schedule", PermSystemsWrite, o.scheduleSet),
		r("POST", "/api/v1/systems/{system}/scan", PermSystemsWrite, o.scanNow),

		r("GET", "/ops/alerts", PermConfigWrite, o.alertsPage),
		r("POST", "/ops/alerts/channels", PermConfigWrite, o.channelCreate),
		r("POST", "/ops/alerts/channels/{id}/test", PermConfigWrite, o.channelTest),
		r("POST", "/ops/alerts/channels/{id}/delete", PermConfigWrite, o.channelDelete),
		r("GET", "/ops/alerts/deliveries/{id}", PermConfigWrite, o.deliveryPage),
		r("GET", "/api/v1/alerts/channels", PermConfigWrite, o.apiChannels),
		r("POST", "/api/v1/alerts/channels", PermConfigWrite, o.channelCreate),
		r("POST", "/api/v1/alerts/channels/{id}/test", PermConfigWrite, o.channelTest),
		r("DELETE", "/api/v1/alerts/channels/{id}", PermConfigWrite, o.channelDelete),
		r("GET", "/api/v1/alerts/deliveries", PermConfigWrite, o.apiDeliveries),
		r("GET", "/api/v1/alerts/deliveries/{id}", PermConfigWrite, o.apiDelivery),
	}
}

func (o *Ops) wrap(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if o.s == nil {
			http.Error(w, "operations are not attached to the server", http.StatusInternalServerError)
			return
		}
		fn(w, r)
	}
}

// isAPI says whether the request is on the JSON API (answers JSON) or a page.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// input reads the request's fields: a JSON object on the API, the form on pages.
func input(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	if isAPI(r) {
		if r.Method == http.MethodDelete {
			return out, nil
		}
		var raw map[string]any
		dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
		if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("the body must be a JSON object: %v", err)
		}
		for k, v := range raw {
			switch x := v.(type) {
			case string:
				out[k] = x
			case []any:
				var parts []string
				for _, e := range x {
					if s, ok := e.(string); ok {
						parts = append(parts, s)
					}
				}
				out[k] = strings.Join(parts, ",")
			case nil:
			default:
				b, _ := json.Marshal(x)
				out[k] = string(b)
			}
		}
		return out, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k, v := range r.PostForm {
		out[k] = strings.Join(v, ",")
	}
	return out, nil
}

// audit records the action before it is carried out; false means it could not be
// recorded and the request has been answered.
func (o *Ops) audit(w http.ResponseWriter, r *http.Request, action, object, detail string) bool {
	if err := o.s.Audit(r, action, object, OutcomeSuccess, detail); err != nil {
		AuditFailed(w)
		return false
	}
	return true
}

// refuse audits a refused request and answers it.
func (o *Ops) refuse(w http.ResponseWriter, r *http.Request, action, object string, status int, title, msg string) {
	if err := o.s.Audit(r, action, object, OutcomeFailure, msg); err != nil {
		AuditFailed(w)
		return
	}
	o.s.fail(w, r, !isAPI(r), status, title, msg)
}

func (o *Ops) done(w http.ResponseWriter, r *http.Request, status int, v any, redirect string) {
	if isAPI(r) {
		writeJSON(w, status, v)
		return
	}
	http.Redirect(w, r, redirect, http.StatusSeeOther)
}

// --- jobs

// jobJSON is a job as the API shows it.
type jobJSON struct {
	ID          int64        `json:"id"`
	Kind        string       `json:"kind"`
	State       string       `json:"state"`
	DedupKey    string       `json:"dedup_key,omitempty"`
	Attempts    int          `json:"attempts"`
	MaxAttempts int          `json:"max_attempts"`
	RunAt       string       `json:"run_at"`
	Worker      string       `json:"worker,omitempty"`
	LastError   string       `json:"last_error,omitempty"`
	CreatedAt   string       `json:"created_at"`
	FinishedAt  string       `json:"finished_at,omitempty"`
	Runs        []jobRunJSON `json:"runs,omitempty"`
}

type jobRunJSON struct {
	Attempt    int    `json:"attempt"`
	Worker     string `json:"worker"`
	StartedAt  string `json:"started_at"`
	FinishedAt string `json:"finished_at"`
	Outcome    string `json:"outcome"`
	Error      string `json:"error,omitempty"`
}

const apiTime = "2006-01-02T15:04:05Z07:00"

func toJobJSON(j jobs.Info) jobJSON {
	out := jobJSON{ID: j.ID, Kind: j.Kind, State: string(j.State), DedupKey: j.DedupKey, Attempts: j.Attempts, MaxAttempts: j.MaxAttempts,
		RunAt: j.RunAt.UTC().Format(apiTime), Worker: j.LeaseOwner, LastError: j.LastError, CreatedAt: j.CreatedAt.UTC().Format(apiTime)}
	if !j.FinishedAt.IsZero() {
		out.FinishedAt = j.FinishedAt.UTC().Format(apiTime)
	}
	return out
}

func toRunsJSON(runs []store.JobRun) []jobRunJSON {
	out := make([]jobRunJSON, 0, len(runs))
	for _, r := range runs {
		out = append(out, jobRunJSON{Attempt: r.Attempt, Worker: r.Worker, StartedAt: r.StartedAt.UTC().Format(apiTime),
			FinishedAt: r.FinishedAt.UTC().Format(apiTime), Outcome: r.Outcome, Error: r.Error})
	}
	return out
}

var jobStates = map[string]jobs.State{"": "", "queued": jobs.Queued, "running": jobs.Running, "done": jobs.Done, "failed": jobs.Failed}

func (o *Ops) listJobs(w http.ResponseWriter, r *http.Request) ([]jobs.Info, string, bool) {
	state := r.URL.Query().Get("state")
	st, ok := jobStates[state]
	if !ok {
		o.s.fail(w, r, !isAPI(r), http.StatusBadRequest, "Bad state", "state is queued, running, done or failed")
		return nil, "", false
	}
	list, err := o.q.List(r.Context(), st, 200)
	if err != nil {
		o.s.unavailable(w, r, !isAPI(r), "listing jobs", err)
		return nil, "", false
	}
	return list, state, true
}

func (o *Ops) apiJobs(w http.ResponseWriter, r *http.Request) {
	list, _, ok := o.listJobs(w, r)
	if !ok {
		return
	}
	out := make([]jobJSON, 0, len(list))
	for _, j := range list {
		out = append(out, toJobJSON(j))
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": out})
}

func (o *Ops) jobsPage(w http.ResponseWriter, r *http.Request) {
	list, state, ok := o.listJobs(w, r)
	if !ok {
		return
	}
	scheds, err := o.sched.ListSchedules(r.Context())
	if err != nil {
		o.s.unavailable(w, r, true, "listing schedules", err)
		return
	}
	o.s.page(w, r, "ops-jobs", "Background jobs", map[string]any{"Jobs": list, "State": state, "Schedules": scheds,
		"States": []string{"queued", "running", "done", "failed"}})
}

func (o *Ops) job(w http.ResponseWriter, r *http.Request) (jobs.Info, []store.JobRun, bool) {
	id, ok := pathID(r)
	if !ok {
		o.s.fail(w, r, !isAPI(r), http.StatusNotFound, "No such job", "")
		return jobs.Info{}, nil, false
	}
	j, err := o.q.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		o.s.fail(w, r, !isAPI(r), http.StatusNotFound, "No such job", "")
		return jobs.Info{}, nil, false
	} else if err != nil {
		o.s.unavailable(w, r, !isAPI(r), "reading job", err)
		return jobs.Info{}, nil, false
	}
	runs, err := o.s.st.JobRuns(r.Context(), id)
	if err != nil {
		o.s.unavailable(w, r, !isAPI(r), "reading job runs", err)
		return jobs.Info{}, nil, false
	}
	return j, runs, true
}

func (o *Ops) apiJob(w http.ResponseWriter, r *http.Request) {
	j, runs, ok := o.job(w, r)
	if !ok {
		return
	}
	out := toJobJSON(j)
	out.Runs = toRunsJSON(runs)
	writeJSON(w, http.StatusOK, out)
}

func (o *Ops) jobPage(w http.ResponseWriter, r *http.Request) {
	j, runs, ok := o.job(w, r)
	if !ok {
		return
	}
	o.s.page(w, r, "ops-job", fmt.Sprintf("Job %d", j.ID), map[string]any{"Job": j, "Runs": runs})
}

// rematch enqueues a forced re-match of the stored packages against the vulnerability
// database (after `posture db update` on the server's --db directory).
func (o *Ops) rematch(w http.ResponseWriter, r *http.Request) {
	if !o.audit(w, r, "vulndb.rematch", "jobs", "forced re-match requested") {
		return
	}
	id, _, err := o.q.Enqueue(r.Context(), jobs.Spec{Kind: jobs.RematchKind, Payload: jobs.RematchPayload{Force: true}})
	if err != nil {
		_ = o.s.Audit(r, "vulndb.rematch", "jobs", OutcomeError, "not enqueued")
		o.s.unavailable(w, r, !isAPI(r), "enqueue re-match", err)
		return
	}
	o.done(w, r, http.StatusAccepted, map[string]any{"job_id": id}, "/ops/jobs/"+itoa(id))
}

// --- schedules

type scheduleJSON struct {
	System    string `json:"system"`
	Spec      string `json:"spec"`
	Enabled   bool   `json:"enabled"`
	NextRunAt string `json:"next_run_at"`
	LastRunAt string `json:"last_run_at,omitempty"`
	CreatedBy string `json:"created_by"`
}

type systemSchedule struct {
	System   string
	Schedule *jobs.Schedule
}

// scanSchedules returns every system with its scan schedule, if any, by name.
func (o *Ops) scanSchedules(ctx context.Context) ([]systemSchedule, error) {
	systems, err := o.s.st.ListSystems(ctx)
	if err != nil {
		return nil, err
	}
	scheds, err := o.sched.ListSchedules(ctx)
	if err != nil {
		return nil, err
	}
	by := map[string]*jobs.Schedule{}
	for i := range scheds {
		by[scheds[i].Name] = &scheds[i]
	}
	out := make([]systemSchedule, 0, len(systems))
	for _, s := range systems {
		out = append(out, systemSchedule{System: s.Name, Schedule: by[jobs.ScanScheduleName(s.ID)]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].System < out[j].System })
	return out, nil
}

func (o *Ops) apiSchedules(w http.ResponseWriter, r *http.Request) {
	list, err := o.scanSchedules(r.Context())
	if err != nil {
		o.s.unavailable(w, r, false, "listing schedules", err)
		return
	}
	out := []scheduleJSON{}
	for _, s := range list {
		if s.Schedule == nil {
			continue
		}
		sj := scheduleJSON{System: s.System, Spec: s.Schedule.Spec, Enabled: s.Schedule.Enabled, NextRunAt: s.Schedule.NextRunAt.UTC().Format(apiTime), CreatedBy: s.Schedule.CreatedBy}
		if !s.Schedule.LastRunAt.IsZero() {
			sj.LastRunAt = s.Schedule.LastRunAt.UTC().Format(apiTime)
		}
		out = append(out, sj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"schedules": out})
}

func (o *Ops) schedulesPage(w http.ResponseWriter, r *http.Request) {
	list, err := o.scanSchedules(r.Context())
	if err != nil {
		o.s.unavailable(w, r, true, "listing schedules", err)
		return
	}
	o.s.page(w, r, "ops-schedules", "Scan schedules", map[string]any{"Systems": list})
}

// scheduleSet sets (spec given) or removes (empty spec, or DELETE) a system's scan
// schedule: one per system, replaced as a whole.
func (o *Ops) scheduleSet(w http.ResponseWriter, r *http.Request) {
	in, err := input(r)
	if err != nil {
		o.s.fail(w, r, !isAPI(r), http.StatusBadRequest, "Schedule not set", err.Error())
		return
	}
	name := r.PathValue("system")
	if name == "" {
		name = in["system"]
	}
	spec := strings.TrimSpace(in["spec"])
	if r.Method == http.MethodDelete {
		spec = ""
	}
	if !validSystemName(name) {
		o.s.fail(w, r, !isAPI(r), http.StatusBadRequest, "Schedule not set", systemNameRule+".")
		return
	}
	sys, ok := o.system(w, r, name)
	if !ok {
		return
	}
	object := "system:" + itoa(sys.ID)
	if spec != "" {
		if _, err := jobs.ParseSpec(spec); err != nil {
			o.refuse(w, r, "schedule.set", object, http.StatusBadRequest, "Schedule not set", err.Error())
			return
		}
	}
	action, detail := "schedule.set", "scan "+spec
	if spec == "" {
		action, detail = "schedule.delete", "scan schedule removed"
	}
	if !o.audit(w, r, action, object, detail) {
		return
	}
	schedName := jobs.ScanScheduleName(sys.ID)
	var out jobs.Schedule
	err = o.s.st.InTx(r.Context(), func(tx *store.Tx) error {
		var old int64
		switch err := tx.QueryRow(r.Context(), `SELECT id FROM schedules WHERE name = ?`, schedName).Scan(&old); {
		case err == nil:
			if err := jobs.DeleteScheduleTx(r.Context(), tx, old); err != nil {
				return err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if spec == "" {
			return nil
		}
		var err error
		out, err = o.sched.CreateScheduleTx(r.Context(), tx, jobs.ScheduleInput{Name: schedName, SystemID: sys.ID, JobKind: jobs.ScanSystemKind,
			Payload: jobs.ScanPayload{SystemID: sys.ID}, Spec: spec, CreatedBy: PrincipalFrom(r.Context()).Actor()})
		return err
	})
	if err != nil {
		_ = o.s.Audit(r, action, object, OutcomeError, "not saved")
		o.s.unavailable(w, r, !isAPI(r), "saving schedule", err)
		return
	}
	if spec == "" {
		o.done(w, r, http.StatusOK, map[string]any{"system": sys.Name, "schedule": nil}, "/ops/schedules")
		return
	}
	o.done(w, r, http.StatusOK, scheduleJSON{System: sys.Name, Spec: out.Spec, Enabled: true, NextRunAt: out.NextRunAt.UTC().Format(apiTime), CreatedBy: out.CreatedBy}, "/ops/schedules")
}

// scanNow enqueues a scan of the system at once.
func (o *Ops) scanNow(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("system")
	if !validSystemName(name) {
		o.s.fail(w, r, !isAPI(r), http.StatusBadRequest, "Scan not started", systemNameRule+".")
		return
	}
	sys, ok := o.system(w, r, name)
	if !ok {
		return
	}
	object := "system:" + itoa(sys.ID)
	if len(sys.Targets) == 0 {
		o.refuse(w, r, "scan.enqueue", object, http.StatusBadRequest, "Scan not started", "the system has no targets to scan")
		return
	}
	if !o.audit(w, r, "scan.enqueue", object, "scan requested") {
		return
	}
	id, _, err := o.q.Enqueue(r.Context(), jobs.Spec{Kind: jobs.ScanSystemKind, Payload: jobs.ScanPayload{SystemID: sys.ID}, MaxAttempts: 3})
	if err != nil {
		_ = o.s.Audit(r, "scan.enqueue", object, OutcomeError, "not enqueued")
		o.s.unavailable(w, r, !isAPI(r), "enqueue scan", err)
		return
	}
	o.done(w, r, http.StatusAccepted, map[string]any{"job_id": id}, "/ops/schedules")
}

// system finds a system by name, answering 404 or 503 itself.
func (o *Ops) system(w http.ResponseWriter, r *http.Request, name string) (store.System, bool) {
	sys, err := o.s.st.SystemByName(r.Context(), name)
	if errors.Is(err, store.ErrNotFound) {
		o.s.fail(w, r, !isAPI(r), http.StatusNotFound, "No such system", "There is no system named "+name+".")
		return store.System{}, false
	} else if err != nil {
		o.s.unavailable(w, r, !isAPI(r), "reading system", err)
		return store.System{}, false
	}
	return sys, true
}
