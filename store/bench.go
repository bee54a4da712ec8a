package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/transparency-dev/merkle/compact"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/certs"
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
// first reply accepted by the Graph API, p50 and p99, in milliseconds, for
// the senders whose number starts with prefix ("" for all).
func (s *Store) ReplyLatency(ctx context.Context, prefix string) (p50, p99 float64, err error) {
	var a, b *float64
	err = s.pool.QueryRow(ctx, `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)
		FROM (SELECT extract(epoch FROM o.sent_at - i.received_at) * 1000 AS ms FROM outbox o
		JOIN inbound_messages i ON i.wa_message_id = o.inbound_id WHERE o.seq = 0 AND o.sent_at IS NOT NULL
		AND starts_with(i.wa_from, $1)) t`, prefix).Scan(&a, &b)
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

// BulkLog fills an empty log with n leaves for the log bench, the way
// appending them one by one would (certs.AppendNodes), but streamed with
// COPY: leaf i's certificate id and hash come from leaf(i). It returns
// the log's size.
func (s *Store) BulkLog(ctx context.Context, n uint64, leaf func(i uint64) (certID string, hash []byte)) error {
	var border [][]byte // the compact range of the leaves so far
	var leaves, nodes [][]any
	flush := func() error {
		if _, err := s.pool.CopyFrom(ctx, pgx.Identifier{"log_leaves"}, []string{"idx", "kind", "cert_id", "leaf_hash"}, pgx.CopyFromRows(leaves)); err != nil {
			return fmt.Errorf("bulk leaves: %w", err)
		}
		if _, err := s.pool.CopyFrom(ctx, pgx.Identifier{"log_nodes"}, []string{"level", "idx", "hash"}, pgx.CopyFromRows(nodes)); err != nil {
			return fmt.Errorf("bulk nodes: %w", err)
		}
		leaves, nodes = leaves[:0], nodes[:0]
		return nil
	}
	for i := uint64(0); i < n; i++ {
		id, h := leaf(i)
		added, err := certs.AppendNodes(i, border, h)
		if err != nil {
			return err
		}
		leaves = append(leaves, []any{int64(i), "issue", id, h})
		for _, nd := range added {
			nodes = append(nodes, []any{int16(nd.Level), int64(nd.Index), nd.Hash})
		}
		// The new border: the nodes of the compact range of i+1 leaves,
		// which are among the old border and the nodes just added.
		known := map[compact.NodeID][]byte{}
		for k, id := range certs.BorderIDs(i) {
			known[id] = border[k]
		}
		for _, nd := range added {
			known[compact.NewNodeID(nd.Level, nd.Index)] = nd.Hash
		}
		ids := certs.BorderIDs(i + 1)
		border = make([][]byte, len(ids))
		for k, id := range ids {
			border[k] = known[id]
		}
		if len(leaves) == 50_000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// BulkCertificates stores certificates for the log bench, without
// touching the log or the queue.
func (s *Store) BulkCertificates(ctx context.Context, list []certs.Certificate) error {
	rows := make([][]any, len(list))
	for i, c := range list {
		rows[i] = []any{c.ID, c.Department, c.ServiceID, c.WAID, c.Holder, c.Lang, []byte("{}"), c.IssuedOn, c.Office, c.KeyID, c.QRText,
			[]byte{}, c.IdempotencyKey}
	}
	_, err := s.pool.CopyFrom(ctx, pgx.Identifier{"certificates"}, []string{"id", "department", "service_id", "wa_id", "holder_name", "lang",
		"fields", "issued_on", "office", "key_id", "qr_text", "pdf", "idempotency_key"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("bulk certificates: %w", err)
	}
	return nil
}

// ReplyLatencyMax is the slowest first reply, in milliseconds: after a
// crash, how long the last rescued citizen waited.
func (s *Store) ReplyLatencyMax(ctx context.Context) (float64, error) {
	var v *float64
	err := s.pool.QueryRow(ctx, `SELECT max(extract(epoch FROM o.sent_at - i.received_at) * 1000) FROM outbox o
		JOIN inbound_messages i ON i.wa_message_id = o.inbound_id WHERE o.seq = 0 AND o.sent_at IS NOT NULL`).Scan(&v)
	if err != nil || v == nil {
		return 0, err
	}
	return *v, nil
}

// AllApplications reads every record, for a bench's check afterwards.
func (s *Store) AllApplications(ctx context.Context) ([]application.Record, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+recordColumns+" FROM applications ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("all applications: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (application.Record, error) { return scanRecord(row) })
}

// Figures of the broadcast bench (mitra bench broadcast).

// BenchRecipient is the WhatsApp number of synthesised recipient i: the
// bench counts sends by i.
func BenchRecipient(i int64) string { return fmt.Sprintf("91%010d", 7_000_000_000+i) }

// SynthesiseSubscribers opts n citizens in to a topic (numbers
// BenchRecipient(1..n), spread over the districts, a fifth each in Hindi
// and English, the rest Telugu) in batches of a quarter million rows, and
// opts every optOutEvery-th out of proactive messages (0: none).
func (s *Store) SynthesiseSubscribers(ctx context.Context, topic string, n int64, optOutEvery int64) error {
	const chunk = 250_000
	for from := int64(1); from <= n; from += chunk {
		to := min(n, from+chunk-1)
		if _, err := s.pool.Exec(ctx, `INSERT INTO alert_subscriptions (wa_id, topic, channel, district, lang)
			SELECT '91' || lpad((7000000000 + g)::text, 10, '0'), $3, 'whatsapp', ($4::text[])[1 + g % cardinality($4::text[])],
			       (ARRAY['te', 'te', 'te', 'hi', 'en'])[1 + g % 5]
			FROM generate_series($1::bigint, $2::bigint) g ON CONFLICT DO NOTHING`, from, to, topic, application.Districts); err != nil {
			return fmt.Errorf("synthesise subscribers: %w", err)
		}
		if optOutEvery > 0 {
			if _, err := s.pool.Exec(ctx, `INSERT INTO contacts (wa_id, opted_out_at)
				SELECT '91' || lpad((7000000000 + g)::text, 10, '0'), now() FROM generate_series($1::bigint, $2::bigint) g
				WHERE g % $3 = 0 ON CONFLICT (wa_id) DO UPDATE SET opted_out_at = now()`, from, to, optOutEvery); err != nil {
				return fmt.Errorf("synthesise opt-outs: %w", err)
			}
		}
	}
	_, err := s.pool.Exec(ctx, "ANALYZE alert_subscriptions; ANALYZE contacts")
	return err
}

// DatabaseSize is the size of the database on disk, in bytes.
func (s *Store) DatabaseSize(ctx context.Context) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&n)
	return n, err
}

// BackendPID is the process id of the server process of one of the
// pool's connections: on a local server, its parent is the postmaster,
// whose processes the webhook bench counts the CPU of.
func (s *Store) BackendPID(ctx context.Context) (int, error) {
	var pid int
	err := s.pool.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid)
	return pid, err
}
