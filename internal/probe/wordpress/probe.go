package wordpress

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// Rules this probe reports.
const (
	RuleFileMods    = "wordpress/file-mods"
	RuleFileEdit    = "wordpress/file-edit"
	RuleForceSSL    = "wordpress/force-ssl-admin"
	RuleDebugInProd = "wordpress/debug-in-production"
)

const (
	ctlImmutable = "SC-8"
	ctlTLS       = "CR-1"
	ctlSeparate  = "SC-2"
)

var controls = []string{ctlImmutable, ctlTLS, ctlSeparate}

// New returns the wp-config probe.
//
// Known limit: each config file is judged on its own. Configs that require or include
// another file (Altis, WordPress VIP, Bedrock-style splits) may define the hardening
// constants there; includes are not followed, so such a setup can be reported as missing
// a constant that the included file defines.
func New() probe.Probe { return wpConfig{} }

type wpConfig struct{}

func (wpConfig) Name() string               { return "wordpress/wp-config" }
func (wpConfig) Controls() []string         { return append([]string(nil), controls...) }
func (wpConfig) Kinds() []policy.TargetKind { return []policy.TargetKind{policy.KindRepo} }
func (wpConfig) Description() string {
	return "wp-config.php (and wp-config-*.php) defines DISALLOW_FILE_MODS, DISALLOW_FILE_EDIT and FORCE_SSL_ADMIN as true and does not turn WP_DEBUG on in production"
}

// environment is what a config file's name says about where it runs.
type environment int

const (
	envFromConstant environment = iota // wp-config.php and undistinctive variants
	envProduction
	envNonProduction
)

// configFile reports whether base is a WordPress config this probe examines, and what
// its name says about the environment. wp-config-sample.php ships with WordPress and is
// never loaded.
func configFile(base string) (bool, environment) {
	n := strings.ToLower(base)
	if n == "wp-config.php" {
		return true, envFromConstant
	}
	if !strings.HasPrefix(n, "wp-config-") || !strings.HasSuffix(n, ".php") {
		return false, 0
	}
	variant := strings.TrimSuffix(strings.TrimPrefix(n, "wp-config-"), ".php")
	switch {
	case variant == "" || variant == "sample":
		return false, 0
	case variant == "local", variant == "staging", strings.HasPrefix(variant, "dev"), strings.HasPrefix(variant, "test"):
		return true, envNonProduction
	case variant == "production", variant == "prod":
		return true, envProduction
	}
	return true, envFromConstant
}

func (wpConfig) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	r := &probe.Result{}
	var files []fileset.File
	for _, f := range t.Files.Files() {
		if ok, _ := configFile(f.Name()); ok {
			files = append(files, f)
		}
	}
	// Taken before reading, so that this probe's own read failures (which the inventory
	// also records as skipped) are not reported twice.
	var skipped []fileset.Skip
	for _, s := range t.Files.Skipped() {
		if _, inScope := t.Files.Lookup(s.Path); inScope {
			continue
		}
		if ok, _ := configFile(path.Base(s.Path)); ok {
			skipped = append(skipped, s)
		}
	}
	if len(files) == 0 && len(skipped) == 0 {
		for _, c := range controls {
			r.MarkNotApplicable(c, "no wp-config.php found")
		}
		return r, nil
	}
	for _, s := range skipped {
		for _, c := range controls {
			r.MarkUnknown(c, s.Path+": "+s.Reason)
		}
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := t.Files.Read(f)
		if err != nil {
			for _, c := range controls {
				r.MarkUnknown(c, err.Error())
			}
			continue
		}
		consts, perr := ParseConstants(data)
		var syntaxErr *SyntaxError
		if perr != nil && !errors.As(perr, &syntaxErr) {
			syntaxErr = &SyntaxError{Line: 1, Msg: perr.Error()}
		}
		_, env := configFile(f.Name())
		c := &check{r: r, path: f.Path, shown: fileset.Display(f.Path), consts: consts, syntaxErr: syntaxErr, env: env}
		c.run()
		c.flush()
	}
	return r, nil
}

// check judges one config file.
type check struct {
	r         *probe.Result
	path      string // as in the inventory, for locations
	shown     string // printable, for messages
	consts    []Constant
	syntaxErr *SyntaxError
	env       environment
	unknown   map[string][]string
}

// setting is what a file does with one of the hardening constants.
type setting int

const (
	settingMissing setting = iota
	settingFalse           // defined, but never to a true literal
	settingTrue            // defined to a true literal somewhere
	settingDynamic         // defined from a runtime value, and never to a true literal
)

func (c *check) hardening(name string) (setting, *Constant) {
	var first, dynamic *Constant
	for i := range c.consts {
		k := &c.consts[i]
		if k.Name != name {
			continue
		}
		if first == nil {
			first = k
		}
		truth, known := k.Value.Truthy()
		switch {
		case known && truth:
			return settingTrue, k
		case !known && dynamic == nil:
			dynamic = k
		}
	}
	switch {
	case dynamic != nil:
		return settingDynamic, dynamic
	case first != nil:
		return settingFalse, first
	}
	return settingMissing, nil
}

func (c *check) markUnknown(control, reason string) {
	if c.unknown == nil {
		c.unknown = map[string][]string{}
	}
	for _, r := range c.unknown[control] {
		if r == reason {
			return
		}
	}
	c.unknown[control] = append(c.unknown[control], reason)
}

func (c *check) flush() {
	for _, ctl := range controls {
		for _, reason := range c.unknown[ctl] {
			c.r.MarkUnknown(ctl, reason)
		}
	}
}

// syntaxReason explains why constants after a lexical error are unknown.
func (c *check) syntaxReason() string {
	return fmt.Sprintf("%s:%d: %s; the rest of the file could not be read", c.shown, c.syntaxErr.Line, c.syntaxErr.Msg)
}

func (c *check) dynamicReason(k *Constant, what string) string {
	return fmt.Sprintf("%s:%d: %s is set from a runtime value (%s); %s", c.shown, k.Line, k.Name, summarize(k.Raw), what)
}

var callRE = regexp.MustCompile(`^\\?[A-Za-z_][A-Za-z0-9_\\]*\s*\(`)

// summarize shortens a dynamic value for a message: getenv('X') === 'true' becomes
// getenv(...), which says where the value comes from without quoting a whole expression.
func summarize(raw string) string {
	if m := callRE.FindString(raw); m != "" {
		return strings.TrimSpace(strings.TrimSuffix(m, "(")) + "(...)"
	}
	raw = strings.Join(strings.Fields(raw), " ")
	if r := []rune(raw); len(r) > 40 {
		return string(r[:37]) + "..."
	}
	return raw
}

func (c *check) run() {
	mods, modsAt := c.hardening("DISALLOW_FILE_MODS")
	edit, editAt := c.hardening("DISALLOW_FILE_EDIT")
	ssl, sslAt := c.hardening("FORCE_SSL_ADMIN")
	const cannotTell = "cannot tell if it is true"

	switch {
	case mods == settingTrue:
	case mods == settingDynamic:
		c.markUnknown(ctlImmutable, c.dynamicReason(modsAt, cannotTell))
	case c.syntaxErr != nil:
		c.markUnknown(ctlImmutable, c.syntaxReason())
	default:
		c.report(ctlImmutable, RuleFileMods, "DISALLOW_FILE_MODS", modsAt,
			"so plugins and themes can be installed and updated from the dashboard and the running site can change its own code",
			"Add define( 'DISALLOW_FILE_MODS', true ); and ship plugin, theme and core updates through the deployment pipeline.")
	}

	// DISALLOW_FILE_MODS switches the editor off too, so only its absence makes the
	// editor a finding of its own.
	switch {
	case mods == settingTrue || edit == settingTrue:
	case edit == settingDynamic:
		c.markUnknown(ctlImmutable, c.dynamicReason(editAt, cannotTell))
	case mods == settingDynamic:
	case c.syntaxErr != nil:
		c.markUnknown(ctlImmutable, c.syntaxReason())
	default:
		c.report(ctlImmutable, RuleFileEdit, "DISALLOW_FILE_EDIT", editAt,
			"and DISALLOW_FILE_MODS is not true either, so administrators can rewrite theme and plugin PHP in the built-in file editor",
			"Add define( 'DISALLOW_FILE_EDIT', true ), or set DISALLOW_FILE_MODS to true, which disables the editor as well.")
	}

	switch {
	case ssl == settingTrue:
	case ssl == settingDynamic:
		c.markUnknown(ctlTLS, c.dynamicReason(sslAt, cannotTell))
	case c.syntaxErr != nil:
		c.markUnknown(ctlTLS, c.syntaxReason())
	default:
		c.report(ctlTLS, RuleForceSSL, "FORCE_SSL_ADMIN", sslAt,
			"so logins and admin pages, with their passwords and session cookies, can travel over plain HTTP",
			"Add define( 'FORCE_SSL_ADMIN', true ); and serve the site over HTTPS.")
	}

	c.debug()
}

// report adds a finding about a hardening constant that is missing (at == nil) or
// defined to something that is not true.
func (c *check) report(control, rule, name string, at *Constant, consequence, fix string) {
	f := finding.Finding{Control: control, Rule: rule, Key: name, Fix: fix, Location: finding.Location{Path: c.path}}
	if at == nil {
		f.Message = fmt.Sprintf("%s is not defined in %s, %s.", name, c.shown, consequence)
	} else {
		f.Location.Line = at.Line
		f.Evidence = finding.Plain(at.Snippet)
		f.Message = fmt.Sprintf("%s is defined as %s in %s, %s.", name, oneLine(at.Raw), c.shown, consequence)
	}
	c.r.Add(f)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// effective returns the first definition of name that always runs, and whether every
// definition before it (conditional ones, which may win instead) agrees on truthiness.
func (c *check) effective(name string) (def *Constant, anyDef, agreed bool) {
	agreed = true
	for i := range c.consts {
		k := &c.consts[i]
		if k.Name != name {
			continue
		}
		anyDef = true
		if !k.Conditional {
			want, known := k.Value.Truthy()
			if !known {
				return k, true, agreed
			}
			for _, prev := range c.consts[:i] {
				if prev.Name == name {
					got, ok := prev.Value.Truthy()
					agreed = agreed && ok && got == want
				}
			}
			return k, true, agreed
		}
	}
	return nil, anyDef, agreed
}

var nonProductionTypes = map[string]bool{"local": true, "development": true, "staging": true}

// debug reports WP_DEBUG switched on in a configuration that runs in production.
func (c *check) debug() {
	dbg, _, agreed := c.effective("WP_DEBUG")
	if dbg == nil {
		if c.syntaxErr != nil && c.env != envNonProduction {
			c.markUnknown(ctlSeparate, c.syntaxReason())
		}
		return
	}
	if on, known := dbg.Value.Truthy(); !known || !on || !agreed {
		return
	}
	var why string
	switch c.env {
	case envNonProduction:
		return
	case envProduction:
		why = "its file name marks it as production"
	default:
		env, anyEnv, _ := c.effective("WP_ENVIRONMENT_TYPE")
		cannotTell := fmt.Sprintf("cannot tell if WP_DEBUG (line %d) is on in production", dbg.Line)
		switch {
		case env == nil && anyEnv:
			first := c.first("WP_ENVIRONMENT_TYPE")
			c.markUnknown(ctlSeparate, fmt.Sprintf("%s:%d: WP_ENVIRONMENT_TYPE is only set conditionally; %s", c.shown, first.Line, cannotTell))
			return
		case env == nil && c.syntaxErr != nil:
			c.markUnknown(ctlSeparate, c.syntaxReason())
			return
		case env == nil:
			why = "WP_ENVIRONMENT_TYPE is not defined, so WordPress treats the site as production"
		case c.first("WP_ENVIRONMENT_TYPE") != env:
			c.markUnknown(ctlSeparate, fmt.Sprintf("%s:%d: WP_ENVIRONMENT_TYPE is set conditionally before line %d; %s", c.shown, c.first("WP_ENVIRONMENT_TYPE").Line, env.Line, cannotTell))
			return
		case env.Value.Kind == KindDynamic:
			c.markUnknown(ctlSeparate, c.dynamicReason(env, cannotTell))
			return
		case env.Value.Kind == KindString && nonProductionTypes[env.Value.Str]:
			return
		case env.Value.Kind == KindString && env.Value.Str == "production":
			why = "WP_ENVIRONMENT_TYPE is 'production'"
		default:
			why = fmt.Sprintf("WP_ENVIRONMENT_TYPE is %s, which WordPress does not recognise and treats as production", oneLine(env.Raw))
		}
	}
	c.r.Add(finding.Finding{
		Control: ctlSeparate, Rule: RuleDebugInProd, Key: "WP_DEBUG",
		Location: finding.Location{Path: c.path, Line: dbg.Line},
		Evidence: finding.Plain(dbg.Snippet),
		Message: fmt.Sprintf("WP_DEBUG is defined as %s in %s, a production configuration (%s), so PHP errors and internals can be shown to visitors.",
			oneLine(dbg.Raw), c.shown, why),
		Fix: "Define WP_DEBUG as false in production and keep debugging on in a separate local or staging configuration.",
	})
}

func (c *check) first(name string) *Constant {
	for i := range c.consts {
		if c.consts[i].Name == name {
			return &c.consts[i]
		}
	}
	return nil
}
