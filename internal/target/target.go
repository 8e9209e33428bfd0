// Package target names what a scan looks at. A repository is a directory on disk; an
// endpoint is an https:// URL; a host is "host:local" (or, later, a remote host). Probes
// receive a Target and declare which kinds they accept, so new kinds need no engine change.
package target

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/policy"
)

// Target is one thing being scanned.
type Target struct {
	Kind policy.TargetKind
	// Name is what the user wrote, used in reports.
	Name string
	// Root is the absolute directory of a repo target.
	Root string
	// URL is the address of an endpoint target.
	URL *url.URL
	// Host names a host target ("local" for the machine posture runs on).
	Host string
	// Files is the inventory of a repo target, built once by the engine before probes run.
	Files *fileset.Set

	memo sync.Map
}

// Parse turns a command-line argument into a target.
func Parse(arg string) (*Target, error) {
	switch {
	case strings.HasPrefix(arg, "https://") || strings.HasPrefix(arg, "http://"):
		u, err := url.Parse(arg)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("target %q: not a valid URL", arg)
		}
		return &Target{Kind: policy.KindEndpoint, Name: arg, URL: u}, nil
	case strings.HasPrefix(arg, "host:"):
		h := strings.TrimPrefix(arg, "host:")
		if h == "" {
			return nil, fmt.Errorf("target %q: name a host, e.g. host:local", arg)
		}
		return &Target{Kind: policy.KindHost, Name: arg, Host: h}, nil
	}
	abs, err := filepath.Abs(arg)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", arg, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", arg, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("target %q: not a directory (a repository target is a directory)", arg)
	}
	return &Target{Kind: policy.KindRepo, Name: arg, Root: abs}, nil
}

// Memo returns the value build produces for key, building it once per target however many
// probes ask: several probes read the same derived data (the parsed lockfiles), and a
// repository's files do not change during a scan.
func (t *Target) Memo(key string, build func() any) any {
	e, _ := t.memo.LoadOrStore(key, &memoEntry{})
	m := e.(*memoEntry)
	m.once.Do(func() { m.v = build() })
	return m.v
}

type memoEntry struct {
	once sync.Once
	v    any
}
