package hygiene

import (
	"path"
	"strings"

	"github.com/posture-dev/posture/internal/deps"
	"github.com/posture-dev/posture/internal/fileset"
)

// ecosystem is a package ecosystem as the update tools name it.
type ecosystem struct {
	// dependabot is the package-ecosystem value Dependabot uses; alternatives are
	// also accepted (Python projects may be configured as "pip" or "uv").
	dependabot []string
	// isManifest recognises a file that declares this ecosystem's dependencies.
	isManifest func(p string) bool
}

func named(names ...string) func(string) bool {
	return func(p string) bool {
		b := path.Base(p)
		for _, n := range names {
			if b == n {
				return true
			}
		}
		return false
	}
}

var ecosystems = []ecosystem{
	{[]string{"npm", "bun"}, named("package.json")},
	{[]string{"composer"}, named("composer.json")},
	{[]string{"gomod"}, named("go.mod")},
	{[]string{"pip", "uv", "pipenv", "poetry"}, func(p string) bool {
		b := path.Base(p)
		return b == "pyproject.toml" || b == "Pipfile" || b == "setup.py" ||
			(strings.HasPrefix(b, "requirements") && strings.HasSuffix(b, ".txt"))
	}},
	{[]string{"bundler"}, named("Gemfile", "gems.rb")},
	{[]string{"cargo"}, named("Cargo.toml")},
	{[]string{"maven"}, named("pom.xml")},
	{[]string{"gradle"}, named("build.gradle", "build.gradle.kts")},
	{[]string{"nuget"}, func(p string) bool {
		return strings.HasSuffix(p, ".csproj") || path.Base(p) == "packages.config"
	}},
	{[]string{"docker"}, func(p string) bool {
		b := path.Base(p)
		return b == "Dockerfile" || strings.HasPrefix(b, "Dockerfile.") || strings.HasSuffix(b, ".Dockerfile")
	}},
	{[]string{"github-actions"}, func(p string) bool {
		return strings.HasPrefix(p, ".github/workflows/") && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml"))
	}},
}

// installed reports whether a path is inside an installed third-party tree.
func installed(p string) bool { return deps.Installed(p) }

// presentEcosystems maps each ecosystem found in the tree to the first manifest showing it.
func presentEcosystems(files []fileset.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		if installed(f.Path) {
			continue
		}
		for _, e := range ecosystems {
			if _, seen := out[e.dependabot[0]]; !seen && e.isManifest(f.Path) {
				out[e.dependabot[0]] = f.Path
			}
		}
	}
	return out
}
