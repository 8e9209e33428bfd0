package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Security headers on every response. The CSP allows nothing inline: scripts and styles
// come from the embedded assets only.
const (
	contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	// Two years, the preload list's expectation; one year is the minimum P5 accepts.
	strictTransportSecurity = "max-age=63072000; includeSubDomains"
)

func setSecurityHeaders(h http.Header) {
	h.Set("Strict-Transport-Security", strictTransportSecurity)
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
}

// statusWriter remembers the status code for the log line and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	r      *http.Request
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		// Anything that is not a static asset or a health check may carry personal or
		// session data: never cache it. Decided here, late, so that handlers cannot
		// forget.
		if !strings.HasPrefix(w.r.URL.Path, "/static/") {
			w.Header().Set("Cache-Control", "no-store")
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// outer is what every request goes through before the route table: request ID,
// security headers, and one log line and metric when it ends. The body is bounded by
// guard, per route (Route.MaxBody).
func (s *Server) outer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &requestInfo{id: newRequestID(), actor: "anonymous"}
		setSecurityHeaders(w.Header())
		w.Header().Set("X-Request-ID", ri.id)
		sw := &statusWriter{ResponseWriter: w, r: r}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey, ri))
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		s.metrics.observe(route, r.Method, sw.status, d)
		// Never the URL query, body, cookies or Authorization: the route pattern says
		// what was asked for without any secret a path or query might carry.
		s.log.Info("request", "method", r.Method, "route", route, "status", sw.status,
			"duration_ms", float64(d.Microseconds())/1000, "request_id", ri.id, "actor", ri.actor)
	})
}

func newRequestID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext returns a local path to go to after sign-in, or "/" when next is not one
// (an absolute or scheme-relative URL would make the sign-in page an open redirect).
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}
