package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
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
// Messages of one citizen are answered one at a time, in the order they
// came; any free goroutine takes the next citizen who has one waiting,
// citizens in turn.
type lane struct {
	s       *Store
	run     Processor
	timeout time.Duration
	log     *slog.Logger
	// base is every message's context: stop cancels it when its own
	// deadline passes, as River cancels the jobs still running.
	base   context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	wake     *sync.Cond // a citizen ready, a resume, or the stop
	waiting  map[string][]ProcessArgs
	ready    []string // citizens with a message waiting and none running, in turn
	held     int      // messages waiting, of all citizens
	capacity int
	paused   bool // the process queue is paused (PauseQueue): nothing starts
	stopped  bool
	finished sync.WaitGroup
}

// laneCapacity is how many messages a lane holds waiting, unless
// WorkConfig says: a minute of backlog at a thousand messages a second,
// LaneFallback, past which a message still waiting gets a job from the
// sweep anyway. A process answering fewer a second holds more than a
// minute when full, and the sweep queues jobs for its oldest: extra work
// in an overload, never a second answer (the second to lock a message
// finds it processed). Past the capacity, messages wait as jobs instead,
// which any process may run, each at the cost of a River insert. A held
// message is about 150 bytes: 10 MB full.
const laneCapacity = 1 << 16

// LaneFallback is how old an inbound message still unprocessed must be
// before SweepInbound queues its job: longer than a message waits in a
// busy lane, so that the sweep seldom queues one still waiting there
// (harmless when it does: the second to lock the message finds it
// processed), and as long as River takes to rescue a job whose process
// died.
const LaneFallback = time.Minute

func startLane(s *Store, run Processor, goroutines, capacity int, timeout time.Duration, log *slog.Logger) *lane {
	l := &lane{s: s, run: run, timeout: timeout, log: log, waiting: map[string][]ProcessArgs{}, capacity: max(1, capacity)}
	l.wake = sync.NewCond(&l.mu)
	l.base, l.cancel = context.WithCancel(context.Background())
	for range goroutines {
		l.finished.Add(1)
		go l.work()
	}
	return l
}

// offer takes messages for the lane's goroutines without waiting and
// returns those it could not take.
func (l *lane) offer(args []ProcessArgs) (rest []ProcessArgs) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range args {
		if l.stopped || l.held >= l.capacity {
			rest = append(rest, a)
			continue
		}
		q, known := l.waiting[a.From]
		if !known {
			// Neither waiting nor running: the citizen's turn comes.
			l.ready = append(l.ready, a.From)
			l.wake.Signal()
		}
		l.waiting[a.From] = append(q, a)
		l.held++
	}
	return rest
}

func (l *lane) work() {
	defer l.finished.Done()
	for {
		l.mu.Lock()
		for !l.stopped && (l.paused || len(l.ready) == 0) {
			l.wake.Wait()
		}
		if l.stopped {
			l.mu.Unlock()
			return
		}
		from := l.ready[0]
		l.ready = l.ready[1:]
		a := l.waiting[from][0]
		// The citizen stays in waiting, with an empty queue while this
		// runs, so that their next message waits for it.
		l.waiting[from] = l.waiting[from][1:]
		l.held--
		l.mu.Unlock()

		if err := l.process(a); err != nil {
			l.log.Warn("inbound processing failed, queued as a job", "wa_message_id", a.WAMessageID, "error", err)
			l.queueJobs(context.WithoutCancel(l.base), []ProcessArgs{a}, time.Second)
		}

		l.mu.Lock()
		if len(l.waiting[from]) == 0 {
			delete(l.waiting, from)
		} else {
			l.ready = append(l.ready, from)
			l.wake.Signal()
		}
		l.mu.Unlock()
	}
}

// depth counts the messages taken and not yet started.
func (l *lane) depth() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held
}

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
	l.wake.Broadcast()
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
	l.mu.Lock()
	var left []ProcessArgs
	for _, q := range l.waiting {
		left = append(left, q...)
	}
	l.mu.Unlock()
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
	l.paused = on
	l.wake.Broadcast()
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
