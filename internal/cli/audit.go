package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/server"
	"github.com/posture-dev/posture/internal/store"
)

const auditLong = `NAME
    posture audit - verify, export and prune the server's audit log

SYNOPSIS
    posture audit verify [--format text|json]
    posture audit export [--since TIME] [--until TIME] [--format jsonl] [--output FILE]
    posture audit checkpoint
    posture audit purge --before TIME

    All take --data DIR and --database URL, as posture serve does, and the key
    provider flags below; they work on the same database while the server runs.

DESCRIPTION
    The audit log is a hash chain: every event's SHA-256 covers its fields, its seq
    and the previous event's hash, and signed checkpoints pin the chain at intervals
    with a key that the database does not hold (docs/audit.md).

    verify      walks the whole chain in one snapshot: recomputes every hash, checks
                that seq runs without gaps, checks each checkpoint's signature and
                that it matches the event it covers, and names every event that was
                modified, deleted, inserted or reordered.
    export      writes events as JSON lines (hashes in hex), oldest first.
    checkpoint  signs the current chain head now.
    purge       deletes events older than TIME, up to the newest checkpoint whose
                events are all older; that checkpoint becomes the chain's anchor.
                The purge is itself recorded as an audit event.

    TIME is RFC 3339 (2026-01-31T00:00:00Z), a date (2026-01-31, UTC), or a
    duration before now (720h).

OPTIONS
    --data DIR            data directory (default $POSTURE_DATA, else the user config
                          directory's posture/)
    --database URL        sqlite:///path or postgres://… (default SQLite in --data)
    --key-provider NAME   file (default), vault or kms: where the checkpoint key is
    --key-file PATH       file provider's key (default DIR/audit-signing.key)
    --vault-addr URL      Vault address (default $VAULT_ADDR); token from $VAULT_TOKEN
    --vault-mount PATH    transit mount (default transit)
    --vault-key NAME      transit key (type ed25519)
    --kms-key ID          KMS key id, ARN or alias (ECC_NIST_P256, SIGN_VERIFY);
                          credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
                          AWS_SESSION_TOKEN
    --kms-region REGION   default $AWS_REGION

EXIT STATUS
    0 success (verify: the log is intact); 1 verify found a problem; 2 error.`

type auditFlags struct {
	dataFlags
}

func (f *auditFlags) register(cmd *cobra.Command) { f.dataFlags.register(cmd) }

// openStore opens the database without creating a data directory that is not there:
// auditing a log that does not exist is an error, not an empty success.
func (f *auditFlags) openStore(ctx context.Context, e *env) (string, *store.Store, error) {
	dir, err := f.dir(e)
	if err != nil {
		return "", nil, err
	}
	if f.database == "" {
		if _, err := os.Stat(dir); err != nil {
			return "", nil, usageError("data directory %s: %v", dir, err)
		}
	}
	st, err := store.Open(ctx, store.Options{DataDir: dir, URL: f.database, Logger: slog.Default(), Now: e.now})
	if err != nil {
		return "", nil, &exitError{code: ExitError, err: err}
	}
	return dir, st, nil
}

func (f *auditFlags) signer(ctx context.Context, e *env, dir string) (keys.Signer, error) {
	s, err := keys.OpenSigner(ctx, f.keys, dir, false, e.getenv)
	if err != nil {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("checkpoint key: %w", err)}
	}
	return s, nil
}

// parseAuditTime reads TIME as documented in auditLong.
func parseAuditTime(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("bad time %q: want RFC 3339, YYYY-MM-DD or a duration such as 720h", s)
}

func newAudit(e *env) *cobra.Command {
	var f auditFlags
	cmd := &cobra.Command{Use: "audit", Short: "Verify, export and prune the server's audit log", Long: auditLong}
	f.register(cmd)

	var format string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check every hash, seq and checkpoint signature of the audit log",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return usageError("--format %q: want text or json", format)
			}
			ctx := cmd.Context()
			dir, st, err := f.openStore(ctx, e)
			if err != nil {
				return err
			}
			defer st.Close()
			s, err := f.signer(ctx, e, dir)
			if err != nil {
				return err
			}
			ring, err := keys.NewRing(ctx, s)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			rep, err := audit.Verify(ctx, st, ring)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if format == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if rep.Problems == nil {
					rep.Problems = []audit.Problem{}
				}
				enc.Encode(rep)
			} else {
				rep.WriteText(e.stdout)
			}
			if !rep.OK() {
				return &exitError{code: ExitFailing}
			}
			return nil
		},
	}
	verify.Flags().StringVar(&format, "format", "text", "text or json")

	var since, until, exportFormat, output string
	export := &cobra.Command{
		Use:   "export",
		Short: "Write audit events as JSON lines",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if exportFormat != "jsonl" {
				return usageError("--format %q: only jsonl is supported", exportFormat)
			}
			var filt audit.Filter
			var err error
			if since != "" {
				if filt.Since, err = parseAuditTime(since, e.now()); err != nil {
					return usageError("--since: %v", err)
				}
			}
			if until != "" {
				if filt.Until, err = parseAuditTime(until, e.now()); err != nil {
					return usageError("--until: %v", err)
				}
			}
			ctx := cmd.Context()
			_, st, err := f.openStore(ctx, e)
			if err != nil {
				return err
			}
			defer st.Close()
			var w io.Writer = e.stdout
			if output != "" && output != "-" {
				file, err := os.OpenFile(output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
				if err != nil {
					return usageError("--output: %v", err)
				}
				defer file.Close()
				w = file
			}
			n, err := audit.ExportJSONL(ctx, st, filt, w)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if w != e.stdout {
				fmt.Fprintf(e.stderr, "exported %d events to %s\n", n, output)
			}
			return nil
		},
	}
	export.Flags().StringVar(&since, "since", "", "only events at or after TIME")
	export.Flags().StringVar(&until, "until", "", "only events before TIME")
	export.Flags().StringVar(&exportFormat, "format", "jsonl", "jsonl")
	export.Flags().StringVarP(&output, "output", "o", "", "write to FILE (mode 0600) instead of standard output")

	// withLog opens the store and a Log for commands that write.
	withLog := func(ctx context.Context, fn func(l *audit.Log) error) error {
		dir, st, err := f.openStore(ctx, e)
		if err != nil {
			return err
		}
		defer st.Close()
		s, err := f.signer(ctx, e, dir)
		if err != nil {
			return err
		}
		l, err := audit.New(st, audit.Options{Signer: s, Now: e.now, Logger: slog.Default()})
		if err != nil {
			return &exitError{code: ExitError, err: err}
		}
		err = fn(l)
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if cerr := l.Close(cctx); cerr != nil && err == nil {
			err = &exitError{code: ExitError, err: cerr}
		}
		return err
	}

	checkpoint := &cobra.Command{
		Use:   "checkpoint",
		Short: "Sign the current chain head now",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withLog(cmd.Context(), func(l *audit.Log) error {
				c, err := l.Checkpoint(cmd.Context())
				if err != nil && !strings.Contains(err.Error(), "no events since") {
					return &exitError{code: ExitError, err: err}
				}
				if err != nil {
					fmt.Fprintln(e.stdout, "the chain head is already covered by a checkpoint")
					return nil
				}
				fmt.Fprintf(e.stdout, "checkpoint at seq %d signed by %s (%s)\n", c.Seq, c.KeyID, c.Algorithm)
				return nil
			})
		},
	}

	var before string
	purge := &cobra.Command{
		Use:   "purge",
		Short: "Delete events older than a cut-off, up to a checkpoint",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if before == "" {
				return usageError("--before is required")
			}
			cut, err := parseAuditTime(before, e.now())
			if err != nil {
				return usageError("--before: %v", err)
			}
			return withLog(cmd.Context(), func(l *audit.Log) error {
				res, err := l.Purge(cmd.Context(), cut, cliActor(), "", "cli")
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				if res.Deleted == 0 {
					fmt.Fprintf(e.stdout, "nothing to purge before %s: no checkpoint has only older events before it\n", cut.Format(time.RFC3339))
					return nil
				}
				fmt.Fprintf(e.stdout, "purged %d events (seq %d–%d); the chain now starts after the checkpoint at seq %d\n",
					res.Deleted, res.FirstSeq, res.Through, res.Anchor)
				return nil
			})
		},
	}
	purge.Flags().StringVar(&before, "before", "", "delete events older than TIME")

	cmd.AddCommand(verify, export, checkpoint, purge)
	return cmd
}

// logAuditor adapts an audit.Log to the server's Auditor interface, so that
// `posture serve` can record into the hash-chained log: the client address becomes the
// event's source and the free-text detail a "detail" entry.
type logAuditor struct{ l *audit.Log }

var _ server.Auditor = logAuditor{}

func (a logAuditor) Append(ctx context.Context, e server.Event) error {
	ev := audit.Event{Actor: e.Actor, Action: e.Action, Object: e.Object, Outcome: audit.Outcome(e.Outcome),
		RequestID: e.RequestID, Source: e.Client}
	if ev.Actor == "" {
		ev.Actor = "anonymous"
	}
	if e.Detail != "" {
		ev.Details = map[string]string{"detail": e.Detail}
	}
	if err := a.l.Append(ctx, ev); err != nil {
		return errors.Join(server.ErrAuditUnavailable, err)
	}
	return nil
}
