package githistory

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// item is a blob on its way through the pipeline.
type item struct {
	oid    string
	path   string
	commit *Commit // nil when no commit holds the blob
	size   int64
}

func (it *item) blob() Blob {
	b := Blob{OID: it.oid, Path: it.path, Size: it.size}
	if it.commit != nil {
		b.Introduced = *it.commit
	}
	return b
}

// batchHeader is the line cat-file prints before an object's content.
type batchHeader struct {
	oid     string
	typ     string
	size    int64
	missing bool
}

// parseBatchHeader parses "<oid> <type> <size>" or "<name> missing".
func parseBatchHeader(line []byte) (batchHeader, error) {
	line = bytes.TrimSuffix(line, []byte{'\n'})
	if name, ok := bytes.CutSuffix(line, []byte(" missing")); ok {
		return batchHeader{oid: string(name), missing: true}, nil
	}
	if name, ok := bytes.CutSuffix(line, []byte(" ambiguous")); ok {
		return batchHeader{oid: string(name), missing: true}, nil
	}
	f := bytes.Fields(line)
	if len(f) != 3 {
		return batchHeader{}, fmt.Errorf("git cat-file: unexpected response %.100q", line)
	}
	size, err := strconv.ParseInt(string(f[2]), 10, 64)
	if err != nil || size < 0 {
		return batchHeader{}, fmt.Errorf("git cat-file: bad size in %.100q", line)
	}
	return batchHeader{oid: string(f[0]), typ: string(f[1]), size: size}, nil
}

// errGitDied marks a response that ended early: the cat-file process died on the
// object being read.
var errGitDied = errors.New("git cat-file exited while reading the object")

// Items travel between stages in chunks, so that goroutine hand-offs (and the
// scheduler work they cost, which competes with git for CPU) are per chunk, not
// per blob. A chunk ends at chunkMax items or whenever its producer would wait.
const chunkMax = 256

// pendingChunks bounds the chunks written to a cat-file process but not yet
// answered, and so how far a stage runs ahead of its consumer.
const pendingChunks = 16

// maxRestarts bounds how many times a stage replaces a cat-file process that died
// on a corrupt object, so a systemic failure cannot loop for ever.
const maxRestarts = 1000

// batchStage feeds object ids to a long-lived `git cat-file --batch-command
// --buffer` process and hands each response to handle, in order. One goroutine
// writes requests and one reads responses. With --buffer git executes nothing
// until it reads "flush", so the writer flushes only when the reader is about to
// wait for output (or before the writer itself waits on a full queue): batches
// grow to match throughput, with a few syscalls per batch instead of per object,
// and no request can be stranded unflushed. If git dies on an object (it does on
// some corruptions), the object is reported, a new process is started, and the
// unanswered requests are sent again.
type batchStage struct {
	r   *repo
	cmd string // "info" or "contents"
	src <-chan []*item
	// handle consumes one response; for "contents" it must read the content and
	// its trailing newline, returning an error wrapping errGitDied on a short read.
	handle func(ctx context.Context, it *item, h batchHeader, br *bufio.Reader) error
	// endChunk, if set, runs after each chunk's responses (and before a restart),
	// to pass on what handle collected.
	endChunk func(ctx context.Context) error
	// unreadable reports an object that killed the process.
	unreadable func(it *item, why string)
}

// generation is one cat-file process of a stage and the channels between its
// writer and reader.
type generation struct {
	p       *process
	pending chan []*item  // written (or being written) and not yet answered
	hungry  chan struct{} // the reader is about to wait for output
	stop    chan struct{} // the reader gave up on this process
	done    chan writerResult
}

type writerResult struct {
	normal bool    // every request was written and stdin closed
	held   []*item // taken from the queue or the retry list but never written
}

func (s *batchStage) run(ctx context.Context) error {
	var retry []*item
	for restarts := 0; ; restarts++ {
		p, err := s.r.start(ctx, true, "cat-file", "--batch-command", "--buffer")
		if err != nil {
			return err
		}
		g := &generation{
			p:       p,
			pending: make(chan []*item, pendingChunks),
			hungry:  make(chan struct{}, 1),
			stop:    make(chan struct{}),
			done:    make(chan writerResult, 1),
		}
		go s.writer(ctx, g, retry)
		retry = nil
		culprit, rest, rerr := s.read(ctx, g, bufio.NewReaderSize(p.stdout, 256<<10))
		if rerr != nil || culprit != nil {
			// Unblock a writer stuck on a full pipe; the process is dead already
			// if it died on culprit.
			p.cmd.Process.Kill()
		}
		close(g.stop)
		wres := <-g.done
		werr := p.wait(ctx, s.r)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case rerr != nil:
			return rerr
		case culprit == nil && wres.normal:
			return werr
		}
		if culprit != nil {
			why := p.stderr.lineMentioning(culprit.oid)
			if why == "" {
				why = errGitDied.Error()
			}
			s.unreadable(culprit, why)
		}
		if restarts >= maxRestarts {
			return fmt.Errorf("git cat-file died %d times; giving up: %v", restarts+1, werr)
		}
		// The writer has exited and closed pending, which now holds exactly the
		// chunks written but not answered.
		retry = append(retry, rest...)
		for c := range g.pending {
			retry = append(retry, c...)
		}
		retry = append(retry, wres.held...)
	}
}

// read matches responses to pending requests until the writer closes pending. If
// the process died, it returns the request being answered and the rest of its
// chunk.
func (s *batchStage) read(ctx context.Context, g *generation, br *bufio.Reader) (culprit *item, rest []*item, err error) {
	end := func() error {
		if s.endChunk == nil {
			return nil
		}
		return s.endChunk(ctx)
	}
	for {
		var chunk []*item
		var ok bool
		select {
		case chunk, ok = <-g.pending:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		if !ok {
			return nil, nil, nil
		}
		for i, it := range chunk {
			if br.Buffered() == 0 {
				select {
				case g.hungry <- struct{}{}:
				default: // already asked
				}
			}
			line, err := br.ReadSlice('\n')
			if err != nil {
				if ctx.Err() != nil {
					return nil, nil, ctx.Err()
				}
				return it, chunk[i+1:], end()
			}
			h, err := parseBatchHeader(line)
			if err != nil {
				return nil, nil, err
			}
			if h.oid != it.oid {
				return nil, nil, fmt.Errorf("git cat-file: answered %s for %s", h.oid, it.oid)
			}
			if err := s.handle(ctx, it, h, br); err != nil {
				if errors.Is(err, errGitDied) && ctx.Err() == nil {
					return it, chunk[i+1:], end()
				}
				return nil, nil, err
			}
		}
		if err := end(); err != nil {
			return nil, nil, err
		}
	}
}

// writer sends the retry list, then everything from s.src, and closes pending
// when it exits.
func (s *batchStage) writer(ctx context.Context, g *generation, retry []*item) {
	var res writerResult
	defer func() {
		close(g.pending)
		g.done <- res
	}()
	stdin := g.p.stdin
	bw := bufio.NewWriterSize(stdin, 64<<10)
	dirty := false
	flush := func() bool {
		if !dirty {
			return true
		}
		dirty = false
		bw.WriteString("flush\n")
		return bw.Flush() == nil
	}
	// send queues chunk as pending, then writes its commands. It reports whether
	// the chunk was queued (and so will be answered or retried) and whether to go
	// on.
	send := func(chunk []*item) (queued, ok bool) {
		select {
		case g.pending <- chunk:
		default:
			// Too much unanswered: make git answer it before waiting.
			if !flush() {
				return false, false
			}
			select {
			case g.pending <- chunk:
			case <-g.stop:
				return false, false
			case <-ctx.Done():
				return false, false
			}
		}
		var err error
		for _, it := range chunk {
			bw.WriteString(s.cmd)
			bw.WriteByte(' ')
			bw.WriteString(it.oid)
			_, err = bw.WriteString("\n")
		}
		dirty = true
		return true, err == nil
	}
	if len(retry) > 0 {
		if queued, ok := send(retry); !ok {
			if !queued {
				res.held = retry
			}
			return
		}
	}
	for {
		var chunk []*item
		var more bool
		select {
		case chunk, more = <-s.src:
		case <-g.hungry:
			if !flush() {
				return
			}
			continue
		case <-g.stop:
			return
		case <-ctx.Done():
			return
		}
		if !more {
			res.normal = flush() && stdin.Close() == nil
			return
		}
		if queued, ok := send(chunk); !ok {
			if !queued {
				res.held = chunk
			}
			return
		}
	}
}

// batchReader is a cat-file --batch or --batch-check process for small, in-order
// lookups (ref tips, commits for MaxDepth, staged blobs).
type batchReader struct {
	r     *repo
	check bool
	p     *process
	br    *bufio.Reader
	buf   []byte
}

func (r *repo) newBatchReader(ctx context.Context, check bool) (*batchReader, error) {
	mode := "--batch"
	if check {
		mode = "--batch-check"
	}
	p, err := r.start(ctx, true, "cat-file", mode)
	if err != nil {
		return nil, err
	}
	return &batchReader{r: r, check: check, p: p, br: bufio.NewReaderSize(p.stdout, 64<<10)}, nil
}

// query looks up names in order. content is nil in --batch-check mode or for a
// missing object, and is only valid during the call to fn. After an error the
// reader is unusable; close it.
func (b *batchReader) query(ctx context.Context, names []string, fn func(i int, h batchHeader, content []byte) error) error {
	werr := make(chan error, 1)
	go func() {
		bw := bufio.NewWriter(b.p.stdin)
		for _, n := range names {
			bw.WriteString(n)
			bw.WriteByte('\n')
		}
		werr <- bw.Flush()
	}()
	err := b.read(ctx, names, fn)
	if err != nil {
		b.p.cmd.Process.Kill() // unblock the writer
	}
	if e := <-werr; err == nil && e != nil {
		err = fmt.Errorf("git cat-file: %w", e)
	}
	return err
}

func (b *batchReader) read(ctx context.Context, names []string, fn func(i int, h batchHeader, content []byte) error) error {
	for i := range names {
		line, err := b.br.ReadSlice('\n')
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("git cat-file died looking up %q: %s", names[i], b.p.stderr.lineMentioning(names[i]))
		}
		h, err := parseBatchHeader(line)
		if err != nil {
			return err
		}
		var content []byte
		if !b.check && !h.missing {
			if int64(cap(b.buf)) < h.size+1 {
				b.buf = make([]byte, h.size+1)
			}
			content = b.buf[:h.size+1]
			if _, err := io.ReadFull(b.br, content); err != nil || content[h.size] != '\n' {
				return fmt.Errorf("git cat-file: short read of %s: %s", h.oid, b.p.stderr.lineMentioning(h.oid))
			}
			content = content[:h.size]
		}
		if err := fn(i, h, content); err != nil {
			return err
		}
	}
	return nil
}

func (b *batchReader) close(ctx context.Context) error {
	return b.p.wait(ctx, b.r)
}
