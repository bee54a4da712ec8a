package store

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// Processor answers one plain inbound message (package worker's
// ProcessWorker); an error means "try again", as a job's would.
type Processor func(ctx context.Context, args ProcessArgs) error

// lane runs the plain messages this process ingested itself, straight
// from the webhook's commit, without a job of their own: a River job costs
// an insert, a fetch and a completion, each writing every index of
// river_job (two of them GIN), about a third of the database's work for
// a message. The inbound row is the durable record instead: until it is
// marked processed, SweepInbound queues a job for it once it is
// LaneFallback old, so a process that dies with messages in its lane
// loses none of them. A message the lane cannot take (full, stopping), or
// one that failed, becomes a job at once, and River's retries take over.
//
// Messages of one citizen go to one goroutine, so they are answered in
// the order they came.
type lane struct {
	s       *Store
	run     Processor
	timeout time.Duration
	log     *slog.Logger
	seed    maphash.Seed
	shards  []chan ProcessArgs

	// base is every message's context: stop cancels it when its own
	// deadline passes, as River cancels the jobs still running.
	base   context.Context
	cancel context.CancelFunc

	mu      sync.RWMutex // held for reading while offering; stop takes it
	stopped bool
	// paused, while the process queue is paused (PauseQueue), holds the
	// messages taken until it is closed: nothing is answered.
	paused chan struct{}
	// held counts the messages taken and not yet started.
	held     atomic.Int64
	left     []ProcessArgs // taken but not started when the lane stopped
	leftMu   sync.Mutex
	finished sync.WaitGroup
}

// laneCapacity is how many messages a lane holds waiting, over all its
// goroutines, unless WorkConfig says: at a thousand messages a second,
// 16 seconds of backlog. Past it, messages wait as jobs instead, which any
// process may run.
const laneCapacity = 16384

// LaneFallback is how old an inbound message still unprocessed must be
// before SweepInbound queues its job: longer than a message waits in a
// busy lane, so that the sweep seldom queues one still waiting there
// (harmless when it does: the second to lock the message finds it
// processed), and as long as River takes to rescue a job whose process
// died.
const LaneFallback = time.Minute

func startLane(s *Store, run Processor, goroutines, capacity int, timeout time.Duration, log *slog.Logger) *lane {
	l := &lane{s: s, run: run, timeout: timeout, log: log, seed: maphash.MakeSeed(), shards: make([]chan ProcessArgs, goroutines)}
	l.base, l.cancel = context.WithCancel(context.Background())
	for i := range l.shards {
		l.shards[i] = make(chan ProcessArgs, max(1, capacity/goroutines))
		l.finished.Add(1)
		go l.work(l.shards[i])
	}
	return l
}

// offer hands messages to the lane's goroutines without waiting and
// returns those it could not take.
func (l *lane) offer(args []ProcessArgs) (rest []ProcessArgs) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.stopped {
		return args
	}
	for _, a := range args {
		select {
		case l.shards[maphash.String(l.seed, a.From)%uint64(len(l.shards))] <- a:
			l.held.Add(1)
		default:
			rest = append(rest, a)
		}
	}
	return rest
}

func (l *lane) work(shard <-chan ProcessArgs) {
	defer l.finished.Done()
	for a := range shard {
		l.mu.RLock()
		paused := l.paused
		l.mu.RUnlock()
		if paused != nil {
			<-paused
		}
		l.mu.RLock()
		stopped := l.stopped
		l.mu.RUnlock()
		l.held.Add(-1)
		if stopped {
			l.leftMu.Lock()
			l.left = append(l.left, a)
			l.leftMu.Unlock()
			continue
		}
		if err := l.process(a); err != nil {
			l.log.Warn("inbound processing failed, queued as a job", "wa_message_id", a.WAMessageID, "error", err)
			l.queueJobs(context.WithoutCancel(l.base), []ProcessArgs{a}, time.Second)
		}
	}
}

// waiting counts the messages taken and not yet started.
func (l *lane) waiting() int { return int(l.held.Load()) }

// process runs one message under the job timeout, a panic counted as a
// failure, as River would.
func (l *lane) process(a ProcessArgs) (err error) {
	ctx, cancel := context.WithTimeout(l.base, l.timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return l.run(ctx, a)
}

// stop lets the messages being answered finish and queues those still
// waiting as jobs, for this process's next start or another process.
func (l *lane) stop(ctx context.Context) {
	l.mu.Lock()
	l.stopped = true
	for _, sh := range l.shards {
		close(sh)
	}
	if l.paused != nil {
		close(l.paused)
		l.paused = nil
	}
	l.mu.Unlock()
	done := make(chan struct{})
	go func() {
		l.finished.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		// Their sends already accepted are still recorded, as River's
		// cancelled jobs' are (worker.recordWindow).
		l.cancel()
		select {
		case <-done:
		case <-time.After(stopRecordWindow):
		}
	}
	l.cancel()
	l.leftMu.Lock()
	left := l.left
	l.leftMu.Unlock()
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	l.queueJobs(qctx, left, 0)
}

// followPause holds the lane while the process queue is paused, as
// River holds the queue's jobs, in every process: operators pause it, and
// the bench measures ingest alone so.
func (l *lane) followPause(ctx context.Context, rc *river.Client[pgx.Tx]) error {
	events, unsubscribe := rc.Subscribe(river.EventKindQueuePaused, river.EventKindQueueResumed)
	q, err := rc.QueueGet(ctx, QueueProcess)
	if err != nil && !errors.Is(err, river.ErrNotFound) {
		unsubscribe()
		return fmt.Errorf("process queue: %w", err)
	}
	l.pause(q != nil && q.PausedAt != nil)
	go func() {
		defer unsubscribe()
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					return
				}
				if ev.Queue != nil && ev.Queue.Name == QueueProcess {
					l.pause(ev.Kind == river.EventKindQueuePaused)
				}
			case <-l.base.Done():
				return
			}
		}
	}()
	return nil
}

func (l *lane) pause(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.stopped:
	case on && l.paused == nil:
		l.paused = make(chan struct{})
	case !on && l.paused != nil:
		close(l.paused)
		l.paused = nil
	}
}

// queueJobs queues process jobs for messages outside any transaction,
// after delay. A failure is logged: the inbound sweep queues them later.
func (l *lane) queueJobs(ctx context.Context, args []ProcessArgs, delay time.Duration) {
	if len(args) == 0 {
		return
	}
	jobs := make([]river.InsertManyParams, len(args))
	for i, a := range args {
		jobs[i] = river.InsertManyParams{Args: a}
		if delay > 0 {
			jobs[i].InsertOpts = &river.InsertOpts{ScheduledAt: time.Now().Add(delay)}
		}
	}
	if _, err := l.s.queue.Load().InsertMany(ctx, jobs); err != nil {
		l.log.Warn("process jobs not queued; the inbound sweep will", "messages", len(args), "error", err)
	}
}
