package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/posture-dev/posture/internal/audit"
	"github.com/posture-dev/posture/internal/backup"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/jobs/serverjobs"
	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/retention"
	"github.com/posture-dev/posture/internal/store"
)

const backupLong = `NAME
    posture backup - encrypted backups of the server's database and data directory

SYNOPSIS
    posture backup --output FILE (--recipient AGE_KEY... | --recipient-file FILE |
                   --passphrase-file FILE | $POSTURE_BACKUP_PASSPHRASE)
    posture backup verify FILE (--identity FILE | --passphrase-file FILE |
                   $POSTURE_BACKUP_PASSPHRASE)
    posture restore --input FILE (--identity FILE | --passphrase-file FILE |
                   $POSTURE_BACKUP_PASSPHRASE) --data EMPTY_DIR [--database URL]

    All take --data DIR and --database URL as posture serve does.

DESCRIPTION
    backup writes one age-encrypted archive: a consistent copy of the database while
    the server keeps running (SQLite: VACUUM INTO; PostgreSQL: every table from one
    REPEATABLE READ snapshot, as typed JSON lines), the files of the data directory
    (evidence, the file key provider's key, the local CA; not backups/ and work/), and
    a manifest with the SHA-256 of every entry. Encrypt to age recipients
    (age1…, from age-keygen) so that the server never holds what decrypts its
    backups, or with a passphrase (scrypt). The archive holds secrets: keep the
    identity or passphrase apart from it.

    verify decrypts the archive and checks every entry against the manifest (age
    authenticates the stream, so a damaged or truncated file fails too).

    restore verifies the archive and writes it into an empty data directory, and an
    empty PostgreSQL schema when --database names one; it refuses a target that holds
    anything. The database kind must be the one the backup was taken from. Run
    'posture audit verify' afterwards.

    The server makes scheduled backups with 'posture serve --backup-schedule SPEC
    --backup-recipient KEY --backup-keep N' (docs/backup.md).

EXIT STATUS
    0 success; 1 verify found the archive damaged; 2 error.`

type backupKeys struct {
	recipients     []string
	recipientFile  string
	identityFile   string
	passphraseFile string
}

func (k *backupKeys) passphrase(e *env) (string, error) {
	if k.passphraseFile != "" {
		b, err := os.ReadFile(k.passphraseFile)
		if err != nil {
			return "", usageError("--passphrase-file: %v", err)
		}
		p := strings.TrimRight(string(b), "\r\n")
		if p == "" {
			return "", usageError("--passphrase-file is empty")
		}
		return p, nil
	}
	return e.getenv("POSTURE_BACKUP_PASSPHRASE"), nil
}

// encryptTo returns the age recipients: keys, or a passphrase, never both (age allows a
// passphrase only as the sole recipient).
func (k *backupKeys) encryptTo(e *env) ([]age.Recipient, error) {
	var rs []age.Recipient
	for _, s := range k.recipients {
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return nil, usageError("--recipient %q: %v", s, err)
		}
		rs = append(rs, r)
	}
	if k.recipientFile != "" {
		f, err := os.Open(k.recipientFile)
		if err != nil {
			return nil, usageError("--recipient-file: %v", err)
		}
		more, err := age.ParseRecipients(f)
		f.Close()
		if err != nil {
			return nil, usageError("--recipient-file: %v", err)
		}
		rs = append(rs, more...)
	}
	pass, err := k.passphrase(e)
	if err != nil {
		return nil, err
	}
	switch {
	case len(rs) > 0 && pass != "" && k.passphraseFile != "":
		return nil, usageError("choose recipients or a passphrase, not both")
	case len(rs) > 0:
		return rs, nil
	case pass != "":
		r, err := age.NewScryptRecipient(pass)
		if err != nil {
			return nil, usageError("passphrase: %v", err)
		}
		return []age.Recipient{r}, nil
	}
	return nil, usageError("no --recipient, --recipient-file, --passphrase-file or $POSTURE_BACKUP_PASSPHRASE: refusing to write an unencrypted backup")
}

func (k *backupKeys) decryptWith(e *env) ([]age.Identity, error) {
	var ids []age.Identity
	if k.identityFile != "" {
		f, err := os.Open(k.identityFile)
		if err != nil {
			return nil, usageError("--identity: %v", err)
		}
		more, err := age.ParseIdentities(f)
		f.Close()
		if err != nil {
			return nil, usageError("--identity: %v", err)
		}
		ids = append(ids, more...)
	}
	pass, err := k.passphrase(e)
	if err != nil {
		return nil, err
	}
	if pass != "" {
		id, err := age.NewScryptIdentity(pass)
		if err != nil {
			return nil, usageError("passphrase: %v", err)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, usageError("no --identity, --passphrase-file or $POSTURE_BACKUP_PASSPHRASE to decrypt with")
	}
	return ids, nil
}

func newBackup(e *env) *cobra.Command {
	var df dataFlags
	var k backupKeys
	var output string
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Write an encrypted backup of the server's database and data directory",
		Long:  backupLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output == "" {
				return usageError("--output FILE is required")
			}
			rs, err := k.encryptTo(e)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			dir, st, aud, err := df.open(ctx, e, log)
			if err != nil {
				return err
			}
			defer st.Close()
			defer aud.Close()
			ev := audit.Event{Actor: "cli", Action: "backup.create", Object: "backup:" + filepath.Base(output), Outcome: audit.Success, Source: "cli"}
			if err := aud.l.Append(ctx, ev); err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("audit log unavailable, so no backup was made: %w", err)}
			}
			// Written beside the destination and renamed at the end: an interrupted backup
			// never leaves a file that looks complete, and an existing file is not replaced.
			if _, err := os.Lstat(output); err == nil {
				return usageError("%s exists; choose another --output", output)
			}
			tmp, err := os.CreateTemp(filepath.Dir(output), ".posture-backup-")
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			defer os.Remove(tmp.Name())
			v, _ := e.version()
			m, err := backup.Create(ctx, tmp, backup.Options{Store: st, DataDir: dir, Recipients: rs, ToolVersion: v, Now: e.now})
			if err == nil {
				err = tmp.Sync()
			}
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = os.Link(tmp.Name(), output)
			}
			if err != nil {
				ev.Outcome, ev.Details = audit.Error, map[string]string{"error": err.Error()}
				_ = aud.l.Append(context.WithoutCancel(ctx), ev)
				return &exitError{code: ExitError, err: fmt.Errorf("backup: %w", err)}
			}
			printManifest(e.stdout, output, m)
			return nil
		},
	}
	df.register(cmd)
	registerKeys(cmd, &k, true)
	cmd.Flags().StringVarP(&output, "output", "o", "", "archive to write (must not exist)")

	verify := &cobra.Command{
		Use:   "verify FILE",
		Short: "Decrypt a backup and check every entry against its manifest",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := k.decryptWith(e)
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return usageError("%v", err)
			}
			defer f.Close()
			m, err := backup.Verify(f, ids...)
			if errors.Is(err, backup.ErrCorrupt) {
				return &exitError{code: ExitFailing, err: err}
			}
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			printManifest(e.stdout, args[0], m)
			fmt.Fprintln(e.stdout, "ok: every entry matches the manifest")
			return nil
		},
	}
	cmd.AddCommand(verify)
	return cmd
}

// registerKeys adds the key flags; the recipient flags only to commands that encrypt.
// They are local to each command so that 'backup verify' does not inherit --recipient.
func registerKeys(cmd *cobra.Command, k *backupKeys, encrypt bool) {
	f := cmd.PersistentFlags()
	if encrypt {
		cmd.Flags().StringSliceVar(&k.recipients, "recipient", nil, "age public key (age1…) to encrypt to; repeatable")
		cmd.Flags().StringVar(&k.recipientFile, "recipient-file", "", "file of age recipients, one a line")
	}
	f.StringVar(&k.identityFile, "identity", "", "age identity file (from age-keygen) to decrypt with")
	f.StringVar(&k.passphraseFile, "passphrase-file", "", "file holding the passphrase (default $POSTURE_BACKUP_PASSPHRASE)")
}

func printManifest(w io.Writer, name string, m *backup.Manifest) {
	files := 0
	for _, en := range m.Entries {
		if strings.HasPrefix(en.Name, "files/") {
			files++
		}
	}
	fmt.Fprintf(w, "%s: %s backup of %s, %d entries (%d data files), %d migrations, made %s\n",
		name, m.Format, m.Dialect, len(m.Entries), files, len(m.Migrations), m.CreatedAt.Format("2006-01-02 15:04:05Z"))
}

func newRestore(e *env) *cobra.Command {
	var df dataFlags
	var k backupKeys
	var input string
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Restore a backup into an empty data directory or database",
		Long:  backupLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if input == "" {
				return usageError("--input FILE is required")
			}
			ids, err := k.decryptWith(e)
			if err != nil {
				return err
			}
			dir, err := df.dir(e)
			if err != nil {
				return err
			}
			f, err := os.Open(input)
			if err != nil {
				return usageError("%v", err)
			}
			defer f.Close()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			m, err := backup.Restore(ctx, f, ids, backup.Target{DataDir: dir, URL: df.database, Logger: log})
			switch {
			case errors.Is(err, backup.ErrNotEmpty):
				return usageError("%v", err)
			case errors.Is(err, backup.ErrCorrupt):
				return &exitError{code: ExitFailing, err: err}
			case err != nil:
				return &exitError{code: ExitError, err: err}
			}
			printManifest(e.stdout, input, m)
			// The restored log records the restore: the first event after the backup's.
			_, st, aud, err := df.open(ctx, e, log)
			if err != nil {
				fmt.Fprintf(e.stderr, "warning: restored, but the restore could not be audited: %v\n", err)
				return nil
			}
			defer st.Close()
			defer aud.Close()
			if err := aud.l.Append(ctx, audit.Event{Actor: "cli", Action: "backup.restore", Object: "backup:" + filepath.Base(input), Outcome: audit.Success, Source: "cli",
				Details: map[string]string{"backup_created_at": m.CreatedAt.Format("2006-01-02T15:04:05Z")}}); err != nil {
				fmt.Fprintf(e.stderr, "warning: restored, but the restore could not be audited: %v\n", err)
			}
			fmt.Fprintf(e.stdout, "restored into %s; run 'posture audit verify' to check the audit chain\n", dir)
			return nil
		},
	}
	df.register(cmd)
	registerKeys(cmd, &k, false)
	cmd.Flags().StringVarP(&input, "input", "i", "", "archive to restore")
	return cmd
}

// jobFlags are posture serve's flags for its background jobs (docs/jobs.md).
type jobFlags struct {
	df                            *dataFlags
	concurrency                   int
	backupSchedule                string
	backupRecipients              []string
	backupKeep                    int
	retainAudit, retainFindings   time.Duration
	retainJobLogs, retainEvidence time.Duration
	// Scheduled scans and re-matching.
	vulnDB, scanCAFile, rematchSchedule string
	// baseURL makes links in alerts absolute; serve sets it from the public URL.
	baseURL string
}

func (f *jobFlags) register(cmd *cobra.Command, df *dataFlags) {
	f.df = df
	fl := cmd.Flags()
	d := retention.DefaultPolicy
	fl.IntVar(&f.concurrency, "jobs", 2, "background jobs this replica runs at once")
	fl.StringVar(&f.backupSchedule, "backup-schedule", "", `scheduled backups, e.g. "daily 02:00" (UTC); needs --backup-recipient`)
	fl.StringSliceVar(&f.backupRecipients, "backup-recipient", nil, "age public key scheduled backups are encrypted to; repeatable")
	fl.IntVar(&f.backupKeep, "backup-keep", 7, "scheduled backups to keep in DIR/backups")
	fl.DurationVar(&f.retainAudit, "retain-audit", d.AuditEvents, "purge audit events older than this (0 keeps them)")
	fl.DurationVar(&f.retainFindings, "retain-fixed-findings", d.FixedFindings, "purge findings of fixed issues older than this (0 keeps them)")
	fl.DurationVar(&f.retainJobLogs, "retain-job-logs", d.JobLogs, "purge finished jobs, job runs and alert deliveries older than this (0 keeps them)")
	fl.DurationVar(&f.retainEvidence, "retain-superseded-evidence", d.SupersededEvidence, "purge evidence of superseded attestations older than this (0 keeps it)")
	fl.StringVar(&f.vulnDB, "db", "", "vulnerability database for scheduled scans and re-matching (default $POSTURE_DB or the user cache directory; see `posture db`)")
	fl.StringVar(&f.scanCAFile, "scan-ca-file", "", "PEM file of extra certificate authorities scheduled endpoint scans trust, on top of the system's")
	fl.StringVar(&f.rematchSchedule, "rematch-schedule", "every 1h", "how often to check the vulnerability database for newer data and re-match stored scans")
}

// start runs this replica's worker pool and scheduler.
func (f *jobFlags) start(ctx context.Context, e *env, log *slog.Logger, dir string, st *store.Store, aud serverAudit) (*serverjobs.Runtime, error) {
	var rs []age.Recipient
	for _, s := range f.backupRecipients {
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return nil, usageError("--backup-recipient %q: %v", s, err)
		}
		rs = append(rs, r)
	}
	if f.backupSchedule != "" {
		if _, err := jobs.ParseSpec(f.backupSchedule); err != nil {
			return nil, usageError("--backup-schedule: %v", err)
		}
	}
	// Alert channel secrets are wrapped by the audit key provider when it can wrap (the
	// file provider and KMS can; Vault's signer cannot, so channels with secrets are then
	// refused rather than stored in clear).
	var wrapper keys.Wrapper
	if signer, err := keys.OpenSigner(ctx, f.df.keys, dir, true, e.getenv); err == nil {
		wrapper, _ = signer.(keys.Wrapper)
	}
	pack, err := loadPack("")
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	if _, err := jobs.ParseSpec(f.rematchSchedule); err != nil {
		return nil, usageError("--rematch-schedule: %v", err)
	}
	var scanRoots *x509.CertPool
	if f.scanCAFile != "" {
		if scanRoots, err = systemRootsPlus(f.scanCAFile); err != nil {
			return nil, usageError("--scan-ca-file %v", err)
		}
	}
	vulnDB := dbDir(e, f.vulnDB)
	v, _ := e.version()
	rt, err := serverjobs.Start(ctx, serverjobs.Config{Store: st, Audit: aud.l, DataDir: dir, Wrapper: wrapper, Pack: pack, Logger: log, Now: e.now,
		Concurrency: f.concurrency, BackupSchedule: f.backupSchedule, BackupRecipients: rs, BackupKeep: f.backupKeep, ToolVersion: v,
		Retention: retention.Policy{AuditEvents: f.retainAudit, FixedFindings: f.retainFindings, JobLogs: f.retainJobLogs, SupersededEvidence: f.retainEvidence},
		VulnDBDir: vulnDB, RematchSchedule: f.rematchSchedule, ScanRootCAs: scanRoots, BaseURL: f.baseURL})
	if err != nil {
		return nil, usageError("background jobs: %v", err)
	}
	return rt, nil
}
