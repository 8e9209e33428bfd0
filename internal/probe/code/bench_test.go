package code

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/posture-dev/posture/internal/textscan"
)

// BenchmarkScan measures the rule engine over a directory tree (POSTURE_BENCH_TREE), by
// default this package's own sources.
func BenchmarkScan(b *testing.B) {
	root := os.Getenv("POSTURE_BENCH_TREE")
	if root == "" {
		root = "."
	}
	type file struct {
		lang Language
		data []byte
	}
	var files []file
	var total int64
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		l, ok := examined(filepath.ToSlash(rel))
		if !ok {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil && !textscan.IsBinary(data) {
			files = append(files, file{l, data})
			total += int64(len(data))
		}
		return nil
	})
	rules, err := DefaultRules()
	if err != nil {
		b.Fatal(err)
	}
	sc := NewScanner(rules)
	b.SetBytes(total)
	b.ResetTimer()
	for range b.N {
		for _, f := range files {
			sc.Scan(f.lang, f.data)
		}
	}
}
