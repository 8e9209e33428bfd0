package containers

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/posture-dev/posture/internal/finding"
)

// stage is the environment a file or object is for, as far as names tell.
type stage int

const (
	stageUnmarked stage = iota
	stageDev
	stageProd
)

var wordSplit = regexp.MustCompile(`[^a-z0-9]+`)

func words(s string) []string {
	return wordSplit.Split(strings.ToLower(s), -1)
}

// prodWord reports "prod" or "production" as a word of s ("api-prod", "prod.eu"), but
// not "non-prod" or "pre-prod", which say the opposite.
func prodWord(s string) bool {
	ws := words(s)
	for i, w := range ws {
		if w != "prod" && w != "production" {
			continue
		}
		if i > 0 && (ws[i-1] == "non" || ws[i-1] == "pre") {
			continue
		}
		return true
	}
	return false
}

func devWord(s string) bool {
	for _, w := range words(s) {
		switch w {
		case "dev", "development", "local", "override":
			return true
		}
	}
	return false
}

// fileStage classifies a file by its path: any directory or the name itself. A name can
// say both (prod/docker-compose.override.yml); development wins, because an override is
// applied on a developer's machine.
func fileStage(p string) (stage, string) {
	dir, base := path.Split(p)
	parts := append(strings.Split(strings.Trim(dir, "/"), "/"), base)
	for _, s := range parts {
		if s != "" && devWord(s) {
			return stageDev, fmt.Sprintf("its path %s says development", p)
		}
	}
	for _, s := range parts {
		if s != "" && prodWord(s) {
			return stageProd, fmt.Sprintf("its path %s says production", p)
		}
	}
	return stageUnmarked, ""
}

// prodHost says why a host name points at production, or "" if it does not seem to.
func prodHost(host string) string {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	switch {
	case strings.HasSuffix(h, ".rds.amazonaws.com"):
		return "an Amazon RDS endpoint"
	case prodWord(h):
		return "its name says production"
	}
	return ""
}

var hostRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,63}$`)

// hostsIn finds the host names in an environment value: those of URLs
// (postgres://u:p@db.prod.example.com/app), of user@host forms, and bare names
// (db.prod.example.com:5432, host=db.prod.example.com). User names and passwords are
// never part of the result.
func hostsIn(v string) []string {
	var out []string
	for _, tok := range strings.FieldsFunc(v, func(r rune) bool {
		return r == ' ' || r == '\t' || r == ',' || r == ';' || r == '\n' || r == '"' || r == '\''
	}) {
		var host string
		if strings.Contains(tok, "://") || strings.Contains(tok, "@") {
			_, host, _, _ = finding.SplitURL(tok)
		} else {
			if _, val, ok := strings.Cut(tok, "="); ok {
				tok = val
			}
			host, _, _ = strings.Cut(tok, "/")
			host, _, _ = strings.Cut(host, ":")
		}
		host = strings.ToLower(strings.Trim(host, "[]"))
		if hostRE.MatchString(host) {
			out = append(out, host)
		}
	}
	return out
}
