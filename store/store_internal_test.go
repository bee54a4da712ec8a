package store

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/internal/testenv"
	"github.com/mitra-gov/mitra/whatsapp"
)

// freshStore opens a migrated Store on a database of its own, dropped
// when the test ends (storetest.New, which tests inside the package
// cannot import).
func freshStore(t *testing.T, name string, params ...string) *Store {
	t.Helper()
	ctx := context.Background()
	url, drop, err := CreateDatabase(ctx, testenv.DatabaseURL(t), fmt.Sprintf("mitra_%s_%d", name, os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drop() })
	for _, p := range params {
		if strings.Contains(url, "?") {
			url += "&" + p
		} else {
			url += "?" + p
		}
	}
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

// The statements a message's processing runs settle on their generic
// plans, as a prepared statement should: one that does not (a custom
// plan costed cheaper at every execution, as an UPDATE joined to arrays
// was) is planned again each time, for every message. One connection, so
// that its prepared statements are all of them.
func TestMessageStatementsSettleOnGenericPlans(t *testing.T) {
	s := freshStore(t, "plans", "pool_max_conns=1")
	ctx := context.Background()
	// An outbox of some size, analysed: on an empty one every plan is cheap.
	for _, sql := range []string{
		`INSERT INTO outbox (inbound_id, seq, wa_to, payload, status, attempts, wa_message_id, sent_at)
			SELECT 'wamid.OLD' || g, 0, '919000000300', '{"type":"text","text":{"body":"hi"}}', 'sent', 1, 'wamid.SENT' || g, now() FROM generate_series(1, 5000) g`,
		"ANALYZE outbox",
	} {
		if _, err := s.pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	reply, err := whatsapp.TextMessages("919000000301", "ఆదాయ ధృవీకరణ పత్రం కోసం ఈ పత్రాలు కావాలి")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		from := fmt.Sprintf("9190000003%02d", i%3)
		id := fmt.Sprintf("wamid.PLAN%d", i)
		in := whatsapp.Message{ID: id, From: from, Type: "text", Text: "income certificate", Time: time.Now()}
		if _, err := s.IngestWebhook(ctx, whatsapp.Events{Messages: []whatsapp.Message{in}}); err != nil {
			t.Fatal(err)
		}
		var answered Answered
		err := s.InTx(ctx, func(tx Tx) error {
			if _, err := tx.Lock(ctx, id, from, true, Limit{Rate: 1, Burst: 100}, time.Minute); err != nil {
				return err
			}
			answered, err = tx.Answer(ctx, id, from, []whatsapp.Outgoing{{Message: &reply[0]}}, dialog.State{Lang: "te"}, false, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.OutboxSent(ctx, answered.Outbox[0].ID, fmt.Sprintf("wamid.OUT%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := s.pool.Query(ctx, "SELECT statement, custom_plans FROM pg_prepared_statements WHERE custom_plans > 5")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var sql string
		var custom int64
		if err := rows.Scan(&sql, &custom); err != nil {
			t.Fatal(err)
		}
		t.Errorf("planned anew at each of %d executions: %.120s", custom, strings.Join(strings.Fields(sql), " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
