// Package loadgen runs bounded loops of work for the bench commands:
// a fixed number of workers for a fixed time, never open-ended.
package loadgen

import (
	"sync"
	"sync/atomic"
	"time"
)

// For runs do in workers goroutines until d has passed and returns how
// many calls succeeded per second. A worker stops at its first error,
// which is returned (the first one, if several).
func For(workers int, d time.Duration, do func(seq int64) error) (float64, error) {
	var ok, seq atomic.Int64
	var firstErr error
	var once sync.Once
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				if err := do(seq.Add(1)); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(ok.Load()) / d.Seconds(), firstErr
}
