package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
)

// The UI is server-rendered from embedded templates and assets: no CDN, and no inline
// script or style, which the CSP forbids.
//
//go:embed web/templates/*.html
var templateFS embed.FS

//go:embed web/static
var staticFS embed.FS

type pages struct{ t map[string]*template.Template }

func loadPages() (*pages, error) {
	p := &pages{t: map[string]*template.Template{}}
	names, err := fs.Glob(templateFS, "web/templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == "web/templates/layout.html" {
			continue
		}
		t, err := template.ParseFS(templateFS, "web/templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("server: template %s: %w", n, err)
		}
		name := n[len("web/templates/") : len(n)-len(".html")]
		p.t[name] = t
	}
	return p, nil
}

// render writes page name with data inside the layout. The layout gets the principal
// (for the header) and its CSRF token (for the sign-out form).
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data map[string]any) {
	t, ok := s.pages.t[name]
	if !ok {
		http.Error(w, "internal error", http.StatusInternalServerError)
		s.log.Error("no such template", "template", name)
		return
	}
	p := PrincipalFrom(r.Context())
	data["Principal"] = p
	if p != nil && p.User != nil {
		data["User"] = p.User
		data["LogoutCSRF"] = p.csrf
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("rendering", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func staticHandler() http.HandlerFunc {
	sub, err := fs.Sub(staticFS, "web")
	if err != nil {
		panic(err)
	}
	fsrv := http.FileServerFS(sub)
	return func(w http.ResponseWriter, r *http.Request) {
		// Assets change only with the binary; an hour is plenty and keeps upgrades visible.
		if r.URL.Path == "/static/" || r.URL.Path[len(r.URL.Path)-1] == '/' {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	}
}
