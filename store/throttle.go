package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Limit is a token bucket: Rate tokens a second, at most Burst saved up.
type Limit struct {
	Rate  float64
	Burst float64
}

// TakeTurn takes one token from a citizen's bucket, making the
// conversation row if there is none and locking it (as LockConversation
// does). It reads the clock at the call (clock_timestamp), not at the
// transaction's start, and never lets the bucket's time go backwards.
// allowed is false above the limit; notify is true for the first refusal
// in each window, when the citizen should be asked, once, to wait.
func (t Tx) TakeTurn(ctx context.Context, user string, l Limit, window time.Duration) (allowed, notify bool, err error) {
	var raw []byte
	err = t.tx.QueryRow(ctx, lockTakingTurn, user, l.Rate, l.Burst, window.Seconds()).Scan(&raw, &allowed, &notify)
	if err != nil {
		return false, false, fmt.Errorf("citizen throttle: %w", err)
	}
	return allowed, notify, nil
}

// lockTakingTurn is lockConversation that also takes one token from the
// citizen's bucket ($1 the citizen, $2 the rate, $3 the burst, $4 the
// notice window in seconds), in the same write of the row: a new row is
// a full bucket less the token; an upsert's update works on the row as it
// stands once locked. It returns the state and the turn's allowed and
// notify (turn_allowed, turn_notify: see migration 0023).
const lockTakingTurn = `INSERT INTO conversations AS c (wa_id, state, bucket_tokens, bucket_at, throttle_notice_at, turn_allowed, turn_notify)
	VALUES ($1, '{}', CASE WHEN $3::float8 >= 1 THEN $3::float8 - 1 ELSE $3::float8 END, clock_timestamp(),
		CASE WHEN $3::float8 < 1 THEN clock_timestamp() END, $3::float8 >= 1, $3::float8 < 1)
	ON CONFLICT (wa_id) DO UPDATE SET (bucket_tokens, bucket_at, throttle_notice_at, turn_allowed, turn_notify) = (
		SELECT CASE WHEN b.tokens >= 1 THEN b.tokens - 1 ELSE b.tokens END,
			GREATEST(clock_timestamp(), c.bucket_at),
			CASE WHEN b.notify THEN clock_timestamp() ELSE c.throttle_notice_at END,
			b.tokens >= 1, b.notify
		FROM (SELECT tokens, tokens < 1 AND (c.throttle_notice_at IS NULL
				OR c.throttle_notice_at < clock_timestamp() - $4::float8 * interval '1 second') AS notify
			FROM (SELECT LEAST($3::float8, COALESCE(c.bucket_tokens, $3::float8)
				+ GREATEST(0, EXTRACT(epoch FROM clock_timestamp() - COALESCE(c.bucket_at, clock_timestamp()))) * $2::float8) AS tokens) t) b)
	RETURNING state, turn_allowed, turn_notify`

// ReserveSend reserves a send under a limit shared by every process (key:
// the business number) and returns how long to wait before sending: zero
// while the bucket has tokens, then the reservation's place in the queue.
func (s *Store) ReserveSend(ctx context.Context, key string, l Limit) (time.Duration, error) {
	return s.ReserveSends(ctx, key, l, 1)
}

// ReserveSends reserves n sends at once (a campaign's batch, a message's
// replies) and returns how long to wait until the last of them is due. A
// negative n gives back places reserved and not used.
func (s *Store) ReserveSends(ctx context.Context, key string, l Limit, n int) (time.Duration, error) {
	var tokens float64
	// The bucket is pacing, not a record: its commit need not wait for the
	// disk (a crash loses at most a moment's pacing), which keeps a write
	// per send from costing a disk flush per send.
	var b pgx.Batch
	b.Queue(asyncCommit)
	b.Queue(reserveSend, key, l.Rate, l.Burst, n).QueryRow(func(r pgx.Row) error { return r.Scan(&tokens) })
	if err := s.pool.SendBatch(ctx, &b).Close(); err != nil {
		return 0, fmt.Errorf("send rate: %w", err)
	}
	return l.wait(tokens), nil
}

const reserveSend = `INSERT INTO send_limits AS l (key, tokens, at) VALUES ($1, $3::float8 - $4::int, clock_timestamp())
		ON CONFLICT (key) DO UPDATE SET
			tokens = LEAST($3::float8, l.tokens + EXTRACT(epoch FROM clock_timestamp() - l.at) * $2::float8) - $4::int,
			at = clock_timestamp()
		RETURNING tokens`

// SendLease hands out places in a send rate shared by every process (the
// business number's bucket, ReserveSends) from blocks it reserves ahead,
// a tenth of a second's worth at the rate (at most a quarter of the
// burst). Every reply of every process used to write the bucket's one
// row, each answer waiting its turn on that row's lock; now a process
// writes it once a block. Places a block has not handed out leaseTTL
// after its last came due are dropped rather than handed back: the
// bucket refills anyway, and places kept longer would let this process
// send past the rate later, all at once.
type SendLease struct {
	s     *Store
	key   string
	limit Limit
	block int
	ttl   time.Duration

	mu    sync.Mutex
	left  int       // places reserved and not handed out
	last  time.Time // when the last of them is due
	until time.Time // when they are dropped
}

// leaseTTL is how long after its last place came due a block's places
// stay usable.
const leaseTTL = time.Second

// SendLease returns a lease on the send rate of key under l, for one
// process to share among its senders.
func (s *Store) SendLease(key string, l Limit) *SendLease {
	block := 1
	if l.Rate > 0 {
		block = max(1, min(int(l.Rate/10), int(l.Burst/4)))
	}
	return &SendLease{s: s, key: key, limit: l, block: block, ttl: leaseTTL}
}

// Reserve takes n places and returns how long to wait until the last of
// them is due (Limit.Spread spaces the others a slot apart before it),
// reserving a block from the shared bucket when the lease holds too few.
// Without a rate nothing waits and nothing is written.
func (le *SendLease) Reserve(ctx context.Context, n int) (time.Duration, error) {
	if n <= 0 || le.limit.Rate <= 0 {
		return 0, nil
	}
	le.mu.Lock()
	defer le.mu.Unlock()
	now := time.Now()
	if now.After(le.until) {
		le.left = 0
	}
	if le.left < n {
		// The places left come first; the new block's follow them, so
		// that counting back from its last one overestimates their
		// waits a little, never underestimates.
		more := max(le.block, n-le.left)
		wait, err := le.s.ReserveSends(ctx, le.key, le.limit, more)
		if err != nil {
			return 0, err
		}
		// The wait counts from when the database reserved the block, not
		// from before a pool connection was free.
		now = time.Now()
		le.left += more
		le.last = now.Add(wait)
		le.until = le.last.Add(le.ttl)
	}
	le.left -= n
	due := le.last.Add(-time.Duration(float64(le.left) / le.limit.Rate * float64(time.Second)))
	return max(0, due.Sub(now)), nil
}

// Spread is how long to wait for each of n sends reserved at once
// (ReserveSends), given the wait for the last: they come a slot apart.
func (l Limit) Spread(last time.Duration, n int) []time.Duration {
	waits := make([]time.Duration, n)
	if l.Rate <= 0 {
		return waits // no limit: none waits
	}
	for i := range waits {
		waits[i] = max(0, last-time.Duration(float64(n-1-i)/l.Rate*float64(time.Second)))
	}
	return waits
}

// wait is how long to wait for a reserved slot once the bucket holds
// tokens (negative: owed).
func (l Limit) wait(tokens float64) time.Duration {
	if tokens >= 0 || l.Rate <= 0 {
		return 0
	}
	return time.Duration(-tokens / l.Rate * float64(time.Second))
}
