package audit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Sink receives forwarded events: a SIEM through syslog or a webhook.
type Sink interface {
	// Name identifies the sink in logs (no credentials).
	Name() string
	// Send delivers events, in seq order, or returns an error to be retried.
	Send(ctx context.Context, evs []Event) error
	Close() error
}

// ForwarderOptions configure a Forwarder.
type ForwarderOptions struct {
	Sinks []Sink
	// QueueSize bounds each sink's queue; default 10,000 events. When a sink is down
	// for long enough to fill it, newer events are dropped for that sink (and counted):
	// the stored log is the record, forwarding is a copy that must never hold it up.
	QueueSize int
	// BatchSize is the most events one Send carries; default 100.
	BatchSize int
	// MinBackoff and MaxBackoff bound the wait between retries; default 200 ms and 30 s.
	MinBackoff, MaxBackoff time.Duration
	Logger                 *slog.Logger
}

// Forwarder copies committed events to sinks asynchronously, each sink with its own
// bounded queue and retry loop, so that a slow sink delays neither the others nor
// Append. Delivery is at least once: a batch whose acknowledgement was lost is sent
// again, and receivers deduplicate on seq.
type Forwarder struct {
	opt   ForwarderOptions
	log   *slog.Logger
	sinks []*sinkQueue
	wg    sync.WaitGroup
	stop  chan struct{}
	once  sync.Once
}

type sinkQueue struct {
	sink    Sink
	q       chan Event
	sent    atomic.Int64
	dropped atomic.Int64
	failed  atomic.Int64
}

// ForwardStats counts one sink's events.
type ForwardStats struct {
	Sink                  string
	Sent, Dropped, Failed int64 // Failed counts attempts that were retried
	Queued                int
}

// NewForwarder starts one goroutine per sink.
func NewForwarder(opt ForwarderOptions) *Forwarder {
	if opt.QueueSize <= 0 {
		opt.QueueSize = 10000
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 100
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = 200 * time.Millisecond
	}
	if opt.MaxBackoff < opt.MinBackoff {
		opt.MaxBackoff = max(30*time.Second, opt.MinBackoff)
	}
	f := &Forwarder{opt: opt, log: opt.Logger, stop: make(chan struct{})}
	if f.log == nil {
		f.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for _, s := range opt.Sinks {
		sq := &sinkQueue{sink: s, q: make(chan Event, opt.QueueSize)}
		f.sinks = append(f.sinks, sq)
		f.wg.Add(1)
		go f.run(sq)
	}
	return f
}

// Enqueue hands an event to every sink without blocking.
func (f *Forwarder) Enqueue(e Event) {
	for _, sq := range f.sinks {
		select {
		case sq.q <- e:
		default:
			if n := sq.dropped.Add(1); n&(n-1) == 0 { // log at 1, 2, 4, 8, … drops
				f.log.Warn("audit forwarding queue full; dropping events for this sink", "sink", sq.sink.Name(), "dropped", n)
			}
		}
	}
}

// Stats reports each sink's counters.
func (f *Forwarder) Stats() []ForwardStats {
	out := make([]ForwardStats, len(f.sinks))
	for i, sq := range f.sinks {
		out[i] = ForwardStats{Sink: sq.sink.Name(), Sent: sq.sent.Load(), Dropped: sq.dropped.Load(), Failed: sq.failed.Load(), Queued: len(sq.q)}
	}
	return out
}

// Close tries to deliver what is queued until ctx ends, then stops and closes the sinks.
func (f *Forwarder) Close(ctx context.Context) error {
	f.once.Do(func() {
		for _, sq := range f.sinks {
			close(sq.q)
		}
	})
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		close(f.stop)
		<-done
		err = ctx.Err()
	}
	for _, sq := range f.sinks {
		err = errors.Join(err, sq.sink.Close())
	}
	return err
}

func (f *Forwarder) run(sq *sinkQueue) {
	defer f.wg.Done()
	batch := make([]Event, 0, f.opt.BatchSize)
	for e := range sq.q {
		batch = append(batch[:0], e)
	fill:
		for len(batch) < f.opt.BatchSize {
			select {
			case e, ok := <-sq.q:
				if !ok {
					break fill
				}
				batch = append(batch, e)
			default:
				break fill
			}
		}
		if !f.deliver(sq, batch) {
			return
		}
	}
}

// deliver retries batch with exponential backoff until it is sent or the forwarder is
// stopped; it reports false when stopped.
func (f *Forwarder) deliver(sq *sinkQueue, batch []Event) bool {
	wait := f.opt.MinBackoff
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := sq.sink.Send(ctx, batch)
		cancel()
		if err == nil {
			sq.sent.Add(int64(len(batch)))
			return true
		}
		sq.failed.Add(1)
		f.log.Warn("audit forwarding failed; will retry", "sink", sq.sink.Name(), "events", len(batch), "retry_in", wait, "err", err)
		select {
		case <-f.stop:
			sq.dropped.Add(int64(len(batch)))
			return false
		case <-time.After(wait):
		}
		wait = min(2*wait, f.opt.MaxBackoff)
	}
}
