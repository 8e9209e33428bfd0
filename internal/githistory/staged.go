package githistory

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
)

// treeEntry is one blob of `git ls-tree -r`.
type treeEntry struct {
	oid  string
	path string
}

// lsTree lists the blobs (files and symlinks, not submodules) under a tree-ish.
func (r *repo) lsTree(ctx context.Context, treeish string) ([]treeEntry, error) {
	p, err := r.start(ctx, false, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", treeish)
	if err != nil {
		return nil, err
	}
	entries, perr := parseLsTree(bufio.NewReaderSize(p.stdout, 64<<10), r.oidLen)
	if perr != nil {
		p.cmd.Process.Kill()
	}
	if werr := p.wait(ctx, r); perr == nil {
		perr = werr
	}
	return entries, perr
}

// parseLsTree parses "<mode> SP <type> SP <oid> TAB <path> NUL" records.
func parseLsTree(br *bufio.Reader, oidLen int) ([]treeEntry, error) {
	var out []treeEntry
	for {
		rec, err := br.ReadBytes(0)
		if err == io.EOF && len(rec) == 0 {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("git ls-tree: %w", io.ErrUnexpectedEOF)
		}
		rec = rec[:len(rec)-1]
		meta, path, ok := bytes.Cut(rec, []byte{'\t'})
		f := bytes.Split(meta, []byte{' '})
		if !ok || len(f) != 3 || len(f[2]) != oidLen || !isHexOID(f[2]) {
			return out, fmt.Errorf("git ls-tree: unexpected record %.100q", rec)
		}
		mode, err := parseMode(f[0])
		if err != nil {
			return out, fmt.Errorf("git ls-tree: %.100q: %v", rec, err)
		}
		if isBlobMode(mode) {
			out = append(out, treeEntry{oid: string(f[2]), path: string(path)})
		}
	}
}

// HeadBlobs returns path → blob OID of the tree at HEAD (empty map for an unborn
// HEAD), to tell whether something found in history is still present.
// Submodules are left out: their entries are commits of another repository.
func HeadBlobs(ctx context.Context, repo string) (map[string]string, error) {
	r, err := openRepo(ctx, repo, false)
	if err != nil {
		return nil, err
	}
	head, err := r.headCommit(ctx)
	if err != nil || head == "" {
		return map[string]string{}, err
	}
	entries, err := r.lsTree(ctx, head)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(entries))
	for _, e := range entries {
		m[e.path] = e.oid
	}
	return m, nil
}

// headCommit returns HEAD's commit id, or "" if HEAD is unborn.
func (r *repo) headCommit(ctx context.Context) (string, error) {
	out, err := r.output(ctx, "rev-parse", "-q", "--verify", "HEAD^{commit}")
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && len(bytes.TrimSpace(out)) == 0 {
		return "", nil // --verify -q exits 1, silently, when HEAD does not resolve
	}
	if err != nil {
		return "", err
	}
	return string(bytes.TrimSpace(out)), nil
}

// Staged returns the blobs in the index that differ from HEAD (added, copied,
// modified or changed in type; not deleted) with their content: what a
// pre-commit hook must check. fn is called in path order on the calling
// goroutine, once per path (the same content staged at two paths is reported
// twice, since each is a file being committed); Introduced is zero. Contents are
// read whole, whatever their size. GIT_INDEX_FILE is honoured, so that a hook run
// by `git commit -a` or `git commit <paths>` sees the temporary index git commits.
func Staged(ctx context.Context, repo string, fn func(Blob, []byte) error) error {
	r, err := openRepo(ctx, repo, true)
	if err != nil {
		return err
	}
	base, err := r.headCommit(ctx)
	if err != nil {
		return err
	}
	if base == "" {
		base = r.emptyTree()
	}
	out, err := r.output(ctx, "diff-index", "--cached", "-z", "--raw", "-r", "--no-renames",
		"--no-abbrev", "--no-ext-diff", "--no-textconv", "--no-relative", "--ignore-submodules=none", base, "--")
	if err != nil {
		return err
	}
	var blobs []Blob
	var names []string
	p := &rawLogParser{r: bufio.NewReader(bytes.NewReader(out)), inLog: true}
	for {
		kind, err := p.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("git diff-index: %w", err)
		}
		if kind != recEntry {
			return fmt.Errorf("git diff-index: unexpected output %.100q", out)
		}
		if !p.entry.introducesBlob() {
			continue
		}
		blobs = append(blobs, Blob{OID: string(p.entry.dstOID), Path: string(p.entry.path)})
		names = append(names, string(p.entry.dstOID))
	}
	if len(blobs) == 0 {
		return nil
	}
	br, err := r.newBatchReader(ctx, false)
	if err != nil {
		return err
	}
	qerr := br.query(ctx, names, func(i int, h batchHeader, content []byte) error {
		b := blobs[i]
		if h.missing {
			return &ObjectError{OID: b.OID, Path: b.Path, Err: fmt.Errorf("%w: staged blob is missing", ErrCorruptObject)}
		}
		b.Size = h.size
		return fn(b, content)
	})
	if err := br.close(ctx); qerr == nil {
		qerr = err
	}
	return qerr
}

// emptyTree is the id of the empty tree, which git knows without storing it.
func (r *repo) emptyTree() string {
	if r.oidLen == 64 {
		return "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321"
	}
	return "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
}
