package deps

import (
	"bytes"
	"strings"
)

// isGemfileLock matches Bundler's lockfile under both names it supports.
func isGemfileLock(base string) bool { return base == "Gemfile.lock" || base == "gems.locked" }

// ParseGemfileLock reads Bundler's Gemfile.lock. The file is a list of sections, each a
// heading at column 0 followed by indented lines:
//
//	GEM / GIT / PATH      a source: "  remote: …" and other settings, "  specs:", then
//	                      "    name (version)" per gem and "      dep (constraint)" for
//	                      what that gem requires
//	DEPENDENCIES          "  name (constraint)" per gem the Gemfile names; "name!" marks a
//	                      gem from a GIT or PATH source
//	PLATFORMS, CHECKSUMS, RUBY VERSION, BUNDLED WITH, …: nothing posture needs
//
// Direct comes from DEPENDENCIES. The lockfile does not record Gemfile groups, so Dev is
// never set. A gem locked for several platforms (nokogiri (1.16.0-x86_64-linux) and
// nokogiri (1.16.0-arm64-darwin)) is one package: the platform is not part of its version.
func ParseGemfileLock(lockPath string, data []byte) ([]Package, error) {
	var out []Package
	var probs problems
	type key struct{ name, version string }
	seen := map[key]bool{}
	direct := map[string]bool{}
	var section string          // current heading
	var remote, revision string // of the current source section
	inSpecs := false            // below "  specs:" in a source section
	var srcStart int            // index in out of the current section's first package
	finishSource := func() {
		// remote: and revision: may come after specs: in hand-edited files; a source's
		// settings apply to all its gems.
		for i := srcStart; i < len(out); i++ {
			out[i].Source, out[i].Commit = gemSource(section, remote, revision)
		}
		srcStart = len(out)
	}
	for n, raw := range bytes.Split(data, []byte("\n")) {
		n++
		line := strings.TrimRight(string(raw), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		text := strings.TrimSpace(line)
		indent := len(line) - len(strings.TrimLeft(line, " \t"))
		if strings.Contains(line[:indent], "\t") {
			// Bundler indents with spaces only; with tabs the nesting is a guess.
			probs.add(errAt(lockPath, n, "tab in indentation"))
			continue
		}
		if indent == 0 {
			if isGemSource(section) {
				finishSource()
			}
			section, remote, revision, inSpecs = text, "", "", false
			srcStart = len(out)
			continue
		}
		switch {
		case isGemSource(section):
			switch indent {
			case 2:
				k, v, ok := strings.Cut(text, ":")
				if !ok || k == "" || strings.ContainsAny(k, " \t") {
					probs.add(errAt(lockPath, n, "malformed %s setting %q", section, text))
					continue
				}
				v = strings.TrimSpace(v)
				switch k {
				case "remote":
					remote = v
				case "revision":
					revision = v
				}
				inSpecs = k == "specs"
			case 4:
				if !inSpecs {
					probs.add(errAt(lockPath, n, "gem %q outside specs", text))
					continue
				}
				name, version, ok := gemSpec(text)
				if !ok {
					probs.add(errAt(lockPath, n, "malformed spec %q, expected \"name (version)\"", text))
					continue
				}
				if k := (key{name, version}); !seen[k] {
					seen[k] = true
					out = append(out, Package{Ecosystem: "RubyGems", Name: name, Version: version, Path: lockPath, Line: n})
				}
			case 6:
				if !inSpecs {
					probs.add(errAt(lockPath, n, "dependency %q outside specs", text))
				}
				// What a gem requires is already resolved in the specs list.
			default:
				probs.add(errAt(lockPath, n, "unexpected indentation of %d spaces in %s", indent, section))
			}
		case section == "DEPENDENCIES":
			if indent != 2 {
				probs.add(errAt(lockPath, n, "unexpected indentation of %d spaces in DEPENDENCIES", indent))
				continue
			}
			name, _, _ := strings.Cut(text, " ")
			name = strings.TrimSuffix(name, "!")
			if name == "" || strings.ContainsAny(name, "()") {
				probs.add(errAt(lockPath, n, "malformed dependency %q", text))
				continue
			}
			direct[name] = true
		}
	}
	if isGemSource(section) {
		finishSource()
	}
	for i := range out {
		out[i].Direct = direct[out[i].Name]
	}
	return out, probs.first
}

func isGemSource(section string) bool {
	return section == "GEM" || section == "GIT" || section == "PATH" || section == "PLUGIN SOURCE"
}

// gemSpec reads "name (version)" or "name (version-platform)". RubyGems versions have no
// '-' (a prerelease is 1.0.0.rc1), so everything from the first '-' is the platform.
func gemSpec(s string) (name, version string, ok bool) {
	name, rest, ok := strings.Cut(s, " (")
	if !ok || name == "" || strings.ContainsAny(name, " ()") || !strings.HasSuffix(rest, ")") {
		return "", "", false
	}
	version, _, _ = strings.Cut(strings.TrimSuffix(rest, ")"), "-")
	if version == "" || strings.ContainsAny(version, " ()") {
		return "", "", false
	}
	return name, version, true
}

// gemSource turns a source section into Package.Source and Commit: empty for
// rubygems.org over HTTPS, the repository and revision for GIT, "path:…" for PATH, and the
// remote for any other gem server (a private one, or rubygems.org over plain HTTP).
func gemSource(section, remote, revision string) (source, commit string) {
	switch section {
	case "GIT":
		if isCommit(revision) {
			commit = revision
		}
		return gitSource(remote, revision), commit
	case "PATH":
		return "path:" + remote, ""
	}
	if r := strings.TrimSuffix(remote, "/"); r == "https://rubygems.org" || r == "" {
		return "", ""
	}
	return remote, ""
}
