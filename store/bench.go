package store

import (
	"context"
	"fmt"
	"time"

	"github.com/mitra-gov/mitra/internal/loadgen"
)

// Figures the webhook bench checks after a run (mitra bench webhook).

// Pending counts inbound messages not processed and outbox rows not sent.
func (s *Store) Pending(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM inbound_messages WHERE processed_at IS NULL) +
		(SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending'))`).Scan(&n)
	return n, err
}

// Counts are the totals a bench verifies.
type Counts struct {
	Inbound, Unprocessed, Outbox, OutboxUnsent int
}

// Totals counts stored messages and replies.
func (s *Store) Totals(ctx context.Context) (Counts, error) {
	var c Counts
	if err := s.pool.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE processed_at IS NULL) FROM inbound_messages").Scan(&c.Inbound, &c.Unprocessed); err != nil {
		return c, err
	}
	err := s.pool.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE status IN ('pending', 'sending', 'failed')) FROM outbox").Scan(&c.Outbox, &c.OutboxUnsent)
	return c, err
}

// ReplyLatency is the time from a message's arrival at the webhook to its
// first reply accepted by the Graph API, p50 and p99, in milliseconds.
func (s *Store) ReplyLatency(ctx context.Context) (p50, p99 float64, err error) {
	var a, b *float64
	err = s.pool.QueryRow(ctx, `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)
		FROM (SELECT extract(epoch FROM o.sent_at - i.received_at) * 1000 AS ms FROM outbox o
		JOIN inbound_messages i ON i.wa_message_id = o.inbound_id WHERE o.seq = 0 AND o.sent_at IS NOT NULL) t`).Scan(&a, &b)
	if a != nil && b != nil {
		p50, p99 = *a, *b
	}
	return p50, p99, err
}

// BareInsertRate is the yardstick for ingest: single-row inserts, each its
// own commit, from workers connections for d, in rows per second.
func (s *Store) BareInsertRate(ctx context.Context, workers int, d time.Duration) (float64, error) {
	if _, err := s.pool.Exec(ctx, "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, body jsonb NOT NULL)"); err != nil {
		return 0, err
	}
	defer s.pool.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS bench_bare")
	return loadgen.For(workers, d, func(int64) error {
		if _, err := s.pool.Exec(ctx, `INSERT INTO bench_bare (body) VALUES ('{"type":"text","text":{"body":"hi"}}')`); err != nil {
			return fmt.Errorf("bare insert: %w", err)
		}
		return nil
	})
}
