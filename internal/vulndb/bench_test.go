package vulndb

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// benchDB builds, once per process, a database the size of the public OSV data for the
// six ecosystems posture reads (~60,000 records over ~40,000 packages).
var benchDB = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "posture-vulndb-bench-")
	if err != nil {
		return "", err
	}
	z := filepath.Join(dir, "all.zip")
	f, err := os.Create(z)
	if err != nil {
		return "", err
	}
	zw := zip.NewWriter(f)
	ecos := []string{"npm", "PyPI", "Go", "crates.io", "Packagist", "RubyGems"}
	for i := 0; i < 60000; i++ {
		eco := ecos[i%len(ecos)]
		r := rec(fmt.Sprintf("GHSA-%05d", i), eco, fmt.Sprintf("package-%d", i%40000), "2026-11-20T00:00:00Z",
			map[string]any{"aliases": []string{fmt.Sprintf("CVE-2026-%05d", i)}})
		w, _ := zw.Create(fmt.Sprintf("%d.json", i))
		data, _ := json.Marshal(r)
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	f.Close()
	db := filepath.Join(dir, "db")
	_, err = Import(db, z, now, time.Time{})
	return db, err
})

func BenchmarkOpen(b *testing.B) {
	db, err := benchDB()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		d, err := Open(db, now)
		if err != nil {
			b.Fatal(err)
		}
		d.Close()
	}
}

func BenchmarkLookup(b *testing.B) {
	db, err := benchDB()
	if err != nil {
		b.Fatal(err)
	}
	d, err := Open(db, now)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	i := 0
	for b.Loop() {
		i++
		if _, err := d.Lookup("npm", fmt.Sprintf("package-%d", (i*6)%40000)); err != nil {
			b.Fatal(err)
		}
	}
}
