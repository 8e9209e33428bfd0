// Package cli wires posture's commands. It parses flags, loads configuration and policy,
// and hands off to the engine and reporters; no checking logic lives here.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/version"
)

// Exit codes, as documented in `posture scan --help`.
const (
	ExitOK      = 0
	ExitFailing = 1
	ExitError   = 2
)

// exitError carries an exit code up to Main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

// env is what commands need from the outside world; tests replace it.
type env struct {
	stdout, stderr io.Writer
	now            func() time.Time
	getenv         func(string) string
	isTerminal     func(io.Writer) bool
	version        func() (version, commit string)
}

// Main runs posture with args and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, now: time.Now, getenv: os.Getenv, isTerminal: isTerminal, version: version.Info}
	return run(ctx, e, args)
}

func run(ctx context.Context, e *env, args []string) int {
	root := newRoot(e)
	root.SetArgs(args)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var xe *exitError
	if errors.As(err, &xe) {
		if xe.err != nil {
			fmt.Fprintln(e.stderr, "posture:", xe.err)
		}
		return xe.code
	}
	fmt.Fprintln(e.stderr, "posture:", err)
	return ExitError
}

func newRoot(e *env) *cobra.Command {
	var verbose bool
	root := &cobra.Command{
		Use:   "posture",
		Short: "Prove that systems follow the Secure Engineering Policy",
		Long: `NAME
    posture - prove that systems follow the Secure Engineering Policy

DESCRIPTION
    posture checks repositories, endpoints and hosts against a policy pack: the
    policy's clauses turned into controls (ZT, CR, CH, CD, ST, SC, VM, LG, PR).
    Every finding is reported under the control it breaks, and every control
    ends in one of: pass, fail, deviation (silenced by an approved, unexpired
    deviation), not-applicable (with the reason) or unknown (could not be
    checked, with the reason). Unknown is never reported as pass.

COMMANDS
    scan        audit targets and report per control
    policy      show, lint or export the policy pack
    db          manage the offline vulnerability database (OSV)
    sbom        write a CycloneDX SBOM of the locked dependencies
    serve       run the posture server (HTTPS UI and API for the security team)
    admin       bootstrap the first admin; manage users and API tokens
    audit       verify, export and prune the server's tamper-evident audit log
    version     print the version, commit and policy pack version
    completion  generate shell completion (bash, zsh, fish, powershell)

    Run 'posture help COMMAND' for the manual of a command.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			level := slog.LevelWarn
			if verbose {
				level = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level})))
		},
	}
	root.PersistentFlags().BoolVarP(&verbose, "verbose", "v", false, "log progress and probe timings to standard error")
	root.AddCommand(newScan(e), newPolicy(e), newVersion(e))
	root.AddCommand(newSBOM(e))
	root.AddCommand(newDB(e))
	root.AddCommand(newAnonymize(e))
	root.AddCommand(newServe(e), newAdmin(e))
	root.AddCommand(newAudit(e))
	root.AddCommand(newBackup(e), newRestore(e))
	return root
}

// warnExpired prints the PR-1 warning; every command that loads a pack calls it.
func warnExpired(e *env, p *policy.Pack) {
	if w := p.ExpiryWarning(e.now()); w != "" {
		fmt.Fprintln(e.stderr, "warning:", w)
	}
}

// loadPack reads the pack named by --policy or the config, or the embedded default.
func loadPack(path string) (*policy.Pack, error) {
	if path == "" {
		return policy.Default()
	}
	return policy.LoadFile(path)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func usageError(format string, args ...any) error {
	return &exitError{code: ExitError, err: fmt.Errorf(format, args...)}
}
