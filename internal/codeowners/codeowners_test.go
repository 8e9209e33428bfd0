package codeowners

import (
	"slices"
	"strings"
	"testing"
)

// The cases follow the example file in GitHub's "About code owners" documentation.
func TestOwnersGitHubExamples(t *testing.T) {
	f, probs := Parse([]byte(`# comment
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
/apps/ @octocat
/apps/github
**/logs @octocat
`), false)
	if len(probs) != 0 {
		t.Fatalf("problems: %+v", probs)
	}
	cases := map[string][]string{
		"README.md":                          {"@global-owner1", "@global-owner2"},
		"src/app.js":                         {"@js-owner"},
		"main.go":                            {"docs@example.com"},
		"build/out.txt":                      {"@global-owner1", "@global-owner2"},
		"build/logs/x.txt":                   {"@octocat"}, // the later **/logs wins
		"build/logs/deep/x.txt":              {"@octocat"},
		"docs/getting-started.md":            {"@doctocat"},
		"docs/build-app/troubleshooting.md":  {"@doctocat"},
		"scripts/run.sh":                     {"@doctocat", "@octocat"},
		"apps/web/index.html":                {"@octocat"},
		"apps/github/x.txt":                  nil, // owned by nobody: the later pattern has no owners
		"deep/logs/today.txt":                {"@octocat"},
		"logs/today.txt":                     {"@octocat"},
		"deeply/nested/apps/thing/README.md": {"@octocat"},
	}
	for path, want := range cases {
		if got := f.Owners(path); !slices.Equal(got, want) {
			t.Errorf("Owners(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestPatternShapes(t *testing.T) {
	cases := []struct {
		pattern string
		match   []string
		miss    []string
	}{
		{"docs/*", []string{"docs/a.md"}, []string{"docs/sub/a.md", "x/docs/a.md"}},
		{"/*", []string{"README.md"}, []string{"src/a.go"}},
		{"*", []string{"README.md", "a/b/c"}, nil},
		{"docs", []string{"docs", "docs/a", "x/docs/a"}, []string{"docsx", "adocs"}},
		{"docs/", []string{"docs/a", "x/docs/a"}, []string{"docs"}},
		{"/docs", []string{"docs", "docs/a"}, []string{"x/docs"}},
		{"src/**/test", []string{"src/test/a", "src/a/b/test/c", "src/test"}, []string{"test"}},
		{"**/*.py", []string{"a.py", "x/y/a.py"}, []string{"a.pyc"}},
		{"a?c", []string{"abc", "x/abc"}, []string{"a/c"}},
		{`with\ space`, []string{"with space"}, []string{"with"}},
		{`\#hash`, []string{"#hash"}, nil},
		{"ünï", []string{"ünï", "d/ünï"}, []string{"uni"}},
	}
	for _, c := range cases {
		f, probs := Parse([]byte(c.pattern+" @o\n"), false)
		if len(probs) != 0 || len(f.Rules) != 1 {
			t.Fatalf("%q: rules %d problems %+v", c.pattern, len(f.Rules), probs)
		}
		for _, p := range c.match {
			if len(f.Owners(p)) == 0 {
				t.Errorf("%q should own %q", c.pattern, p)
			}
		}
		for _, p := range c.miss {
			if len(f.Owners(p)) != 0 {
				t.Errorf("%q should not own %q", c.pattern, p)
			}
		}
	}
}

func TestGitLabSections(t *testing.T) {
	f, probs := Parse([]byte("[Docs] @docs-team\n/docs/\n[Backend][2] @be\n*.go\n/docs/api.go @alice\n[Frontend]\n*.js\n"), true)
	if len(probs) != 0 {
		t.Fatalf("problems: %+v", probs)
	}
	if got := f.Owners("docs/intro.md"); !slices.Equal(got, []string{"@docs-team"}) {
		t.Errorf("docs/intro.md: %v", got)
	}
	// Sections add up: docs/api.go is owned in both sections.
	if got := f.Owners("docs/api.go"); !slices.Equal(got, []string{"@docs-team", "@alice"}) {
		t.Errorf("docs/api.go: %v", got)
	}
	if got := f.Owners("web/app.js"); len(got) != 0 {
		t.Errorf("a section without default owners gives none: %v", got)
	}
	// Ranges are GitLab syntax.
	f, probs = Parse([]byte("[abc]x.txt @o\n*.[ch] @c\n"), true)
	if len(probs) != 0 || len(f.Owners("a.c")) == 0 || len(f.Owners("a.o")) != 0 {
		t.Errorf("ranges: %+v %v", probs, f.Owners("a.c"))
	}
}

func TestInvalidLinesOwnNothing(t *testing.T) {
	f, probs := Parse([]byte("* @a\n/app platform-team\n!/docs @b\n[a-z].md @c\n"), false)
	if len(probs) != 3 {
		t.Fatalf("problems: %+v", probs)
	}
	// The invalid lines are skipped, so the catch-all still applies.
	for _, p := range []string{"app/x", "docs/y", "a.md"} {
		if got := f.Owners(p); !slices.Equal(got, []string{"@a"}) {
			t.Errorf("%s: %v", p, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("* @acme/web\n/docs/ docs@example.com\n"), false, "docs/a.md")
	f.Add([]byte("[Docs][2] @docs\n^[Opt]\n*.[!ch] @x\n"), true, "a.c")
	f.Add([]byte("\\ \\#\t#\n!x [a-z] **/ **/a/** ?\\"), false, "a/b")
	f.Fuzz(func(t *testing.T, data []byte, gitlab bool, path string) {
		file, probs := Parse(data, gitlab)
		for _, p := range probs {
			if p.Line < 0 || p.Message == "" {
				t.Fatalf("bad problem %+v", p)
			}
		}
		for _, o := range file.Owners(path) {
			if strings.TrimSpace(o) == "" {
				t.Fatalf("empty owner for %q", path)
			}
		}
	})
}
