package githistory

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Walk calls fn once for every unique blob (text or binary; the caller sniffs
// content) with its full content; content is only valid during the call. fn runs
// concurrently on Workers goroutines. Stops on ctx cancellation or the first fn
// error.
//
// Content buffers are pooled and reused as soon as fn returns, which keeps memory
// flat on long histories; that is why fn must copy what it wants to keep.
// Blobs are read in the order history introduced them, through a pipeline that
// keeps every stage busy: git log → size check → content read → workers, each
// bounded, so a slow fn throttles git instead of filling memory. On a
// cancellation or an fn error every git process is killed and waited for (as are
// fn calls already running) before Walk returns, and the error returned is ctx's
// or fn's. If some objects cannot
// be read (corruption), Walk still delivers all others and returns an error
// wrapping ErrCorruptObject that joins one *ObjectError per unreadable object. If
// git log itself fails (a corrupt commit or tree), the blobs found before the
// failure are still delivered and the error names what git could not read.
func Walk(ctx context.Context, repo string, opt Options, fn func(Blob, []byte) error) (Stats, error) {
	start := time.Now()
	var st Stats
	r, err := openRepo(ctx, repo, false)
	if err != nil {
		return st, err
	}
	st.Shallow = r.shallow
	w := &walker{r: r, opt: opt, max: opt.maxBlobSize(), fn: fn}
	err = w.run(ctx)
	st.Commits = w.commits
	st.Blobs = int(w.blobs.Load())
	st.Bytes = w.bytes.Load()
	st.SkippedLarge = w.skipped
	st.Duration = time.Since(start)
	return st, err
}

type walker struct {
	r   *repo
	opt Options
	max int64
	fn  func(Blob, []byte) error

	commits int // written by the enumerator only

	mu      sync.Mutex
	skipped []Blob
	objErrs []error

	blobs atomic.Int64
	bytes atomic.Int64
}

type job struct {
	it  *item
	buf *[]byte
}

// stageQueue is the number of chunks queued between stages: enough to absorb a
// burst (a commit adding thousands of files) without holding much memory.
const stageQueue = 8

func (w *walker) run(parent context.Context) error {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)

	tips, err := w.r.resolveTips(ctx, w.opt.Refs)
	if err != nil {
		return err
	}
	w.objErrs = append(w.objErrs, tips.broken...)
	var selected []string
	if w.opt.MaxDepth > 0 && len(tips.commits) > 0 {
		if selected, err = w.r.selectByDepth(ctx, tips.commits, w.opt.MaxDepth, w.opt.Since); err != nil {
			return err
		}
	}

	infoSrc := make(chan []*item, stageQueue)
	contentsSrc := make(chan []*item, stageQueue)
	workers := w.opt.workers()
	jobs := make(chan job, workers)

	var wg sync.WaitGroup
	var enumErr error
	wg.Add(3 + workers)
	go func() {
		defer wg.Done()
		defer close(infoSrc)
		enumErr = w.enumerate(ctx, tips, selected, infoSrc)
	}()
	go func() {
		defer wg.Done()
		defer close(contentsSrc)
		handle, end := w.infoHandler(contentsSrc)
		s := &batchStage{r: w.r, cmd: "info", src: infoSrc, handle: handle, endChunk: end, unreadable: w.unreadable}
		if err := s.run(ctx); err != nil {
			cancel(err)
		}
	}()
	go func() {
		defer wg.Done()
		defer close(jobs)
		s := &batchStage{r: w.r, cmd: "contents", src: contentsSrc, handle: w.contentsHandler(jobs), unreadable: w.unreadable}
		if err := s.run(ctx); err != nil {
			cancel(err)
		}
	}()
	for range workers {
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() == nil {
					if err := w.fn(j.it.blob(), *j.buf); err != nil {
						cancel(err)
					} else {
						w.blobs.Add(1)
						w.bytes.Add(j.it.size)
					}
				}
				putBuf(j.buf)
			}
		}()
	}
	wg.Wait()

	if err := parent.Err(); err != nil {
		return err
	}
	if err := context.Cause(ctx); err != nil {
		return err // fn's error, or a stage that could not go on
	}
	errs := w.objErrs
	if enumErr != nil {
		errs = append([]error{enumErr}, errs...)
	}
	return errors.Join(errs...)
}

func (w *walker) unreadable(it *item, why string) {
	e := &ObjectError{OID: it.oid, Path: it.path, Err: fmt.Errorf("%w: %s", ErrCorruptObject, why)}
	if it.commit != nil {
		e.Commit = it.commit.Hash
	}
	w.mu.Lock()
	w.objErrs = append(w.objErrs, e)
	w.mu.Unlock()
}

func (w *walker) skip(it *item) {
	w.mu.Lock()
	w.skipped = append(w.skipped, it.blob())
	w.mu.Unlock()
}

// infoHandler learns each blob's size, so that large blobs are never read; end
// passes a chunk's small blobs on.
func (w *walker) infoHandler(out chan<- []*item) (handle func(context.Context, *item, batchHeader, *bufio.Reader) error, end func(context.Context) error) {
	var next []*item
	handle = func(ctx context.Context, it *item, h batchHeader, _ *bufio.Reader) error {
		switch {
		case h.missing:
			w.unreadable(it, "git cat-file reports the object missing or corrupt")
		case h.typ != "blob":
			w.unreadable(it, "object is a "+h.typ+", not a blob")
		case h.size > w.max:
			it.size = h.size
			w.skip(it)
		default:
			it.size = h.size
			next = append(next, it)
		}
		return nil
	}
	end = func(ctx context.Context) error {
		if len(next) == 0 {
			return nil
		}
		select {
		case out <- next:
			next = nil
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return handle, end
}

// contentsHandler reads each blob into a pooled buffer and queues it for the
// workers; the bounded queue is the back-pressure that keeps memory flat.
func (w *walker) contentsHandler(out chan<- job) func(context.Context, *item, batchHeader, *bufio.Reader) error {
	return func(ctx context.Context, it *item, h batchHeader, br *bufio.Reader) error {
		if h.missing {
			w.unreadable(it, "git cat-file reports the object missing or corrupt")
			return nil
		}
		it.size = h.size
		if h.typ != "blob" || h.size > w.max {
			// Not expected after the info stage; stream it away without keeping it.
			if n, err := io.CopyN(io.Discard, br, h.size+1); err != nil {
				return fmt.Errorf("%w after %d of %d bytes: %v", errGitDied, n, h.size, err)
			}
			if h.typ != "blob" {
				w.unreadable(it, "object is a "+h.typ+", not a blob")
			} else {
				w.skip(it)
			}
			return nil
		}
		buf := getBuf(h.size + 1)
		if n, err := io.ReadFull(br, *buf); err != nil {
			putBuf(buf)
			return fmt.Errorf("%w after %d of %d bytes: %v", errGitDied, n, h.size, err)
		}
		if (*buf)[h.size] != '\n' {
			putBuf(buf)
			return fmt.Errorf("git cat-file: %s: content not followed by a newline", it.oid)
		}
		*buf = (*buf)[:h.size]
		select {
		case out <- job{it: it, buf: buf}:
			return nil
		case <-ctx.Done():
			putBuf(buf)
			return ctx.Err()
		}
	}
}

// enumerate finds each blob the first time history introduces it and sends it
// on, then adds blobs that refs point at without a commit.
func (w *walker) enumerate(ctx context.Context, tips *tipSet, selected []string, out chan<- []*item) error {
	seen := make(map[oidKey]struct{}, 1<<12)
	send := func(chunk []*item) error {
		select {
		case out <- chunk:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var logErr error
	switch {
	case w.opt.MaxDepth > 0 && len(selected) > 0:
		logErr = w.log(ctx, selected, true, seen, send)
	case w.opt.MaxDepth <= 0 && len(tips.commits) > 0:
		logErr = w.log(ctx, tips.commits, false, seen, send)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !w.opt.Since.IsZero() {
		return logErr // a ref to a blob or tree has no date to compare
	}
	for _, t := range tips.others {
		if err := w.nonCommitTip(ctx, t, seen, send); err != nil {
			return errors.Join(logErr, err)
		}
	}
	return logErr
}

// log runs the single git log that enumerates what every commit added or
// modified, oldest first. With noWalk the commits are exactly revs, in order.
func (w *walker) log(ctx context.Context, revs []string, noWalk bool, seen map[oidKey]struct{}, send func([]*item) error) error {
	args := []string{"log", "--stdin", "-z", "--raw", "-r", "--no-renames", "--no-abbrev",
		"--root", "--diff-merges=first-parent", "--no-color", "--no-ext-diff", "--no-textconv",
		"--no-relative", "--no-show-signature", "--date=raw", logFormat}
	if noWalk {
		args = append(args, "--no-walk=unsorted")
	} else {
		args = append(args, "--reverse", "--date-order")
		if !w.opt.Since.IsZero() {
			args = append(args, "--since-as-filter=@"+strconv.FormatInt(w.opt.Since.Unix(), 10)+" +0000")
		}
	}
	p, err := w.r.start(ctx, true, args...)
	if err != nil {
		return err
	}
	wdone := make(chan struct{})
	go func() {
		defer close(wdone)
		bw := bufio.NewWriterSize(p.stdin, 64<<10)
		for _, r := range revs {
			bw.WriteString(r)
			bw.WriteByte('\n')
		}
		if bw.Flush() == nil {
			p.stdin.Close()
		}
	}()
	perr := w.parseLog(ctx, p.stdout, seen, send)
	if perr != nil {
		p.cmd.Process.Kill()
	}
	werr := p.wait(ctx, w.r)
	<-wdone
	if perr != nil {
		if werr != nil && ctx.Err() == nil {
			return fmt.Errorf("%w (%v)", perr, werr)
		}
		return perr
	}
	return werr
}

func (w *walker) parseLog(ctx context.Context, stdout io.Reader, seen map[oidKey]struct{}, send func([]*item) error) error {
	p := newRawLogParser(stdout)
	var cur *Commit
	var chunk []*item
	for {
		// Pass the chunk on when it is full or when reading on may wait for git.
		if len(chunk) > 0 && (len(chunk) >= chunkMax || p.r.Buffered() == 0) {
			if err := send(chunk); err != nil {
				return err
			}
			chunk = make([]*item, 0, chunkMax)
		}
		kind, err := p.next()
		if err == io.EOF {
			if len(chunk) > 0 {
				return send(chunk)
			}
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if kind == recCommit {
			cur = nil
			if w.opt.Since.IsZero() || !p.commit.Date.Before(w.opt.Since) {
				c := p.commit
				cur = &c
				w.commits++
			}
			continue
		}
		e := &p.entry
		if cur == nil || !e.introducesBlob() {
			continue
		}
		k := makeOIDKey(e.dstOID)
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		chunk = append(chunk, &item{oid: string(e.dstOID), path: string(e.path), commit: cur})
	}
}

// nonCommitTip covers a ref that points (perhaps through tags) at a blob or a
// tree: no commit holds it, so git log never lists it.
func (w *walker) nonCommitTip(ctx context.Context, t tip, seen map[oidKey]struct{}, send func([]*item) error) error {
	add := func(oid, path string) error {
		k := makeOIDKey([]byte(oid))
		if _, dup := seen[k]; dup {
			return nil
		}
		seen[k] = struct{}{}
		return send([]*item{{oid: oid, path: path}})
	}
	if t.typ == "blob" {
		return add(t.oid, t.name)
	}
	entries, err := w.r.lsTree(ctx, t.oid)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := add(e.oid, t.name+":"+e.path); err != nil {
			return err
		}
	}
	return nil
}
