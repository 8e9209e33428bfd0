package githistory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// repo runs git commands against one repository with settings that make the output
// independent of the user's configuration and environment.
type repo struct {
	bin      string
	dir      string
	env      []string
	shallow  bool
	oidLen   int    // hex digits of an object id: 40 (sha1) or 64 (sha256)
	emptyOID string // the all-zero id git prints for "no object"
}

// globalArgs come before the subcommand. Each -c pins a setting that a user's
// config could otherwise use to change what we parse; --no-replace-objects makes
// us scan the objects actually stored, not what refs/replace/ pretends.
var globalArgs = []string{
	"--no-pager",
	"--no-replace-objects",
	"-c", "core.quotepath=off",
	"-c", "log.showSignature=false",
	"-c", "log.showRoot=true",
	"-c", "diff.noprefix=false",
	"-c", "diff.relative=false",
	"-c", "color.ui=false",
	"-c", "core.fsmonitor=false",
	"-c", "i18n.logOutputEncoding=UTF-8",
}

// droppedEnv are variables that would make git look at another repository, page,
// prompt or translate. Object-directory variables are kept on purpose: a
// pre-receive hook must see the quarantined objects of a push.
var droppedEnv = map[string]bool{
	"GIT_DIR": true, "GIT_WORK_TREE": true, "GIT_COMMON_DIR": true, "GIT_PREFIX": true,
	"GIT_NAMESPACE": true, "GIT_PAGER": true, "PAGER": true, "GIT_EXTERNAL_DIFF": true,
	"GIT_TERMINAL_PROMPT": true, "LC_ALL": true, "LANG": true, "LANGUAGE": true,
	"GIT_OPTIONAL_LOCKS": true, "GIT_NO_REPLACE_OBJECTS": true, "GIT_NO_LAZY_FETCH": true,
}

func gitEnv(keepIndexFile bool) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if droppedEnv[k] || (k == "GIT_INDEX_FILE" && !keepIndexFile) {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"LC_ALL=C",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_OPTIONAL_LOCKS=0",
		"GIT_NO_REPLACE_OBJECTS=1",
		// Honoured by git >= 2.44: a partial clone reports missing blobs instead of
		// fetching them one by one from the network.
		"GIT_NO_LAZY_FETCH=1",
	)
}

// openRepo checks that git exists and dir is a repository, and learns what the
// parsers need to know about it. keepIndexFile lets a pre-commit hook's
// GIT_INDEX_FILE through (git commit -a stages into a temporary index).
func openRepo(ctx context.Context, dir string, keepIndexFile bool) (*repo, error) {
	bin, err := exec.LookPath("git")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGitMissing, err)
	}
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotRepository, err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", ErrNotRepository, dir)
	}
	r := &repo{bin: bin, dir: dir, env: gitEnv(keepIndexFile)}
	out, err := r.output(ctx, "rev-parse", "--is-shallow-repository", "--show-object-format")
	if err != nil {
		return nil, err
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return nil, fmt.Errorf("git rev-parse: unexpected output %q", out)
	}
	r.shallow = f[0] == "true"
	switch f[1] {
	case "sha1":
		r.oidLen = 40
	case "sha256":
		r.oidLen = 64
	default:
		return nil, fmt.Errorf("git rev-parse: unknown object format %q", f[1])
	}
	r.emptyOID = strings.Repeat("0", r.oidLen)
	return r, nil
}

// command builds a git command bound to ctx: cancelling ctx kills the process.
func (r *repo) command(ctx context.Context, args ...string) *exec.Cmd {
	full := make([]string, 0, len(globalArgs)+len(args)+2)
	full = append(full, "-C", r.dir)
	full = append(full, globalArgs...)
	full = append(full, args...)
	cmd := exec.CommandContext(ctx, r.bin, full...)
	cmd.Env = r.env
	// A grandchild holding a pipe open must not make Wait hang after a kill.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// output runs a short git command and returns its stdout.
func (r *repo) output(ctx context.Context, args ...string) ([]byte, error) {
	cmd := r.command(ctx, args...)
	var stdout bytes.Buffer
	stderr := &tailBuffer{}
	cmd.Stdout = &stdout
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), r.cmdError(ctx, args[0], err, stderr)
	}
	return stdout.Bytes(), nil
}

// cmdError turns a failed git run into an error that says what failed.
func (r *repo) cmdError(ctx context.Context, sub string, err error, stderr *tailBuffer) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	msg := strings.TrimSpace(stderr.String())
	if strings.Contains(msg, "not a git repository") {
		return fmt.Errorf("%w: %s: %s", ErrNotRepository, r.dir, msg)
	}
	if msg == "" {
		return fmt.Errorf("git %s in %s: %w", sub, r.dir, err)
	}
	return fmt.Errorf("git %s in %s: %w: %s", sub, r.dir, err, msg)
}

// tailBuffer keeps the last few KiB written to it: enough for git's error message
// without letting a chatty process grow memory.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 8 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailMax {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailMax:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// lineMentioning returns the last line of git's stderr that names oid, or the last
// line, to explain why that object failed.
func (t *tailBuffer) lineMentioning(oid string) string {
	lines := strings.Split(strings.TrimSpace(t.String()), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], oid) {
			return strings.TrimSpace(lines[i])
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

// process is a running git command with piped stdin/stdout.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	stderr *tailBuffer
	sub    string
}

func (r *repo) start(ctx context.Context, wantStdin bool, args ...string) (*process, error) {
	cmd := r.command(ctx, args...)
	p := &process{cmd: cmd, stderr: &tailBuffer{}, sub: args[0]}
	cmd.Stderr = p.stderr
	var err error
	if wantStdin {
		if p.stdin, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
	}
	if p.stdout, err = cmd.StdoutPipe(); err != nil {
		return nil, err
	}
	growPipe(p.stdout)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting git %s: %w", args[0], err)
	}
	return p, nil
}

// wait reaps the process; call it after reading stdout (or giving up on it).
func (p *process) wait(ctx context.Context, r *repo) error {
	if p.stdin != nil {
		p.stdin.Close()
	}
	if err := p.cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) || ctx.Err() != nil {
			return r.cmdError(ctx, p.sub, err, p.stderr)
		}
		return err
	}
	return nil
}
