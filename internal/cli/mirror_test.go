package cli

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newOSVMirror serves the JSON records under dir as <Ecosystem>/all.zip, the layout of the
// OSV bucket, with ETags and range support from net/http.
func newOSVMirror(t *testing.T, dir string) string {
	t.Helper()
	byEco := map[string]*bytes.Buffer{}
	writers := map[string]*zip.Writer{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Affected []struct {
				Package struct{ Ecosystem string } `json:"package"`
			} `json:"affected"`
		}
		if err := json.Unmarshal(data, &rec); err != nil {
			t.Fatal(f, err)
		}
		for _, a := range rec.Affected {
			eco := a.Package.Ecosystem
			if writers[eco] == nil {
				byEco[eco] = &bytes.Buffer{}
				writers[eco] = zip.NewWriter(byEco[eco])
			}
			w, _ := writers[eco].Create(filepath.Base(f))
			w.Write(data)
			break
		}
	}
	for _, w := range writers {
		w.Close()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		eco, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/all.zip")
		b := byEco[eco]
		if !ok || b == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", `"`+eco+`-v1"`)
		http.ServeContent(w, r, "all.zip", time.Time{}, bytes.NewReader(b.Bytes()))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
