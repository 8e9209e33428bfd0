// Package secrets finds credentials in repositories and their git history (control CR-4).
// Detection knowledge is data: rules/*.yaml, embedded. Each rule's true- and false-positive
// samples live in testdata/samples/*.yaml, keyed by rule ID, and the test suite runs them;
// they are kept out of the rules so that no credential-shaped text ships in the binary.
package secrets

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/yamlfile"
)

//go:embed rules/*.yaml
var ruleFiles embed.FS

// Rule describes one kind of credential.
type Rule struct {
	ID          string          `yaml:"id"`
	Description string          `yaml:"description"`
	Severity    policy.Severity `yaml:"severity"`
	// Keywords gate the rule: the pattern runs only near one of them (lower case,
	// matched case-insensitively). Every rule with a pattern needs at least one.
	Keywords []string `yaml:"keywords"`
	// Pattern is an RE2 regular expression. The secret is capture group SecretGroup; by
	// default the first group that took part in the match (so alternatives can each
	// capture), or the whole match when the pattern has no groups.
	Pattern     string `yaml:"pattern"`
	SecretGroup int    `yaml:"secret_group"`
	// Entropy is the minimum Shannon entropy (bits per character) of the secret.
	Entropy float64 `yaml:"entropy"`
	// Multiline lets the pattern span lines (private key blocks); it then runs on the
	// whole file instead of on lines around keyword hits.
	Multiline bool `yaml:"multiline"`
	// Paths limits the rule to files whose path matches one of these regexes.
	Paths []string `yaml:"paths"`
	// File makes a path-only rule: the file's presence is the finding (a .p12 keystore).
	File string `yaml:"file"`
	// Allow lists regexes; a secret matching any of them is not reported.
	Allow []string `yaml:"allow"`
	// Generic rules find secrets by context (a well-named variable) rather than by a
	// vendor's format; they get the placeholder and test-value filters.
	Generic bool `yaml:"generic"`

	re      *regexp.Regexp
	pathRes []*regexp.Regexp
	fileRe  *regexp.Regexp
	allowRe []*regexp.Regexp
}

type ruleFile struct {
	Rules []Rule `yaml:"rules"`
}

var ruleID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// DefaultRules loads the embedded rules.
func DefaultRules() ([]*Rule, error) {
	var rules []*Rule
	names, err := fs.Glob(ruleFiles, "rules/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := ruleFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		rs, err := ParseRules(path.Base(n), data)
		if err != nil {
			return nil, err
		}
		rules = append(rules, rs...)
	}
	return rules, checkUnique(rules)
}

// ParseRules decodes and compiles a rules file.
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
	if !ruleID.MatchString(r.ID) {
		return fmt.Errorf("id must be lower-case words joined by hyphens")
	}
	if r.Description == "" {
		return fmt.Errorf("no description")
	}
	if r.Severity != "" {
		if _, err := policy.ParseSeverity(string(r.Severity)); err != nil {
			return err
		}
	}
	var err error
	switch {
	case r.File != "" && r.Pattern != "":
		return fmt.Errorf("set either file or pattern, not both")
	case r.File != "":
		if r.fileRe, err = regexp.Compile(r.File); err != nil {
			return fmt.Errorf("file: %w", err)
		}
		return nil
	case r.Pattern == "":
		return fmt.Errorf("no pattern")
	}
	if len(r.Keywords) == 0 {
		return fmt.Errorf("no keywords: every pattern rule needs at least one to gate it")
	}
	for i, k := range r.Keywords {
		if k == "" || strings.ToLower(k) != k {
			return fmt.Errorf("keyword %q must be non-empty lower case", k)
		}
		r.Keywords[i] = k
	}
	if r.re, err = regexp.Compile(r.Pattern); err != nil {
		return fmt.Errorf("pattern: %w", err)
	}
	if r.SecretGroup > r.re.NumSubexp() {
		return fmt.Errorf("secret_group %d but the pattern has %d groups", r.SecretGroup, r.re.NumSubexp())
	}
	for _, p := range r.Paths {
		re, err := regexp.Compile(p)
		if err != nil {
			return fmt.Errorf("paths: %w", err)
		}
		r.pathRes = append(r.pathRes, re)
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

func checkUnique(rules []*Rule) error {
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.ID] {
			return fmt.Errorf("duplicate secret rule id %q", r.ID)
		}
		seen[r.ID] = true
	}
	return nil
}
