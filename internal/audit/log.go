package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/posture-dev/posture/internal/keys"
	"github.com/posture-dev/posture/internal/store"
)

// Options configure a Log.
type Options struct {
	// Signer signs checkpoints. Required: a log without checkpoints could be rewritten
	// wholesale by anyone who can write to the database.
	Signer keys.Signer
	// Now is the clock events and checkpoints are stamped with (UTC); nil is time.Now.
	// The server refuses to start when the system clock is known to be unsynchronised.
	Now func() time.Time
	// CheckpointEvery writes a checkpoint after this many events; default 1000.
	CheckpointEvery int
	// CheckpointInterval writes a checkpoint this long after the last one when events
	// have been appended since; default one minute.
	CheckpointInterval time.Duration
	// MaxBatch caps how many queued events one transaction commits; default 1024.
	MaxBatch int
	// Forwarder, when set, receives every event this Log commits, after the commit.
	Forwarder *Forwarder
	// Logger receives operational messages; nil discards them.
	Logger *slog.Logger
}

// Log appends events to the audit tables of a store. One Log per process: it owns the
// writer goroutine that batches concurrent appends into one transaction (group commit).
// Several processes (replicas) may each have one on the same PostgreSQL database; they
// take turns on the chain head row.
type Log struct {
	st  *store.Store
	opt Options
	log *slog.Logger

	queue chan *request
	wake  chan struct{} // asks the checkpointer to look now

	mu     sync.RWMutex // guards closed against sends on queue
	closed bool
	stop   chan struct{}
	wg     sync.WaitGroup
}

type request struct {
	ctx  context.Context
	ev   Event
	done chan error
}

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("audit: log closed")

// New starts a Log on st, whose schema must include the audit tables (store.Open applies
// them). Close stops it.
func New(st *store.Store, opt Options) (*Log, error) {
	if opt.Signer == nil {
		return nil, errors.New("audit: a checkpoint signer is required")
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.CheckpointEvery <= 0 {
		opt.CheckpointEvery = 1000
	}
	if opt.CheckpointInterval <= 0 {
		opt.CheckpointInterval = time.Minute
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 1024
	}
	l := &Log{st: st, opt: opt, log: opt.Logger, queue: make(chan *request, 4*opt.MaxBatch),
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
	if l.log == nil {
		l.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	l.wg.Add(2)
	go l.writer()
	go l.checkpointer()
	return l, nil
}

// Close stops accepting events, commits those already queued, writes a final checkpoint
// and stops the goroutines.
func (l *Log) Close(ctx context.Context) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.queue)
	l.mu.Unlock()
	close(l.stop)
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("audit: close: %w", ctx.Err())
	}
	if _, err := l.Checkpoint(ctx); err != nil && !errors.Is(err, errNothingToCheckpoint) {
		return err
	}
	return nil
}

// Append records e and returns once it is committed to the database (durably: SQLite
// syncs its WAL at every commit, PostgreSQL with synchronous_commit on). It fails closed:
// when it returns an error the event may not be stored, and the caller must not perform
// the action it describes. Concurrent Appends share one transaction.
//
// If ctx ends while the event waits in the queue, Append returns ctx.Err() and the event
// is not written; if it ends during the commit, the event may be stored although Append
// reported an error (an audited attempt that did not go ahead).
func (l *Log) Append(ctx context.Context, e Event) error {
	ev, err := prepare(e)
	if err != nil {
		return err
	}
	r := &request{ctx: ctx, ev: ev, done: make(chan error, 1)}
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return ErrClosed
	}
	select {
	case l.queue <- r:
		l.mu.RUnlock()
	case <-ctx.Done():
		l.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// AppendTx appends e inside the caller's transaction, so that a privileged change and
// its audit event commit together or not at all. It holds the chain head until tx ends:
// keep such transactions short. The event is not forwarded (the Log cannot see the
// commit); use Do for that.
func (l *Log) AppendTx(ctx context.Context, tx *store.Tx, e Event) error {
	ev, err := prepare(e)
	if err != nil {
		return err
	}
	_, err = appendLocked(ctx, tx, []*Event{&ev}, l.opt.Now)
	return err
}

// Do runs fn and appends e in one transaction, then forwards e once it has committed.
func (l *Log) Do(ctx context.Context, e Event, fn func(tx *store.Tx) error) error {
	ev, err := prepare(e)
	if err != nil {
		return err
	}
	err = l.st.InTx(ctx, func(tx *store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		_, err := appendLocked(ctx, tx, []*Event{&ev}, l.opt.Now)
		return err
	})
	if err != nil {
		return err
	}
	l.committed([]*Event{&ev})
	return nil
}

func (l *Log) committed(evs []*Event) {
	if l.opt.Forwarder != nil {
		for _, e := range evs {
			l.opt.Forwarder.Enqueue(*e)
		}
	}
	if last := evs[len(evs)-1].Seq; last%int64(l.opt.CheckpointEvery) < int64(len(evs)) || len(evs) >= l.opt.CheckpointEvery {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
}

// writer is the single goroutine that commits queued events, as many as are waiting
// (up to MaxBatch) per transaction: one fsync for the lot.
func (l *Log) writer() {
	defer l.wg.Done()
	batch := make([]*request, 0, l.opt.MaxBatch)
	evs := make([]*Event, 0, l.opt.MaxBatch)
	for r := range l.queue {
		batch = append(batch[:0], r)
	drain:
		for len(batch) < l.opt.MaxBatch {
			select {
			case r, ok := <-l.queue:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		live := batch[:0]
		evs = evs[:0]
		for _, r := range batch {
			if err := r.ctx.Err(); err != nil {
				r.done <- err
				continue
			}
			live = append(live, r)
			evs = append(evs, &r.ev)
		}
		if len(live) == 0 {
			continue
		}
		err := l.commit(evs)
		for _, r := range live {
			r.done <- err
		}
		if err == nil {
			l.committed(evs)
		}
	}
}

func (l *Log) commit(evs []*Event) error {
	// Not any one caller's context: the batch belongs to all of them.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := l.st.InTx(ctx, func(tx *store.Tx) error {
		_, err := appendLocked(ctx, tx, evs, l.opt.Now)
		return err
	})
	if err != nil {
		l.log.Error("audit append failed", "events", len(evs), "err", err)
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}
