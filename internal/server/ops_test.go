package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/alert"
	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/store"
)

type opsHarness struct {
	*harness
	q    *jobs.Queue
	pool *jobs.Pool
}

// newOpsHarness is the server with the operators' routes over the real queue,
// scheduler and channels (secrets wrapped by a file key), and a pool that delivers.
func newOpsHarness(t *testing.T, opt store.Options) *opsHarness {
	t.Helper()
	c := newClock(t0)
	opt.Now = c.now
	st, err := store.Open(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	k, err := keys.OpenFile(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	q := jobs.NewQueue(st, c.now)
	ops := NewOps(q, jobs.NewScheduler(q, jobs.SchedulerOptions{}), alert.NewChannels(st, k, c.now))
	a := &memAuditor{}
	srv, err := New(Config{Store: st, Auditor: a, Now: c.now, Version: "test", Routes: ops.Routes()})
	if err != nil {
		t.Fatal(err)
	}
	ops.Attach(srv)
	ts := httptest.NewTLSServer(srv.Handler())
	t.Cleanup(ts.Close)
	pool := jobs.NewPool(st, jobs.PoolOptions{Now: c.now})
	pool.Handle(alert.DeliverKind, (&alert.Deliverer{St: st, Wrapper: k, Now: c.now}).Handler())
	return &opsHarness{harness: &harness{t: t, st: st, srv: srv, ts: ts, clock: c, audit: a}, q: q, pool: pool}
}

func eachOpsBackend(t *testing.T, fn func(t *testing.T, h *opsHarness)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, newOpsHarness(t, b.fresh(t)))
		})
	}
}

// An admin creates a signed webhook channel, sees its secret once, sends it a test
// that a local receiver gets signed with that secret, and reads the delivery's attempts.
func TestOpsAlertChannels(t *testing.T) {
	eachOpsBackend(t, func(t *testing.T, h *opsHarness) {
		var mu sync.Mutex
		var got []*http.Request
		var bodies []string
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got, bodies = append(got, r), append(bodies, string(b))
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}))
		defer recv.Close()
		admin := h.client()
		h.login(admin, h.user("admin@example.com", store.RoleAdmin))
		csrf := h.sessionCSRF(admin)

		resp, body := h.do(admin, "POST", "/ops/alerts/channels", url.Values{"csrf_token": {csrf}, "name": {"siem"}, "kind": {"webhook"},
			"url": {recv.URL + "/hook"}, "events": {"finding.new, test"}, "min_severity": {"high"}}, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("create channel: %d %s", resp.StatusCode, body)
		}
		i := strings.Index(body, "phk_")
		if i < 0 {
			t.Fatalf("secret not shown on creation:\n%s", body)
		}
		secret := body[i : i+4+43]
		if len(h.audit.find("alert.channel.create", OutcomeSuccess)) != 1 {
			t.Errorf("channel creation not audited")
		}
		resp, body = h.do(admin, "GET", "/ops/alerts", nil, nil)
		if resp.StatusCode != 200 || strings.Contains(body, secret) || !strings.Contains(body, "siem") {
			t.Errorf("alerts page: %d, secret shown again: %v", resp.StatusCode, strings.Contains(body, secret))
		}
		resp, body = h.do(admin, "GET", "/api/v1/alerts/channels", nil, nil)
		var chans struct {
			Channels []channelJSON `json:"channels"`
		}
		if err := json.Unmarshal([]byte(body), &chans); err != nil || resp.StatusCode != 200 || len(chans.Channels) != 1 || !chans.Channels[0].HasSecret || chans.Channels[0].Secret != "" || strings.Contains(body, secret) {
			t.Fatalf("channel list: %d %s", resp.StatusCode, body)
		}
		id := chans.Channels[0].ID

		// A bad channel is refused and audited.
		resp, _ = h.do(admin, "POST", "/ops/alerts/channels", url.Values{"csrf_token": {csrf}, "name": {"bad"}, "kind": {"webhook"}, "url": {"http://example.com/x"}}, nil)
		if resp.StatusCode != http.StatusBadRequest || len(h.audit.find("alert.channel.create", OutcomeFailure)) != 1 {
			t.Errorf("plain-http webhook: %d, want 400 audited", resp.StatusCode)
		}

		resp, _ = h.do(admin, "POST", "/ops/alerts/channels/"+itoa(id)+"/test", url.Values{"csrf_token": {csrf}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("test send: %d", resp.StatusCode)
		}
		loc := resp.Header.Get("Location")
		if _, err := h.pool.RunPending(context.Background()); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(got) != 1 || audit.WebhookSignature([]byte(secret), got[0].Header.Get("X-Posture-Timestamp"), []byte(bodies[0])) != got[0].Header.Get("X-Posture-Signature") {
			t.Errorf("receiver got %d requests, signature valid: %v", len(got), len(got) == 1)
		}
		mu.Unlock()
		resp, body = h.do(admin, "GET", "/api/v1/alerts/deliveries/"+strings.TrimPrefix(loc, "/ops/alerts/deliveries/"), nil, nil)
		var d deliveryJSON
		if err := json.Unmarshal([]byte(body), &d); err != nil || resp.StatusCode != 200 || d.State != "sent" || len(d.Runs) != 1 || d.Runs[0].Outcome != "done" {
			t.Errorf("delivery: %d %s", resp.StatusCode, body)
		}
		if resp, body = h.do(admin, "GET", loc, nil, nil); resp.StatusCode != 200 || !strings.Contains(body, "done") {
			t.Errorf("delivery page: %d", resp.StatusCode)
		}

		resp, _ = h.do(admin, "DELETE", "/api/v1/alerts/channels/"+itoa(id), nil, map[string]string{CSRFHeader: csrf})
		if resp.StatusCode != 200 || len(h.audit.find("alert.channel.delete", OutcomeSuccess)) != 1 {
			t.Errorf("delete: %d", resp.StatusCode)
		}
	})
}

// An engineer sets, changes and removes a system's scan schedule and starts a scan;
// bad specs are refused and audited.
func TestOpsSchedules(t *testing.T) {
	eachOpsBackend(t, func(t *testing.T, h *opsHarness) {
		ctx := context.Background()
		if _, err := h.st.CreateSystem(ctx, store.SystemInput{Name: "shop", Owner: "team", Environment: "prod", Classification: "internal",
			Targets: []store.Target{{Kind: store.Endpoint, Locator: "https://shop.example"}}}); err != nil {
			t.Fatal(err)
		}
		eng := h.client()
		h.login(eng, h.user("eng@example.com", store.RoleEngineer))
		csrf := h.sessionCSRF(eng)
		resp, _ := h.do(eng, "POST", "/ops/schedules", url.Values{"csrf_token": {csrf}, "system": {"shop"}, "spec": {"daily 02:30"}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("set schedule: %d", resp.StatusCode)
		}
		resp, _ = h.do(eng, "POST", "/ops/schedules", url.Values{"csrf_token": {csrf}, "system": {"shop"}, "spec": {"weekly mon 03:00"}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("change schedule: %d", resp.StatusCode)
		}
		resp, body := h.do(eng, "GET", "/api/v1/schedules", nil, nil)
		var list struct {
			Schedules []scheduleJSON `json:"schedules"`
		}
		if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Schedules) != 1 || list.Schedules[0].Spec != "weekly mon 03:00" || list.Schedules[0].System != "shop" {
			t.Fatalf("schedules: %d %s", resp.StatusCode, body)
		}
		if resp, body = h.do(eng, "GET", "/ops/schedules", nil, nil); resp.StatusCode != 200 || !strings.Contains(body, "weekly mon 03:00") {
			t.Errorf("schedules page: %d", resp.StatusCode)
		}
		resp, _ = h.do(eng, "POST", "/ops/schedules", url.Values{"csrf_token": {csrf}, "system": {"shop"}, "spec": {"hourly"}}, nil)
		if resp.StatusCode != http.StatusBadRequest || len(h.audit.find("schedule.set", OutcomeFailure)) != 1 {
			t.Errorf("bad spec: %d, want 400 audited", resp.StatusCode)
		}
		resp, body = h.do(eng, "POST", "/api/v1/systems/shop/scan", nil, map[string]string{CSRFHeader: csrf})
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("scan now: %d %s", resp.StatusCode, body)
		}
		jl, err := h.q.List(ctx, jobs.Queued, 10)
		if err != nil || len(jl) != 1 || jl[0].Kind != jobs.ScanSystemKind {
			t.Errorf("queued jobs = %+v, %v", jl, err)
		}
		resp, _ = h.do(eng, "DELETE", "/api/v1/systems/shop/schedule", nil, map[string]string{CSRFHeader: csrf})
		if resp.StatusCode != 200 {
			t.Errorf("delete schedule: %d", resp.StatusCode)
		}
		_, body = h.do(eng, "GET", "/api/v1/schedules", nil, nil)
		if !strings.Contains(body, `"schedules":[]`) {
			t.Errorf("after delete: %s", body)
		}
		if n := len(h.audit.find("schedule.set", OutcomeSuccess)) + len(h.audit.find("schedule.delete", OutcomeSuccess)) + len(h.audit.find("scan.enqueue", OutcomeSuccess)); n != 4 {
			t.Errorf("%d audited schedule actions, want 4", n)
		}
		resp, _ = h.do(eng, "PUT", "/api/v1/systems/nosuch/schedule", nil, map[string]string{CSRFHeader: csrf})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("schedule of an unknown system: %d", resp.StatusCode)
		}
	})
}

// Who may do what, and CSRF on every state change.
func TestOpsAuthorisationAndCSRF(t *testing.T) {
	eachOpsBackend(t, func(t *testing.T, h *opsHarness) {
		if _, err := h.st.CreateSystem(context.Background(), store.SystemInput{Name: "shop", Owner: "team", Environment: "prod", Classification: "internal"}); err != nil {
			t.Fatal(err)
		}
		admin, eng, viewer, anon := h.client(), h.client(), h.client(), h.client()
		h.login(admin, h.user("admin@example.com", store.RoleAdmin))
		h.login(eng, h.user("eng@example.com", store.RoleEngineer))
		h.login(viewer, h.user("viewer@example.com", store.RoleViewer))
		ac, ec, vc := h.sessionCSRF(admin), h.sessionCSRF(eng), h.sessionCSRF(viewer)
		readTok, _ := h.token([]string{"read"}, t0.Add(24*time.Hour))
		for _, tc := range []struct {
			name   string
			c      *http.Client
			method string
			path   string
			form   url.Values
			hdr    map[string]string
			want   int
		}{
			{"anonymous jobs API", anon, "GET", "/api/v1/jobs", nil, nil, 401},
			{"engineer alerts page", eng, "GET", "/ops/alerts", nil, nil, 403},
			{"engineer jobs API", eng, "GET", "/api/v1/jobs", nil, nil, 403},
			{"engineer creates channel", eng, "POST", "/ops/alerts/channels", url.Values{"csrf_token": {ec}, "name": {"x"}}, nil, 403},
			{"viewer sets schedule", viewer, "POST", "/ops/schedules", url.Values{"csrf_token": {vc}, "system": {"shop"}, "spec": {"daily 01:00"}}, nil, 403},
			{"viewer reads schedules", viewer, "GET", "/ops/schedules", nil, nil, 200},
			{"read token jobs", anon, "GET", "/api/v1/jobs", nil, map[string]string{"Authorization": "Bearer " + readTok}, 403},
			{"read token schedules", anon, "GET", "/api/v1/schedules", nil, map[string]string{"Authorization": "Bearer " + readTok}, 200},
			{"read token sets schedule", anon, "PUT", "/api/v1/systems/shop/schedule", nil, map[string]string{"Authorization": "Bearer " + readTok}, 403},
			{"admin without CSRF", admin, "POST", "/ops/alerts/channels", url.Values{"name": {"x"}, "kind": {"webhook"}}, nil, 403},
			{"admin cross-site", admin, "POST", "/ops/rematch", url.Values{"csrf_token": {ac}}, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
			{"engineer schedule without CSRF", eng, "POST", "/ops/schedules", url.Values{"system": {"shop"}, "spec": {"daily 01:00"}}, nil, 403},
			{"admin jobs page", admin, "GET", "/ops/jobs", nil, nil, 200},
			{"admin rematch", admin, "POST", "/api/v1/jobs/rematch", nil, map[string]string{CSRFHeader: ac}, 202},
			{"admin jobs API", admin, "GET", "/api/v1/jobs?state=queued", nil, nil, 200},
			{"admin bad state", admin, "GET", "/api/v1/jobs?state=x", nil, nil, 400},
		} {
			resp, body := h.do(tc.c, tc.method, tc.path, tc.form, tc.hdr)
			if resp.StatusCode != tc.want {
				t.Errorf("%s: %d, want %d (%s)", tc.name, resp.StatusCode, tc.want, strings.TrimSpace(body[:min(len(body), 200)]))
			}
		}
		jl, _ := h.q.List(context.Background(), "", 10)
		if len(jl) != 1 || jl[0].Kind != jobs.RematchKind {
			t.Fatalf("jobs = %+v, want the one re-match", jl)
		}
		if resp, body := h.do(admin, "GET", "/ops/jobs/"+itoa(jl[0].ID), nil, nil); resp.StatusCode != 200 || !strings.Contains(body, jobs.RematchKind) {
			t.Errorf("job page: %d", resp.StatusCode)
		}
	})
}
