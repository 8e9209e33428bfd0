package secrets

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/posture-dev/posture/internal/textscan"
)

// BenchmarkScan measures the rule engine alone over a directory of source, by default this
// package's corpus; set POSTURE_BENCH_TREE to a larger tree (bench/secrets generates one).
func BenchmarkScan(b *testing.B) {
	root := os.Getenv("POSTURE_BENCH_TREE")
	if root == "" {
		root = "testdata/corpus/files"
	}
	type file struct {
		path string
		data []byte
	}
	var files []file
	var total int64
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil && !textscan.IsBinary(data) {
			files = append(files, file{p, data})
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
			sc.Scan(f.path, f.data)
		}
	}
}
