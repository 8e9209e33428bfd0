// Package forgetest serves recorded forge API responses for tests: a scenario file
// maps each request to a status, headers and a body file, and the server answers
// exactly those requests and fails the test on any other.
package forgetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Scenario is one recorded conversation with a forge.
type Scenario struct {
	Description string  `json:"description"`
	Routes      []Route `json:"routes"`
}

// Route is one recorded response.
type Route struct {
	// Request is the request URI (path and query). One without a query matches any
	// query on that path.
	Request string `json:"request"`
	Status  int    `json:"status"`
	// Headers are sent as recorded; "{{origin}}" becomes the server's own origin, so
	// recorded pagination links point back at it.
	Headers map[string]string `json:"headers"`
	// Body names the body file, relative to the scenario file.
	Body string `json:"body"`
}

// Server replays a scenario.
type Server struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

// Requests lists the request URIs served, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

// Serve starts a server replaying the scenario file at path. Every request must carry
// wantAuth as its Authorization header (a wrong one gets 401, as a forge would say).
func Serve(t testing.TB, path, wantAuth string) *Server {
	t.Helper()
	return ServeAs(t, path, wantAuth, "")
}

// ServeAs is Serve for a server standing in for origin ("https://api.github.com"):
// recorded links name origin, and Client reaches the server whatever host a request
// names, so code under test uses its real API URLs.
func ServeAs(t testing.TB, path, wantAuth, origin string) *Server {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sc Scenario
	if err := json.Unmarshal(data, &sc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	bodies := map[string][]byte{}
	for _, r := range sc.Routes {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(path), r.Body))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		bodies[r.Body] = b
	}
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, req.URL.RequestURI())
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if req.Method != http.MethodGet {
			t.Errorf("%s: unexpected %s %s", filepath.Base(path), req.Method, req.URL.RequestURI())
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if req.Header.Get("Authorization") != wantAuth {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`))
			return
		}
		for _, r := range sc.Routes {
			if r.Request != req.URL.RequestURI() && (strings.Contains(r.Request, "?") || r.Request != req.URL.Path) {
				continue
			}
			for k, v := range r.Headers {
				o := origin
				if o == "" {
					o = s.URL
				}
				w.Header().Set(k, strings.ReplaceAll(v, "{{origin}}", o))
			}
			w.WriteHeader(r.Status)
			w.Write(bodies[r.Body])
			return
		}
		t.Errorf("%s: unexpected request %s", filepath.Base(path), req.URL.RequestURI())
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"Not Found","status":"404"}`))
	}))
	t.Cleanup(s.Close)
	return s
}

// Client returns an HTTP client that sends every request to this server, keeping the
// path, query and headers: a stand-in for the forge's real address.
func (s *Server) Client() *http.Client {
	u, _ := url.Parse(s.URL)
	return &http.Client{Transport: rewrite{to: u, rt: s.Server.Client().Transport}}
}

type rewrite struct {
	to *url.URL
	rt http.RoundTripper
}

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.to.Scheme, r.to.Host
	return r.rt.RoundTrip(req)
}
