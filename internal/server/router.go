package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Route is one row of the route table: nothing is served that is not declared here
// with the permission it needs.
type Route struct {
	// Method is an HTTP method ("GET" also answers HEAD).
	Method string
	// Pattern is a Go 1.22 ServeMux path pattern: "/api/v1/users/{id}", "/static/",
	// "/{$}".
	Pattern string
	// Perm is what the principal must hold; PermPublic routes need no authentication
	// (health, sign-in, enrolment and static assets only).
	Perm Permission
	// Handler serves the route; PrincipalFrom(r.Context()) is the caller.
	Handler http.HandlerFunc
	// MaxBody bounds the request body in bytes; 0 is DefaultMaxBody. It applies before
	// the CSRF check reads a form, so a route taking large uploads must declare it.
	MaxBody int64
}

// DefaultMaxBody bounds the body of routes that declare no MaxBody: forms and small
// JSON.
const DefaultMaxBody = 1 << 20

func (r Route) maxBody() int64 {
	if r.MaxBody > 0 {
		return r.MaxBody
	}
	return DefaultMaxBody
}

// MuxPattern is the route's ServeMux pattern, "METHOD /path".
func (r Route) MuxPattern() string { return r.Method + " " + r.Pattern }

// publicRoutes is every pattern allowed to be PermPublic. A public route not listed
// here makes New fail: opening a route to the world is a decision, made in this list.
var publicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /static/": true,
	"GET /login": true, "POST /login": true, "GET /enrol": true, "POST /enrol": true,
}

// recordingMux is the only ServeMux of the server. It records every pattern handed to
// it, so the route-table test can compare what is served with what is declared.
type recordingMux struct {
	*http.ServeMux
	patterns []string
}

func newRecordingMux() *recordingMux { return &recordingMux{ServeMux: http.NewServeMux()} }

func (m *recordingMux) handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// Patterns returns the patterns registered on the mux.
func (m *recordingMux) Patterns() []string { return slices.Clone(m.patterns) }

func (s *Server) register(r Route) (err error) {
	switch {
	case r.Handler == nil:
		return fmt.Errorf("server: route %s has no handler", r.MuxPattern())
	case r.Perm == "":
		return fmt.Errorf("server: route %s declares no permission", r.MuxPattern())
	case r.Perm == PermPublic && !publicRoutes[r.MuxPattern()]:
		return fmt.Errorf("server: route %s is public but not in publicRoutes", r.MuxPattern())
	case r.Method == "" || strings.ContainsAny(r.Method, " /") || !strings.HasPrefix(r.Pattern, "/"):
		return fmt.Errorf("server: route %q %q: want a method and a path pattern", r.Method, r.Pattern)
	}
	if r.Perm != PermPublic && r.Perm != PermSignedIn && !s.permDeclared(r.Perm) {
		return fmt.Errorf("server: route %s needs %q, which no role or scope grants", r.MuxPattern(), r.Perm)
	}
	defer func() {
		// ServeMux panics on a conflicting or malformed pattern.
		if p := recover(); p != nil {
			err = fmt.Errorf("server: route %s: %v", r.MuxPattern(), p)
		}
	}()
	s.mux.handle(r.MuxPattern(), s.guard(r))
	return nil
}

func (s *Server) permDeclared(p Permission) bool {
	for _, ps := range rolePermissions {
		if slices.Contains(ps, p) {
			return true
		}
	}
	for _, ps := range scopePermissions {
		if slices.Contains(ps, p) {
			return true
		}
	}
	return false
}

// guard wraps a route's handler with authentication, CSRF protection and the
// permission check. It is the only way handlers reach the mux.
func (s *Server) guard(rt Route) http.Handler {
	limit := rt.maxBody()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Nothing is refused here on Content-Length alone: whoever reads the body first
		// (the CSRF check of a form, or the handler of an API route, which audits its
		// refusals) answers 413.
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if rt.Perm == PermPublic {
			if !safeMethod(r.Method) && !s.checkPublicCSRF(w, r) {
				return
			}
			// A signed-in browser on a public page (the sign-in form) is still known.
			if p := s.sessionPrincipal(w, r); p != nil {
				r = r.WithContext(withPrincipal(r.Context(), p))
			}
			rt.Handler(w, r)
			return
		}
		p, ok := s.authenticate(w, r, rt)
		if !ok {
			return
		}
		if p.Token == nil && !safeMethod(r.Method) && !s.checkSessionCSRF(w, r, p) {
			return
		}
		r = r.WithContext(withPrincipal(r.Context(), p))
		if !p.Can(rt.Perm) {
			if err := s.Audit(r, "access", "route:"+rt.MuxPattern(), OutcomeDenied, "missing permission "+string(rt.Perm)); err != nil {
				AuditFailed(w)
				return
			}
			http.Error(w, "forbidden: your role does not allow this", http.StatusForbidden)
			return
		}
		if p.Token != nil {
			// LG-1: every use of a machine credential is in the audit log.
			if err := s.Audit(r, "token.use", "route:"+rt.MuxPattern(), OutcomeSuccess, ""); err != nil {
				AuditFailed(w)
				return
			}
		}
		rt.Handler(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// authenticate finds the principal of a request to a protected route, answering 401
// (or a redirect to the sign-in page, for a browser) when there is none.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, rt Route) (*Principal, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		return s.tokenPrincipal(w, r, h)
	}
	if p := s.sessionPrincipal(w, r); p != nil {
		return p, true
	}
	if r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html") {
		http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return nil, false
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="posture"`)
	http.Error(w, "authentication required", http.StatusUnauthorized)
	return nil, false
}
