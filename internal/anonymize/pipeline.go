package anonymize

import (
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// pipeline spreads the work of a run over the cores while keeping the output identical
// to a sequential run. The tokenizer (the caller's goroutine) cuts the dump into jobs of
// about batchSize bytes: pass-through text, and captured rows of tables with rules. Jobs
// with rows go to a pool of workers that rewrite them; a writer goroutine takes every job
// in the order the tokenizer made it, waits until it is done and writes it. Each row is
// rewritten from its own bytes and the keyed fakes depend only on the value, so which
// worker rewrites a row changes nothing. A fixed number of jobs circulate: when the
// writer or the workers fall behind, the tokenizer waits for a free job, so memory stays
// bounded whatever the size of the dump.
type pipeline struct {
	batch int
	jobs  int
	cur   *job
	free  chan *job
	work  chan *job
	order chan *job
	wg    sync.WaitGroup
	// werr is the writer's first error; the tokenizer stops at its next job.
	werr atomic.Pointer[error]
	done bool

	// Written by the writer goroutine, read after finish.
	n                                    int64
	rowsChanged, changed, serialFailures int64
	warnings                             map[string]int64
}

const (
	// batchSize is the size of a job: large enough that handing it over costs nothing
	// next to rewriting it (a few microseconds against a millisecond), small enough that
	// the jobs in flight stay a few MiB.
	batchSize = 256 << 10
	// maxWorkers bounds the pool. One tokenizer feeds it, at about twice the speed of a
	// worker, so more workers than this would wait, and each adds jobs in flight.
	maxWorkers = 4
)

// defaultWorkers is one worker per core, within maxWorkers.
func defaultWorkers() int { return min(runtime.GOMAXPROCS(0), maxWorkers) }

func newPipeline(w io.Writer, key []byte, workers, batch int, warnings map[string]int64) *pipeline {
	if workers <= 0 {
		workers = defaultWorkers()
	}
	workers = min(workers, maxWorkers)
	// Two jobs per worker (one being rewritten, one waiting), the tokenizer's and the
	// writer's.
	jobs := 2*workers + 2
	if batch <= 0 {
		batch = batchSize
	}
	pp := &pipeline{
		batch:    batch,
		jobs:     jobs,
		free:     make(chan *job, jobs),
		work:     make(chan *job, jobs),
		order:    make(chan *job, jobs),
		warnings: warnings,
	}
	for range jobs - 1 {
		pp.free <- &job{done: make(chan struct{}, 1)}
	}
	pp.cur = &job{done: make(chan struct{}, 1)}
	pp.wg.Add(workers + 1)
	for range workers {
		wk := newWorker(key)
		go func() {
			defer pp.wg.Done()
			for j := range pp.work {
				wk.process(j)
				j.done <- struct{}{}
			}
		}()
	}
	go pp.write(w)
	return pp
}

// write is the writer goroutine: jobs in order, each once it is done. After a write error
// it keeps taking jobs, without writing them, so that the tokenizer never waits forever.
func (pp *pipeline) write(w io.Writer) {
	defer pp.wg.Done()
	var err error
	for j := range pp.order {
		<-j.done
		b := j.out
		if len(j.rows) == 0 {
			b = j.raw
		}
		if err == nil && len(b) > 0 {
			if _, err = w.Write(b); err != nil {
				pp.werr.Store(&err)
			} else {
				pp.n += int64(len(b))
			}
		}
		pp.rowsChanged += j.rowsChanged
		pp.changed += j.changed
		pp.serialFailures += j.serialFailures
		for _, wc := range j.warns {
			if _, ok := pp.warnings[wc.msg]; ok || len(pp.warnings) < maxWarnings {
				pp.warnings[wc.msg] += wc.n
			}
		}
		j.reset()
		pp.free <- j
	}
}

// grow makes room for n more bytes in b. Past a few KiB it grows straight to the size
// a job reaches (a batch and one input chunk or row) rather than doubling past it: the
// jobs in flight are most of the memory of a run.
func grow(b []byte, n, limit int) []byte {
	if len(b)+n <= cap(b) {
		return b
	}
	c := max(2*cap(b), 4<<10)
	if c > limit || len(b)+n > c {
		c = max(limit, len(b)+n)
	}
	return slices.Grow(b, c-len(b))
}

// emit adds pass-through bytes to the current job.
func (pp *pipeline) emit(b []byte) error {
	pp.cur.raw = append(grow(pp.cur.raw, len(b), pp.batch+inputBuffer), b...)
	if len(pp.cur.raw) >= pp.batch {
		return pp.submit()
	}
	return nil
}

// emitRow adds a captured row to the current job, for a worker to rewrite. vals are
// positions in capt.
func (pp *pipeline) emitRow(op rowOp, capt []byte, vals []valSpan) error {
	j := pp.cur
	op.start = len(j.raw)
	j.raw = append(grow(j.raw, len(capt), pp.batch+inputBuffer), capt...)
	op.end = len(j.raw)
	op.v0 = len(j.vals)
	j.vals = append(j.vals, vals...)
	op.v1 = len(j.vals)
	j.rows = append(j.rows, op)
	// Short values take more room as spans than as text: count both.
	if len(j.raw)+int(unsafe.Sizeof(valSpan{}))*len(j.vals) >= pp.batch {
		if err := pp.submit(); err != nil {
			return err
		}
		if len(capt) > maxJobBuffer {
			// A huge row (up to maxCapture) is in flight: let it be written before the
			// next, so that memory holds one such row rather than one per job.
			pp.drain()
		}
	}
	return nil
}

// drain waits until every job but the tokenizer's is back from the writer.
func (pp *pipeline) drain() {
	held := make([]*job, 0, pp.jobs-1)
	for len(held) < pp.jobs-1 {
		held = append(held, <-pp.free)
	}
	for _, j := range held {
		pp.free <- j
	}
}

// warn records a warning of the tokenizer in the current job, so that warnings merge in
// the order of the dump whichever goroutine found them.
func (pp *pipeline) warn(msg string) { pp.cur.warn(msg) }

// send queues the current job: to a worker when it has rows, and to the writer.
func (pp *pipeline) send() {
	j := pp.cur
	if len(j.rows) > 0 {
		pp.work <- j
	} else {
		j.done <- struct{}{}
	}
	pp.order <- j
	pp.cur = nil
}

// submit queues the current job and takes a free one, waiting while all are in flight.
func (pp *pipeline) submit() error {
	pp.send()
	pp.cur = <-pp.free
	if e := pp.werr.Load(); e != nil {
		return *e
	}
	return nil
}

// finish queues what is left, waits for the workers and the writer, and returns the
// bytes written and the first write error.
func (pp *pipeline) finish() (int64, error) {
	if !pp.done {
		pp.done = true
		if len(pp.cur.raw) > 0 || len(pp.cur.warns) > 0 {
			pp.send()
		}
		close(pp.work)
		close(pp.order)
		pp.wg.Wait()
	}
	if e := pp.werr.Load(); e != nil {
		return pp.n, *e
	}
	return pp.n, nil
}
