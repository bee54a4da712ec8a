package store

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mitra-gov/mitra/internal/testenv"
)

// freshStore opens a migrated Store on a database of its own, dropped
// when the test ends (storetest.New, which tests inside the package
// cannot import).
func freshStore(t *testing.T, name string) *Store {
	t.Helper()
	ctx := context.Background()
	url, drop, err := CreateDatabase(ctx, testenv.DatabaseURL(t), fmt.Sprintf("mitra_%s_%d", name, os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drop() })
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Recording a reply sent must look it up by its id, never scan
// outbox_pending: every reply passes through that index, which keeps the
// entries of rows long sent until VACUUM, and statistics that count a few
// live rows there make the scan look cheap (recordSentSQL). The plan is
// the generic one a prepared statement settles on, over an outbox of many
// sent replies and a few still sending.
func TestRecordSentLooksEachReplyUp(t *testing.T) {
	ctx := context.Background()
	s := freshStore(t, "plan")
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, sql := range []string{
		"ALTER TABLE outbox SET (autovacuum_enabled = false)",
		`INSERT INTO outbox (inbound_id, seq, wa_to, payload, status, attempts)
			SELECT 'wamid.IN' || g, 0, '919000000001', '{"type":"text","text":{"body":"hi"}}', 'sending', 1 FROM generate_series(1, 5000) g`,
		"UPDATE outbox SET status = 'sent', wa_message_id = 'wamid.OUT' || id, sent_at = now() WHERE id <= 4990",
		"ANALYZE outbox",
		"SET plan_cache_mode = force_generic_plan",
		"PREPARE record_sent(bigint, text, timestamptz) AS " + recordSentSQL,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%.60s: %v", sql, err)
		}
	}
	rows, err := conn.Query(ctx, "EXPLAIN EXECUTE record_sent(4991, 'wamid.OUT4991', now())")
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if strings.Contains(text, "outbox_pending") || !strings.Contains(text, "outbox_pkey") {
		t.Fatalf("recording replies sent does not look them up by id:\n%s", text)
	}

}
