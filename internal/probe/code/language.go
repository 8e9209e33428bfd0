package code

import (
	"bytes"
	"path"
	"strings"
)

// Language is the kind of file a rule reads, decided by file name alone.
type Language string

const (
	Go     Language = "go"
	PHP    Language = "php"
	JS     Language = "js" // JavaScript and TypeScript
	Python Language = "python"
	// Env is a dotenv file: KEY=value lines that programs load into their environment.
	Env Language = "env"
	// Config is structured configuration (YAML, JSON, TOML, INI, properties, .npmrc,
	// Dockerfiles) where connection strings and TLS switches are also written.
	Config Language = "config"
)

var languages = []Language{Go, PHP, JS, Python, Env, Config}

func (l Language) valid() bool {
	for _, k := range languages {
		if l == k {
			return true
		}
	}
	return false
}

func languageNames() string {
	s := make([]string, len(languages))
	for i, l := range languages {
		s[i] = string(l)
	}
	return strings.Join(s, ", ")
}

var byExt = map[string]Language{
	".go":  Go,
	".php": PHP, ".phtml": PHP,
	".js": JS, ".mjs": JS, ".cjs": JS, ".jsx": JS, ".ts": JS, ".mts": JS, ".cts": JS, ".tsx": JS,
	".py":   Python,
	".env":  Env,
	".yaml": Config, ".yml": Config, ".json": Config, ".toml": Config, ".ini": Config,
	".properties": Config, ".conf": Config, ".cfg": Config, ".cnf": Config,
}

var byName = map[string]Language{
	".env": Env, ".npmrc": Config, ".yarnrc": Config, "dockerfile": Config, "containerfile": Config,
}

// languageOf classifies a slash path; ok is false for files no rule reads. Type
// declarations (.d.ts) hold no statements and are left out.
func languageOf(p string) (Language, bool) {
	base := strings.ToLower(path.Base(p))
	if l, ok := byName[base]; ok {
		return l, true
	}
	switch {
	case strings.HasPrefix(base, ".env."):
		return Env, true
	case strings.HasPrefix(base, "dockerfile.") || strings.HasSuffix(base, ".dockerfile"):
		return Config, true
	case strings.HasSuffix(base, ".d.ts"):
		return "", false
	}
	l, ok := byExt[path.Ext(base)]
	return l, ok
}

// commentPrefixes start a whole-line comment in each language. Rules skip such lines:
// code that is commented out, or documentation saying what not to do, does not run.
var commentPrefixes = map[Language][]string{
	Go:     {"//", "/*", "* ", "*/"},
	JS:     {"//", "/*", "* ", "*/"},
	PHP:    {"//", "#", "/*", "* ", "*/"},
	Python: {"#"},
	Env:    {"#"},
	Config: {"#", ";", "//"},
}

func isCommentLine(l Language, line []byte) bool {
	t := bytes.TrimLeft(line, " \t")
	switch {
	case len(t) == 1 && t[0] == '*':
		return true
	case l == PHP && bytes.HasPrefix(t, []byte("#[")):
		return false // a PHP 8 attribute, not a comment
	}
	for _, p := range commentPrefixes[l] {
		if bytes.HasPrefix(t, []byte(p)) {
			return true
		}
	}
	return false
}
