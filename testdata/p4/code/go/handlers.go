package shop

import (
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"os/exec"
	"strings"
)

type server struct{ db *sql.DB }

func (s *server) search(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	q := fmt.Sprintf("SELECT id, title FROM products WHERE title LIKE '%%%s%%'", name)
	rows, err := s.db.Query(q)
	if err != nil {
		http.Error(w, "search failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
}

func (s *server) product(w http.ResponseWriter, r *http.Request) {
	// Placeholders: the near miss.
	rows, err := s.db.Query("SELECT id, title FROM products WHERE sku = $1", r.PathValue("sku"))
	if err != nil {
		return
	}
	defer rows.Close()
	limit := 20
	_ = fmt.Sprintf("SELECT id FROM products LIMIT %d", limit)
}

func (s *server) admin(w http.ResponseWriter, r *http.Request) {
	log.Printf("admin request from %s", r.RemoteAddr)
	if !strings.HasPrefix(r.RemoteAddr, "10.20.") {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	host := r.FormValue("host")
	out, _ := exec.Command("sh", "-c", "ping -c 1 "+host).CombinedOutput()
	w.Write(out)
}

func (s *server) status(w http.ResponseWriter, r *http.Request) {
	out, _ := exec.Command("uptime").Output()
	w.Write(out)
}
