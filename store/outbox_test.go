package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
	"github.com/mitra-gov/mitra/whatsapp"
)

// addReplies stores an inbound message and n replies to it, and returns
// the replies' outbox ids.
func addReplies(t *testing.T, s *store.Store, inboundID, from string, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	if _, err := s.IngestWebhook(ctx, whatsapp.Events{Messages: []whatsapp.Message{text(inboundID, from, "hi")}}); err != nil {
		t.Fatal(err)
	}
	msgs, _ := whatsapp.TextMessages(from, "hello")
	var ids []int64
	err := s.InTx(ctx, func(tx store.Tx) error {
		for seq := range n {
			id, _, err := tx.AddOutbox(ctx, inboundID, seq, from, whatsapp.Outgoing{Message: &msgs[0]})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// Sends recorded at once share a batch, and a record the database
// refuses (a Graph API message id recorded twice) fails only its own
// caller.
func TestOutboxSentBatchesAndFailsAlone(t *testing.T) {
	t.Parallel()
	s, url := storetest.Shared(t)
	ids := addReplies(t, s, "wamid.SENTB", "919000000231", 60)
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wamid := fmt.Sprintf("wamid.SENTB-OUT%d", i)
		if i == len(ids)-1 {
			wamid = "wamid.SENTB-OUT0" // the first row's id again
		}
		wg.Go(func() { errs[i] = s.OutboxSent(context.Background(), id, wamid) })
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
		}
	}
	// Which of the two rows with the same id is recorded first is the
	// batch's choice; exactly one of them must fail.
	if failed != 1 {
		t.Fatalf("%d records failed, want only the one that repeats a message id: %v", failed, errs)
	}
	conn := storetest.Conn(t, url)
	if n := storetest.Int(t, conn, "SELECT count(*) FROM outbox WHERE inbound_id = 'wamid.SENTB' AND status = 'sent' AND wa_message_id IS NOT NULL AND sent_at BETWEEN now() - interval '1 minute' AND now()"); n != len(ids)-1 {
		t.Errorf("%d rows recorded sent, want %d", n, len(ids)-1)
	}
}

// The outbox sweep queues one send job for a message whose replies were
// left unsent past SendFallback (claimed by a process that died), never
// a second while one lives (waiting, or backing off), and none for
// replies still within the sender's window or tried to the end; replies
// unsent for a day are failed.
func TestSweepOutbox(t *testing.T) {
	t.Parallel()
	s, url := storetest.New(t)
	ctx := context.Background()
	conn := storetest.Conn(t, url)
	addReplies(t, s, "wamid.SWEEP-OLD", "919000000232", 2)
	addReplies(t, s, "wamid.SWEEP-NEW", "919000000233", 1)
	addReplies(t, s, "wamid.SWEEP-TRIED", "919000000234", 1)
	addReplies(t, s, "wamid.SWEEP-DAY", "919000000235", 1)
	addReplies(t, s, "wamid.SWEEP-RETRY", "919000000236", 1)
	age := func(inbound, by string, attempts int) {
		t.Helper()
		if _, err := conn.Exec(ctx, "UPDATE outbox SET created_at = now() - $2::interval, attempts = $3 WHERE inbound_id = $1", inbound, by, attempts); err != nil {
			t.Fatal(err)
		}
	}
	sendJobs := func(inbound string) int {
		t.Helper()
		return storetest.Int(t, conn, "SELECT count(*) FROM river_job WHERE kind = 'send_outbox' AND args->>'inbound_id' = '"+inbound+"'")
	}
	age("wamid.SWEEP-OLD", "2 minutes", 1)
	// What a process that died after its commit leaves: the rows claimed
	// for its own sending ("sending").
	if _, err := conn.Exec(ctx, "UPDATE outbox SET status = 'sending' WHERE inbound_id = 'wamid.SWEEP-OLD'"); err != nil {
		t.Fatal(err)
	}
	// A message whose send job is backing off has a live job already.
	age("wamid.SWEEP-RETRY", "2 minutes", 3)
	if err := s.SendLater(ctx, "wamid.SWEEP-RETRY"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "UPDATE river_job SET state = 'retryable', scheduled_at = now() + interval '5 minutes' WHERE args->>'inbound_id' = 'wamid.SWEEP-RETRY'"); err != nil {
		t.Fatal(err)
	}
	age("wamid.SWEEP-TRIED", "2 minutes", store.SendArgs{}.InsertOpts().MaxAttempts)
	age("wamid.SWEEP-DAY", "25 hours", 1)
	// A send job queued before send jobs were unique has no unique key.
	addReplies(t, s, "wamid.SWEEP-LEGACY", "919000000237", 1)
	age("wamid.SWEEP-LEGACY", "2 minutes", 0)
	if _, err := conn.Exec(ctx, `INSERT INTO river_job (kind, args, queue, state, max_attempts, scheduled_at)
		VALUES ('send_outbox', '{"inbound_id": "wamid.SWEEP-LEGACY"}', 'send', 'scheduled', 12, now() + interval '1 minute')`); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		n, err := s.SweepOutbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{1, 0}[round]; n != want {
			t.Errorf("sweep %d queued %d jobs, want %d", round+1, n, want)
		}
	}
	jobs, retrying, legacy := sendJobs("wamid.SWEEP-OLD"), sendJobs("wamid.SWEEP-RETRY"), sendJobs("wamid.SWEEP-LEGACY")
	others := storetest.Int(t, conn, "SELECT count(*) FROM river_job WHERE kind = 'send_outbox' AND args->>'inbound_id' NOT IN ('wamid.SWEEP-OLD', 'wamid.SWEEP-RETRY', 'wamid.SWEEP-LEGACY')")
	if jobs != 1 || retrying != 1 || legacy != 1 || others != 0 {
		t.Errorf("send jobs: %d for the stranded replies (want 1), %d for the retrying ones and %d for the old-style one (want their own 1 each), %d for others (want 0)",
			jobs, retrying, legacy, others)
	}
	if st := storetest.Int(t, conn, "SELECT count(*) FROM outbox WHERE inbound_id = 'wamid.SWEEP-DAY' AND status = 'failed'"); st != 1 {
		t.Errorf("a reply unsent for a day is not failed")
	}
	// A sender that gave up queues the same live job, not a second.
	if err := s.SendLater(ctx, "wamid.SWEEP-OLD"); err != nil {
		t.Fatal(err)
	}
	if n := sendJobs("wamid.SWEEP-OLD"); n != 1 {
		t.Errorf("%d send jobs after SendLater, want the one already queued", n)
	}
}

// A paused queue is paused for every process, and resumes.
func TestPauseQueue(t *testing.T) {
	t.Parallel()
	s, url := storetest.New(t)
	ctx := context.Background()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[store.ProcessArgs]) error { return nil }))
	if err := s.StartWork(ctx, workers, store.WorkConfig{SweepEvery: -1, RecoverySweepEvery: -1, TemplateSyncEvery: -1, RetainEvery: -1}); err != nil {
		t.Fatal(err)
	}
	conn := storetest.Conn(t, url)
	paused := func() int {
		return storetest.Int(t, conn, "SELECT count(*) FROM river_queue WHERE name = 'process' AND paused_at IS NOT NULL")
	}
	if err := s.PauseQueue(ctx, store.QueueProcess); err != nil {
		t.Fatal(err)
	}
	if paused() != 1 {
		t.Fatal("the process queue is not paused")
	}
	if err := s.ResumeQueue(ctx, store.QueueProcess); err != nil {
		t.Fatal(err)
	}
	if paused() != 0 {
		t.Fatal("the process queue is still paused")
	}
}

// The replies of one message reserved together wait as they would have
// one by one: the burst at once, then a slot apart.
func TestReserveSendsSpread(t *testing.T) {
	t.Parallel()
	s, _ := storetest.Shared(t)
	l := store.Limit{Rate: 10, Burst: 2}
	last, err := s.ReserveSends(context.Background(), fmt.Sprintf("spread-%d", time.Now().UnixNano()), l, 5)
	if err != nil {
		t.Fatal(err)
	}
	waits := l.Spread(last, 5)
	want := []time.Duration{0, 0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
	for i, w := range waits {
		// The bucket refills while the call runs: a wait may be shorter,
		// never longer.
		if w > want[i] || w < want[i]-50*time.Millisecond {
			t.Errorf("reply %d waits %v, want about %v (all: %v)", i+1, w, want[i], waits)
		}
	}
	// Three of them given back (an inline sender that stopped early):
	// the next send waits one slot, not four.
	key := fmt.Sprintf("refund-%d", time.Now().UnixNano())
	if _, err := s.ReserveSends(context.Background(), key, l, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReserveSends(context.Background(), key, l, -3); err != nil {
		t.Fatal(err)
	}
	if next, err := s.ReserveSend(context.Background(), key, l); err != nil || next > 150*time.Millisecond {
		t.Errorf("after a refund of 3 the next send waits %v (%v), want about 100 ms", next, err)
	}
	if got := (store.Limit{}).Spread(time.Second, 3); got[0] != 0 || got[2] != 0 {
		t.Errorf("with no limit the replies wait %v, want none", got)
	}
}

// A job timeout that would let the outbox sweep take over replies a job
// is still sending is refused.
func TestStartWorkRefusesLongJobTimeout(t *testing.T) {
	t.Parallel()
	s, _ := storetest.New(t)
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[store.ProcessArgs]) error { return nil }))
	err := s.StartWork(context.Background(), workers, store.WorkConfig{JobTimeout: 50 * time.Second, SweepEvery: -1, RecoverySweepEvery: -1, TemplateSyncEvery: -1, RetainEvery: -1})
	if err == nil {
		t.Fatal("a 50 s job timeout was accepted")
	}
}
