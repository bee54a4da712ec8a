package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
	"github.com/mitra-gov/mitra/whatsapp"
)

// laneFixture is a store whose lane hands each plain message to the
// test's processor, and whose River process jobs only count themselves.
type laneFixture struct {
	t    *testing.T
	s    *store.Store
	conn *pgx.Conn
	jobs chan store.ProcessArgs // the process jobs River ran
}

func startLaneFixture(t *testing.T, cfg store.WorkConfig, before func(url string)) *laneFixture {
	t.Helper()
	s, url := storetest.New(t)
	f := &laneFixture{t: t, s: s, conn: storetest.Conn(t, url), jobs: make(chan store.ProcessArgs, 100)}
	if before != nil {
		before(url)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(_ context.Context, j *river.Job[store.ProcessArgs]) error {
		f.jobs <- j.Args
		return nil
	}))
	cfg.SweepEvery, cfg.RecoverySweepEvery, cfg.TemplateSyncEvery, cfg.RetainEvery = -1, -1, -1, -1
	if err := s.StartWork(context.Background(), workers, cfg); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *laneFixture) ingest(msgs ...whatsapp.Message) {
	f.t.Helper()
	if _, err := f.s.IngestWebhook(context.Background(), whatsapp.Events{Messages: msgs}); err != nil {
		f.t.Fatal(err)
	}
}

// processJobs counts the process jobs queued for a message, in any state.
func (f *laneFixture) processJobs(id string) int {
	return storetest.Int(f.t, f.conn, `SELECT count(*) FROM river_job WHERE kind = 'process_inbound' AND args->>'wa_message_id' = $1`, id)
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10 s", what)
		var zero T
		return zero
	}
}

// Plain messages go to the lane once committed, a citizen's in the order
// they came, with no job; a voice note still gets its job.
func TestLaneAnswersPlainMessagesWithoutJobs(t *testing.T) {
	t.Parallel()
	got := make(chan store.ProcessArgs, 10)
	f := startLaneFixture(t, store.WorkConfig{ProcessWorkers: 4, Local: func(_ context.Context, a store.ProcessArgs) error {
		got <- a
		return nil
	}}, nil)
	voice := whatsapp.Message{ID: "wamid.LANE-VOICE", From: "919000000301", Type: "audio", Media: &whatsapp.Media{ID: "m1", MIMEType: "audio/ogg"}}
	f.ingest(text("wamid.LANE-1", "919000000301", "hi"), text("wamid.LANE-2", "919000000301", "pension"), voice)
	f.ingest(text("wamid.LANE-3", "919000000301", "status"))
	for _, want := range []string{"wamid.LANE-1", "wamid.LANE-2", "wamid.LANE-3"} {
		a := receive(t, got, "lane message")
		if a.WAMessageID != want || !a.Plain || a.From != "919000000301" {
			t.Fatalf("lane ran %+v, want %s (plain, from its sender) next", a, want)
		}
		if n := f.processJobs(want); n != 0 {
			t.Errorf("%s has %d process jobs, want none", want, n)
		}
	}
	if a := receive(t, f.jobs, "voice note's job"); a.WAMessageID != "wamid.LANE-VOICE" || a.Plain {
		t.Errorf("River ran %+v, want the voice note's job", a)
	}
}

// A message that fails in the lane, or panics, becomes a job, and River's
// retries take over.
func TestLaneFailureBecomesJob(t *testing.T) {
	t.Parallel()
	f := startLaneFixture(t, store.WorkConfig{ProcessWorkers: 2, Local: func(_ context.Context, a store.ProcessArgs) error {
		if a.WAMessageID == "wamid.LANE-PANIC" {
			panic("dialog bug")
		}
		return errors.New("database away")
	}}, nil)
	f.ingest(text("wamid.LANE-FAIL", "919000000302", "hi"), text("wamid.LANE-PANIC", "919000000303", "hi"))
	ran := map[string]bool{}
	for range 2 {
		ran[receive(t, f.jobs, "retry job").WAMessageID] = true
	}
	if !ran["wamid.LANE-FAIL"] || !ran["wamid.LANE-PANIC"] {
		t.Errorf("River retried %v, want both messages", ran)
	}
}

// A full lane leaves the messages it cannot hold to jobs, and a lane that
// stops queues the messages still waiting in it, so that none is lost.
func TestLaneFullOrStoppingQueuesJobs(t *testing.T) {
	t.Parallel()
	started, release := make(chan string, 10), make(chan struct{})
	f := startLaneFixture(t, store.WorkConfig{ProcessWorkers: 1, LaneCapacity: 1, Local: func(_ context.Context, a store.ProcessArgs) error {
		started <- a.WAMessageID
		<-release
		return nil
	}}, nil)
	f.ingest(text("wamid.LANE-A", "919000000304", "hi"))
	receive(t, started, "first message") // running, holding the lane's goroutine
	f.ingest(text("wamid.LANE-B", "919000000304", "hi"), text("wamid.LANE-C", "919000000304", "hi"))
	// B waits in the lane (room for one), C could not be taken.
	if n := f.processJobs("wamid.LANE-C"); n != 1 {
		t.Errorf("the message a full lane refused has %d jobs, want 1", n)
	}
	if n := f.processJobs("wamid.LANE-B"); n != 0 {
		t.Errorf("the message waiting in the lane has %d jobs, want none yet", n)
	}
	closed := make(chan struct{})
	go func() {
		f.s.Close()
		close(closed)
	}()
	time.Sleep(100 * time.Millisecond) // Close has stopped the lane
	close(release)
	receive(t, closed, "close")
	if n := f.processJobs("wamid.LANE-B"); n != 1 {
		t.Errorf("the message left waiting at stop has %d jobs, want 1", n)
	}
	select {
	case id := <-started:
		t.Errorf("%s started after the lane stopped", id)
	default:
	}
}

// A lane holds its messages while the process queue is paused, as River
// holds the queue's jobs, and answers them once it is resumed.
func TestLaneFollowsPause(t *testing.T) {
	t.Parallel()
	got := make(chan string, 10)
	f := startLaneFixture(t, store.WorkConfig{ProcessWorkers: 2, Local: func(_ context.Context, a store.ProcessArgs) error {
		got <- a.WAMessageID
		return nil
	}}, func(url string) {
		// Paused by another process before this one starts: its lane
		// reads the queue's state at start.
		ctx := context.Background()
		other, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[store.ProcessArgs]) error { return nil }))
		if err := other.StartWork(ctx, workers, store.WorkConfig{SweepEvery: -1, RecoverySweepEvery: -1, TemplateSyncEvery: -1, RetainEvery: -1}); err != nil {
			t.Fatal(err)
		}
		if err := other.PauseQueue(ctx, store.QueueProcess); err != nil {
			t.Fatal(err)
		}
	})
	f.ingest(text("wamid.LANE-P", "919000000305", "hi"))
	select {
	case id := <-got:
		t.Fatalf("%s answered while the queue was paused", id)
	case <-time.After(300 * time.Millisecond):
	}
	depth, err := f.s.QueueDepth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if w := depth[[2]string{store.QueueProcess, "lane"}]; w != 1 {
		t.Errorf("queue depth counts %v messages waiting in the lane, want 1", w)
	}
	if err := f.s.ResumeQueue(context.Background(), store.QueueProcess); err != nil {
		t.Fatal(err)
	}
	if id := receive(t, got, "message after resume"); id != "wamid.LANE-P" {
		t.Errorf("answered %s, want wamid.LANE-P", id)
	}
}

// The recovery sweep queues a job for a message left unanswered past the
// lane's fallback with no job of its own, once; it leaves alone messages
// answered, recent, a day old, or with a job in any state.
func TestSweepInbound(t *testing.T) {
	t.Parallel()
	s, url := storetest.New(t)
	ctx := context.Background()
	conn := storetest.Conn(t, url)
	put := func(id string, age time.Duration, processed bool) {
		t.Helper()
		_, err := conn.Exec(ctx, `INSERT INTO inbound_messages (wa_message_id, wa_from, type, message, received_at, processed_at)
			VALUES ($1, '919000000306', 'text', '{}', now() - make_interval(secs => $2), CASE WHEN $3 THEN now() END)`,
			id, age.Seconds(), processed)
		if err != nil {
			t.Fatal(err)
		}
	}
	put("wamid.SWI-LOST", 2*store.LaneFallback, false)
	put("wamid.SWI-FRESH", store.LaneFallback/2, false)
	put("wamid.SWI-DONE", 2*store.LaneFallback, true)
	put("wamid.SWI-DAY", 25*time.Hour, false)
	// A message whose job ran out of attempts keeps its discarded job.
	if _, err := s.IngestWebhook(ctx, whatsapp.Events{Messages: []whatsapp.Message{text("wamid.SWI-JOB", "919000000306", "hi")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `UPDATE inbound_messages SET received_at = now() - interval '5 minutes' WHERE wa_message_id = 'wamid.SWI-JOB'`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `UPDATE river_job SET state = 'discarded', finalized_at = now() WHERE args->>'wa_message_id' = 'wamid.SWI-JOB'`); err != nil {
		t.Fatal(err)
	}
	n, err := s.SweepInbound(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("sweep queued %d jobs, want 1", n)
	}
	for id, want := range map[string]int{"wamid.SWI-LOST": 1, "wamid.SWI-FRESH": 0, "wamid.SWI-DONE": 0, "wamid.SWI-DAY": 0, "wamid.SWI-JOB": 1} {
		if got := storetest.Int(t, conn, `SELECT count(*) FROM river_job WHERE kind = 'process_inbound' AND args->>'wa_message_id' = $1`, id); got != want {
			t.Errorf("%s: %d process jobs, want %d", id, got, want)
		}
	}
	var from string
	if err := conn.QueryRow(ctx, `SELECT args->>'from' FROM river_job WHERE args->>'wa_message_id' = 'wamid.SWI-LOST'`).Scan(&from); err != nil || from != "919000000306" {
		t.Errorf("the swept job is for %q (%v), want its sender", from, err)
	}
	if n, err := s.SweepInbound(ctx); err != nil || n != 0 {
		t.Errorf("a second sweep queued %d (%v), want none", n, err)
	}
}

// Many citizens at once: each citizen's messages reach the lane in order,
// whatever goroutine runs them.
func TestLaneKeepsEachCitizensOrder(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string][]int{}
	done := make(chan struct{}, 200)
	f := startLaneFixture(t, store.WorkConfig{ProcessWorkers: 4, Local: func(_ context.Context, a store.ProcessArgs) error {
		var citizen, n int
		fmt.Sscanf(a.WAMessageID, "wamid.ORD-%d-%d", &citizen, &n)
		mu.Lock()
		seen[a.From] = append(seen[a.From], n)
		mu.Unlock()
		done <- struct{}{}
		return nil
	}}, nil)
	for n := range 20 {
		var batch []whatsapp.Message
		for c := range 10 {
			batch = append(batch, text(fmt.Sprintf("wamid.ORD-%d-%d", c, n), fmt.Sprintf("9190000004%02d", c), "hi"))
		}
		f.ingest(batch...)
	}
	for range 200 {
		receive(t, done, "message")
	}
	mu.Lock()
	defer mu.Unlock()
	for from, ns := range seen {
		for i, n := range ns {
			if n != i {
				t.Fatalf("%s's messages reached the lane as %v, want in order", from, ns)
			}
		}
	}
}
