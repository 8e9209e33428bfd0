package cli

import (
	"bufio"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/posture-dev/posture/internal/netx"
	"github.com/posture-dev/posture/internal/target"
)

// networkFlags configure how endpoint and host targets are reached.
type networkFlags struct {
	targetsFile      string
	timeout          time.Duration
	concurrency      int
	perHost          int
	retries          int
	caFile           string
	tlsProfile       string
	followOtherHosts bool
	noProgress       bool
}

func addNetworkFlags(cmd *cobra.Command, f *networkFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.targetsFile, "targets-file", "", "read more targets from FILE, one per line (# starts a comment; - is standard input)")
	fl.DurationVar(&f.timeout, "timeout", netx.DefaultTimeout, "time allowed for one connection attempt or one request to an endpoint")
	fl.IntVar(&f.concurrency, "concurrency", 0, "endpoint probes to run at once (default 32)")
	fl.IntVar(&f.perHost, "per-host", netx.DefaultPerHost, "connections open at once to any one host")
	fl.IntVar(&f.retries, "retries", netx.DefaultRetries, "retries of a connection that timed out or was reset (with exponential backoff)")
	fl.StringVar(&f.caFile, "ca-file", "", "PEM file of extra certificate authorities to trust for endpoints, on top of the system's")
	fl.StringVar(&f.tlsProfile, "tls-profile", "intermediate", "TLS profile endpoints are held to: intermediate or modern (see docs/tls.md)")
	fl.BoolVar(&f.followOtherHosts, "follow-other-hosts", false, "follow an endpoint's redirects to other hosts (never done otherwise)")
	fl.BoolVar(&f.noProgress, "no-progress", false, "never draw the progress bar (it is drawn only on a terminal)")
	_ = cmd.RegisterFlagCompletionFunc("tls-profile", cobra.FixedCompletions([]string{"intermediate", "modern"}, cobra.ShellCompDirectiveNoFileComp))
}

// readTargetsFile returns the targets listed in path, one per line. Blank lines and
// comments are skipped; a bad line is an error naming its line, since scanning the rest
// silently would report a sweep as complete when it was not.
func readTargetsFile(path string, stdin io.Reader) ([]string, error) {
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--targets-file: %w", err)
		}
		defer f.Close()
		r = f
	}
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.ContainsAny(line, " \t") {
			return nil, fmt.Errorf("--targets-file %s:%d: one target per line, got %q", path, n, line)
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--targets-file %s: %w", path, err)
	}
	return out, nil
}

// parseTargets turns arguments into targets, dropping exact repeats so that a target
// listed twice is scanned once.
func parseTargets(args []string) ([]*target.Target, error) {
	var out []*target.Target
	seen := map[string]bool{}
	for _, a := range args {
		t, err := target.Parse(a)
		if err != nil {
			return nil, err
		}
		key := string(t.Kind) + "\x00" + t.Name
		switch {
		case t.URL != nil:
			key = string(t.Kind) + "\x00" + t.URL.String()
		case t.Root != "":
			key = string(t.Kind) + "\x00" + t.Root
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, t)
	}
	return out, nil
}

// newNet builds the shared dialer from the flags.
func newNet(f *networkFlags, now func() time.Time) (*netx.Net, error) {
	if f.timeout <= 0 {
		return nil, fmt.Errorf("--timeout must be positive")
	}
	if f.perHost <= 0 {
		return nil, fmt.Errorf("--per-host must be at least 1")
	}
	if f.retries < 0 {
		return nil, fmt.Errorf("--retries must not be negative")
	}
	switch f.tlsProfile {
	case "intermediate", "modern":
	default:
		return nil, fmt.Errorf("--tls-profile: unknown profile %q (want intermediate or modern)", f.tlsProfile)
	}
	o := netx.Options{Timeout: f.timeout, Retries: f.retries, PerHost: f.perHost, FollowOtherHosts: f.followOtherHosts, Now: now}
	if f.retries == 0 {
		o.Retries = -1 // netx reads 0 as "default"; the user asked for none
	}
	if f.caFile != "" {
		pool, err := systemRootsPlus(f.caFile)
		if err != nil {
			return nil, fmt.Errorf("--ca-file %w", err)
		}
		o.RootCAs = pool
	}
	return netx.New(o), nil
}

// systemRootsPlus is the system's trust roots with the PEM certificates of path added.
func systemRootsPlus(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate in it", path)
	}
	return pool, nil
}

// scanProgress draws one updating line on a terminal while probes run; elsewhere it
// draws nothing, so CI logs stay clean.
type scanProgress struct {
	mu   sync.Mutex
	w    io.Writer
	last time.Time
	used bool
}

func (p *scanProgress) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done < total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.used = true
	const width = 30
	n := width * done / max(total, 1)
	fmt.Fprintf(p.w, "\rscanning [%s%s] %d/%d probes", strings.Repeat("=", n), strings.Repeat(" ", width-n), done, total)
}

// finish clears the line so the report starts on a clean one.
func (p *scanProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.used {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
