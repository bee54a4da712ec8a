package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// batcher commits writes that arrive together in one transaction: at a
// thousand messages a second, a commit (and a round trip) for each write
// would be most of the database's work. A few goroutines take turns:
// while one batch commits, the writes that arrive meanwhile gather into
// the next. Each caller still returns only once its own write committed
// (or failed), so batching changes no guarantee, only the cost.
type batcher[T any] struct {
	queue   chan *batchCall[T]
	closing <-chan struct{}
	// write commits a batch. If it fails, each call is written alone, so
	// that one bad call fails only its own caller (allOrEach).
	write func(ctx context.Context, batch []*batchCall[T]) error
	max   int
}

// batchCall is one write waiting for its batch's commit.
type batchCall[T any] struct {
	arg  T
	err  error
	done chan struct{}
}

// start runs n goroutines, counted in wg, until closing is closed.
func (b *batcher[T]) start(n int, wg *sync.WaitGroup) {
	b.queue = make(chan *batchCall[T])
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.loop()
		}()
	}
}

// do hands arg to the next batch and waits for it to commit.
func (b *batcher[T]) do(ctx context.Context, arg T) (T, error) {
	call := &batchCall[T]{arg: arg, done: make(chan struct{})}
	select {
	case b.queue <- call:
	case <-ctx.Done():
		return arg, ctx.Err()
	case <-b.closing:
		return arg, errClosed
	}
	select {
	case <-call.done:
		return call.arg, call.err
	case <-ctx.Done():
		// The batch may still commit it.
		return arg, ctx.Err()
	}
}

var errClosed = fmt.Errorf("store: closed")

func (b *batcher[T]) loop() {
	batch := make([]*batchCall[T], 0, b.max)
	for {
		select {
		case <-b.closing:
			return
		case call := <-b.queue:
			batch = append(batch[:0], call)
		}
	gather:
		for len(batch) < b.max {
			select {
			case call := <-b.queue:
				batch = append(batch, call)
			default:
				break gather
			}
		}
		b.commit(batch)
	}
}

// commit runs one batch, within a bound: its callers may be gone, but
// others wait on it. A panic fails the batch's calls (their callers
// retry, as after an error) and the goroutine goes on.
func (b *batcher[T]) commit(batch []*batchCall[T]) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	defer func() {
		p := recover()
		for _, call := range batch {
			if p != nil {
				call.err = fmt.Errorf("store: panic in a batch: %v", p)
			}
			close(call.done)
		}
	}()
	allOrEach(ctx, batch, b.write)
}

// batchTimeout bounds one batch's transaction.
const batchTimeout = 30 * time.Second

// allOrEach runs write on the whole batch and, if that fails, on each
// call alone, so that one bad write fails only its own caller.
func allOrEach[T any](ctx context.Context, batch []*batchCall[T], write func(context.Context, []*batchCall[T]) error) {
	err := write(ctx, batch)
	if err != nil && len(batch) > 1 {
		for _, call := range batch {
			call.err = write(ctx, []*batchCall[T]{call})
		}
		return
	}
	for _, call := range batch {
		call.err = err
	}
}
