package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
	"github.com/mitra-gov/mitra/whatsapp"
)

// The retention sweep, run with a clock moved forward: nothing is cleared
// before its period; after it, words, names, statuses, unfiled media and
// audit go in batches while the rows that dedupe and order need stay; a
// reply still to be sent keeps its words; no analysis goes before the
// dashboard has rolled it up.
func TestRetentionWithAFakeClock(t *testing.T) {
	t.Parallel()
	s, url := storetest.New(t)
	ctx := context.Background()
	db := storetest.Conn(t, url)
	var msgs []whatsapp.Message
	for i := range 5 {
		msgs = append(msgs, text(fmt.Sprintf("wamid.RET%d", i), fmt.Sprintf("91900000030%d", i), "my ration card is lost"))
	}
	if _, err := s.IngestWebhook(ctx, whatsapp.Events{Messages: msgs}); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec("UPDATE inbound_messages SET processed_at = now()")
	exec(`INSERT INTO outbox (inbound_id, seq, wa_to, payload, status) SELECT wa_message_id, 0, wa_from, '{"text":{"body":"ration card"}}', 'sent' FROM inbound_messages`)
	exec(`INSERT INTO outbox (inbound_id, seq, wa_to, payload, status) VALUES ('wamid.RET0', 1, '919000000300', '{"text":{"body":"still to go"}}', 'pending')`)
	exec("INSERT INTO message_statuses (wa_message_id, status) VALUES ('wamid.OUT1', 'sent'), ('wamid.OUT1', 'delivered')")
	exec("INSERT INTO attachments (wa_id, inbound_id, mime, size, data) VALUES ('919000000300', 'wamid.RET1', 'image/jpeg', 3, 'abc')")
	exec("INSERT INTO staff_audit (username, action) VALUES ('lakshmi', 'sign in')")
	exec("INSERT INTO api_audit (department, action, status) VALUES ('revenue', 'issue', 200)")
	exec(`INSERT INTO message_analyses (at, wa_message_id, input, lang) VALUES (now() - interval '2 hours', 'wamid.RET0', 'text', 'en'), (now(), 'wamid.RET1', 'text', 'en')`)
	exec("INSERT INTO analysis_rollup (rolled_until) VALUES (date_trunc('hour', now() - interval '1 hour'))")

	now := time.Now()
	day := 24 * time.Hour
	got, err := s.Retain(ctx, now.Add(29*day), store.DefaultRetention, 2)
	if err != nil {
		t.Fatal(err)
	}
	for kind, n := range got {
		if n != 0 {
			t.Errorf("day 29: %d %s cleared before their period", n, kind)
		}
	}
	if got, err = s.Retain(ctx, now.Add(31*day), store.DefaultRetention, 2); err != nil || got["unfiled_media"] != 1 || got["message_bodies"] != 0 {
		t.Errorf("day 31: %v %v, want only the unfiled photo", got, err)
	}
	if got, err = s.Retain(ctx, now.Add(91*day), store.DefaultRetention, 2); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"message_bodies": 5, "reply_bodies": 5, "profile_names": 5, "statuses": 2, "staff_audit": 0, "analyses": 0}
	for kind, n := range want {
		if got[kind] != n {
			t.Errorf("day 91: %d %s cleared, want %d (all: %v)", got[kind], kind, n, got)
		}
	}
	if n := storetest.Int(t, db, "SELECT count(*) FROM inbound_messages WHERE message::text LIKE '%ration%' OR message::text LIKE '%Ravi%'"); n != 0 {
		t.Errorf("%d messages keep their words", n)
	}
	if n := storetest.Int(t, db, "SELECT count(*) FROM inbound_messages WHERE message ? 'redacted' AND message->>'from' <> ''"); n != 5 {
		t.Errorf("%d message rows kept for dedupe, want 5", n)
	}
	if n := storetest.Int(t, db, "SELECT count(*) FROM outbox WHERE payload::text LIKE '%still to go%'"); n != 1 {
		t.Error("a reply still to be sent lost its words")
	}
	if n := storetest.Int(t, db, "SELECT count(*) FROM contacts WHERE name <> ''"); n != 0 {
		t.Errorf("%d profile names kept", n)
	}
	if got, err = s.Retain(ctx, now.Add(3*366*day), store.DefaultRetention, 2); err != nil || got["analyses"] != 1 || got["staff_audit"] != 1 || got["api_audit"] != 1 {
		t.Errorf("after three years: %v %v, want the rolled-up analysis and the audit", got, err)
	}
	if n := storetest.Int(t, db, "SELECT count(*) FROM message_analyses"); n != 1 {
		t.Errorf("%d analyses left, want the one not rolled up", n)
	}
	// A finished record goes three years after it finished, with its
	// history and attachments; an open one stays however old.
	done, open := grievance(t, s, "919000000310"), grievance(t, s, "919000000311")
	exec("UPDATE applications SET status = 'closed' WHERE id = $1", done.ID)
	exec("INSERT INTO attachments (wa_id, application_id, mime, size, data) VALUES ('919000000310', $1, 'image/jpeg', 3, 'abc')", done.ID)
	if got, err = s.Retain(ctx, now.Add(3*366*day), store.DefaultRetention, 2); err != nil || got["finished_records"] != 1 {
		t.Errorf("finished records: %v %v", got, err)
	}
	if n := storetest.Int(t, db, "SELECT count(*) FROM applications WHERE id IN ($1, $2)", done.ID, open.ID); n != 1 {
		t.Errorf("%d of the two records left, want the open one", n)
	}
	if n := storetest.Int(t, db, "SELECT count(*) FROM application_events WHERE application_id = $1", done.ID) +
		storetest.Int(t, db, "SELECT count(*) FROM attachments WHERE application_id = $1", done.ID); n != 0 {
		t.Errorf("%d rows of the deleted record left", n)
	}
	// A zero period keeps that kind for ever.
	keep := store.DefaultRetention
	keep.Analyses = 0
	exec("UPDATE analysis_rollup SET rolled_until = now() + interval '1 hour'")
	if got, err = s.Retain(ctx, now.Add(5*366*day), keep, 2); err != nil || got["analyses"] != 0 {
		t.Errorf("analyses kept for ever: %v %v", got, err)
	}
}
