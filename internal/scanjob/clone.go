package scanjob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/finding"
)

// Clone limits when the Scanner leaves them zero.
const (
	DefaultCloneTimeout = 5 * time.Minute
	DefaultMaxRepoBytes = 1 << 30
)

// errTooLarge is a clone that grew past the size limit.
var errTooLarge = errors.New("repository is larger than the clone size limit")

// cloneOptions bound one clone.
type cloneOptions struct {
	timeout  time.Duration
	maxBytes int64
	// allowLocal lets a local path or file:// URL be cloned (tests); the server
	// refuses them so that an inventory entry cannot read the server's own disk.
	allowLocal bool
}

// checkRepoURL accepts what the server may clone: https:// URLs, and ssh (ssh:// or
// user@host:path) for deploy keys set up on the server. Local paths, file://, and
// git's transport helpers (ext::, fd::) are refused unless allowLocal: a repository
// URL in the inventory must not make the server read its own disk or run commands.
func checkRepoURL(raw string, allowLocal bool) error {
	if raw == "" || strings.HasPrefix(raw, "-") || strings.ContainsAny(raw, "\x00\n\r") {
		return fmt.Errorf("repository URL %q is not a URL", finding.RedactURLsIn(raw))
	}
	if allowLocal && (filepath.IsAbs(raw) || strings.HasPrefix(raw, "file://")) {
		return nil
	}
	if strings.Contains(raw, "::") {
		return fmt.Errorf("repository URL uses a git transport helper, which the server refuses")
	}
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" {
		switch u.Scheme {
		case "https", "ssh":
			if u.Host == "" {
				return fmt.Errorf("repository URL has no host")
			}
			return nil
		}
		return fmt.Errorf("repository URL scheme %q is not allowed (use https:// or ssh://)", u.Scheme)
	}
	// scp-like ssh syntax: user@host:path
	if at, colon := strings.Index(raw, "@"), strings.Index(raw, ":"); at > 0 && colon > at+1 && !strings.Contains(raw[:colon], "/") {
		return nil
	}
	return fmt.Errorf("repository %q is not an https:// or ssh URL", finding.RedactURLsIn(raw))
}

// clone makes a shallow clone of repo into dest, which must not exist. Hooks are off
// (core.hooksPath to an empty directory), no system or global git configuration is read
// (no credential helper prompts, no URL rewriting), protocol.file is refused unless
// allowLocal, and the clone is killed when it runs past the time limit or its directory
// grows past the size limit.
func clone(ctx context.Context, repo, dest string, o cloneOptions) error {
	if err := checkRepoURL(repo, o.allowLocal); err != nil {
		return err
	}
	if o.timeout <= 0 {
		o.timeout = DefaultCloneTimeout
	}
	if o.maxBytes <= 0 {
		o.maxBytes = DefaultMaxRepoBytes
	}
	hooks := filepath.Join(filepath.Dir(dest), ".nohooks")
	if err := os.MkdirAll(hooks, 0o700); err != nil {
		return err
	}
	fileProto := "never"
	if o.allowLocal {
		fileProto = "always"
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git",
		"-c", "protocol.file.allow="+fileProto, "-c", "protocol.ext.allow=never", "-c", "core.hooksPath="+hooks,
		"-c", "core.symlinks=false", "-c", "submodule.recurse=false", "-c", "transfer.fsckObjects=true",
		"clone", "--quiet", "--depth", "1", "--single-branch", "--no-tags", "--", repo, dest)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_ASKPASS=/bin/false", "SSH_ASKPASS=/bin/false", "GIT_SSH_COMMAND=ssh -o BatchMode=yes")
	ownProcessGroup(cmd)
	cmd.WaitDelay = 10 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git clone: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-tick.C:
			if dirSize(dest, o.maxBytes) > o.maxBytes {
				cancel()
				<-done
				err = errTooLarge
				break wait
			}
		}
	}
	if err == nil && dirSize(dest, o.maxBytes) > o.maxBytes {
		err = errTooLarge
	}
	if err != nil {
		_ = os.RemoveAll(dest)
		switch {
		case errors.Is(err, errTooLarge):
			return fmt.Errorf("clone of %s: %w (%d bytes)", finding.RedactURLsIn(repo), err, o.maxBytes)
		case ctx.Err() == context.DeadlineExceeded:
			return fmt.Errorf("clone of %s: took longer than %s", finding.RedactURLsIn(repo), o.timeout)
		}
		// git's message may quote the URL, with a token in it.
		msg := finding.RedactURLsIn(strings.TrimSpace(stderr.String()))
		if len(msg) > 500 {
			msg = msg[:500] + "…"
		}
		return fmt.Errorf("clone of %s: %v: %s", finding.RedactURLsIn(repo), err, msg)
	}
	return nil
}

// dirSize adds up the sizes of the files under dir, stopping once it passes limit.
func dirSize(dir string, limit int64) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		if n > limit {
			return filepath.SkipAll
		}
		return nil
	})
	return n
}
