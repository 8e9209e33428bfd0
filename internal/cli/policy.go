package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe/registry"
)

func newPolicy(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Show, lint or export the policy pack",
		Long: `NAME
    posture policy - work with policy packs

SYNOPSIS
    posture policy show [--policy FILE] [--format text|json]
    posture policy lint [FILE]
    posture policy export

DESCRIPTION
    A policy pack is the policy turned into data: sections, and controls with
    an ID, title, severity, how they are verified (auto, record or both) and
    the target kinds they apply to, plus the pack's last-review and expiry
    dates (control PR-1: every command warns once the pack has expired).

    posture embeds a default pack built from the Secure Engineering Policy.
    To adapt it, write a file with 'extends: default' that adds controls,
    changes severities or marks controls not applicable with a reason, and
    pass it with --policy (or 'policy:' in .posture.yaml). See
    docs/policy-packs.md.`,
	}
	cmd.AddCommand(newPolicyShow(e), newPolicyLint(e), newPolicyExport(e))
	return cmd
}

func newPolicyShow(e *env) *cobra.Command {
	var path, format string
	cmd := &cobra.Command{
		Use:   "show",
		Short: "List the controls of the policy pack",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := loadPack(path)
			if err != nil {
				return usageError("%v", err)
			}
			warnExpired(e, p)
			switch format {
			case "json":
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(p)
			case "text", "":
			default:
				return usageError("unknown --format %q (want text or json)", format)
			}
			fmt.Fprintf(e.stdout, "%s %s  (last reviewed %s, expires %s; from %s)\n", p.Metadata.Name, p.Metadata.Version, p.Metadata.LastReviewed, p.Metadata.Expires, p.Origin)
			probes := map[string][]string{}
			for name, ids := range registry.Controls() {
				for _, id := range ids {
					probes[id] = append(probes[id], name)
				}
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
			for _, s := range p.Sections {
				fmt.Fprintf(tw, "\n%s\t%s\n", s.ID, s.Title)
				for _, c := range p.Controls {
					if c.Section != s.ID {
						continue
					}
					verif := make([]string, len(c.Verification))
					for i, v := range c.Verification {
						verif[i] = string(v)
					}
					kinds := make([]string, len(c.Targets))
					for i, k := range c.Targets {
						kinds[i] = string(k)
					}
					note := ""
					if c.NotApplicable != "" {
						note = "  [not applicable: " + c.NotApplicable + "]"
					}
					fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s%s\n", c.ID, c.Severity, strings.Join(verif, "+"), strings.Join(kinds, ","), c.Title, note)
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&path, "policy", "", "policy pack file (default: the embedded pack)")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func newPolicyLint(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "lint [FILE]",
		Short: "Check a policy pack for mistakes",
		Long: `NAME
    posture policy lint - check a policy pack

DESCRIPTION
    Reports unknown fields, duplicate control IDs, unknown sections,
    severities, verification kinds and target kinds, missing review dates,
    overrides of controls that do not exist, and probes that report under a
    control the pack does not define. Without FILE, lints the embedded pack.
    Exits 0 when clean, 1 when problems were found, 2 when the file cannot
    be read as a pack at all.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			problems, err := policy.Lint(path, registry.Controls())
			if err != nil {
				return usageError("%v", err)
			}
			for _, p := range problems {
				fmt.Fprintln(e.stdout, p)
			}
			if len(problems) > 0 {
				return &exitError{code: ExitFailing, err: fmt.Errorf("%d problem(s) in the policy pack", len(problems))}
			}
			if pack, err := loadPack(path); err == nil {
				warnExpired(e, pack)
			}
			fmt.Fprintln(e.stdout, "policy pack is valid")
			return nil
		},
	}
}

func newPolicyExport(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "export",
		Short: "Print the embedded default pack as YAML, to start your own",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := e.stdout.Write(policy.DefaultYAML())
			return err
		},
	}
}
