package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/posture-dev/posture/internal/config"
	"github.com/posture-dev/posture/internal/deps"
	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/sbom"
	"github.com/posture-dev/posture/internal/target"
)

type sbomFlags struct {
	output, config, maxFileSize string
}

const sbomLong = `NAME
    posture sbom - write a software bill of materials (CycloneDX 1.6 JSON)

SYNOPSIS
    posture sbom [flags] [PATH]

DESCRIPTION
    Reads the lockfiles and dependency manifests of the repository at PATH
    (default: the current directory) and writes one CycloneDX 1.6 JSON
    document listing every package they pin, the same inventory the
    dependency controls (VM-1, VM-3) of posture scan examine.

    The files read are those posture scan reads: in a git work tree, tracked
    plus untracked-but-not-ignored files; otherwise every file under PATH.
    Scope exclusions and max_file_size from .posture.yaml apply.

    Each package appears once, identified by its package URL (purl), with
    every lockfile line that pins it as evidence. Development-only packages
    have scope "excluded"; direct dependencies, declared constraints and
    non-registry sources are recorded as posture:* properties. The graph
    holds only the repository's edges to its direct dependencies: lockfiles
    as posture reads them do not say which package pulled in which. See
    docs/sbom.md.

EXIT STATUS
    0   every lockfile found was read in full
    2   usage error, or an incomplete SBOM: a lockfile could not be read
        or parsed. Each problem is printed to standard error with its file
        and line, and the SBOM of everything else is still written.

EXAMPLES
    posture sbom
    posture sbom --output sbom.cdx.json ~/src/site`

func newSBOM(e *env) *cobra.Command {
	var f sbomFlags
	cmd := &cobra.Command{
		Use:   "sbom [PATH]",
		Short: "Write a CycloneDX SBOM of the repository's locked dependencies",
		Long:  sbomLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSBOM(cmd, e, &f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "", "write the SBOM to FILE instead of standard output")
	fl.StringVar(&f.config, "config", "", "configuration file (default: .posture.yaml in PATH)")
	fl.StringVar(&f.maxFileSize, "max-file-size", "", "skip files larger than this (default 10MiB)")
	return cmd
}

func runSBOM(cmd *cobra.Command, e *env, f *sbomFlags, args []string) error {
	arg := "."
	if len(args) == 1 {
		arg = args[0]
	}
	t, err := target.Parse(arg)
	if err != nil {
		return usageError("%v", err)
	}
	if t.Kind != policy.KindRepo {
		return usageError("%s: posture sbom reads a repository directory", arg)
	}
	cfg, err := loadConfig(f.config, []*target.Target{t})
	if err != nil {
		return usageError("%v", err)
	}
	sizeText := cfg.MaxFileSize
	if cmd.Flags().Changed("max-file-size") {
		sizeText = f.maxFileSize
	}
	var maxSize int64
	if sizeText != "" {
		if maxSize, err = config.ParseSize(sizeText); err != nil {
			return usageError("--max-file-size: %v", err)
		}
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	set, err := fileset.Build(ctx, t.Root, fileset.Options{MaxFileSize: maxSize, Exclude: cfg.Scope.Exclude})
	if err != nil {
		return usageError("%s: %v", arg, err)
	}
	// A lockfile the inventory could not take (over the size limit, unreadable) is a hole
	// in the SBOM just like one that fails to parse. Collected before Extract reads
	// anything, so read failures, which the inventory also records, are not counted twice.
	var problems []error
	for _, s := range set.Skipped() {
		if _, ok := deps.FormatFor(s.Path); ok {
			problems = append(problems, fmt.Errorf("%s: %s", s.Path, s.Reason))
		}
	}
	// Every path goes in, not just lockfiles: Extract looks for siblings (package.json
	// beside yarn.lock) and superseding files (composer.lock beside composer.json) among them.
	paths := make([]string, 0, set.Len())
	for _, file := range set.Files() {
		paths = append(paths, file.Path)
	}
	lockfiles, errs := deps.Extract(paths, func(p string) ([]byte, error) {
		file, ok := set.Lookup(p)
		if !ok {
			return nil, fmt.Errorf("not in the inventory")
		}
		return set.Read(file)
	})
	problems = append(problems, errs...)

	subject := sbom.Subject{Name: filepath.Base(t.Root)}
	if set.Source == "git" {
		subject.Commit = headCommit(ctx, t.Root)
	}
	v, _ := e.version()
	doc := sbom.Document{ToolVersion: v, Timestamp: e.now(), Subject: subject, Lockfiles: lockfiles}

	out, closeOut, err := openOutput(e, f.output)
	if err != nil {
		return usageError("%v", err)
	}
	if err := sbom.WriteCycloneDX(out, doc); err != nil {
		closeOut()
		return &exitError{code: ExitError, err: fmt.Errorf("writing SBOM: %w", err)}
	}
	if err := closeOut(); err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("writing SBOM: %w", err)}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(e.stderr, "posture:", p)
		}
		// An SBOM with holes must not pass for a complete one in a pipeline.
		return &exitError{code: ExitError, err: fmt.Errorf("SBOM incomplete: %d lockfile problem(s) above; everything else is listed", len(problems))}
	}
	return nil
}

// headCommit is the checked-out commit, or "" when git cannot say (no commits yet, git
// missing): the SBOM is still worth having without it.
func headCommit(ctx context.Context, root string) string {
	cmd := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "-q", "--verify", "HEAD^{commit}")
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Run(); err != nil {
		return ""
	}
	return strings.TrimSpace(stdout.String())
}
