package cli

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/posture-dev/posture/internal/config"
	"github.com/posture-dev/posture/internal/engine"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe/changecontrol"
	"github.com/posture-dev/posture/internal/probe/personaldata"
	"github.com/posture-dev/posture/internal/probe/registry"
	"github.com/posture-dev/posture/internal/probe/secrets"
	"github.com/posture-dev/posture/internal/probe/vulns"
	"github.com/posture-dev/posture/internal/report"
	"github.com/posture-dev/posture/internal/target"
)

type scanFlags struct {
	format, output, failOn, policy, config, maxFileSize string
	db                                                  string
	only, skip                                          []string
	jobs                                                int
	noColor                                             bool
	noHistory, staged                                   bool
	since                                               string
	maxDepth                                            int
	refs                                                []string
	changeWindow                                        int
	forge, forgeURL                                     string
	net                                                 networkFlags
	upload                                              uploadFlags // scan_upload.go
}

const scanLong = `NAME
    posture scan - audit targets against the policy and report per control

SYNOPSIS
    posture scan [flags] [TARGET...]

DESCRIPTION
    Runs every probe that applies to each TARGET and reports each control of
    the policy pack as pass, fail, deviation, not-applicable or unknown, with
    the findings behind it. With no TARGET, scans the current directory.

    A TARGET is a directory or git repository (its files as git lists them:
    tracked plus untracked-but-not-ignored; otherwise every file under it).
    https://HOST[:PORT][/PATH] is an endpoint: its TLS (every protocol and
    suite, the certificate) and its HTTP hardening are audited live; an
    http:// URL is checked for a redirect to https. host:local is the machine
    posture runs on: clocks, audit and log settings, sshd, and services that
    answer without credentials. --targets-file reads many targets; endpoints
    are audited --concurrency at a time, at most --per-host connections to
    any one host, and never follow a redirect to another host unless
    --follow-other-hosts. An endpoint that cannot be reached leaves its
    controls unknown, with the reason.

    Symbolic links are never followed. Files larger than --max-file-size,
    unreadable files, pipes and sockets are listed as not examined, with the
    reason, and the checks that needed them report unknown instead of pass.

CONFIGURATION
    .posture.yaml at the root of the first repository target (or --config)
    sets defaults for these flags and the scope: paths that are not part of
    the deployed system, each with a reason that every report repeats. A
    finding inside the scope can only be silenced by a deviation recorded in
    .posture/deviations.yaml, approved by someone other than its requester
    and not expired; anything else is reported under ST-2. See
    docs/configuration.md and docs/deviations.md.

EXIT STATUS
    0   no open finding at or above --fail-on severity
    1   at least one open finding at or above --fail-on severity
    2   usage error, unreadable policy or configuration, an interrupted scan,
        an incomplete one (a probe failed; its controls are unknown), or a
        failed --upload (a successful upload leaves the code as above)

ENVIRONMENT
    NO_COLOR       when set, text output has no colour (colour is only ever
                   used when standard output is a terminal)
    POSTURE_TOKEN  the API token for --upload when --token-file is not given

EXAMPLES
    posture scan
    posture scan --format sarif --output posture.sarif .
    posture scan --only CR,VM-1 --fail-on medium ~/src/site
    posture scan --skip SC --format html --output report.html
    posture scan https://example.com host:local
    posture scan --targets-file estate.txt --tls-profile modern -f json
    POSTURE_TOKEN=pst_… posture scan --upload https://posture.example.com/ --system web .`

func newScan(e *env) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan [TARGET...]",
		Short: "Audit targets against the policy and report per control",
		Long:  scanLong,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd, e, &f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "", "report format: "+strings.Join(report.Formats, ", ")+" (default text)")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to FILE instead of standard output")
	fl.StringVar(&f.failOn, "fail-on", "", "lowest severity of an open finding that makes the exit code 1: info, low, medium, high, critical (default high)")
	fl.StringVar(&f.policy, "policy", "", "policy pack file (a full pack, or one that `extends: default`)")
	fl.StringVar(&f.config, "config", "", "configuration file (default: .posture.yaml in the first repository target)")
	fl.StringSliceVar(&f.only, "only", nil, "check only these controls or sections (e.g. CR,VM-1)")
	fl.StringSliceVar(&f.skip, "skip", nil, "leave out these controls or sections")
	fl.StringVar(&f.maxFileSize, "max-file-size", "", "skip files larger than this (default 10MiB)")
	fl.IntVarP(&f.jobs, "jobs", "j", 0, "probes to run at once (default: number of CPUs)")
	fl.BoolVar(&f.noColor, "no-color", false, "never colour text output")
	fl.BoolVar(&f.noHistory, "no-history", false, "do not scan git history for secrets (CR-4), only the working tree")
	fl.StringVar(&f.since, "since", "", "scan git history only from this day on (YYYY-MM-DD)")
	fl.IntVar(&f.maxDepth, "max-depth", 0, "scan at most this many commits back from each ref")
	fl.StringSliceVar(&f.refs, "refs", nil, "scan history only of these ref globs (e.g. refs/heads/main); default all branches and tags")
	fl.BoolVar(&f.staged, "staged", false, "pre-commit mode: scan only what is staged for the next commit")
	fl.IntVar(&f.changeWindow, "change-window", 0, "judge this many days of the default branch's history for CH-1 (default 90)")
	fl.StringVar(&f.forge, "forge", "", "forge API of the origin remote when its host is not github.com: github or gitea (Gitea and Forgejo)")
	fl.StringVar(&f.forgeURL, "forge-url", "", "forge API root for CH-2 (e.g. https://git.example.com); the forge token is sent there")
	addNetworkFlags(cmd, &f.net)
	addUploadFlags(cmd, &f.upload)
	addServerFlags(cmd, &f.upload) // --server: deviations approved on a posture server (scan_server.go)
	fl.StringVar(&f.db, "db", "", "vulnerability database directory (default $POSTURE_DB or the user cache directory; see `posture db`)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(report.Formats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"info", "low", "medium", "high", "critical"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runScan(cmd *cobra.Command, e *env, f *scanFlags, args []string) error {
	if f.net.targetsFile != "" {
		more, err := readTargetsFile(f.net.targetsFile, cmd.InOrStdin())
		if err != nil {
			return usageError("%v", err)
		}
		args = append(args, more...)
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	targets, err := parseTargets(args)
	if err != nil {
		return usageError("%v", err)
	}
	nx, err := newNet(&f.net, e.now)
	if err != nil {
		return usageError("%v", err)
	}

	cfg, err := loadConfig(f.config, targets)
	if err != nil {
		return usageError("%v", err)
	}
	set := cmd.Flags().Changed
	pick := func(flag, fromFlag, fromCfg, def string) string {
		if set(flag) || fromFlag != "" {
			return fromFlag
		}
		if fromCfg != "" {
			return fromCfg
		}
		return def
	}
	format := pick("format", f.format, cfg.Format, "text")
	if !slices.Contains(report.Formats, format) {
		return usageError("unknown --format %q (want one of %s)", format, strings.Join(report.Formats, ", "))
	}
	failOn, err := policy.ParseSeverity(pick("fail-on", f.failOn, cfg.FailOn, "high"))
	if err != nil {
		return usageError("--fail-on: %v", err)
	}
	up, err := f.upload.prepare(cmd, e)
	if err != nil {
		return usageError("%v", err)
	}
	var maxSize int64
	if s := pick("max-file-size", f.maxFileSize, cfg.MaxFileSize, ""); s != "" {
		if maxSize, err = config.ParseSize(s); err != nil {
			return usageError("--max-file-size: %v", err)
		}
	}
	only, skip := f.only, f.skip
	if !set("only") {
		only = cfg.Only
	}
	if !set("skip") {
		skip = cfg.Skip
	}

	secretOpts, err := secretOptions(cmd, f, cfg)
	if err != nil {
		return usageError("%v", err)
	}
	ccOpts, err := changeControlOptions(cmd, f, cfg, e)
	if err != nil {
		return usageError("%v", err)
	}

	pack, err := loadPack(pick("policy", f.policy, cfg.Policy, ""))
	if err != nil {
		return usageError("%v", err)
	}
	// A text report on standard output carries the warning itself; said twice, it
	// reads as two problems.
	if format != "text" || f.output != "" {
		warnExpired(e, pack)
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// --server (scan_server.go): pulled before the scan, which does not run without them.
	serverDeviations, err := f.upload.pullDeviations(ctx, cmd, e)
	if err != nil {
		return err
	}
	prog := &scanProgress{w: e.stderr}
	var onProgress func(done, total int)
	if !f.net.noProgress && e.isTerminal(e.stderr) {
		onProgress = prog.update
	}
	probes := registry.All(registry.Config{
		ChangeControl: ccOpts, PersonalData: personalDataOptions(cfg, secretOpts), Secrets: secretOpts,
		Vulns: vulns.Options{DBDir: dbDir(e, f.db), Now: e.now},
		Net:   nx, TLSProfile: f.net.tlsProfile,
	})
	res, err := engine.Run(ctx, targets, engine.Options{
		Pack: pack, Probes: probes, Jobs: f.jobs, NetJobs: f.net.concurrency, Progress: onProgress, Now: e.now, MaxFileSize: maxSize,
		Exclude: cfg.Scope.Exclude, Only: upper(only), Skip: upper(skip), Deviations: serverDeviations,
	})
	prog.finish()
	if err != nil {
		return usageError("%v", err)
	}

	out, closeOut, err := openOutput(e, f.output)
	if err != nil {
		return usageError("%v", err)
	}
	color := format == "text" && f.output == "" && !f.noColor && e.getenv("NO_COLOR") == "" && e.isTerminal(e.stdout)
	v, c := e.version()
	if err := report.Write(out, format, res, report.Meta{Version: v, Commit: c}, report.Options{Color: color, FailOn: failOn}); err != nil {
		closeOut()
		return &exitError{code: ExitError, err: fmt.Errorf("writing report: %w", err)}
	}
	if err := closeOut(); err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("writing report: %w", err)}
	}
	// --upload (scan_upload.go). An interrupted scan is not sent: its unknowns would
	// read as the system's state.
	if up != nil && !res.Interrupted {
		if err := up.send(ctx, e, res, targets, report.Meta{Version: v, Commit: c}, failOn); err != nil {
			return &exitError{code: ExitError, err: err}
		}
	}
	switch {
	case res.Interrupted:
		return &exitError{code: ExitError, err: fmt.Errorf("scan interrupted; the report is partial")}
	case len(res.ProbeErrors()) > 0:
		// A probe that failed outright leaves its controls unknown: the scan is incomplete,
		// which a pipeline must not read as success.
		return &exitError{code: ExitError, err: fmt.Errorf("scan incomplete: %s", strings.Join(res.ProbeErrors(), "; "))}
	case res.Failing(failOn):
		return &exitError{code: ExitFailing}
	}
	return nil
}

// loadConfig reads --config, or .posture.yaml from the first repository target.
func loadConfig(explicit string, targets []*target.Target) (*config.Config, error) {
	if explicit != "" {
		return config.Load(explicit, true)
	}
	for _, t := range targets {
		if t.Root != "" {
			return config.Load(filepath.Join(t.Root, config.FileName), false)
		}
	}
	return &config.Config{}, nil
}

// openOutput writes to a temporary file beside the destination and renames it into place
// on success, so a failed run never leaves a truncated report behind.
func openOutput(e *env, path string) (io.Writer, func() error, error) {
	if path == "" {
		return e.stdout, func() error { return nil }, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".posture-report-*")
	if err != nil {
		return nil, nil, fmt.Errorf("--output: %w", err)
	}
	done := false
	return tmp, func() error {
		if done {
			return nil
		}
		done = true
		if err := tmp.Close(); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		return os.Rename(tmp.Name(), path)
	}, nil
}

func upper(s []string) []string {
	out := make([]string, 0, len(s))
	for _, v := range s {
		if v = strings.ToUpper(strings.TrimSpace(v)); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// secretOptions merges the secret-scan flags over .posture.yaml's secrets section.
func secretOptions(cmd *cobra.Command, f *scanFlags, cfg *config.Config) (secrets.Options, error) {
	c := cfg.Secrets
	o := secrets.Options{AllowPaths: c.AllowPaths, AllowValues: c.AllowValues}
	o.History = secrets.HistoryOptions{Since: c.Since, MaxDepth: c.MaxDepth, Refs: c.Refs, Staged: f.staged}
	if c.History != nil && !*c.History {
		o.History.Disabled = true
	}
	set := cmd.Flags().Changed
	if set("no-history") {
		o.History.Disabled = f.noHistory
	}
	if set("since") {
		o.History.Since = f.since
	}
	if set("max-depth") {
		o.History.MaxDepth = f.maxDepth
	}
	if set("refs") {
		o.History.Refs = f.refs
	}
	if o.History.Since != "" {
		if _, err := policy.ParseDate(o.History.Since); err != nil {
			return o, fmt.Errorf("--since: %w", err)
		}
	}
	if o.History.MaxDepth < 0 {
		return o, fmt.Errorf("--max-depth must not be negative")
	}
	if c.Rules != "" {
		data, err := os.ReadFile(c.Rules)
		if err != nil {
			return o, fmt.Errorf("secrets.rules: %w", err)
		}
		rules, err := secrets.ParseRules(c.Rules, data)
		if err != nil {
			return o, err
		}
		o.ExtraRules = rules
	}
	return o, nil
}

// personalDataOptions takes .posture.yaml's personal_data section; the history flags
// (--no-history, --since, --max-depth, --refs, --staged) bound CD-1's history scan as
// they bound CR-4's.
func personalDataOptions(cfg *config.Config, s secrets.Options) personaldata.Options {
	h := s.History
	return personaldata.Options{
		MinMatches: cfg.PersonalData.MinMatches, AllowPaths: cfg.PersonalData.AllowPaths,
		History: personaldata.HistoryOptions{Disabled: h.Disabled, Since: h.Since, MaxDepth: h.MaxDepth, Refs: h.Refs, Staged: h.Staged},
	}
}

// changeControlOptions merges the change-control flags over .posture.yaml's
// change_control section.
func changeControlOptions(cmd *cobra.Command, f *scanFlags, cfg *config.Config, e *env) (changecontrol.Options, error) {
	c := cfg.ChangeControl
	o := changecontrol.Options{
		WindowDays: c.WindowDays, MaxDirectShare: c.MaxDirectShare, IgnoreAuthors: c.IgnoreAuthors,
		Forge: strings.ToLower(c.Forge), APIURL: c.APIURL, PullRequests: c.PullRequests,
		Now: e.now, Getenv: e.getenv,
	}
	set := cmd.Flags().Changed
	if set("change-window") {
		if f.changeWindow <= 0 {
			return o, fmt.Errorf("--change-window must be a positive number of days")
		}
		o.WindowDays = f.changeWindow
	}
	if set("forge") {
		o.Forge = strings.ToLower(f.forge)
	}
	if set("forge-url") {
		// Only a URL the user typed may take the token to a host other than origin's.
		o.APIURL, o.APIURLTrusted = f.forgeURL, true
	}
	return o, o.Validate()
}
