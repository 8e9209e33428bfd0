package githistory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNoBranch means the repository has no branch with a commit to read (an unborn
// HEAD and no main or master).
var ErrNoBranch = errors.New("no branch with commits")

// Branch names the branch a change-control check reads and the ref it is read from.
type Branch struct {
	// Name is the branch's short name ("main").
	Name string
	// Ref is what git log reads: the remote-tracking ref when origin/HEAD names the
	// default branch, since that is what the forge holds, not local work.
	Ref string
	// Source says how the branch was chosen, for reports.
	Source string
}

// DefaultBranch finds the branch that deploys: the one origin/HEAD points at, else
// the checked-out branch, else the first of main, master, origin/main and
// origin/master that exists.
func DefaultBranch(ctx context.Context, dir string) (Branch, error) {
	r, err := openRepo(ctx, dir, false)
	if err != nil {
		return Branch{}, err
	}
	if ref, ok := r.symbolicRef(ctx, "refs/remotes/origin/HEAD"); ok && r.hasCommit(ctx, ref) {
		return Branch{Name: strings.TrimPrefix(ref, "refs/remotes/origin/"), Ref: ref, Source: "origin/HEAD"}, nil
	}
	if ref, ok := r.symbolicRef(ctx, "HEAD"); ok && strings.HasPrefix(ref, "refs/heads/") && r.hasCommit(ctx, ref) {
		return Branch{Name: strings.TrimPrefix(ref, "refs/heads/"), Ref: ref, Source: "the checked-out branch"}, nil
	}
	for _, ref := range []string{"refs/heads/main", "refs/heads/master", "refs/remotes/origin/main", "refs/remotes/origin/master"} {
		if r.hasCommit(ctx, ref) {
			name := ref[strings.LastIndexByte(ref, '/')+1:]
			return Branch{Name: name, Ref: ref, Source: "the conventional name " + name}, nil
		}
	}
	return Branch{}, ErrNoBranch
}

// symbolicRef reads what a symbolic ref points at.
func (r *repo) symbolicRef(ctx context.Context, name string) (string, bool) {
	out, err := r.output(ctx, "symbolic-ref", "-q", name)
	if err != nil {
		return "", false
	}
	ref := string(bytes.TrimSpace(out))
	return ref, ref != ""
}

func (r *repo) hasCommit(ctx context.Context, ref string) bool {
	_, err := r.output(ctx, "rev-parse", "-q", "--verify", "--end-of-options", ref+"^{commit}")
	return err == nil
}

// RemoteURL returns the fetch URL of a remote as git would use it (insteadOf
// rewrites applied), or "" when there is no such remote. The URL may carry
// credentials: callers must strip them before showing it.
func RemoteURL(ctx context.Context, dir, remote string) (string, error) {
	r, err := openRepo(ctx, dir, false)
	if err != nil {
		return "", err
	}
	out, err := r.output(ctx, "remote", "get-url", "--", remote)
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 2 {
		return "", nil // git's answer for "no such remote"
	}
	if err != nil {
		return "", err
	}
	return string(bytes.TrimSpace(out)), nil
}

// BranchCommit is one commit of a branch's first-parent history.
type BranchCommit struct {
	Hash    string
	Parents []string
	Author  string
	Email   string
	// Date is the committer date: when the commit was made in the form it has on the
	// branch, which for a rebased, squashed or cherry-picked change is when it landed.
	Date time.Time
	// Message is the whole message: subject, body and trailers.
	Message string
	// Boundary marks a commit whose parents a shallow clone left out; it is not a
	// root, and what came before it is unknown.
	Boundary bool
}

// Subject is the first line of the message.
func (c BranchCommit) Subject() string {
	s, _, _ := strings.Cut(strings.TrimLeft(c.Message, "\n"), "\n")
	return strings.TrimSpace(s)
}

// BranchLog is the first-parent history of a branch over a window.
type BranchLog struct {
	Commits []BranchCommit // newest first
	// Shallow is set when the repository is a shallow clone.
	Shallow bool
	// Newest is the date of the branch's tip even when it is outside the window, so a
	// report can say how long the branch has been quiet.
	Newest time.Time
}

// branchLogFormat prints six NUL-terminated fields per commit; -z ends the message.
// git refuses to create commits whose message contains NUL, so the count holds.
const branchLogFormat = "--format=%H%x00%P%x00%an%x00%ae%x00%ct%x00%B"

const branchLogFields = 6

// FirstParentLog lists the commits of ref's first-parent chain committed at or after
// since: the commits that landed on the branch itself, not those a merge brought in.
// git stops at the first commit older than since, so a commit in the window behind
// one with a skewed, older committer date is not listed.
func FirstParentLog(ctx context.Context, dir, ref string, since time.Time) (*BranchLog, error) {
	r, err := openRepo(ctx, dir, false)
	if err != nil {
		return nil, err
	}
	out := &BranchLog{Shallow: r.shallow}
	tip, err := r.output(ctx, "log", "-1", "--format=%ct", "--end-of-options", ref, "--")
	if err != nil {
		return nil, err
	}
	if sec, err := strconv.ParseInt(string(bytes.TrimSpace(tip)), 10, 64); err == nil {
		out.Newest = time.Unix(sec, 0).UTC()
	}
	args := []string{"log", "--first-parent", "-z", "--no-show-signature", "--no-color", branchLogFormat}
	if since.Unix() > 0 {
		// "@<seconds>" is read as a timestamp whatever its number of digits.
		args = append(args, "--since=@"+strconv.FormatInt(since.Unix(), 10))
	}
	raw, err := r.output(ctx, append(args, "--end-of-options", ref, "--")...)
	if err != nil {
		return nil, err
	}
	commits, err := parseBranchLog(raw, r.oidLen)
	if err != nil {
		return nil, err
	}
	var boundary map[string]bool
	if r.shallow {
		if boundary, err = r.shallowCommits(ctx); err != nil {
			return nil, err
		}
	}
	for i := range commits {
		if commits[i].Date.Before(since) {
			commits = commits[:i]
			break
		}
		commits[i].Boundary = boundary[commits[i].Hash]
	}
	out.Commits = commits
	return out, nil
}

// parseBranchLog splits `git log -z` output made with branchLogFormat.
func parseBranchLog(raw []byte, oidLen int) ([]BranchCommit, error) {
	var out []BranchCommit
	fields := bytes.Split(raw, []byte{0})
	// -z terminates the last commit too, leaving one empty trailing element.
	if n := len(fields); n > 0 && len(fields[n-1]) == 0 {
		fields = fields[:n-1]
	}
	if len(fields)%branchLogFields != 0 {
		return nil, fmt.Errorf("git log: %d fields is not a whole number of commits", len(fields))
	}
	for i := 0; i < len(fields); i += branchLogFields {
		f := fields[i : i+branchLogFields]
		hash := string(bytes.TrimPrefix(f[0], []byte{'\n'}))
		if len(hash) != oidLen || !isHexOID([]byte(hash)) {
			return nil, fmt.Errorf("git log: unexpected commit id %.80q", hash)
		}
		var parents []string
		for _, p := range strings.Fields(string(f[1])) {
			if len(p) != oidLen || !isHexOID([]byte(p)) {
				return nil, fmt.Errorf("git log: commit %s: unexpected parent %.80q", hash, p)
			}
			parents = append(parents, p)
		}
		sec, err := strconv.ParseInt(string(f[4]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("git log: commit %s: bad date %.40q", hash, f[4])
		}
		out = append(out, BranchCommit{
			Hash: hash, Parents: parents, Author: string(f[2]), Email: string(f[3]),
			Date: time.Unix(sec, 0).UTC(), Message: string(f[5]),
		})
	}
	return out, nil
}

// shallowCommits reads the commits whose parents a shallow clone cut off.
func (r *repo) shallowCommits(ctx context.Context) (map[string]bool, error) {
	out, err := r.output(ctx, "rev-parse", "--git-path", "shallow")
	if err != nil {
		return nil, err
	}
	p := string(bytes.TrimSpace(out))
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.dir, p)
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the shallow boundary: %w", err)
	}
	m := map[string]bool{}
	for _, l := range strings.Fields(string(data)) {
		m[l] = true
	}
	return m, nil
}
