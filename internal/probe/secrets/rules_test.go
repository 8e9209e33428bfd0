package secrets

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/posture-dev/posture/internal/yamlfile"
)

type sampleSet struct {
	Positive []string `yaml:"positive"`
	Negative []string `yaml:"negative"`
}

func loadSamples(t *testing.T) map[string]sampleSet {
	t.Helper()
	files, err := filepath.Glob("testdata/samples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample files: %v", err)
	}
	all := map[string]sampleSet{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Samples map[string]sampleSet `yaml:"samples"`
		}
		if err := yamlfile.Decode(f, data, &doc); err != nil {
			t.Fatal(err)
		}
		for id, s := range doc.Samples {
			if _, dup := all[id]; dup {
				t.Fatalf("%s: samples for %s defined twice", f, id)
			}
			all[id] = s
		}
	}
	return all
}

// samplePath picks a file name the rule applies to, for rules limited to some files.
func samplePath(r *Rule) string {
	for _, p := range []string{"config/app.go", ".env", ".npmrc", ".pypirc", ".htpasswd", "config/app.yaml", "app.properties", "wp-config.php"} {
		if r.appliesTo(p) {
			return p
		}
	}
	return "config/app.go"
}

// Every rule carries its own true and false positives; this runs them all through the
// real scanner: each positive must be found by its rule, no negative by any rule.
func TestRuleSamples(t *testing.T) {
	rules, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	samples := loadSamples(t)
	sc := NewScanner(rules)
	byID := map[string]*Rule{}
	for _, r := range rules {
		byID[r.ID] = r
	}
	for id := range samples {
		if byID[id] == nil {
			t.Errorf("samples for unknown rule %s", id)
		}
	}
	for _, r := range rules {
		s, ok := samples[r.ID]
		if !ok || len(s.Positive) == 0 || len(s.Negative) == 0 && r.fileRe == nil {
			t.Errorf("rule %s needs at least one positive and one negative sample", r.ID)
			continue
		}
		if r.fileRe != nil {
			for _, p := range s.Positive {
				if len(sc.ScanPath(p)) == 0 {
					t.Errorf("%s: path %q not flagged", r.ID, p)
				}
			}
			for _, n := range s.Negative {
				if m := sc.ScanPath(n); len(m) > 0 {
					t.Errorf("%s: path %q flagged by %s", r.ID, n, m[0].Rule.ID)
				}
			}
			continue
		}
		path := samplePath(r)
		for _, p := range s.Positive {
			found := false
			for _, m := range sc.Scan(path, []byte(p)) {
				found = found || m.Rule == r
			}
			if !found {
				t.Errorf("%s: positive not found:\n%s", r.ID, p)
			}
		}
		for _, n := range s.Negative {
			if ms := sc.Scan(path, []byte(n)); len(ms) > 0 {
				t.Errorf("%s: negative flagged by %s (secret %q):\n%s", r.ID, ms[0].Rule.ID, ms[0].Secret, n)
			}
		}
	}
}
