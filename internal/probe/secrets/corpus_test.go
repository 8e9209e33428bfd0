package secrets

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/yamlfile"
)

// Thresholds from the issue: recall ≥ 0.95 and precision ≥ 0.90 on our labelled corpus.
const (
	minRecall    = 0.95
	minPrecision = 0.90
)

type corpusLabel struct {
	Path string `yaml:"path"`
	Line int    `yaml:"line"`
	Note string `yaml:"note"`
}

// TestCorpusPrecisionRecall scans testdata/corpus/files with the real probe and scores it
// against manifest.yaml: a finding on a labelled line is a true positive, any other finding
// a false positive, a labelled line without a finding a false negative.
func TestCorpusPrecisionRecall(t *testing.T) {
	data, err := os.ReadFile("testdata/corpus/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Positives []corpusLabel `yaml:"positives"`
	}
	if err := yamlfile.Decode("manifest.yaml", data, &m); err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("testdata/corpus/files")
	set, err := fileset.Build(context.Background(), root, fileset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := New(Options{})
	hits, err := p.scanTree(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]corpusLabel{}
	for _, l := range m.Positives {
		want[fmt.Sprintf("%s:%d", l.Path, l.Line)] = l
	}
	found := map[string]string{}
	var fps []string
	perRule := map[string]*[2]int{} // rule -> {tp, fp}
	for _, h := range hits {
		k := fmt.Sprintf("%s:%d", h.finding.Location.Path, h.finding.Location.Line)
		rule := h.finding.Rule
		if perRule[rule] == nil {
			perRule[rule] = &[2]int{}
		}
		if _, ok := want[k]; ok {
			found[k] = rule
			perRule[rule][0]++
			continue
		}
		perRule[rule][1]++
		fps = append(fps, fmt.Sprintf("%s (%s, evidence %s)", k, rule, h.finding.Evidence.Text))
	}
	var fns []string
	for k, l := range want {
		if _, ok := found[k]; !ok {
			fns = append(fns, k+" ("+l.Note+")")
		}
	}
	sort.Strings(fps)
	sort.Strings(fns)
	tp := len(found)
	recall := float64(tp) / float64(len(want))
	precision := float64(tp) / float64(max(tp+len(fps), 1))
	rules := make([]string, 0, len(perRule))
	for r := range perRule {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	for _, r := range rules {
		t.Logf("%-40s tp=%d fp=%d", r, perRule[r][0], perRule[r][1])
	}
	t.Logf("corpus: %d labelled, %d found, %d false positives: recall %.3f, precision %.3f", len(want), tp, len(fps), recall, precision)
	for _, fn := range fns {
		t.Logf("missed: %s", fn)
	}
	for _, fp := range fps {
		t.Logf("false positive: %s", fp)
	}
	if recall < minRecall || precision < minPrecision {
		t.Fatalf("recall %.3f (min %.2f), precision %.3f (min %.2f)", recall, minRecall, precision, minPrecision)
	}
}
