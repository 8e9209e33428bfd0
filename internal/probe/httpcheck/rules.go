package httpcheck

import (
	_ "embed"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/yamlfile"
)

// The paths probed and how a hit is confirmed are data, so that adding a path is adding
// a rule with its test cases, not code.
//
//go:embed rules.yaml
var defaultRulesYAML []byte

// pathControls are the controls a path rule may report under.
var pathControls = []string{ctlAdmin, ctlOWASP}

// Rule is one path whose answer, once confirmed by its content, is a finding.
type Rule struct {
	ID       string          `yaml:"id"`
	Control  string          `yaml:"control"`
	Severity policy.Severity `yaml:"severity"`
	// Paths are requested from the root of the target's origin; each confirmed path is
	// its own finding.
	Paths  []string `yaml:"paths"`
	Method string   `yaml:"method"`
	// Status lists the statuses that can be a hit (200 when empty).
	Status []int `yaml:"status"`
	// Prefix: the body must start with one of these (after leading white space).
	Prefix []string `yaml:"prefix"`
	// Body: every expression must match somewhere in the body. A group named "evidence"
	// in the last one is what the finding quotes.
	Body []string `yaml:"body"`
	// MustNot: none may match (an HTML page where a text file was expected).
	MustNot []string `yaml:"must_not"`
	// Lines: every non-empty line of the body must match (a KEY=VALUE file).
	Lines string `yaml:"lines"`
	// JSONArrayKeys: the body is a JSON array whose first object has all these keys.
	JSONArrayKeys []string `yaml:"json_array_keys"`
	// Detector names a built-in recogniser the body must satisfy ("directory-listing").
	Detector string `yaml:"detector"`
	// LoginPageOK: a login form is the expected answer, not a finding.
	LoginPageOK bool `yaml:"login_page_ok"`
	// Evidence says what of the body may be quoted (see evidenceModes).
	Evidence    string `yaml:"evidence"`
	Description string `yaml:"description"`
	Message     string `yaml:"message"`
	Fix         string `yaml:"fix"`

	body, mustNot []*regexp.Regexp
	lines         *regexp.Regexp
}

// Signature recognises a stack trace or debug page in any response.
type Signature struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// All must match; a group named "where" in any is quoted (a file and line, never the
	// message, which can hold data).
	All []string `yaml:"all"`
	// AnyStatus looks for the signature in successful answers too. Most signatures count
	// only in error answers and in answers to the malformed requests, because a page
	// about programming can show a stack trace on purpose; PHP's error display cannot.
	AnyStatus bool `yaml:"any_status"`

	all []*regexp.Regexp
}

// Rules is the compiled rule set.
type Rules struct {
	Paths      []*Rule
	Signatures []*Signature
}

type rulesFile struct {
	Rules      []Rule      `yaml:"rules"`
	Signatures []Signature `yaml:"error_signatures"`
}

// evidenceModes are what a rule may quote from a confirmed body. Bodies of exposed files
// can hold secrets, so each mode quotes only what is safe: key names, not values.
var evidenceModes = []string{"none", "first-line", "keys", "defines", "json-array", "title", "match", "listing"}

var detectors = []string{"directory-listing"}

var (
	ruleIDRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	// A path is requested verbatim: no scheme, host, query or fragment, and nothing that
	// climbs out of the root.
	rulePathRe = regexp.MustCompile(`^/[A-Za-z0-9._~/@+-]*$`)
)

// Limits keep a rule file, even a hostile one, cheap to load and run.
const (
	maxRules      = 500
	maxPaths      = 20
	maxExprs      = 8
	maxExprLength = 1000
)

// DefaultRules returns the embedded rules, compiled.
func DefaultRules() (*Rules, error) { return ParseRules("rules.yaml", defaultRulesYAML) }

// ParseRules decodes and checks a rules file.
func ParseRules(name string, data []byte) (*Rules, error) {
	var f rulesFile
	if err := yamlfile.Decode(name, data, &f); err != nil {
		return nil, err
	}
	if len(f.Rules)+len(f.Signatures) > maxRules {
		return nil, fmt.Errorf("%s: more than %d rules", name, maxRules)
	}
	out := &Rules{}
	seen := map[string]bool{}
	for i := range f.Rules {
		r := &f.Rules[i]
		if err := r.compile(); err != nil {
			return nil, fmt.Errorf("%s: rule %q: %w", name, r.ID, err)
		}
		if seen[r.ID] {
			return nil, fmt.Errorf("%s: duplicate rule id %q", name, r.ID)
		}
		seen[r.ID] = true
		out.Paths = append(out.Paths, r)
	}
	for i := range f.Signatures {
		s := &f.Signatures[i]
		if err := s.compile(); err != nil {
			return nil, fmt.Errorf("%s: error signature %q: %w", name, s.ID, err)
		}
		if seen[s.ID] {
			return nil, fmt.Errorf("%s: duplicate rule id %q", name, s.ID)
		}
		seen[s.ID] = true
		out.Signatures = append(out.Signatures, s)
	}
	return out, nil
}

func (r *Rule) compile() error {
	switch {
	case !ruleIDRe.MatchString(r.ID):
		return fmt.Errorf("id must be lower-case words joined by hyphens")
	case !slices.Contains(pathControls, r.Control):
		return fmt.Errorf("control %q is not one of %s", r.Control, strings.Join(pathControls, ", "))
	case r.Description == "" || r.Message == "" || r.Fix == "":
		return fmt.Errorf("description, message and fix are all required")
	case len(r.Paths) == 0 || len(r.Paths) > maxPaths:
		return fmt.Errorf("between 1 and %d paths", maxPaths)
	case len(r.Body) > maxExprs || len(r.MustNot) > maxExprs || len(r.Prefix) > maxExprs:
		return fmt.Errorf("at most %d expressions or prefixes in each of body, must_not, prefix", maxExprs)
	case len(r.Body) == 0 && len(r.Prefix) == 0 && r.Lines == "" && len(r.JSONArrayKeys) == 0 && r.Detector == "":
		// Without a content check any soft-404 that slips past the baseline is a finding.
		return fmt.Errorf("no content confirmation (prefix, body, lines, json_array_keys or detector)")
	case r.Detector != "" && !slices.Contains(detectors, r.Detector):
		return fmt.Errorf("unknown detector %q (want one of %s)", r.Detector, strings.Join(detectors, ", "))
	case !slices.Contains(evidenceModes, r.Evidence):
		return fmt.Errorf("evidence %q is not one of %s", r.Evidence, strings.Join(evidenceModes, ", "))
	}
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// A scanner must not change what it scans: only safe methods.
		return fmt.Errorf("method %q: only GET and HEAD", r.Method)
	}
	if len(r.Status) == 0 {
		r.Status = []int{http.StatusOK}
	}
	for _, s := range r.Status {
		if s < 100 || s > 599 {
			return fmt.Errorf("status %d is not an HTTP status", s)
		}
	}
	if r.Severity != "" {
		if _, err := policy.ParseSeverity(string(r.Severity)); err != nil {
			return err
		}
	}
	for _, p := range r.Paths {
		if !rulePathRe.MatchString(p) || strings.Contains(p, "..") || strings.Contains(p, "//") {
			return fmt.Errorf("path %q: an absolute path of plain characters, without .. or //", p)
		}
	}
	for _, p := range r.Prefix {
		if p == "" {
			return fmt.Errorf("empty prefix")
		}
	}
	var err error
	if r.body, err = compileAll("body", r.Body); err != nil {
		return err
	}
	if r.mustNot, err = compileAll("must_not", r.MustNot); err != nil {
		return err
	}
	if r.Lines != "" {
		if r.lines, err = compileOne("lines", r.Lines); err != nil {
			return err
		}
	}
	if r.Evidence == "match" && (len(r.body) == 0 || r.body[len(r.body)-1].SubexpIndex("evidence") < 0) {
		return fmt.Errorf(`evidence "match" needs a group named "evidence" in the last body expression`)
	}
	for _, k := range r.JSONArrayKeys {
		if k == "" {
			return fmt.Errorf("empty key in json_array_keys")
		}
	}
	return nil
}

func (s *Signature) compile() error {
	switch {
	case !ruleIDRe.MatchString(s.ID):
		return fmt.Errorf("id must be lower-case words joined by hyphens")
	case s.Name == "":
		return fmt.Errorf("name is required")
	case len(s.All) == 0 || len(s.All) > maxExprs:
		return fmt.Errorf("between 1 and %d expressions in all", maxExprs)
	}
	var err error
	s.all, err = compileAll("all", s.All)
	return err
}

func compileAll(field string, exprs []string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(exprs))
	for _, e := range exprs {
		re, err := compileOne(field, e)
		if err != nil {
			return nil, err
		}
		out = append(out, re)
	}
	return out, nil
}

func compileOne(field, expr string) (*regexp.Regexp, error) {
	if expr == "" || len(expr) > maxExprLength {
		return nil, fmt.Errorf("%s: expressions must be 1 to %d characters", field, maxExprLength)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return re, nil
}
