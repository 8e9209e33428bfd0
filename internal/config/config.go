// Package config reads .posture.yaml, a repository's defaults for `posture scan`.
// Command-line flags override it; docs/configuration.md documents every field.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/yamlfile"
)

// FileName is the config file looked for at the root of the first repository target.
const FileName = ".posture.yaml"

// Config holds repository defaults.
type Config struct {
	// Policy is a pack file, relative to the config file's directory.
	Policy      string   `yaml:"policy"`
	FailOn      string   `yaml:"fail_on"`
	Format      string   `yaml:"format"`
	Only        []string `yaml:"only"`
	Skip        []string `yaml:"skip"`
	MaxFileSize string   `yaml:"max_file_size"`
	Scope       Scope    `yaml:"scope"`
	Secrets     Secrets  `yaml:"secrets"`
	// ChangeControl tunes the change-control checks (CH-1, CH-2).
	ChangeControl ChangeControl `yaml:"change_control"`
	// PersonalData tunes the customer-data scan (CD-1).
	PersonalData PersonalData `yaml:"personal_data"`

	// Path is where the config was read from ("" when none was found).
	Path string `yaml:"-"`
}

// Scope lists paths that are not part of the deployed system. Scope is not a deviation:
// it can only remove whole paths, each with a reason every report repeats.
type Scope struct {
	Exclude []fileset.Exclusion `yaml:"exclude"`
}

// Secrets tunes the CR-4 secret scan.
type Secrets struct {
	// History turns the git history scan off when false (default on).
	History *bool `yaml:"history"`
	// Since limits history to commits on or after this day (YYYY-MM-DD).
	Since string `yaml:"since"`
	// MaxDepth limits history to this many commits back from each ref.
	MaxDepth int `yaml:"max_depth"`
	// Refs limits history to these ref globs (default: all branches and tags).
	Refs []string `yaml:"refs"`
	// AllowPaths are regexes of paths whose files are not scanned for secrets, added to
	// the defaults (lockfiles, installed dependencies, minified assets).
	AllowPaths []string `yaml:"allow_paths"`
	// AllowValues are regexes; matching values are never reported.
	AllowValues []string `yaml:"allow_values"`
	// Rules is a file of extra rules (same format as the embedded ones), relative to
	// this file; a rule with an embedded rule's ID replaces it.
	Rules string `yaml:"rules"`
}

// PersonalData tunes the CD-1 scan for customer data; docs/personal-data.md explains it.
type PersonalData struct {
	// MinMatches is how many contact details (e-mail addresses, phone numbers, postal
	// addresses together) make a file reportable (default 3). One card number, IBAN,
	// national ID or password hash always does.
	MinMatches int `yaml:"min_matches"`
	// AllowPaths are regexes of paths not examined, added to the defaults
	// (documentation, package manifests, installed dependencies).
	AllowPaths []string `yaml:"allow_paths"`
}

// ChangeControl tunes how CH-1 judges the default branch's history and where CH-2 asks
// the forge. docs/change-control.md explains each field.
type ChangeControl struct {
	// WindowDays is how many days of history are judged (default 90).
	WindowDays int `yaml:"window_days"`
	// MaxDirectShare is the share of direct pushes tolerated, 0 to 1 (default 0).
	MaxDirectShare float64 `yaml:"max_direct_share"`
	// IgnoreAuthors are globs on author name or e-mail whose commits are not counted.
	IgnoreAuthors []string `yaml:"ignore_authors"`
	// Forge is github, gitea or forgejo, for an origin host posture does not know.
	Forge string `yaml:"forge"`
	// APIURL is the forge's API root; it must be on the origin remote's host.
	APIURL string `yaml:"api_url"`
	// PullRequests is how many recently merged pull requests are checked (default 30).
	PullRequests int `yaml:"pull_requests"`
}

// Load reads path; with required false, a missing file yields an empty config.
func Load(path string, required bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !required {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	var c Config
	if err := yamlfile.Decode(path, data, &c); err != nil {
		return nil, err
	}
	c.Path = path
	for i, e := range c.Scope.Exclude {
		if strings.TrimSpace(e.Pattern) == "" {
			return nil, fmt.Errorf("%s: scope.exclude[%d] has no path", path, i)
		}
		if strings.TrimSpace(e.Reason) == "" {
			return nil, fmt.Errorf("%s: scope.exclude[%d] (%s) has no reason; every exclusion must say why the path is not part of the deployed system", path, i, e.Pattern)
		}
	}
	if c.Policy != "" && !filepath.IsAbs(c.Policy) {
		c.Policy = filepath.Join(filepath.Dir(path), c.Policy)
	}
	if c.Secrets.Rules != "" && !filepath.IsAbs(c.Secrets.Rules) {
		c.Secrets.Rules = filepath.Join(filepath.Dir(path), c.Secrets.Rules)
	}
	if c.PersonalData.MinMatches < 0 {
		return nil, fmt.Errorf("%s: personal_data.min_matches must not be negative", path)
	}
	if c.MaxFileSize != "" {
		if _, err := ParseSize(c.MaxFileSize); err != nil {
			return nil, fmt.Errorf("%s: max_file_size: %w", path, err)
		}
	}
	return &c, nil
}

// ParseSize reads "10MiB", "512KiB", "1GiB", "2MB" or a plain byte count.
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("size %q: want a positive number with an optional unit (KiB, MiB, GiB)", s)
	}
	return n * mult, nil
}
