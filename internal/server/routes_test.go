package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

var wildcardRE = regexp.MustCompile(`\{[^}]*\}`)

// examplePath turns a pattern into a path it matches.
func examplePath(pattern string) string {
	p := strings.ReplaceAll(pattern, "{$}", "")
	p = wildcardRE.ReplaceAllString(p, "1")
	if strings.HasSuffix(p, "/") && p != "/" {
		p += "posture.css"
	}
	return p
}

// TestRouteTable walks the declared table and the real mux: every mux pattern is
// declared, every declared route is what the mux serves for its path, every route has
// a permission, and nothing but the listed public routes answers without credentials.
func TestRouteTable(t *testing.T) {
	h := newHarness(t, backends[0].fresh(t))
	routes := h.srv.Routes()
	declared := map[string]Route{}
	for _, r := range routes {
		declared[r.MuxPattern()] = r
		if r.Perm == "" {
			t.Errorf("%s declares no permission", r.MuxPattern())
		}
	}
	muxPatterns := h.srv.mux.Patterns()
	for _, p := range muxPatterns {
		if _, ok := declared[p]; !ok {
			t.Errorf("mux serves %q, which is not in the route table", p)
		}
	}
	if len(muxPatterns) != len(routes) {
		t.Errorf("mux has %d patterns, table %d routes", len(muxPatterns), len(routes))
	}
	for _, r := range routes {
		t.Run(r.MuxPattern(), func(t *testing.T) {
			req := httptest.NewRequest(r.Method, "https://example.test"+examplePath(r.Pattern), nil)
			if _, got := h.srv.mux.Handler(req); got != r.MuxPattern() {
				t.Fatalf("mux routes %s %s to %q", r.Method, examplePath(r.Pattern), got)
			}
			rec := httptest.NewRecorder()
			h.srv.Handler().ServeHTTP(rec, req)
			public := r.Perm == PermPublic
			if public != publicRoutes[r.MuxPattern()] {
				t.Fatalf("route is public=%v but publicRoutes says %v", public, publicRoutes[r.MuxPattern()])
			}
			if !public && rec.Code != http.StatusUnauthorized {
				t.Fatalf("without credentials: %d, want 401", rec.Code)
			}
			// A browser asking for HTML is redirected to sign in instead, never served.
			if !public && r.Method == "GET" {
				req.Header.Set("Accept", "text/html")
				rec = httptest.NewRecorder()
				h.srv.Handler().ServeHTTP(rec, req)
				if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login?") {
					t.Fatalf("browser without session: %d %q", rec.Code, rec.Header().Get("Location"))
				}
			}
		})
	}
}

// TestOnlyTheRouterTouchesTheMux fails if code in this package registers handlers on a
// ServeMux anywhere but recordingMux.handle, which would bypass the table.
func TestOnlyTheRouterTouchesTheMux(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if ok && slices.Contains([]string{"Handle", "HandleFunc"}, sel.Sel.Name) {
				pos := fset.Position(call.Pos())
				if !(f == "router.go" && sel.Sel.Name == "Handle") {
					t.Errorf("%s: %s call outside recordingMux.handle", pos, sel.Sel.Name)
				}
			}
			return true
		})
	}
}

func TestRegisterRejectsUndeclared(t *testing.T) {
	h := newHarness(t, backends[0].fresh(t))
	ok := func(http.ResponseWriter, *http.Request) {}
	for _, r := range []Route{
		{"GET", "/x", "", ok, 0},
		{"GET", "/x", PermPublic, ok, 0},
		{"GET", "/x", "made:up", ok, 0},
		{"GET", "/x", PermSignedIn, nil, 0},
		{"GET", "/healthz", PermSignedIn, ok, 0}, // conflicts with the core route
	} {
		if _, err := New(Config{Store: h.st, Auditor: h.audit, Routes: []Route{r}}); err == nil {
			t.Errorf("New accepted %+v", r)
		}
	}
}

// TestSecurityHeadersEverywhere: every route, with and without a session, and
// unmatched paths, carry the security headers; nothing authenticated is cacheable.
func TestSecurityHeadersEverywhere(t *testing.T) {
	h := newHarness(t, backends[0].fresh(t))
	u := h.user("ada@example.com", store.RoleAdmin)
	signed := h.client()
	h.login(signed, u)
	paths := []string{"/nowhere", "/static/", "/static/missing.css"}
	for _, r := range h.srv.Routes() {
		paths = append(paths, r.Method+" "+examplePath(r.Pattern))
	}
	for _, c := range []*http.Client{h.client(), signed} {
		for _, p := range paths {
			method, path, ok := strings.Cut(p, " ")
			if !ok {
				method, path = "GET", p
			}
			resp, _ := h.do(c, method, path, nil, nil)
			hd := resp.Header
			for k, want := range map[string]string{
				"Strict-Transport-Security": strictTransportSecurity, "Content-Security-Policy": contentSecurityPolicy,
				"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
			} {
				if hd.Get(k) != want {
					t.Errorf("%s %s (%d): %s = %q", method, path, resp.StatusCode, k, hd.Get(k))
				}
			}
			if hd.Get("X-Request-ID") == "" {
				t.Errorf("%s %s: no X-Request-ID", method, path)
			}
			if !strings.HasPrefix(path, "/static/") && hd.Get("Cache-Control") != "no-store" {
				t.Errorf("%s %s: Cache-Control %q", method, path, hd.Get("Cache-Control"))
			}
		}
	}
	if !strings.Contains(contentSecurityPolicy, "frame-ancestors 'none'") || strings.Contains(contentSecurityPolicy, "unsafe-inline") {
		t.Error("CSP must forbid framing and inline code")
	}
	if !regexp.MustCompile(`max-age=(\d+)`).MatchString(strictTransportSecurity) {
		t.Error("HSTS without max-age")
	}
}

// TestTemplatesHaveNoInlineCode: the CSP would block it, so it must not exist.
func TestTemplatesHaveNoInlineCode(t *testing.T) {
	files, _ := filepath.Glob("web/templates/*.html")
	bad := regexp.MustCompile(`(?i)<script[^>]*>[^<]|\son\w+=|style=|javascript:|https?://`)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if m := bad.Find(b); m != nil {
			t.Errorf("%s: inline code or external reference %q", f, m)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	h := newHarness(t, backends[0].fresh(t))
	c := h.client()
	for _, p := range []string{"/healthz", "/readyz"} {
		if resp, body := h.do(c, "GET", p, nil, nil); resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
	}
	h.st.Close()
	if resp, _ := h.do(c, "GET", "/readyz", nil, nil); resp.StatusCode != 503 {
		t.Errorf("readyz with the database closed: %d", resp.StatusCode)
	}
	if resp, _ := h.do(c, "GET", "/healthz", nil, nil); resp.StatusCode != 200 {
		t.Errorf("healthz with the database closed: %d", resp.StatusCode)
	}
}

func TestRedirectToHTTPS(t *testing.T) {
	h := RedirectToHTTPS(&netTCPAddr8443)
	for in, want := range map[string]string{
		"http://example.test/a?b=1":      "https://example.test:8443/a?b=1",
		"http://example.test:8080/login": "https://example.test:8443/login",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", in, nil))
		if rec.Code != http.StatusPermanentRedirect || rec.Header().Get("Location") != want {
			t.Errorf("%s → %d %q, want %q", in, rec.Code, rec.Header().Get("Location"), want)
		}
	}
	_ = time.Second
}

var netTCPAddr8443 = net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8443}
