package vulndb

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func rec(id, eco, name string, modified string, extra map[string]any) map[string]any {
	r := map[string]any{
		"schema_version": "1.6.0",
		"id":             id,
		"modified":       modified,
		"summary":        "flaw in " + name,
		"details":        strings.Repeat("long text ", 50),
		"affected": []any{map[string]any{
			"package": map[string]any{"ecosystem": eco, "name": name},
			"ranges":  []any{map[string]any{"type": "ECOSYSTEM", "events": []any{map[string]any{"introduced": "0"}, map[string]any{"fixed": "2.0.0"}}}},
		}},
	}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

func writeJSONDir(t *testing.T, dir string, recs ...map[string]any) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		data, _ := json.Marshal(r)
		if err := os.WriteFile(filepath.Join(dir, r["id"].(string)+".json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func zipOf(t *testing.T, recs ...map[string]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, r := range recs {
		w, _ := zw.Create(r["id"].(string) + ".json")
		data, _ := json.Marshal(r)
		w.Write(data)
	}
	zw.Close()
	return buf.Bytes()
}

func TestImportDirectoryAndLookup(t *testing.T) {
	src := t.TempDir()
	two := rec("GHSA-two", "npm", "left-pad", "2026-11-01T00:00:00Z", nil)
	two["affected"] = append(two["affected"].([]any), map[string]any{
		"package":  map[string]any{"ecosystem": "PyPI", "name": "Left_Pad"},
		"versions": []any{"1.0"},
	})
	writeJSONDir(t, src,
		rec("GHSA-one", "npm", "lodash", "2026-11-20T00:00:00Z", nil),
		two,
		rec("GHSA-gone", "npm", "lodash", "2026-11-21T00:00:00Z", map[string]any{"withdrawn": "2026-11-22T00:00:00Z"}),
		rec("DEBIAN-1", "Debian:12", "openssl", "2026-11-02T00:00:00Z", nil),
	)
	os.WriteFile(filepath.Join(src, "broken.json"), []byte("{not json"), 0o644)
	db := t.TempDir()
	meta, err := Import(db, src, now, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if meta.Records != 2 || meta.Withdrawn != 1 || meta.Ignored != 1 || meta.ProblemsTotal != 1 || !strings.Contains(meta.Problems[0], "broken.json") {
		t.Fatalf("meta: %+v", meta)
	}
	if got := meta.DataTime(); !got.Equal(time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("data time %v: an import is as fresh as its newest record", got)
	}
	ix, err := Open(db, now)
	if err != nil || ix.Rebuilt {
		t.Fatal(err)
	}
	defer ix.Close()
	vs, err := ix.Lookup("npm", "lodash")
	if err != nil || len(vs) != 1 || vs[0].ID != "GHSA-one" || vs[0].Details != "" {
		t.Fatalf("lodash: %+v %v", vs, err)
	}
	vs, err = ix.Lookup("PyPI", "left-pad")
	if err != nil || len(vs) != 1 || len(vs[0].Affected) != 1 || vs[0].Affected[0].Package.Ecosystem != "PyPI" {
		t.Fatalf("PyPI left-pad should find only its own affected entry: %+v %v", vs, err)
	}
	if vs, err := ix.Lookup("npm", "absent"); err != nil || vs != nil {
		t.Fatalf("absent: %v %v", vs, err)
	}
	if ix.Packages() != 3 {
		t.Errorf("packages = %d", ix.Packages())
	}
}

func TestNewerRecordWins(t *testing.T) {
	db := t.TempDir()
	a, b := t.TempDir(), t.TempDir()
	old := rec("GHSA-x", "npm", "pkg", "2026-01-01T00:00:00Z", nil)
	newer := rec("GHSA-x", "npm", "pkg", "2026-06-01T00:00:00Z", map[string]any{"summary": "revised"})
	writeJSONDir(t, a, newer)
	writeJSONDir(t, b, old)
	if _, err := Import(db, a, now, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(db, b, now, time.Time{}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(db, now)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	vs, _ := ix.Lookup("npm", "pkg")
	if len(vs) != 1 || vs[0].Summary != "revised" {
		t.Fatalf("%+v", vs)
	}
}

func TestCorruptIndexIsRebuiltNeverUsed(t *testing.T) {
	db := t.TempDir()
	z := filepath.Join(t.TempDir(), "npm.zip")
	os.WriteFile(z, zipOf(t, rec("GHSA-one", "npm", "lodash", "2026-11-20T00:00:00Z", nil)), 0o644)
	if _, err := Import(db, z, now, time.Time{}); err != nil {
		t.Fatal(err)
	}
	idx := filepath.Join(db, indexFile)
	good, _ := os.ReadFile(idx)
	for _, c := range []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }},
		{"record byte flipped", func(b []byte) []byte { b[len(headerMagic)+3] ^= 0xff; return b }},
		{"table byte flipped", func(b []byte) []byte { b[len(b)-trailerSize-10] ^= 0xff; return b }},
		{"not an index", func([]byte) []byte { return []byte("hello") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			os.WriteFile(idx, c.damage(append([]byte(nil), good...)), 0o644)
			ix, err := openIndex(idx)
			if err == nil {
				_, err = ix.Lookup("npm", "lodash")
				ix.Close()
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("damage not detected: %v", err)
			}
			d, err := Open(db, now)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if vs, err := d.Lookup("npm", "lodash"); err != nil || len(vs) != 1 {
				t.Fatalf("after rebuild: %v %v", vs, err)
			}
			if !d.Rebuilt {
				t.Error("damage repaired without saying so")
			}
		})
	}
}

func TestCorruptWithoutArchivesIsAnError(t *testing.T) {
	db := t.TempDir()
	os.WriteFile(filepath.Join(db, indexFile), []byte("POSTURE-OSV-IDX1 garbage garbage garbage garbage garbage garbage garbage garbage"), 0o644)
	if _, err := Open(db, now); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v", err)
	}
}

func TestImportRejectsBrokenZipAndKeepsOldData(t *testing.T) {
	db := t.TempDir()
	dir := t.TempDir()
	good := filepath.Join(dir, "npm.zip")
	os.WriteFile(good, zipOf(t, rec("GHSA-one", "npm", "lodash", "2026-11-20T00:00:00Z", nil)), 0o644)
	if _, err := Import(db, good, now, time.Time{}); err != nil {
		t.Fatal(err)
	}
	data := zipOf(t, rec("GHSA-two", "npm", "lodash", "2026-11-20T00:00:00Z", nil))
	os.WriteFile(good, data[:len(data)-40], 0o644)
	if _, err := Import(db, good, now, time.Time{}); err == nil {
		t.Fatal("truncated zip imported")
	}
	ix, err := Open(db, now)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if vs, _ := ix.Lookup("npm", "lodash"); len(vs) != 1 || vs[0].ID != "GHSA-one" {
		t.Fatalf("old data lost: %+v", vs)
	}
}

// osvServer serves <eco>/all.zip like the OSV bucket: ETag, x-goog-hash, Range requests.
type osvServer struct {
	files    map[string][]byte
	cutOnce  atomic.Bool // the first full response is cut off half way
	badHash  bool
	ranges   atomic.Int32
	notMod   atomic.Int32
	requests atomic.Int32
}

func (s *osvServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	data, ok := s.files[strings.TrimPrefix(r.URL.Path, "/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := md5.Sum(data)
	if s.badHash {
		sum[0] ^= 1
	}
	etag := fmt.Sprintf(`"%x"`, md5.Sum(data))
	w.Header().Set("ETag", etag)
	w.Header().Set("X-Goog-Hash", "md5="+base64.StdEncoding.EncodeToString(sum[:]))
	if r.Header.Get("Range") != "" {
		s.ranges.Add(1)
	}
	if r.Header.Get("If-None-Match") == etag {
		s.notMod.Add(1)
	}
	if s.cutOnce.CompareAndSwap(true, false) {
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:len(data)/2])
		panic(http.ErrAbortHandler) // drop the connection mid-body
	}
	http.ServeContent(w, r, "all.zip", time.Time{}, bytes.NewReader(data))
}

func TestUpdateResumesVerifiesAndSkipsUnchanged(t *testing.T) {
	big := []map[string]any{}
	for i := 0; i < 400; i++ {
		big = append(big, rec(fmt.Sprintf("GHSA-%04d", i), "npm", fmt.Sprintf("pkg-%d", i), "2026-11-20T00:00:00Z", nil))
	}
	srv := &osvServer{files: map[string][]byte{
		"npm/all.zip":  zipOf(t, big...),
		"PyPI/all.zip": zipOf(t, rec("PYSEC-1", "PyPI", "requests", "2026-11-20T00:00:00Z", nil)),
	}}
	srv.cutOnce.Store(true)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	db := t.TempDir()
	opts := UpdateOptions{Mirror: ts.URL, Ecosystems: []string{"npm", "PyPI"}, Now: func() time.Time { return now }}

	meta, err := Update(context.Background(), db, opts)
	if err == nil || !strings.Contains(err.Error(), "npm") {
		t.Fatalf("interrupted download not reported: %v", err)
	}
	if meta == nil || meta.Ecosystems["PyPI"] == nil {
		t.Fatalf("the ecosystem that downloaded must still be indexed: %+v", meta)
	}
	if _, err := os.Stat(filepath.Join(db, archivesDir, "npm.zip.partial")); err != nil {
		t.Fatalf("partial download not kept for resuming: %v", err)
	}

	meta, err = Update(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if srv.ranges.Load() != 1 {
		t.Errorf("range requests = %d, want the npm download resumed once", srv.ranges.Load())
	}
	if meta.Ecosystems["npm"].Records != 400 {
		t.Errorf("npm records = %d", meta.Ecosystems["npm"].Records)
	}
	if !meta.DataTime().Equal(now) {
		t.Errorf("a download is as fresh as the moment it was fetched: %v", meta.DataTime())
	}

	if _, err := Update(context.Background(), db, opts); err != nil {
		t.Fatal(err)
	}
	// PyPI was unchanged on the second run, and both were on the third.
	if srv.notMod.Load() != 3 {
		t.Errorf("unchanged archives downloaded again (304s: %d)", srv.notMod.Load())
	}
}

func TestUpdateRejectsDigestMismatch(t *testing.T) {
	srv := &osvServer{files: map[string][]byte{"npm/all.zip": zipOf(t, rec("GHSA-1", "npm", "x", "2026-11-20T00:00:00Z", nil))}, badHash: true}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	db := t.TempDir()
	_, err := Update(context.Background(), db, UpdateOptions{Mirror: ts.URL, Ecosystems: []string{"npm"}, Now: func() time.Time { return now }})
	if err == nil || !strings.Contains(err.Error(), "md5") {
		t.Fatalf("digest mismatch not detected: %v", err)
	}
	if _, err := os.Stat(filepath.Join(db, archivesDir, "npm.zip")); err == nil {
		t.Fatal("an archive that failed its digest was installed")
	}
}

func TestUpdateReportsHTTPErrors(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	defer ts.Close()
	_, err := Update(context.Background(), t.TempDir(), UpdateOptions{Mirror: ts.URL, Ecosystems: []string{"npm"}})
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("got %v", err)
	}
}

func FuzzOpenIndex(f *testing.F) {
	dir := f.TempDir()
	src := f.TempDir()
	data, _ := json.Marshal(rec("GHSA-one", "npm", "lodash", "2026-11-20T00:00:00Z", nil))
	os.WriteFile(filepath.Join(src, "a.json"), data, 0o644)
	if _, err := Import(dir, src, now, time.Time{}); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(filepath.Join(dir, indexFile))
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "x.idx")
		os.WriteFile(p, b, 0o644)
		ix, err := openIndex(p)
		if err != nil {
			return
		}
		defer ix.Close()
		_, _ = ix.Lookup("npm", "lodash")
		_, _ = ix.Lookup("PyPI", "zzz")
	})
}

// TestImportAsOf: golang.org/x/vulndb's data/osv leaves "modified" at the zero time. Its
// age is then unknown, never "as fresh as today"; --as-of states it, and survives a
// rebuild.
func TestImportAsOf(t *testing.T) {
	src := t.TempDir()
	writeJSONDir(t, src, rec("GO-2026-0001", "Go", "golang.org/x/net", "0001-01-01T00:00:00Z", nil))
	db := t.TempDir()
	meta, err := Import(db, src, now, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := meta.DataTime(); !got.IsZero() {
		t.Errorf("data time %v, want unknown (zero)", got)
	}
	asOf := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	if meta, err = Import(db, src, now, asOf); err != nil {
		t.Fatal(err)
	}
	if got := meta.DataTime(); !got.Equal(asOf) || len(meta.Sources) != 1 {
		t.Errorf("data time %v with %d sources, want %v from one", got, len(meta.Sources), asOf)
	}
	if meta, err = Rebuild(db, now); err != nil || !meta.DataTime().Equal(asOf) {
		t.Errorf("after rebuild: %v %v", meta.DataTime(), err)
	}
}
