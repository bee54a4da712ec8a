package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
	"github.com/mitra-gov/mitra/whatsapp"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func text(id, from, body string) whatsapp.Message {
	return whatsapp.Message{ID: id, From: from, Name: "Ravi", Type: "text", Text: body, Time: time.Unix(1744344496, 0).UTC()}
}

// Deliveries that arrive together are committed together: each message
// is stored and queued once however many deliveries carry it, a sender's
// latest name is kept, and a delivery the database refuses fails alone.
func TestIngestWebhookBatchesConcurrentDeliveries(t *testing.T) {
	t.Parallel()
	s, url := storetest.New(t)
	ctx := context.Background()
	const n = 40
	errs := make([]error, n+1)
	fresh := make([]int, n+1)
	var wg sync.WaitGroup
	for i := range n + 1 {
		wg.Go(func() {
			m := text(fmt.Sprintf("wamid.BAT%d", i%(n/2)), fmt.Sprintf("9190000003%02d", i%5), "hi")
			m.Name = fmt.Sprintf("Citizen %d", i%5)
			if i == n {
				// PostgreSQL's jsonb refuses a NUL character.
				m = text("wamid.BATBAD", "919000000399", "a\x00b")
			}
			fresh[i], errs[i] = s.IngestWebhook(ctx, whatsapp.Events{Messages: []whatsapp.Message{m}})
		})
	}
	wg.Wait()
	total := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("delivery %d: %v", i, errs[i])
		}
		total += fresh[i]
	}
	if errs[n] == nil {
		t.Error("a message the database cannot store was acknowledged")
	}
	if total != n/2 {
		t.Errorf("%d messages counted new, want %d", total, n/2)
	}
	conn := storetest.Conn(t, url)
	if got := storetest.Int(t, conn, "SELECT count(*) FROM inbound_messages"); got != n/2 {
		t.Errorf("%d messages stored, want %d", got, n/2)
	}
	if got := storetest.Int(t, conn, "SELECT count(*) FROM river_job WHERE kind = 'process_inbound'"); got != n/2 {
		t.Errorf("%d process jobs, want %d", got, n/2)
	}
	if got := storetest.Int(t, conn, "SELECT count(*) FROM contacts WHERE name LIKE 'Citizen %'"); got != 5 {
		t.Errorf("%d named contacts, want 5", got)
	}
}

// One webhook delivery: new messages stored with their jobs, a retried
// delivery stores nothing twice, and the stored message reads back as it
// came.
func TestIngestWebhookStoresOnce(t *testing.T) {
	t.Parallel()
	s, url := storetest.Shared(t)
	ctx := context.Background()
	ev := whatsapp.Events{Messages: []whatsapp.Message{text("wamid.ING1", "919000000201", "hi"), text("wamid.ING2", "919000000202", "నమస్కారం"),
		{ID: "wamid.ING3", From: "919000000203", Type: "audio", Media: &whatsapp.Media{ID: "m1", MIMEType: "audio/ogg", Voice: true}}}}
	for i, wantFresh := range []int{3, 0} {
		fresh, err := s.IngestWebhook(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		if fresh != wantFresh {
			t.Errorf("delivery %d: %d new, want %d", i+1, fresh, wantFresh)
		}
	}
	db := storetest.Conn(t, url)
	if n := storetest.Int(t, db, `SELECT count(*) FROM river_job WHERE kind = 'process_inbound' AND args->>'wa_message_id' LIKE 'wamid.ING%'`); n != 3 {
		t.Errorf("%d processing jobs, want 3", n)
	}
	for _, want := range ev.Messages {
		got, processed, err := s.Inbound(ctx, want.ID)
		if err != nil || processed {
			t.Fatalf("%s: %v processed=%v", want.ID, err, processed)
		}
		want.PhoneNumberID = ""
		if got.ID != want.ID || got.Text != want.Text || got.Type != want.Type || got.Name != want.Name || !got.Time.Equal(want.Time) ||
			(want.Media != nil && (got.Media == nil || *got.Media != *want.Media)) {
			t.Errorf("read back %+v, stored %+v", got, want)
		}
	}
	if _, _, err := s.Inbound(ctx, "wamid.NONE"); err == nil {
		t.Error("unknown message found")
	}
}

// Delivery statuses only move an outbox row forward: a late "delivered"
// never overwrites "read"; "failed" is final; an unknown status is
// recorded and moves nothing.
func TestStatusesMoveForwardOnly(t *testing.T) {
	t.Parallel()
	s, url := storetest.Shared(t)
	ctx := context.Background()
	ids := addReplies(t, s, "wamid.ST1", "919000000211", 2)
	for i, id := range ids {
		if _, _, err := s.ClaimToSend(ctx, id, "status-test", store.Limit{Rate: 1000, Burst: 1000}); err != nil {
			t.Fatal(err)
		}
		if err := s.OutboxSent(ctx, id, []string{"wamid.ST1-OUT0", "wamid.ST1-OUT1"}[i]); err != nil {
			t.Fatal(err)
		}
	}
	status := func(wamid string, statuses ...string) string {
		t.Helper()
		for _, st := range statuses {
			if _, err := s.IngestWebhook(ctx, whatsapp.Events{Statuses: []whatsapp.Status{{MessageID: wamid, Status: st}}}); err != nil {
				t.Fatal(err)
			}
		}
		var got string
		storetest.Conn(t, url).QueryRow(ctx, "SELECT status FROM outbox WHERE wa_message_id = $1", wamid).Scan(&got)
		return got
	}
	if got := status("wamid.ST1-OUT0", "read", "delivered", "sent", "deleted"); got != "read" {
		t.Errorf("after read, delivered, sent, deleted: %s", got)
	}
	if got := status("wamid.ST1-OUT1", "delivered", "failed", "read"); got != "failed" {
		t.Errorf("after delivered, failed, read: %s", got)
	}
	if n := storetest.Int(t, storetest.Conn(t, url), "SELECT count(*) FROM message_statuses WHERE wa_message_id = 'wamid.ST1-OUT0'"); n != 4 {
		t.Errorf("%d statuses recorded, want 4", n)
	}
}

// Work inside one transaction that is rolled back: a spoken reply is an
// outbox row of its own kind, the same reply queued twice is one row, and
// the conversation state round-trips under its lock.
func TestOutboxKindsAndConversation(t *testing.T) {
	t.Parallel()
	s, _ := storetest.Shared(t)
	in := text("wamid.OB1", "919000000221", "hi")
	if _, err := s.IngestWebhook(context.Background(), whatsapp.Events{Messages: []whatsapp.Message{in}}); err != nil {
		t.Fatal(err)
	}
	storetest.Rollback(t, func(ctx context.Context, tx store.Tx) {
		msgs, _ := whatsapp.TextMessages(in.From, "card")
		if _, ok, err := tx.AddOutbox(ctx, in.ID, 0, in.From, whatsapp.Outgoing{Message: &msgs[0]}); err != nil || !ok {
			t.Fatalf("add text: %v %v", ok, err)
		}
		if _, ok, err := tx.AddOutbox(ctx, in.ID, 0, in.From, whatsapp.Outgoing{Message: &msgs[0]}); err != nil || ok {
			t.Errorf("the same reply twice: inserted=%v %v", ok, err)
		}
		if _, _, err := tx.AddOutbox(ctx, in.ID, 1, in.From, whatsapp.Outgoing{Speech: &whatsapp.Speech{Text: "ఆదాయ ధ్రువీకరణ పత్రం", Lang: "te"}}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := tx.AddOutbox(ctx, in.ID, 2, in.From, whatsapp.Outgoing{}); err == nil {
			t.Error("an empty outgoing item was queued")
		}
		st, err := tx.LockConversation(ctx, in.From)
		if err != nil || !st.Updated.IsZero() {
			t.Fatalf("first conversation: %+v %v", st, err)
		}
		st = dialog.State{Lang: "te", Screen: dialog.ScreenCard, Service: "income-certificate", Updated: time.Now().UTC().Truncate(time.Second),
			Options: []dialog.Option{{ID: "back", Title: "వెనక్కి"}}}
		if err := tx.SaveConversation(ctx, in.From, st); err != nil {
			t.Fatal(err)
		}
		got, err := tx.LockConversation(ctx, in.From)
		if err != nil || got.Service != st.Service || got.Lang != st.Lang || !got.Updated.Equal(st.Updated) || got.Options[0] != st.Options[0] {
			t.Errorf("state %+v, want %+v (%v)", got, st, err)
		}
	})
	// Rolled back: neither the rows nor the conversation outlive the test.
	if ids, _ := s.OutboxIDs(context.Background(), in.ID); len(ids) != 0 {
		t.Errorf("%d outbox rows outlived the rollback", len(ids))
	}
	if st, _ := s.Conversation(context.Background(), in.From); !st.Updated.IsZero() {
		t.Errorf("conversation outlived the rollback: %+v", st)
	}
}

// The citizen's bucket: the burst is answered, then refusals, of which
// only the first in a window asks the citizen to wait; alike for a
// conversation already locked and for a first message, whose turn makes
// the row.
func TestTakeTurn(t *testing.T) {
	t.Parallel()
	for _, locked := range []bool{true, false} {
		storetest.Rollback(t, func(ctx context.Context, tx store.Tx) {
			if locked {
				if _, err := tx.LockConversation(ctx, "919000000231"); err != nil {
					t.Fatal(err)
				}
			}
			var got []string
			for range 5 {
				allowed, notify, err := tx.TakeTurn(ctx, "919000000231", store.Limit{Rate: 0.001, Burst: 3}, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, map[[2]bool]string{{true, false}: "yes", {false, true}: "wait", {false, false}: "no"}[[2]bool{allowed, notify}])
			}
			if strings.Join(got, " ") != "yes yes yes wait no" {
				t.Errorf("locked first %v: turns %v", locked, got)
			}
			if st, err := tx.LockConversation(ctx, "919000000231"); err != nil || !reflect.DeepEqual(st, dialog.State{}) {
				t.Errorf("locked first %v: the turns left the state %+v (%v)", locked, st, err)
			}
		})
	}
}

// Sends reserve slots in a bucket shared by every process: the burst goes
// at once, then each send waits its turn at the rate.
func TestReserveSend(t *testing.T) {
	t.Parallel()
	s, _ := storetest.Shared(t)
	ctx := context.Background()
	key := fmt.Sprintf("test-%d", time.Now().UnixNano())
	var waits, at []time.Duration
	start := time.Now()
	for range 5 {
		at = append(at, time.Since(start))
		w, err := s.ReserveSend(ctx, key, store.Limit{Rate: 10, Burst: 2})
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, w)
	}
	// Two go at once; the third is due 100 ms after the first call, the
	// fourth 200 ms, the fifth 300 ms, whatever time the calls took.
	if waits[0] != 0 || waits[1] != 0 {
		t.Errorf("the burst waited: %v", waits)
	}
	for i, due := range map[int]time.Duration{2: 100 * time.Millisecond, 3: 200 * time.Millisecond, 4: 300 * time.Millisecond} {
		// The bucket's clock starts inside the first call, which ended by
		// at[1]; a slow later call makes its own due time look early (it
		// is measured from before the call), never late.
		if got := at[i] + waits[i]; got < due-150*time.Millisecond || got > at[1]+due+40*time.Millisecond {
			t.Errorf("send %d is due at %v, want about %v (waits %v, called at %v)", i+1, got, due, waits, at)
		}
	}
}

// Lock notes a message on the citizen's open handover and finds their
// certificates held for a reply, with a turn taken or without.
func TestLockNotesHandoverAndAwaitingCertificates(t *testing.T) {
	t.Parallel()
	s, url := storetest.New(t)
	ctx := context.Background()
	const from = "919000000232"
	in := text("wamid.LOCK1", from, "ఎవరైనా మనిషితో మాట్లాడాలి")
	if _, err := s.IngestWebhook(ctx, whatsapp.Events{Messages: []whatsapp.Message{in}}); err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(tx store.Tx) error { return tx.OpenHandover(ctx, from, "revenue", "te") }); err != nil {
		t.Fatal(err)
	}
	conn := storetest.Conn(t, url)
	if _, err := conn.Exec(ctx, `INSERT INTO certificates (id, department, service_id, wa_id, holder_name, lang, fields, issued_on, office, key_id, qr_text, pdf, idempotency_key, awaiting_reply)
		VALUES ('CERT-HELD', 'revenue', 'income-certificate', $1, 'Ravi', 'te', '{}', current_date, 'Tahsildar', 'k1', 'qr', '', 'idem-1', true)`, from); err != nil {
		t.Fatal(err)
	}
	for _, turn := range []bool{true, false} {
		var locked store.Locked
		err := s.InTx(ctx, func(tx store.Tx) (err error) {
			locked, err = tx.Lock(ctx, in.ID, from, turn, store.Limit{Rate: 1, Burst: 5}, time.Minute)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if locked.Handover == 0 || !locked.Allowed || locked.Notify || len(locked.Awaiting) != 1 || locked.Awaiting[0] != "CERT-HELD" || locked.Message.ID != in.ID {
			t.Errorf("turn %v: locked %+v, want the handover, the held certificate and an allowed turn", turn, locked)
		}
	}
	if n := storetest.Int(t, conn, "SELECT count(*) FROM handovers WHERE wa_id = $1 AND citizen_at IS NOT NULL", from); n != 1 {
		t.Errorf("%d handovers noted the message, want 1", n)
	}
}
