package code

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/probe/wordpress"
)

// wpDevFile matches WordPress configs that by name serve development, staging or test:
// wp-config-local.php, wp-config.dev.php, wp-config-staging.php, local-config.php. The
// shipped wp-config-sample.php is a template and is never loaded.
var wpDevFile = regexp.MustCompile(`^(?:wp-config[-.](?:local|dev|devel|develop|development|staging|stage|test|testing|qa)(?:[-.][\w-]+)?|local-config)\.php$`)

func wpDevName(base string) bool { return wpDevFile.MatchString(base) }

// nonProductionTypes are the WP_ENVIRONMENT_TYPE values of non-production sites.
var nonProductionTypes = map[string]bool{"local": true, "development": true, "staging": true}

// wordpressDev reports development WordPress configs that point at a production database.
// The wordpress probe owns wp-config.php's hardening and debug checks; this only adds
// the environment-separation check, with the same parser.
func (s *services) wordpressDev(files []fileset.File) {
	for _, f := range files {
		base := strings.ToLower(f.Name())
		byName := wpDevName(base)
		var decides []string // an unreadable wp-config.php is the wordpress probe's to report
		if byName {
			decides = []string{"SC-2"}
		}
		data, ok := s.read(f.Path, decides...)
		if !ok {
			continue
		}
		consts, perr := wordpress.ParseConstants(data)
		var syntaxErr *wordpress.SyntaxError
		if perr != nil && !errors.As(perr, &syntaxErr) {
			syntaxErr = &wordpress.SyntaxError{Line: 1, Msg: perr.Error()}
		}
		why := "its file name marks it as a development config"
		if !byName {
			env := effectiveConstant(consts, "WP_ENVIRONMENT_TYPE")
			if env == nil || env.Value.Kind != wordpress.KindString || !nonProductionTypes[env.Value.Str] {
				continue
			}
			why = fmt.Sprintf("WP_ENVIRONMENT_TYPE is '%s'", env.Value.Str)
		}
		s.checked["SC-2"] = true
		shown := fileset.Display(f.Path)
		host := effectiveConstant(consts, "DB_HOST")
		switch {
		case host == nil && syntaxErr != nil:
			s.r.MarkUnknown("SC-2", fmt.Sprintf("%s:%d: %s; DB_HOST could not be read", shown, syntaxErr.Line, syntaxErr.Msg))
			continue
		case host == nil || host.Value.Kind != wordpress.KindString || !productionHost(host.Value.Str):
			continue
		}
		s.add("SC-2", "wp-dev-production-db", "", f.Path, host.Line, host.Snippet,
			fmt.Sprintf("%s is a non-production WordPress config (%s) but DB_HOST is '%s', which looks like a production database: development work can change or leak production data.", shown, why, host.Value.Str),
			"Point development and staging configs at their own database, and keep production hosts and credentials out of them.")
	}
}

// effectiveConstant is the definition of name that takes effect when it is certain: the
// first one outside any branch (PHP keeps the first define of a constant).
func effectiveConstant(consts []wordpress.Constant, name string) *wordpress.Constant {
	for i := range consts {
		if consts[i].Name == name && !consts[i].Conditional {
			return &consts[i]
		}
	}
	return nil
}
