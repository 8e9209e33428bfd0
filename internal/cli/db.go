package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/probe/vulns"
	"github.com/posture-dev/posture/internal/vulndb"
)

const dbLong = `NAME
    posture db - manage the offline vulnerability database (control VM-3)

SYNOPSIS
    posture db update [--mirror URL] [--ecosystem NAME]... [--db DIR]
    posture db import PATH... [--db DIR]
    posture db status [--db DIR]
    posture db rebuild [--db DIR]

DESCRIPTION
    posture matches locked dependencies against OSV advisories without a network
    connection at scan time. The database is a directory holding the OSV archives
    it was built from and an index derived from them; a scan opens the index in
    milliseconds and reads only the records of the packages it looks up.

    update   downloads <mirror>/<Ecosystem>/all.zip for each ecosystem posture
             reads (crates.io, Go, npm, Packagist, PyPI, RubyGems). Interrupted
             downloads resume; unchanged archives are not downloaded again; each
             archive is checked against the digests the server announces and the
             CRC of every entry before the index is rebuilt and swapped in.
    import   loads OSV JSON for air-gapped use: a zip, a directory of JSON files,
             a directory of zips (as laid out by the OSV bucket), or one file.
             --as-of DATE gives the snapshot's date when its records carry no
             modified date (golang.org/x/vulndb's data/osv, for one); the data's
             age is otherwise that of the newest record.
    status   shows where the database is, how old its data is, and what it holds.
    rebuild  derives the index again from the kept archives (a damaged index is
             also rebuilt automatically when a scan finds it).

    A scan warns when the data is more than 7 days old and reports VM-3 as
    unknown, never pass, when there is no database.

OPTIONS
    --db DIR   database directory; default $POSTURE_DB, else the user cache
               directory (~/.cache/posture/osv on Linux).

EXIT STATUS
    0 success; 2 failure (the message names the file or ecosystem).`

func dbDir(e *env, flag string) string {
	if flag != "" {
		return flag
	}
	if d := e.getenv("POSTURE_DB"); d != "" {
		return d
	}
	return vulndb.DefaultDir()
}

func newDB(e *env) *cobra.Command {
	var dir string
	cmd := &cobra.Command{Use: "db", Short: "Manage the offline vulnerability database", Long: dbLong}
	cmd.PersistentFlags().StringVar(&dir, "db", "", "database directory (default $POSTURE_DB or the user cache directory)")

	var mirror string
	var ecosystems []string
	update := &cobra.Command{
		Use:   "update",
		Short: "Download the OSV archives and rebuild the index",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			d := dbDir(e, dir)
			if mirror == "" {
				mirror = e.getenv("POSTURE_OSV_MIRROR")
			}
			meta, err := vulndb.Update(ctx, d, vulndb.UpdateOptions{
				Mirror: mirror, Ecosystems: ecosystems, Now: e.now,
				Progress: newProgress(e.stderr, e.isTerminal(e.stderr)),
			})
			if meta != nil {
				printStatus(e.stdout, d, meta, e.now())
			}
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("db update: %w", err)}
			}
			return nil
		},
	}
	update.Flags().StringVar(&mirror, "mirror", "", "base URL of the OSV archives (default $POSTURE_OSV_MIRROR or "+vulndb.DefaultMirror+")")
	update.Flags().StringSliceVar(&ecosystems, "ecosystem", nil, "download only these ecosystems (default: "+strings.Join(vulndb.DefaultEcosystems, ", ")+")")

	var asOf string
	imp := &cobra.Command{
		Use:   "import PATH...",
		Short: "Load OSV JSON from zips or directories (air-gapped)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d := dbDir(e, dir)
			var date time.Time
			if asOf != "" {
				var err error
				if date, err = time.Parse(time.DateOnly, asOf); err != nil {
					return usageError("--as-of %q: want a date such as 2026-11-05", asOf)
				}
				if date.After(e.now()) {
					return usageError("--as-of %s is in the future", asOf)
				}
			}
			var meta *vulndb.Meta
			for _, p := range args {
				m, err := vulndb.Import(d, p, e.now(), date)
				if err != nil {
					return &exitError{code: ExitError, err: fmt.Errorf("db import %s: %w", p, err)}
				}
				meta = m
			}
			printStatus(e.stdout, d, meta, e.now())
			return nil
		},
	}
	imp.Flags().StringVar(&asOf, "as-of", "", "date of the snapshot (YYYY-MM-DD), for records without a modified date")
	status := &cobra.Command{
		Use:   "status",
		Short: "Show the database's age and contents",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d := dbDir(e, dir)
			meta, err := vulndb.Status(d)
			if errors.Is(err, vulndb.ErrNotFound) {
				return &exitError{code: ExitError, err: fmt.Errorf("no vulnerability database in %s: run `posture db update` or `posture db import PATH`", d)}
			}
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			printStatus(e.stdout, d, meta, e.now())
			return nil
		},
	}
	rebuild := &cobra.Command{
		Use:   "rebuild",
		Short: "Derive the index again from the kept archives",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d := dbDir(e, dir)
			meta, err := vulndb.Rebuild(d, e.now())
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("db rebuild: %w", err)}
			}
			printStatus(e.stdout, d, meta, e.now())
			return nil
		},
	}
	cmd.AddCommand(update, imp, status, rebuild)
	return cmd
}

func printStatus(w io.Writer, dir string, m *vulndb.Meta, now time.Time) {
	data := m.DataTime()
	age := now.Sub(data)
	fmt.Fprintf(w, "database:  %s\n", dir)
	fmt.Fprintf(w, "built:     %s\n", m.Built.Format(time.RFC3339))
	if data.IsZero() {
		fmt.Fprint(w, "data as of unknown: the imported records carry no modified date (import them with --as-of DATE)")
	} else {
		fmt.Fprintf(w, "data as of %s (%s old)", data.Format(time.RFC3339), humanAge(age))
	}
	if data.IsZero() || age > vulns.MaxAge {
		fmt.Fprint(w, "  STALE: run `posture db update`")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "records:   %d (%d withdrawn skipped, %d of other ecosystems ignored)\n", m.Records, m.Withdrawn, m.Ignored)
	ecos := make([]string, 0, len(m.Ecosystems))
	for k := range m.Ecosystems {
		ecos = append(ecos, k)
	}
	sort.Strings(ecos)
	for _, k := range ecos {
		st := m.Ecosystems[k]
		fmt.Fprintf(w, "  %-10s %7d records  %7d packages  newest %s\n", k, st.Records, st.Packages, st.Newest.Format("2006-01-02"))
	}
	fmt.Fprintln(w, "sources:")
	for _, s := range m.Sources {
		fmt.Fprintf(w, "  %-24s %-8s %10s  %s  sha256:%s…\n", s.Name, s.Kind, fileset.HumanSize(s.Size), s.Origin, s.SHA256[:min(12, len(s.SHA256))])
	}
	if m.ProblemsTotal > 0 {
		fmt.Fprintf(w, "%d entries could not be read:\n", m.ProblemsTotal)
		for _, p := range m.Problems {
			fmt.Fprintln(w, "  "+p)
		}
	}
}

func humanAge(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Hour:
		return d.Round(time.Second).String()
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// progress draws one updating line per download on a terminal and one summary line per
// ecosystem otherwise, so logs in CI stay readable.
type progress struct {
	w          io.Writer
	tty        bool
	eco        string
	have, tot  int64
	lastRedraw time.Time
}

func newProgress(w io.Writer, tty bool) *progress { return &progress{w: w, tty: tty} }

func (p *progress) Start(eco string, have, total int64) {
	p.eco, p.have, p.tot = eco, have, total
	if !p.tty && have > 0 {
		fmt.Fprintf(p.w, "%s: resuming at %s\n", eco, fileset.HumanSize(have))
	}
	p.redraw(true)
}

func (p *progress) Advance(n int64) {
	p.have += n
	p.redraw(false)
}

func (p *progress) redraw(force bool) {
	if !p.tty || (!force && time.Since(p.lastRedraw) < 100*time.Millisecond) {
		return
	}
	p.lastRedraw = time.Now()
	const width = 30
	if p.tot > 0 {
		done := int(float64(width) * float64(p.have) / float64(p.tot))
		fmt.Fprintf(p.w, "\r%-10s [%s%s] %s / %s %3d%%", p.eco, strings.Repeat("=", done), strings.Repeat(" ", width-done),
			fileset.HumanSize(p.have), fileset.HumanSize(p.tot), int(100*p.have/p.tot))
	} else {
		fmt.Fprintf(p.w, "\r%-10s %s", p.eco, fileset.HumanSize(p.have))
	}
}

func (p *progress) Done(eco, outcome string) {
	if p.tty && p.eco == eco {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, "%s: %s\n", eco, outcome)
}
