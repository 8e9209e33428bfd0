package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newVersion(e *env) *cobra.Command {
	var policyPath string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and policy pack version",
		Long: `NAME
    posture version - print what is running

SYNOPSIS
    posture version [--policy FILE]

DESCRIPTION
    Prints posture's version, the commit it was built from, and the name,
    version and review dates of the policy pack in use (the embedded default
    unless --policy names another).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := loadPack(policyPath)
			if err != nil {
				return usageError("%v", err)
			}
			warnExpired(e, p)
			v, c := e.version()
			if c == "" {
				c = "unknown"
			}
			fmt.Fprintf(e.stdout, "posture %s\ncommit  %s\npolicy  %s %s (last reviewed %s, expires %s)\n",
				v, c, p.Metadata.Name, p.Metadata.Version, p.Metadata.LastReviewed, p.Metadata.Expires)
			return nil
		},
	}
	cmd.Flags().StringVar(&policyPath, "policy", "", "policy pack file (default: the embedded pack)")
	return cmd
}
