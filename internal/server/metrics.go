package server

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// metrics are this replica's counters in the Prometheus text exposition format,
// written by hand: a dozen series do not justify client_golang and its dependencies.
// They are per process by design (Prometheus sums replicas), the one piece of state
// not in the database.
type metrics struct {
	start   time.Time
	version string

	mu       sync.Mutex
	requests map[reqKey]uint64
	duration map[string]*histogram
	logins   map[string]uint64

	auditFailures atomic.Uint64
	// Rejected session cookies, and those not audited one by one (session_reject.go).
	sessionRejections, sessionRejectionsUnaudited atomic.Uint64
}

type reqKey struct {
	route, method string
	code          int
}

var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	count  uint64
}

func newMetrics(version string) *metrics {
	return &metrics{start: time.Now(), version: version, requests: map[reqKey]uint64{}, duration: map[string]*histogram{}, logins: map[string]uint64{}}
}

func (m *metrics) observe(route, method string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[reqKey{route, method, code}]++
	h := m.duration[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(durationBuckets))}
		m.duration[route] = h
	}
	sec := d.Seconds()
	for i, b := range durationBuckets {
		if sec <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += sec
	h.count++
}

func (m *metrics) login(outcome string) {
	m.mu.Lock()
	m.logins[outcome]++
	m.mu.Unlock()
}

func label(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintf(w, "# HELP posture_build_info Version of this posture server.\n# TYPE posture_build_info gauge\nposture_build_info{version=\"%s\"} 1\n", label(m.version))
	fmt.Fprintf(w, "# HELP posture_process_start_time_seconds Start time of the process since the Unix epoch.\n# TYPE posture_process_start_time_seconds gauge\nposture_process_start_time_seconds %d\n", m.start.Unix())
	fmt.Fprintf(w, "# HELP posture_goroutines Goroutines that currently exist.\n# TYPE posture_goroutines gauge\nposture_goroutines %d\n", runtime.NumGoroutine())

	fmt.Fprint(w, "# HELP posture_http_requests_total HTTP requests by route pattern, method and status.\n# TYPE posture_http_requests_total counter\n")
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.code < b.code
	})
	for _, k := range keys {
		fmt.Fprintf(w, "posture_http_requests_total{route=\"%s\",method=\"%s\",code=\"%d\"} %d\n", label(k.route), label(k.method), k.code, m.requests[k])
	}

	fmt.Fprint(w, "# HELP posture_http_request_duration_seconds Time to serve a request, by route pattern.\n# TYPE posture_http_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(m.duration))
	for r := range m.duration {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		h := m.duration[r]
		var cum uint64
		for i, b := range durationBuckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "posture_http_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"} %d\n", label(r), fmtFloat(b), cum)
		}
		fmt.Fprintf(w, "posture_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %d\n", label(r), h.count)
		fmt.Fprintf(w, "posture_http_request_duration_seconds_sum{route=\"%s\"} %s\n", label(r), fmtFloat(h.sum))
		fmt.Fprintf(w, "posture_http_request_duration_seconds_count{route=\"%s\"} %d\n", label(r), h.count)
	}

	fmt.Fprint(w, "# HELP posture_logins_total Sign-in attempts by outcome.\n# TYPE posture_logins_total counter\n")
	for _, o := range []string{"success", "failure", "throttled"} {
		fmt.Fprintf(w, "posture_logins_total{outcome=\"%s\"} %d\n", o, m.logins[o])
	}
	fmt.Fprintf(w, "# HELP posture_audit_append_failures_total Audit events that could not be written (each refused an action).\n# TYPE posture_audit_append_failures_total counter\nposture_audit_append_failures_total %d\n", m.auditFailures.Load())
	fmt.Fprintf(w, "# HELP posture_session_rejections_total Session cookies that authenticated nothing (forged, malformed, signed out, expired).\n# TYPE posture_session_rejections_total counter\nposture_session_rejections_total %d\n", m.sessionRejections.Load())
	fmt.Fprintf(w, "# HELP posture_session_rejections_unaudited_total Rejected session cookies over the per-client or per-minute audit limit, counted here and in a summary event instead.\n# TYPE posture_session_rejections_unaudited_total counter\nposture_session_rejections_unaudited_total %d\n", m.sessionRejectionsUnaudited.Load())
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.write(w)
}
