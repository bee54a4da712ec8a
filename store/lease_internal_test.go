package store

import (
	"context"
	"testing"
	"time"
)

func bucketTokens(t *testing.T, s *Store, key string) float64 {
	t.Helper()
	var v float64
	if err := s.pool.QueryRow(context.Background(), "SELECT COALESCE((SELECT tokens FROM send_limits WHERE key = $1), -1)", key).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSendLease(t *testing.T) {
	s := freshStore(t, "lease")
	ctx := context.Background()
	reserve := func(le *SendLease, n int) time.Duration {
		t.Helper()
		wait, err := le.Reserve(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		return wait
	}

	t.Run("a block a tenth of a second's worth, written once", func(t *testing.T) {
		le := s.SendLease("lease-block", Limit{Rate: 1000, Burst: 1000})
		began := time.Now()
		for range 33 {
			if wait := reserve(le, 3); wait != 0 {
				t.Fatalf("waited %v with the bucket full", wait)
			}
		}
		// 99 places from one block of 100: the bucket was written once.
		if got := bucketTokens(t, s, "lease-block"); got != 900 {
			t.Fatalf("bucket holds %v after one block, want 900", got)
		}
		reserve(le, 3) // one place left: a second block
		// 800, and what the bucket refilled meanwhile at 1,000 a second.
		if got, refilled := bucketTokens(t, s, "lease-block"), float64(time.Since(began).Milliseconds()+1); got < 800 || got > 800+refilled {
			t.Fatalf("bucket holds %v after two blocks, want 800 to %v", got, 800+refilled)
		}
	})

	t.Run("past the burst, places come a slot apart", func(t *testing.T) {
		le := s.SendLease("lease-paced", Limit{Rate: 100, Burst: 8})
		var last time.Duration
		began := time.Now()
		for i := range 20 {
			wait := reserve(le, 1)
			if i < 6 && wait != 0 {
				t.Fatalf("place %d waits %v within the burst", i, wait)
			}
			if wait+time.Millisecond < last {
				t.Fatalf("place %d waits %v, less than the one before (%v)", i, wait, last)
			}
			last = wait
		}
		// 12 places past a burst of 8 at 100 a second: 120 ms, less what
		// the bucket refilled while the test ran (a slow machine's
		// round trips must not fail it).
		refilled := time.Since(began)
		if last < 110*time.Millisecond-refilled || last > 130*time.Millisecond {
			t.Fatalf("the 20th place waits %v, want about 120 ms less the %v the test took", last, refilled)
		}
	})

	t.Run("places not used in time are dropped", func(t *testing.T) {
		le := s.SendLease("lease-stale", Limit{Rate: 1000, Burst: 1000})
		le.ttl = 0
		reserve(le, 1)
		time.Sleep(2 * time.Millisecond)
		reserve(le, 1) // the block's 99 places are stale: a new one
		if got := bucketTokens(t, s, "lease-stale"); got > 850 {
			t.Fatalf("bucket holds %v: the stale block was used again", got)
		}
	})

	t.Run("no rate, no write", func(t *testing.T) {
		le := s.SendLease("lease-none", Limit{})
		if wait := reserve(le, 5); wait != 0 {
			t.Fatalf("waited %v without a rate", wait)
		}
		if got := bucketTokens(t, s, "lease-none"); got != -1 {
			t.Fatalf("a bucket was written without a rate: %v", got)
		}
	})
}
