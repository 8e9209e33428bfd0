package code

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/posture-dev/posture/internal/yamlfile"
)

// cases are a rule's true positives (match) and near misses (no_match), one snippet each.
type cases struct {
	Match   []string `yaml:"match"`
	NoMatch []string `yaml:"no_match"`
}

func loadCases(t *testing.T) map[string]cases {
	t.Helper()
	files, err := filepath.Glob("testdata/cases/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	all := map[string]cases{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Tests map[string]cases `yaml:"tests"`
		}
		if err := yamlfile.Decode(f, data, &doc); err != nil {
			t.Fatal(err)
		}
		for id, c := range doc.Tests {
			if _, dup := all[id]; dup {
				t.Fatalf("%s: cases for %s defined twice", f, id)
			}
			all[id] = c
		}
	}
	return all
}

// Every rule carries true positives and near misses; each positive must be found by its
// rule in every language the rule reads, and no near miss by any rule of those languages.
func TestRuleCases(t *testing.T) {
	rules, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	all := loadCases(t)
	sc := NewScanner(rules)
	known := map[string]bool{}
	for _, r := range rules {
		known[r.ID] = true
	}
	for id := range all {
		if !known[id] {
			t.Errorf("cases for unknown rule %s", id)
		}
	}
	for _, r := range rules {
		c := all[r.ID]
		if len(c.Match) == 0 || len(c.NoMatch) == 0 {
			t.Errorf("rule %s needs at least one match and one no_match case", r.ID)
			continue
		}
		for _, l := range r.Languages {
			for _, src := range c.Match {
				found := false
				for _, m := range sc.Scan(l, []byte(src)) {
					found = found || m.Rule == r
				}
				if !found {
					t.Errorf("%s (%s): not found in:\n%s", r.ID, l, src)
				}
			}
			for _, src := range c.NoMatch {
				for _, m := range sc.Scan(l, []byte(src)) {
					t.Errorf("%s (%s): near miss flagged by %s at line %d (%q):\n%s", r.ID, l, m.Rule.ID, m.Line, m.Text, src)
				}
			}
		}
	}
}

func TestEmbeddedRulesAreValid(t *testing.T) {
	rules, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) < 30 {
		t.Errorf("only %d rules loaded", len(rules))
	}
}

// InsecureSkipVerify beside a verification callback is one note under the custom
// verification rule, not also a high finding; without the callback it is only the high one.
func TestInsecureSkipVerifyIsOneFindingUnderOneRule(t *testing.T) {
	rules, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	sc := NewScanner(rules)
	tests := []struct{ src, want string }{
		{"cfg := &tls.Config{\n\tMinVersion: tls.VersionTLS12,\n\tInsecureSkipVerify: true,\n\tVerifyConnection: record,\n}\n", "go-tls-custom-verification"},
		{"cfg := &tls.Config{\n\tVerifyPeerCertificate: check,\n\tInsecureSkipVerify: true,\n}\n", "go-tls-custom-verification"},
		{"cfg := &tls.Config{\n\tInsecureSkipVerify: true,\n}\nfunc f() {\n\tx := 1\n\ty := 2\n\tz := 3\n\tw := 4\n\tv := 5\n}\nvar c = tls.Config{VerifyConnection: v}\n", "go-tls-insecure-skip-verify"},
	}
	for _, tt := range tests {
		ms := sc.Scan(Go, []byte(tt.src))
		if len(ms) != 1 || ms[0].Rule.ID != tt.want {
			var got []string
			for _, m := range ms {
				got = append(got, m.Rule.ID)
			}
			t.Errorf("got %v, want exactly [%s] in:\n%s", got, tt.want, tt.src)
		}
	}
}
