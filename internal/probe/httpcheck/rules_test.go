package httpcheck

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/yamlfile"
)

// ruleCase is one answer a rule must confirm (match) or must not (no_match).
type ruleCase struct {
	Status      int    `yaml:"status"`
	ContentType string `yaml:"content_type"`
	Body        string `yaml:"body"`
	// Evidence, when set, must appear in the finding's evidence; secrets listed in
	// Hidden must not.
	Evidence string   `yaml:"evidence"`
	Hidden   []string `yaml:"hidden"`
}

type ruleCases struct {
	Match   []ruleCase `yaml:"match"`
	NoMatch []ruleCase `yaml:"no_match"`
}

type sigCases struct {
	Match   []string `yaml:"match"`
	NoMatch []string `yaml:"no_match"`
}

type casesFile struct {
	Rules      map[string]ruleCases `yaml:"rules"`
	Signatures map[string]sigCases  `yaml:"signatures"`
}

func loadCases(t *testing.T) casesFile {
	t.Helper()
	data, err := os.ReadFile("testdata/cases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c casesFile
	if err := yamlfile.Decode("testdata/cases.yaml", data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c ruleCase) response() *response {
	st := c.Status
	if st == 0 {
		st = 200
	}
	h := http.Header{}
	if c.ContentType != "" {
		h.Set("Content-Type", c.ContentType)
	}
	return &response{url: "https://example.test/x", status: st, header: h, body: []byte(c.Body), tls: true}
}

// Every rule carries at least one true positive and one near miss, and each behaves.
func TestRuleCases(t *testing.T) {
	rules, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	cases := loadCases(t)
	known := map[string]bool{}
	for _, r := range rules.Paths {
		known[r.ID] = true
		c, ok := cases.Rules[r.ID]
		if !ok || len(c.Match) == 0 || len(c.NoMatch) == 0 {
			t.Errorf("rule %s: needs at least one match and one no_match case in testdata/cases.yaml", r.ID)
			continue
		}
		for i, m := range c.Match {
			ev, ok := r.confirm(m.response())
			if !ok {
				t.Errorf("rule %s: match case %d not confirmed:\n%s", r.ID, i, m.Body)
				continue
			}
			if m.Evidence != "" && !strings.Contains(ev, m.Evidence) {
				t.Errorf("rule %s: match case %d: evidence %q lacks %q", r.ID, i, ev, m.Evidence)
			}
			for _, h := range m.Hidden {
				if strings.Contains(ev, h) {
					t.Errorf("rule %s: match case %d: evidence %q shows %q", r.ID, i, ev, h)
				}
			}
		}
		for i, m := range c.NoMatch {
			if ev, ok := r.confirm(m.response()); ok {
				t.Errorf("rule %s: near miss %d confirmed (evidence %q):\n%s", r.ID, i, ev, m.Body)
			}
		}
	}
	for _, sig := range rules.Signatures {
		known[sig.ID] = true
		c, ok := cases.Signatures[sig.ID]
		if !ok || len(c.Match) == 0 || len(c.NoMatch) == 0 {
			t.Errorf("signature %s: needs at least one match and one no_match case", sig.ID)
			continue
		}
		for i, m := range c.Match {
			if _, ok := sig.match([]byte(m)); !ok {
				t.Errorf("signature %s: match case %d not matched:\n%s", sig.ID, i, m)
			}
		}
		for i, m := range c.NoMatch {
			if w, ok := sig.match([]byte(m)); ok {
				t.Errorf("signature %s: near miss %d matched (where %q):\n%s", sig.ID, i, w, m)
			}
		}
	}
	for id := range cases.Rules {
		if !known[id] {
			t.Errorf("cases for unknown rule %s", id)
		}
	}
	for id := range cases.Signatures {
		if !known[id] {
			t.Errorf("cases for unknown signature %s", id)
		}
	}
}

func TestParseRulesRejects(t *testing.T) {
	const ok = `rules:
  - id: x
    control: ST-1
    paths: [/x]
    body: [x]
    evidence: none
    description: d
    message: m
    fix: f
`
	if _, err := ParseRules("t.yaml", []byte(ok)); err != nil {
		t.Fatalf("valid rule rejected: %v", err)
	}
	tests := []struct{ name, from, to, want string }{
		{"bad control", "ST-1", "CR-9", "control"},
		{"no confirmation", "    body: [x]\n", "", "no content confirmation"},
		{"relative path", "[/x]", "[x]", "path"},
		{"climbing path", "[/x]", "[/a/../x]", "path"},
		{"path with query", "[/x]", "[/x?a=1]", "path"},
		{"unsafe method", "    paths:", "    method: POST\n    paths:", "method"},
		{"bad regex", "[x]", "['(']", "body"},
		{"bad evidence", "evidence: none", "evidence: all", "evidence"},
		{"match without group", "evidence: none", "evidence: match", "evidence"},
		{"bad id", "id: x", "id: X Y", "id"},
		{"unknown field", "    fix: f\n", "    fix: f\n    colour: red\n", "colour"},
		{"no fix", "    fix: f\n", "", "required"},
		{"bad status", "    paths:", "    status: [999]\n    paths:", "status"},
		{"unknown detector", "    body: [x]\n", "    detector: magic\n", "detector"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(ok, tt.from, tt.to, 1)
			_, err := ParseRules("t.yaml", []byte(src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	dup := ok + strings.TrimPrefix(ok, "rules:\n")
	if _, err := ParseRules("t.yaml", []byte(dup)); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("duplicate ids: err = %v", err)
	}
}
