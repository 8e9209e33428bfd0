package cli

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/posture-dev/posture/internal/anonymize"
	"github.com/posture-dev/posture/internal/pii"
)

const anonymizeLong = `NAME
    posture anonymize - turn a production SQL dump into a safe, realistic one

SYNOPSIS
    posture anonymize [--preset NAME]... [--rules FILE]... [--key-file FILE]
                      --in FILE|- --out FILE|-
    posture anonymize verify FILE|-
    posture anonymize preset NAME

DESCRIPTION
    Streams a MySQL/MariaDB dump (mysqldump, mariadb-dump) or a PostgreSQL
    plain dump (pg_dump, COPY or INSERT form) and replaces the personal data
    the rules name with deterministic fakes: the same e-mail address becomes
    the same fake address in every table, unique columns stay unique, and
    PHP serialize() and JSON values are rewritten inside with correct
    lengths. Everything else passes through byte for byte. Memory stays
    flat whatever the size of the dump. Input may be gzip or zstd
    compressed; an output name ending in .gz or .zst is compressed.

    The output is written to a temporary file beside FILE and renamed on
    success: after an error there is no output file. Its first lines carry
    the marker the CD-1 check of posture scan recognises:
        -- posture-anonymized: v1 key-id=… tool=posture/… rules=… date=…

    verify runs the CD-1 personal-data detectors over a dump and lists what
    they find by table and column, with redacted samples.

    preset prints a built-in rule file, to copy and edit.

OPTIONS
    --preset NAME     built-in rules: wordpress, woocommerce (repeatable)
    --rules FILE      a rule file (repeatable; later files override earlier
                      ones and presets). Format: docs/anonymize.md
    --key-file FILE   the secret key (at least 16 bytes). The same key gives
                      the same fakes on every run; without one a random key
                      is used for this run and not stored.
    --in FILE|-       the dump to read ("-": standard input)
    --out FILE|-      where to write ("-": standard output)

EXIT STATUS
    0  done (verify: nothing personal found)
    1  verify: personal data found
    2  error: bad rules, a malformed or truncated dump (with line and byte
       offset), a rule naming a column the dump lacks, I/O failure`

func newAnonymize(e *env) *cobra.Command {
	var presets, rulesFiles []string
	var keyFile, in, out string
	cmd := &cobra.Command{
		Use:   "anonymize",
		Short: "Anonymise a MySQL or PostgreSQL dump (and verify one)",
		Long:  anonymizeLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in == "" || out == "" {
				return usageError("anonymize: --in and --out are required (use - for standard input or output)")
			}
			if len(presets) == 0 && len(rulesFiles) == 0 {
				return usageError("anonymize: no rules: give --preset wordpress, --preset woocommerce or --rules FILE")
			}
			rules, err := loadAnonymizeRules(presets, rulesFiles)
			if err != nil {
				return usageError("anonymize: %v", err)
			}
			key, err := anonymizeKey(keyFile)
			if err != nil {
				return usageError("anonymize: %v", err)
			}
			if keyFile == "" {
				fmt.Fprintln(e.stderr, "posture: no --key-file: a random key is used for this run; fakes will differ from any other run's")
			}
			ver, _ := e.version()
			marker := pii.Marker{KeyID: anonymize.KeyID(key), Tool: "posture/" + ver, Rules: rules.Hash(), Date: e.now().UTC().Format("2006-01-02")}
			return runAnonymize(e, in, out, anonymize.Options{Rules: rules, Key: key, Marker: "-- " + marker.Line()})
		},
	}
	cmd.Flags().StringArrayVar(&presets, "preset", nil, "built-in rules: "+strings.Join(anonymize.PresetNames(), ", ")+" (repeatable)")
	cmd.Flags().StringArrayVar(&rulesFiles, "rules", nil, "rule file (repeatable; overrides presets)")
	cmd.Flags().StringVar(&keyFile, "key-file", "", "file holding the secret key (default: a random key for this run)")
	cmd.Flags().StringVar(&in, "in", "", "input dump, - for standard input")
	cmd.Flags().StringVar(&out, "out", "", "output dump, - for standard output")

	verify := &cobra.Command{
		Use:   "verify FILE|-",
		Short: "Report personal data left in a dump, by table and column",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(e, args[0])
		},
	}
	preset := &cobra.Command{
		Use:   "preset NAME",
		Short: "Print a built-in rule file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := anonymize.PresetFile(args[0])
			if err != nil {
				return usageError("anonymize: %v", err)
			}
			_, err = e.stdout.Write(data)
			return err
		},
	}
	cmd.AddCommand(verify, preset)
	return cmd
}

func loadAnonymizeRules(presets, files []string) (*anonymize.Rules, error) {
	rules := &anonymize.Rules{}
	for _, name := range presets {
		r, err := anonymize.Preset(name)
		if err != nil {
			return nil, err
		}
		rules.Merge(r)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		r, err := anonymize.ParseRules(f, data, true)
		if err != nil {
			return nil, err
		}
		rules.Merge(r)
	}
	return rules, nil
}

func anonymizeKey(file string) ([]byte, error) {
	if file == "" {
		key := make([]byte, 32)
		_, err := rand.Read(key)
		return key, err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	key := []byte(strings.TrimSpace(string(data)))
	if len(key) < 16 {
		return nil, fmt.Errorf("key file %s: the key must be at least 16 bytes", file)
	}
	return key, nil
}

func openDump(name string) (io.Reader, func(), error) {
	var f io.Reader = os.Stdin
	closeFile := func() {}
	if name != "-" {
		fh, err := os.Open(name)
		if err != nil {
			return nil, nil, err
		}
		f, closeFile = fh, func() { fh.Close() }
	}
	r, closeDec, err := anonymize.OpenInput(f)
	if err != nil {
		closeFile()
		return nil, nil, err
	}
	return r, func() { closeDec(); closeFile() }, nil
}

func runAnonymize(e *env, in, out string, opt anonymize.Options) error {
	r, closeIn, err := openDump(in)
	if err != nil {
		return usageError("anonymize: %v", err)
	}
	defer closeIn()
	var w io.Writer = e.stdout
	var af *anonymize.AtomicFile
	if out != "-" {
		if af, err = anonymize.CreateAtomic(out); err != nil {
			return usageError("anonymize: %v", err)
		}
		w = af
	}
	start := time.Now()
	st, err := anonymize.Anonymize(r, w, opt)
	if err != nil {
		if af != nil {
			af.Abort()
		}
		var de *anonymize.Error
		if errors.As(err, &de) {
			return usageError("anonymize: %s: %v (no output written)", in, err)
		}
		return usageError("anonymize: %v (no output written)", err)
	}
	if af != nil {
		if err := af.Commit(); err != nil {
			return usageError("anonymize: %v", err)
		}
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(e.stderr, "posture: anonymised %s dump: %d MB in %.1fs (%.0f MB/s); %d rows in %d tables with rules, %d values rewritten, %d rows dropped\n",
		st.Dialect, st.BytesIn>>20, secs, float64(st.BytesIn)/1e6/max(secs, 1e-3), st.Rows, len(st.Tables), st.ValuesChanged, st.Truncated)
	for _, w := range st.WarningList() {
		fmt.Fprintln(e.stderr, "warning:", w)
	}
	return nil
}

func runVerify(e *env, name string) error {
	r, closeIn, err := openDump(name)
	if err != nil {
		return usageError("anonymize verify: %v", err)
	}
	defer closeIn()
	rep, err := anonymize.Verify(r)
	if err != nil {
		return usageError("anonymize verify: %v", err)
	}
	if rep.Marker != nil {
		fmt.Fprintf(e.stdout, "marker: %s\n", rep.Marker.Line())
	} else {
		fmt.Fprintln(e.stdout, "marker: none (not written by posture anonymize)")
	}
	if rep.Clean() {
		fmt.Fprintf(e.stdout, "no personal data found (%d tables, %d MB read)\n", len(rep.Tables), rep.Bytes>>20)
		return nil
	}
	var total int64
	for _, res := range rep.Residuals {
		total += res.Count
	}
	fmt.Fprintf(e.stdout, "personal data found: %d values\n", total)
	for _, res := range rep.Residuals {
		where := res.Table + "." + res.Column
		switch {
		case res.Table == "":
			where = "(outside rows)"
		case res.Column == "":
			where = res.Table
		}
		fmt.Fprintf(e.stdout, "  %-50s %-14s %6d   e.g. %s\n", where, res.Kind, res.Count, strings.Join(res.Samples, ", "))
	}
	return &exitError{code: ExitFailing}
}
