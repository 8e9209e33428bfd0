package deps

import (
	"fmt"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Parser reads one lockfile or manifest. lockPath is slash-separated and relative to the
// repository root; it is copied into every Package and into error messages. A parser
// returns what it could read together with an error that names the file and position of
// the first problem, so one bad entry does not hide the rest.
type Parser func(lockPath string, data []byte) ([]Package, error)

// Format describes one lockfile format posture reads.
type Format struct {
	Name  string // what reports call it: "package-lock.json", "requirements.txt", …
	Match func(base string) bool
	Parse Parser
	// ManifestOnly marks formats that list declared dependencies rather than resolved
	// ones (composer.json without composer.lock): their versions may be ranges.
	ManifestOnly bool
	// SupersededBy names files that, present in the same directory, make this one
	// redundant (composer.json is read only where there is no composer.lock).
	SupersededBy []string
	// Sibling names a manifest in the same directory that completes what the lockfile
	// says (yarn.lock does not record which packages are direct or dev; package.json
	// does). When the sibling exists, ParseWithSibling is used instead of Parse.
	Sibling          string
	ParseWithSibling func(lockPath string, data, sibling []byte) ([]Package, error)
}

func exact(name string) func(string) bool { return func(b string) bool { return b == name } }

// formats is the one place lockfile formats are registered. Order matters only for
// display.
var formats = []Format{
	{Name: "package-lock.json", Match: exact("package-lock.json"), Parse: ParseNPMLock},
	{Name: "npm-shrinkwrap.json", Match: exact("npm-shrinkwrap.json"), Parse: ParseNPMLock},
	{Name: "yarn.lock", Match: exact("yarn.lock"), Parse: ParseYarnLock,
		Sibling: "package.json", ParseWithSibling: ParseYarnLockWithManifest},
	{Name: "pnpm-lock.yaml", Match: exact("pnpm-lock.yaml"), Parse: ParsePnpmLock},
	{Name: "composer.lock", Match: exact("composer.lock"), Parse: ParseComposerLock},
	{Name: "go.mod", Match: exact("go.mod"), Parse: ParseGoMod},
	{Name: "Cargo.lock", Match: exact("Cargo.lock"), Parse: ParseCargoLock},
	{Name: "requirements.txt", Match: isRequirementsFile, Parse: ParseRequirements},
	{Name: "poetry.lock", Match: exact("poetry.lock"), Parse: ParsePoetryLock,
		Sibling: "pyproject.toml", ParseWithSibling: ParsePoetryLockWithPyproject},
	{Name: "Pipfile.lock", Match: exact("Pipfile.lock"), Parse: ParsePipfileLock,
		Sibling: "Pipfile", ParseWithSibling: ParsePipfileLockWithPipfile},
	{Name: "uv.lock", Match: exact("uv.lock"), Parse: ParseUVLock},
	{Name: "Gemfile.lock", Match: isGemfileLock, Parse: ParseGemfileLock},
	{Name: "composer.json", Match: exact("composer.json"), Parse: ParseComposerJSON,
		ManifestOnly: true, SupersededBy: []string{"composer.lock"}},
}

// Formats lists the registered formats.
func Formats() []Format { return formats }

// FormatFor returns the format that reads a file, by its base name.
func FormatFor(filePath string) (Format, bool) {
	base := path.Base(strings.ReplaceAll(filePath, "\\", "/"))
	for _, f := range formats {
		if f.Match(base) {
			return f, true
		}
	}
	return Format{}, false
}

// Lockfile is what one file yielded.
type Lockfile struct {
	Path     string
	Format   Format
	Packages []Package
}

// Extract reads every file among paths (slash-separated, relative to the repository root)
// that a registered format reads. read returns a file's content and must be safe for
// concurrent use: files are parsed in parallel, and the result keeps the sorted path
// order. Problems are returned per file, with what could still be read kept.
func Extract(paths []string, read func(p string) ([]byte, error)) ([]Lockfile, []error) {
	present := make(map[string]bool, len(paths))
	for _, p := range paths {
		present[p] = true
	}
	sorted := append([]string(nil), paths...)
	sort.Strings(sorted)
	type job struct {
		path   string
		format Format
		out    Lockfile
		errs   []error
	}
	var jobs []*job
	for _, p := range sorted {
		if f, ok := FormatFor(p); ok && !superseded(f, p, present) {
			jobs = append(jobs, &job{path: p, format: f})
		}
	}
	work := make(chan *job)
	var wg sync.WaitGroup
	for range min(len(jobs), runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				j.out, j.errs = extractOne(j.path, j.format, present, read)
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	var out []Lockfile
	var errs []error
	for _, j := range jobs {
		errs = append(errs, j.errs...)
		if j.out.Path != "" {
			out = append(out, j.out)
		}
	}
	return out, errs
}

func extractOne(p string, f Format, present map[string]bool, read func(string) ([]byte, error)) (Lockfile, []error) {
	var errs []error
	data, err := read(p)
	if err != nil {
		return Lockfile{}, []error{fmt.Errorf("%s: %w", p, err)}
	}
	var pkgs []Package
	if sib := sibling(p, f.Sibling); f.ParseWithSibling != nil && present[sib] {
		var sdata []byte
		if sdata, err = read(sib); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", sib, err))
			pkgs, err = f.Parse(p, data)
		} else {
			pkgs, err = f.ParseWithSibling(p, data, sdata)
		}
	} else {
		pkgs, err = f.Parse(p, data)
	}
	if err != nil {
		errs = append(errs, err)
	}
	return Lockfile{Path: p, Format: f, Packages: pkgs}, errs
}

func sibling(p, name string) string {
	if name == "" {
		return ""
	}
	if dir := path.Dir(p); dir != "." {
		return dir + "/" + name
	}
	return name
}

func superseded(f Format, p string, present map[string]bool) bool {
	for _, name := range f.SupersededBy {
		if present[sibling(p, name)] {
			return true
		}
	}
	return false
}
