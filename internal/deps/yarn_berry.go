package deps

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// parseYarnBerry reads the YAML lockfile of Yarn 2 and later. Each entry's key lists the
// descriptors it satisfies ("lodash@npm:^4.17.0, lodash@npm:^4.17.21") and its
// resolution names the locator it resolved to, whose protocol says where it comes from.
func parseYarnBerry(lockPath string, data []byte) ([]yarnEntry, error) {
	root, err := parseYAMLLockfile(lockPath, data, 0)
	if root == nil {
		return nil, err
	}
	meta := root.get("__metadata")
	if meta == nil {
		if err == nil {
			err = fmt.Errorf("%s: no __metadata entry", lockPath)
		}
		return nil, err
	}
	v := meta.str("version")
	if n, cerr := strconv.Atoi(v); cerr != nil || n < 4 || n > 8 {
		// Versions 4 to 8 are Yarn 2 to 4; an unknown one may mean a format change.
		return nil, fmt.Errorf("%s: yarn lockfile version %q is not supported (posture reads classic v1 and Yarn 2+ versions 4 to 8)", lockPath, v)
	}
	fail := func(line int, format string, args ...any) {
		if err == nil {
			err = fmt.Errorf("%s:%d: %s", lockPath, line, fmt.Sprintf(format, args...))
		}
	}
	var out []yarnEntry
	for _, m := range root.entries() {
		if m.key == "__metadata" {
			continue
		}
		if !m.val.isMap {
			fail(m.line, "entry %q is not a mapping", m.key)
			continue
		}
		e := yarnEntry{line: m.line}
		for _, s := range strings.Split(m.key, ",") {
			if s = strings.TrimSpace(s); s != "" {
				e.specs = append(e.specs, s)
			}
		}
		for _, sec := range []string{"dependencies", "optionalDependencies"} {
			for _, d := range m.val.get(sec).entries() {
				if !d.val.isMap && d.val.text != "" {
					e.deps = append(e.deps, yarnDep{d.key, d.val.text})
				}
			}
		}
		res := m.val.str("resolution")
		name, rng := splitSpec(res)
		if name == "" || rng == "" {
			fail(m.line, "entry %q has no resolution", m.key)
			continue
		}
		if p, ok := strings.CutPrefix(rng, "workspace:"); ok {
			e.workspace, e.root = true, p == "."
			out = append(out, e)
			continue
		}
		if e.version = m.val.str("version"); e.version == "" {
			fail(m.line, "entry %q has no version", m.key)
			continue
		}
		e.name, e.source, e.commit = berryLocator(name, rng)
		if e.name == "" {
			fail(m.line, "cannot read resolution %q", res)
			continue
		}
		out = append(out, e)
	}
	return out, err
}

// berryLocator reads a resolved locator's range: the package's real name and where it
// comes from. A patch applies to another locator, which is what is installed.
func berryLocator(name, rng string) (realName, source, commit string) {
	for depth := 0; strings.HasPrefix(rng, "patch:"); depth++ {
		inner, _, _ := strings.Cut(rng[len("patch:"):], "#")
		dec, err := url.PathUnescape(inner)
		if err != nil || depth > 3 {
			return "", "", ""
		}
		if name, rng = splitSpec(dec); name == "" || rng == "" {
			return "", "", ""
		}
	}
	rng, params, _ := strings.Cut(rng, "::")
	switch {
	case strings.HasPrefix(rng, "npm:"):
		if target := rng[len("npm:"):]; strings.Contains(target[min(1, len(target)):], "@") {
			name, _ = splitSpec(target)
		}
		// Berry records a tarball URL only when it is not where the registry would put it.
		if q, err := url.ParseQuery(params); err == nil && q.Get("__archiveUrl") != "" {
			source, commit = tarballSource(q.Get("__archiveUrl"))
		}
		return name, source, commit
	case strings.HasPrefix(rng, "file:"), strings.HasPrefix(rng, "link:"), strings.HasPrefix(rng, "portal:"):
		_, p, _ := strings.Cut(rng, ":")
		return name, "path:" + p, ""
	case strings.HasPrefix(rng, "exec:"):
		return name, rng, ""
	}
	base, frag, _ := strings.Cut(rng, "#")
	if isGitURL(base) || strings.Contains(frag, "commit=") {
		for _, kv := range strings.Split(frag, "&") {
			if c, ok := strings.CutPrefix(kv, "commit="); ok && isCommitHash(c) {
				commit = c
			} else if isCommitHash(kv) {
				commit = kv
			}
		}
		return name, rng, commit
	}
	if strings.HasPrefix(rng, "http://") || strings.HasPrefix(rng, "https://") {
		source, commit = tarballSource(rng)
		return name, source, commit
	}
	// A range without a protocol is a registry one.
	return name, "", ""
}
