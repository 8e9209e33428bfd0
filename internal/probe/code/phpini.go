package code

import (
	"fmt"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/ini"
	"github.com/posture-dev/posture/internal/fileset"
)

// phpInis checks php.ini files and their conf.d snippets. php.ini has no marker of its own
// for the environment it serves, so display_errors is judged only where the path says
// production; expose_php only where it does not say development; allow_url_include
// everywhere, since nothing needs it.
func (s *services) phpInis(files []fileset.File) {
	for _, f := range files {
		data, ok := s.read(f.Path, "ST-1", "SC-2")
		if !ok {
			continue
		}
		file := ini.Parse(data, ini.PHP)
		env := environmentOf(f.Path)
		shown := fileset.Display(f.Path)
		s.checked["ST-1"] = true
		if env == envProduction {
			s.checked["SC-2"] = true
		}
		for _, e := range file.Errors {
			reason := fmt.Sprintf("%s:%d: %s; PHP stops reading the file there", shown, e.Line, e.Msg)
			s.r.MarkUnknown("ST-1", reason)
			if env == envProduction {
				s.r.MarkUnknown("SC-2", reason)
			}
		}
		last := lastPHPSettings(file)

		if e, ok := last["display_errors"]; ok && env == envProduction && displaysErrors(e.Value) {
			s.add("SC-2", "php-display-errors", "", f.Path, e.Line, e.Text,
				fmt.Sprintf("display_errors is %s in %s, a production PHP configuration (by its path), so errors with file paths, queries and stack details are shown to visitors.", e.Value, shown),
				"Set display_errors = Off and log_errors = On in production; keep error display to development configs.")
		}
		if e, ok := last["expose_php"]; ok && env != envNonProduction && on(e.Value) {
			s.add("ST-1", "php-expose-php", "low", f.Path, e.Line, e.Text,
				fmt.Sprintf("expose_php is %s in %s, so every response carries the exact PHP version in X-Powered-By.", e.Value, shown),
				"Set expose_php = Off.")
		}
		if e, ok := last["allow_url_include"]; ok && on(e.Value) {
			s.add("ST-1", "php-allow-url-include", "high", f.Path, e.Line, e.Text,
				fmt.Sprintf("allow_url_include is %s in %s, so include and require accept URLs and a file-inclusion bug becomes remote code execution.", e.Value, shown),
				"Set allow_url_include = Off (the default; the setting is deprecated since PHP 7.4).")
		}
	}
}

// lastPHPSettings maps each directive (lower case) to its last setting in the file, the one
// PHP applies. [PATH=…] and [HOST=…] sections limit a setting to some requests; they are
// read like the rest, since a setting that holds for some requests still holds.
func lastPHPSettings(f *ini.File) map[string]ini.Entry {
	out := map[string]ini.Entry{}
	for _, e := range f.Entries {
		out[strings.ToLower(e.Key)] = e
	}
	return out
}

// on reads a PHP boolean directive.
func on(v string) bool {
	b, ok := ini.Bool(v)
	return ok && b
}

// displaysErrors reads display_errors, which besides booleans takes "stderr" (errors go to
// the server's log stream, not to the page) and "stdout".
func displaysErrors(v string) bool {
	if strings.EqualFold(strings.TrimSpace(v), "stdout") {
		return true
	}
	return on(v)
}
