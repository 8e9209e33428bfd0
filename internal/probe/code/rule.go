package code

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/yamlfile"
)

//go:embed rules/*.yaml
var ruleFiles embed.FS

// ruleControls are the controls code rules may report under; the probe declares them
// before any rule is compiled, so a rule naming another control is an error.
var ruleControls = []string{"CR-1", "CR-3", "ST-1", "ZT-2"}

// Rule is one insecure construct, recognised on a single line of source or configuration.
type Rule struct {
	ID      string `yaml:"id"`
	Control string `yaml:"control"`
	// Languages are the kinds of file the rule reads (see languageOf).
	Languages []Language `yaml:"languages"`
	// Severity overrides the control's severity for this rule's findings.
	Severity    policy.Severity `yaml:"severity"`
	Description string          `yaml:"description"`
	Message     string          `yaml:"message"`
	Fix         string          `yaml:"fix"`
	// Keywords gate the rule: its pattern runs only on lines holding one of them (lower
	// case, matched case-insensitively).
	Keywords []string `yaml:"keywords"`
	// Pattern is an RE2 expression run on one line; the finding is at its first match.
	Pattern string `yaml:"pattern"`
	// NotPattern, when it matches anywhere on the same line, cancels the finding: the safe
	// form of the construct (a prepared statement, an escaping call) seen in context.
	NotPattern string `yaml:"not_pattern"`
	// Near must match on the line or on one of the NearLines lines before it: the context
	// that makes the construct a problem (a token-like name beside a weak random source).
	Near      string `yaml:"near"`
	NearLines int    `yaml:"near_lines"`
	// NearAfterLines lets Near match on that many lines after the match too, for context
	// that may come later in the same construct (a field after it in a struct literal).
	NearAfterLines int `yaml:"near_after_lines"`
	// NotNear, when it matches on the line or within NotNearLines lines before or after
	// it, cancels the finding: a safe form that spans lines (a custom verification
	// callback beside InsecureSkipVerify in one tls.Config literal).
	NotNear      string `yaml:"not_near"`
	NotNearLines int    `yaml:"not_near_lines"`
	// Allow lists expressions on the matched text itself; a match of any is not reported.
	Allow []string `yaml:"allow"`

	re, notRe, nearRe, notNearRe *regexp.Regexp
	allowRe                      []*regexp.Regexp
}

type ruleFile struct {
	Rules []Rule `yaml:"rules"`
}

var ruleID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// maxNearLines keeps context look-back small: rules are line rules, not data flow.
const maxNearLines = 5

// DefaultRules loads and compiles the embedded rules.
func DefaultRules() ([]*Rule, error) {
	names, err := fs.Glob(ruleFiles, "rules/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var rules []*Rule
	seen := map[string]bool{}
	for _, n := range names {
		data, err := ruleFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		rs, err := ParseRules(path.Base(n), data)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if seen[r.ID] {
				return nil, fmt.Errorf("%s: duplicate code rule id %q", path.Base(n), r.ID)
			}
			seen[r.ID] = true
		}
		rules = append(rules, rs...)
	}
	return rules, nil
}

// ParseRules decodes and compiles one rules file.
func ParseRules(name string, data []byte) ([]*Rule, error) {
	var f ruleFile
	if err := yamlfile.Decode(name, data, &f); err != nil {
		return nil, err
	}
	out := make([]*Rule, 0, len(f.Rules))
	for i := range f.Rules {
		r := &f.Rules[i]
		if err := r.compile(); err != nil {
			return nil, fmt.Errorf("%s: rule %q: %w", name, r.ID, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (r *Rule) compile() error {
	switch {
	case !ruleID.MatchString(r.ID):
		return fmt.Errorf("id must be lower-case words joined by hyphens")
	case !slices.Contains(ruleControls, r.Control):
		return fmt.Errorf("control %q is not one of %s", r.Control, strings.Join(ruleControls, ", "))
	case r.Description == "" || r.Message == "" || r.Fix == "":
		return fmt.Errorf("description, message and fix are all required")
	case len(r.Languages) == 0:
		return fmt.Errorf("no languages")
	case r.Pattern == "":
		return fmt.Errorf("no pattern")
	case len(r.Keywords) == 0:
		return fmt.Errorf("no keywords: every rule needs at least one to gate its pattern")
	case r.NearLines < 0 || r.NearLines > maxNearLines:
		return fmt.Errorf("near_lines must be between 0 and %d", maxNearLines)
	case r.NearLines > 0 && r.Near == "":
		return fmt.Errorf("near_lines without near")
	case r.NearAfterLines < 0 || r.NearAfterLines > maxNearLines:
		return fmt.Errorf("near_after_lines must be between 0 and %d", maxNearLines)
	case r.NearAfterLines > 0 && r.Near == "":
		return fmt.Errorf("near_after_lines without near")
	case r.NotNearLines < 0 || r.NotNearLines > maxNearLines:
		return fmt.Errorf("not_near_lines must be between 0 and %d", maxNearLines)
	case r.NotNearLines > 0 && r.NotNear == "":
		return fmt.Errorf("not_near_lines without not_near")
	}
	for _, l := range r.Languages {
		if !l.valid() {
			return fmt.Errorf("unknown language %q (want one of %s)", l, languageNames())
		}
	}
	if r.Severity != "" {
		if _, err := policy.ParseSeverity(string(r.Severity)); err != nil {
			return err
		}
	}
	for _, k := range r.Keywords {
		if k == "" || strings.ToLower(k) != k {
			return fmt.Errorf("keyword %q must be non-empty lower case", k)
		}
	}
	var err error
	if r.re, err = regexp.Compile(r.Pattern); err != nil {
		return fmt.Errorf("pattern: %w", err)
	}
	if r.NotPattern != "" {
		if r.notRe, err = regexp.Compile(r.NotPattern); err != nil {
			return fmt.Errorf("not_pattern: %w", err)
		}
	}
	if r.Near != "" {
		if r.nearRe, err = regexp.Compile(r.Near); err != nil {
			return fmt.Errorf("near: %w", err)
		}
	}
	if r.NotNear != "" {
		if r.notNearRe, err = regexp.Compile(r.NotNear); err != nil {
			return fmt.Errorf("not_near: %w", err)
		}
	}
	for _, a := range r.Allow {
		re, err := regexp.Compile(a)
		if err != nil {
			return fmt.Errorf("allow: %w", err)
		}
		r.allowRe = append(r.allowRe, re)
	}
	return nil
}

// AppliesTo reports whether the rule reads files of language l.
func (r *Rule) AppliesTo(l Language) bool { return slices.Contains(r.Languages, l) }
