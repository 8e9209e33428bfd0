package personaldata

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestCorpus is a precision check on real repositories, run by hand: it walks
// $POSTURE_PII_CORPUS (a Go module cache, a directory of clones) as the probe would and
// prints each file it would report, with its counts and redacted samples, for a person to
// judge. Without the variable it is skipped.
//
//	POSTURE_PII_CORPUS=$(go env GOMODCACHE) go test ./internal/probe/personaldata -run Corpus -v
func TestCorpus(t *testing.T) {
	root := os.Getenv("POSTURE_PII_CORPUS")
	if root == "" {
		t.Skip("POSTURE_PII_CORPUS not set")
	}
	p := New(Options{})
	p.init()
	candidates, reported := 0, 0
	_ = filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || info.Size() > 10<<20 {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if !p.candidate(rel) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		candidates++
		res, err := scanContent(rel, data, 160<<20)
		if err != nil || !res.reportable(p.opt.MinMatches) {
			return nil
		}
		reported++
		fmt.Printf("%s\n   %s\n   %s\n", rel, res.summary(), res.evidence())
		return nil
	})
	t.Logf("%d candidate files, %d reported", candidates, reported)
}
