// Package host examines the machine posture runs on (target host:local): clock
// synchronisation (SC-1), audit and authentication logging (SC-6, LG-1), log retention in
// journald and logrotate (SC-5, LG-3), permissions of log files (LG-2), the OpenSSH
// server configuration (ZT-1, ZT-2, ZT-3) and listening services that answer without
// credentials (ZT-3). Files are read under Options.Root so that tests can point the
// file-based checks at a fixture tree; system calls, commands and network probes run only
// against the live machine. Nothing here needs root: a check that does says "unknown"
// with the reason. docs/host.md describes each check and its limits.
package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// Options configure the host probes.
type Options struct {
	// Root is the file-system root that /etc, /var/log and /proc are read under; "" means
	// "/". With any other root, commands and system calls are not run (they would describe
	// the live machine, not the tree), and the checks that need them say so.
	Root string
	// Services are the network services to try. Nil means the standard ports of Redis,
	// MySQL/MariaDB, PostgreSQL, memcached and Elasticsearch/OpenSearch, tried on the
	// addresses the host listens on (per /proc/net/tcp and tcp6), over loopback where a
	// socket listens on every address.
	Services []Service
	// Timeout bounds one connection attempt and one exchange with a service, and one
	// command; 0 means 3 s.
	Timeout time.Duration
}

// Service is one address to try for unauthenticated access.
type Service struct {
	// Kind is one of the Kind constants.
	Kind string
	// Addr is host:port.
	Addr string
}

// Service kinds.
const (
	Redis         = "redis"
	MySQL         = "mysql"
	PostgreSQL    = "postgresql"
	Memcached     = "memcached"
	Elasticsearch = "elasticsearch"
)

// DefaultTimeout is the per-step timeout when Options.Timeout is zero.
const DefaultTimeout = 3 * time.Second

// New returns every host probe.
func New(o Options) []probe.Probe {
	e := newEnv(o)
	return []probe.Probe{
		&clockProbe{e},
		&auditProbe{e},
		&retentionProbe{e},
		&logPermsProbe{e},
		&sshdProbe{e},
		&servicesProbe{env: e, services: o.Services},
	}
}

// env is what every host probe reads the machine through. Tests replace the live parts.
type env struct {
	root    string
	live    bool
	timeout time.Duration
	euid    int
	// run executes a command; nil when not live.
	run func(ctx context.Context, name string, args ...string) ([]byte, error)
	// adjtimex reads the kernel clock state; nil when not live.
	adjtimex func() (kernelClock, error)
}

func newEnv(o Options) *env {
	root := o.Root
	if root == "" {
		root = "/"
	}
	root = filepath.Clean(root)
	e := &env{root: root, live: root == "/", timeout: o.Timeout, euid: os.Geteuid()}
	if e.timeout <= 0 {
		e.timeout = DefaultTimeout
	}
	if e.live {
		e.run = e.runCommand
		e.adjtimex = readAdjtimex
	}
	return e
}

// errNoCommand says a command is not installed.
var errNoCommand = errors.New("not installed")

// maxCommandOutput bounds what is read from a command.
const maxCommandOutput = 1 << 20

func (e *env) runCommand(ctx context.Context, name string, args ...string) ([]byte, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, errNoCommand)
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, p, args...)
	cmd.Env = []string{"LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	var out limitedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if err != nil {
		msg := strings.TrimSpace(string(out.b))
		if len(msg) > 200 {
			msg = msg[:200]
		}
		if msg != "" {
			return out.b, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, msg)
		}
		return out.b, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return out.b, nil
}

type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxCommandOutput - len(l.b); room > 0 {
		if len(p) > room {
			l.b = append(l.b, p[:room]...)
		} else {
			l.b = append(l.b, p...)
		}
	}
	return len(p), nil
}

// hostPath turns an absolute host path into the path to open under root.
func (e *env) hostPath(name string) string {
	return filepath.Join(e.root, filepath.FromSlash(path.Clean("/"+name)))
}

// maxConfigFile bounds one configuration or /proc file read.
const maxConfigFile = 8 << 20

// ReadFile reads an absolute host path under root, bounded.
func (e *env) ReadFile(name string) ([]byte, error) {
	f, err := os.Open(e.hostPath(name))
	if err != nil {
		return nil, e.hostErr(name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", name)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxConfigFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxConfigFile)
	}
	return b, nil
}

// ReadDir lists an absolute host directory under root.
func (e *env) ReadDir(name string) ([]fs.DirEntry, error) {
	ents, err := os.ReadDir(e.hostPath(name))
	return ents, e.hostErr(name, err)
}

// hostErr names the host path, not the path under root, in an error, so that messages
// read the same whatever the root.
func (e *env) hostErr(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	return err
}

// Glob expands an absolute host pattern under root and returns host paths, sorted.
func (e *env) Glob(pattern string) ([]string, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, err
	}
	m, err := filepath.Glob(e.hostPath(pattern))
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(m))
	for _, p := range m {
		rel, err := filepath.Rel(e.root, p)
		if err != nil {
			continue
		}
		out = append(out, "/"+filepath.ToSlash(rel))
	}
	return out, nil
}

// exists reports whether an absolute host path exists (without following a final symlink).
func (e *env) exists(name string) bool {
	_, err := os.Lstat(e.hostPath(name))
	return err == nil
}

func (e *env) isDir(name string) bool {
	fi, err := os.Stat(e.hostPath(name))
	return err == nil && fi.IsDir()
}

// checkTarget refuses anything but host:local: the probes read this machine.
func checkTarget(t *target.Target) error {
	if t.Kind != policy.KindHost {
		return fmt.Errorf("not a host target")
	}
	if t.Host != "local" {
		return fmt.Errorf("host %q: only host:local (the machine posture runs on) can be examined", t.Host)
	}
	return nil
}

var hostKinds = []policy.TargetKind{policy.KindHost}

// add appends a finding at an absolute host path.
func add(r *probe.Result, control, rule, file string, line int, key, evidence, message, fix string) {
	f := finding.Finding{
		Control: control, Rule: rule, Key: key,
		Location: finding.Location{Path: file, Line: line},
		Message:  message, Fix: fix,
	}
	if evidence != "" {
		f.Evidence = finding.Plain(evidence)
	}
	r.Add(f)
}

// rootNote is appended to reasons that only root could resolve.
func (e *env) notRoot() bool { return e.euid != 0 }
