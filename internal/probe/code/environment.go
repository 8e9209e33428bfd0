package code

import (
	"path"
	"strings"
)

// environment is what a configuration file's path says about where it runs.
type environment int

const (
	envUnmarked environment = iota
	envProduction
	envNonProduction
)

var (
	prodWords    = map[string]bool{"prod": true, "production": true, "prd": true, "live": true}
	nonProdWords = map[string]bool{
		"dev": true, "devel": true, "develop": true, "development": true, "local": true, "localhost": true,
		"test": true, "testing": true, "staging": true, "stage": true, "qa": true, "sandbox": true,
		"example": true, "sample": true, "demo": true, "ci": true,
	}
)

// environmentOf reads a path's environment from its words: the file name decides first,
// then the nearest directory that names one ("deploy/prod/php.ini", "php.dev.ini").
func environmentOf(p string) environment {
	parts := strings.Split(p, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if e := wordsEnvironment(parts[i]); e != envUnmarked {
			return e
		}
	}
	return envUnmarked
}

func wordsEnvironment(s string) environment {
	prod, nonProd := false, false
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == '.' || r == '-' || r == '_' || r == ' '
	}) {
		prod = prod || prodWords[w]
		nonProd = nonProd || nonProdWords[w]
	}
	switch {
	case prod && !nonProd:
		return envProduction
	case nonProd && !prod:
		return envNonProduction
	}
	return envUnmarked
}

// managedDatabaseSuffixes are host names of hosted database services; a config that points
// at one without naming a non-production environment is reaching a real server.
var managedDatabaseSuffixes = []string{
	".rds.amazonaws.com", ".database.azure.com", ".database.windows.net",
	".db.ondigitalocean.com", ".psdb.cloud",
}

// productionHost reports whether a database host name looks like production: it names a
// production environment, or it is a managed database that does not name another one.
func productionHost(host string) bool {
	h := strings.ToLower(strings.TrimSpace(host))
	if h == "" {
		return false
	}
	switch wordsEnvironment(strings.ReplaceAll(h, ":", ".")) {
	case envProduction:
		return true
	case envNonProduction:
		return false
	}
	for _, s := range managedDatabaseSuffixes {
		if strings.HasSuffix(hostOnly(h), s) {
			return true
		}
	}
	return false
}

// hostOnly drops a port or socket suffix ("db.example:3306", "host:/tmp/mysql.sock").
func hostOnly(h string) string {
	if i := strings.IndexByte(h, ':'); i >= 0 {
		return h[:i]
	}
	return h
}

// loopbackAddress reports addresses that only the machine itself can reach.
func loopbackAddress(a string) bool {
	a = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(a), "-"))
	return a == "localhost" || a == "::1" || strings.HasPrefix(a, "127.") || a == "[::1]"
}

// dirOf is path.Dir with "" for files at the root, so joins stay relative.
func dirOf(p string) string {
	d := path.Dir(p)
	if d == "." {
		return ""
	}
	return d
}
