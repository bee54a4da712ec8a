package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/internal/testenv"
	"github.com/mitra-gov/mitra/retrieval"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
	"github.com/mitra-gov/mitra/voice"
	"github.com/mitra-gov/mitra/whatsapp"
)

// fakeGraph records what the workers send and serves media from memory.
type fakeGraph struct {
	mu    sync.Mutex
	sent  []whatsapp.Outbound
	reads []string
	media map[string][]byte
	// uploads are the documents uploaded, in order.
	uploads [][]byte
	// outsideWindow refuses every message but a template, as Meta does
	// 24 hours after the citizen last wrote.
	outsideWindow bool
	// failNext fails that many sends as a dropped connection does.
	failNext int
}

func (f *fakeGraph) Send(_ context.Context, m whatsapp.Outbound) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failNext > 0 {
		f.failNext--
		return "", errors.New("connection reset by peer")
	}
	if f.outsideWindow && m.Type != "template" {
		return "", &whatsapp.SendError{HTTPStatus: 400, Code: 131047, Message: "Re-engagement message"}
	}
	f.sent = append(f.sent, m)
	return fmt.Sprintf("wamid.OUT%d", len(f.sent)), nil
}

func (f *fakeGraph) MarkRead(_ context.Context, id string, _ bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads = append(f.reads, id)
	return nil
}

func (f *fakeGraph) Media(_ context.Context, id string) (whatsapp.MediaInfo, error) {
	data, ok := f.media[id]
	if !ok {
		return whatsapp.MediaInfo{}, &whatsapp.SendError{HTTPStatus: 404, Message: "no such media"}
	}
	return whatsapp.MediaInfo{URL: "mem://" + id, MIMEType: "audio/ogg; codecs=opus", Size: int64(len(data))}, nil
}

func (f *fakeGraph) Download(_ context.Context, url string, _ int64) ([]byte, error) {
	return f.media[strings.TrimPrefix(url, "mem://")], nil
}

func (f *fakeGraph) UploadMedia(_ context.Context, data []byte, _, _ string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploads = append(f.uploads, data)
	return fmt.Sprintf("uploaded-%d", len(f.uploads)), nil
}

func (f *fakeGraph) sentOutbound() []whatsapp.Outbound {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]whatsapp.Outbound(nil), f.sent...)
}

func (f *fakeGraph) payloads() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.sent {
		b, _ := json.Marshal(m)
		out = append(out, string(b))
	}
	return out
}

// knownSpeech "hears" the notes it was told about.
type knownSpeech map[string]string

func (k knownSpeech) Name() string { return "known" }

func (k knownSpeech) Transcribe(_ context.Context, a voice.Audio, _ catalog.Lang, _ string) (string, error) {
	return k[string(a.Data)], nil
}

// flakyMatcher fails its first call, as a crash in the middle of
// processing would: after the dialog ran, before anything was committed.
type flakyMatcher struct {
	dialog.Matcher
	mu     sync.Mutex
	failed bool
}

func (f *flakyMatcher) Match(ctx context.Context, text string, prev catalog.Lang) (retrieval.Result, error) {
	f.mu.Lock()
	fail := !f.failed
	f.failed = true
	f.mu.Unlock()
	if fail {
		return retrieval.Result{}, errors.New("crash")
	}
	return f.Matcher.Match(ctx, text, prev)
}

type fixture struct {
	t       *testing.T
	store   *store.Store
	graph   *fakeGraph
	process *ProcessWorker
	send    *SendWorker
	dbURL   string
}

func newFixture(t *testing.T, m dialog.Matcher, v *Voice) *fixture {
	t.Helper()
	st, dbURL := storetest.New(t)
	e := testenv.Engine(t)
	if m == nil {
		m = e
	}
	g := &fakeGraph{media: map[string][]byte{}}
	d := Deps{Store: st, Bot: dialog.New(dialog.Config{Catalog: e.Catalog(), Matcher: m}), Catalog: e.Catalog(), Sender: g,
		Log: slog.New(slog.DiscardHandler), SenderKey: "106540352242922", SendLimit: store.Limit{Rate: 1000, Burst: 1000}, Voice: v, Media: g}
	d = withDefaults(d)
	send := &SendWorker{deps: d, outbox: st}
	return &fixture{t: t, store: st, graph: g, process: newProcessWorker(d, send), send: send, dbURL: dbURL}
}

func job[T river.JobArgs](args T) *river.Job[T] {
	return &river.Job[T]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 10}, Args: args}
}

// deliver stores a message as the webhook does, processes it, and sends
// its replies; it returns what reached the Graph API.
func (f *fixture) deliver(m whatsapp.Message) ([]string, error) {
	f.t.Helper()
	ctx := context.Background()
	if m.Time.IsZero() {
		m.Time = time.Now()
	}
	if _, err := f.store.IngestWebhook(ctx, whatsapp.Events{Messages: []whatsapp.Message{m}}); err != nil {
		f.t.Fatal(err)
	}
	before := len(f.graph.payloads())
	if err := f.process.Work(ctx, job(store.ProcessArgs{WAMessageID: m.ID})); err != nil {
		return nil, err
	}
	if err := f.send.Work(ctx, job(store.SendArgs{InboundID: m.ID})); err != nil {
		f.t.Fatal(err)
	}
	return f.graph.payloads()[before:], nil
}

// answers drops the privacy notice that precedes the first answer to a
// new citizen (dialog/rights.go), after checking it came first.
func answers(t *testing.T, sent []string) []string {
	t.Helper()
	for i, p := range sent {
		if strings.Contains(p, `"privacy:yes"`) {
			if i != 0 {
				t.Errorf("the privacy notice came after %d answers", i)
			}
			return append(sent[:i:i], sent[i+1:]...)
		}
	}
	return sent
}

func TestProcessTextListTapAndUnknownType(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	const from = "919000000101"
	sent, err := f.deliver(whatsapp.Message{ID: "wamid.W1", From: from, Type: "text", Text: "I need an income certificate"})
	if err != nil {
		t.Fatal(err)
	}
	if sent = answers(t, sent); len(sent) != 1 || !strings.Contains(sent[0], "Documents needed") || !strings.Contains(sent[0], `"type":"button"`) {
		t.Fatalf("text: %s", sent)
	}
	sent, err = f.deliver(whatsapp.Message{ID: "wamid.W2", From: from, Type: "interactive", OptionID: "dept:revenue", Text: "Revenue"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || !strings.Contains(sent[0], `"type":"list"`) || !strings.Contains(sent[0], "svc:income-certificate") {
		t.Fatalf("list tap: %s", sent)
	}
	sent, err = f.deliver(whatsapp.Message{ID: "wamid.W3", From: from, Type: "sticker"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || !strings.Contains(sent[0], "can't read this kind of message") {
		t.Fatalf("sticker: %s", sent)
	}
	// The conversation moved on and was saved in the transaction.
	st, err := f.store.Conversation(context.Background(), from)
	if err != nil || st.Screen != dialog.ScreenServices || st.Dept != "revenue" {
		t.Errorf("state %+v, %v", st, err)
	}
	if len(f.graph.reads) != 3 {
		t.Errorf("marked read %d times, want 3", len(f.graph.reads))
	}
}

func TestProcessVoiceNote(t *testing.T) {
	t.Parallel()
	note, err := os.ReadFile(filepath.Join("..", "voice", "testdata", "en-caste.ogg"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, nil, &Voice{Transcriber: knownSpeech{string(note): "I need a caste certificate"}})
	f.process.deps.Voice.Media = f.graph
	f.graph.media["m1"] = note
	sent, err := f.deliver(whatsapp.Message{ID: "wamid.V1", From: "919000000102", Type: "audio",
		Media: &whatsapp.Media{ID: "m1", MIMEType: "audio/ogg; codecs=opus", Voice: true}})
	if err != nil {
		t.Fatal(err)
	}
	if sent = answers(t, sent); len(sent) != 1 || !strings.Contains(sent[0], "Integrated Certificate") {
		t.Errorf("voice note: %s", sent)
	}
	// A note whose media is gone gets a polite reply, not a stuck job.
	sent, err = f.deliver(whatsapp.Message{ID: "wamid.V2", From: "919000000103", Type: "audio", Media: &whatsapp.Media{ID: "gone"}})
	if err != nil {
		t.Fatal(err)
	}
	if sent = answers(t, sent); len(sent) != 1 || !strings.Contains(sent[0], "Sorry") {
		t.Errorf("missing media: %s", sent)
	}
}

// A job that fails after the dialog ran but before the commit leaves
// nothing behind: no replies, no new state, the message unprocessed. The
// retry answers once, and a duplicate job does nothing.
func TestProcessRetriedAfterCrashBeforeCommit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, &flakyMatcher{Matcher: testenv.Engine(t)}, nil)
	ctx := context.Background()
	const from, id = "919000000104", "wamid.C1"
	if _, err := f.deliver(whatsapp.Message{ID: id, From: from, Type: "text", Text: "caste certificate kavali"}); err == nil {
		t.Fatal("the crash did not fail the job")
	}
	if ids, _ := f.store.OutboxIDs(ctx, id); len(ids) != 0 {
		t.Errorf("%d outbox rows after the crash", len(ids))
	}
	if _, processed, _ := f.store.Inbound(ctx, id); processed {
		t.Error("message marked processed after the crash")
	}
	if st, _ := f.store.Conversation(ctx, from); !st.Updated.IsZero() {
		t.Errorf("state saved after the crash: %+v", st)
	}
	if err := f.process.Work(ctx, job(store.ProcessArgs{WAMessageID: id})); err != nil {
		t.Fatal(err)
	}
	if err := f.process.Work(ctx, job(store.ProcessArgs{WAMessageID: id})); err != nil {
		t.Fatal(err)
	}
	if err := f.send.Work(ctx, job(store.SendArgs{InboundID: id})); err != nil {
		t.Fatal(err)
	}
	sent := answers(t, f.graph.payloads())
	if len(sent) != 1 || !strings.Contains(sent[0], "కుల ధ్రువీకరణ పత్రం") {
		t.Errorf("after the retry and a duplicate job: %s", sent)
	}
}

// forgetful fails to record the first sends, as a database restarting
// just after the Graph API accepted them would.
type forgetful struct {
	outbox
	mu    sync.Mutex
	fails int
}

func (f *forgetful) OutboxSent(ctx context.Context, id int64, wamid string) error {
	f.mu.Lock()
	fail := f.fails > 0
	f.fails--
	f.mu.Unlock()
	if fail {
		return errors.New("connection refused")
	}
	return f.outbox.OutboxSent(ctx, id, wamid)
}

// A send the Graph API accepted is recorded when the database comes back:
// the bookkeeping is retried, not the send, so nothing goes out twice.
func TestSentIsRecordedNotSentAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	f.send.outbox = &forgetful{outbox: f.store, fails: 3}
	sent, err := f.deliver(whatsapp.Message{ID: "wamid.REC1", From: "919000000105", Type: "text", Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	// A second run of the job (River's retry, had the first failed) finds
	// the rows sent.
	if err := f.send.Work(context.Background(), job(store.SendArgs{InboundID: "wamid.REC1"})); err != nil {
		t.Fatal(err)
	}
	if all := f.graph.payloads(); len(sent) != 2 || len(all) != 2 {
		t.Errorf("sent %d in the first run, %d in all; want the welcome and the language buttons once", len(sent), len(all))
	}
}

// Replies go out from the job that made them, with no send job; one is
// queued at once when a send must be retried, and sends from the reply
// that failed, each reply once. The words of a citizen who has not agreed
// to the notice are forgotten when the message is marked processed.
func TestRepliesSentInlineFallbackOnFailure(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	conn := storetest.Conn(t, f.dbURL)
	const from = "919000000109"
	ingest := func(id, text string) {
		m := whatsapp.Message{ID: id, From: from, Type: "text", Text: text, Time: time.Now()}
		if _, err := f.store.IngestWebhook(ctx, whatsapp.Events{Messages: []whatsapp.Message{m}}); err != nil {
			t.Fatal(err)
		}
		if err := f.process.Work(ctx, job(store.ProcessArgs{WAMessageID: id})); err != nil {
			t.Fatal(err)
		}
	}
	ingest("wamid.IN1", "hi")
	if n := len(f.graph.payloads()); n != 2 {
		t.Fatalf("sent %d replies inline, want the welcome and the language buttons", n)
	}
	if n := storetest.Int(t, conn, "SELECT count(*) FROM river_job WHERE kind = 'send_outbox'"); n != 0 {
		t.Errorf("%d send jobs queued although every reply went out, want none", n)
	}
	if n := storetest.Int(t, conn, "SELECT count(*) FROM inbound_messages WHERE wa_message_id = 'wamid.IN1' AND processed_at IS NOT NULL AND message ? 'redacted' AND NOT message ? 'text'"); n != 1 {
		t.Error("the message of a citizen who has not agreed to the notice is kept, or not marked processed")
	}
	f.graph.mu.Lock()
	f.graph.failNext = 1
	f.graph.mu.Unlock()
	ingest("wamid.IN2", "income certificate")
	if n := len(f.graph.payloads()); n != 2 {
		t.Fatalf("%d sends reached the Graph API, want the first two only", n)
	}
	due := storetest.Int(t, conn, "SELECT count(*) FROM river_job WHERE kind = 'send_outbox' AND state = 'available' AND scheduled_at <= now()")
	if due != 1 {
		t.Fatalf("%d send jobs due now after a failed send, want 1", due)
	}
	if err := f.send.Work(ctx, job(store.SendArgs{InboundID: "wamid.IN2"})); err != nil {
		t.Fatal(err)
	}
	// The failed reply was the privacy notice, which comes before the
	// first answer in a language; the answer follows it, in order.
	sent := f.graph.payloads()
	if len(sent) != 4 || !strings.Contains(sent[2], `"privacy:yes"`) || !strings.Contains(sent[3], "Documents needed") {
		t.Fatalf("the job sent %d replies after the failure, want the notice then the answer: %v", len(sent)-2, sent[2:])
	}
	if unsent := storetest.Int(t, conn, "SELECT count(*) FROM outbox WHERE status NOT IN ('sent', 'delivered', 'read')"); unsent != 0 {
		t.Errorf("%d replies unsent", unsent)
	}
}

// A message's replies take their places in the business number's send
// rate together: as many tokens as replies (a rate this slow leases one
// place at a time), and none for a message that gets no reply.
func TestInlineRepliesReserveTheirPlacesInTheRate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	f.process.deps.SendLimit = store.Limit{Rate: 0.001, Burst: 100}
	f.send.deps.SendLimit = f.process.deps.SendLimit
	f.process.lease = f.store.SendLease(f.process.deps.SenderKey, f.process.deps.SendLimit)
	ctx := context.Background()
	conn := storetest.Conn(t, f.dbURL)
	tokens := func() float64 {
		var v float64
		if err := conn.QueryRow(ctx, "SELECT COALESCE((SELECT tokens FROM send_limits WHERE key = $1), 100)", f.process.deps.SenderKey).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	process := func(m whatsapp.Message) int {
		t.Helper()
		m.From, m.Time = "919000000151", time.Now()
		before := len(f.graph.payloads())
		if _, err := f.store.IngestWebhook(ctx, whatsapp.Events{Messages: []whatsapp.Message{m}}); err != nil {
			t.Fatal(err)
		}
		if err := f.process.Work(ctx, job(store.ProcessArgs{WAMessageID: m.ID})); err != nil {
			t.Fatal(err)
		}
		return len(f.graph.payloads()) - before
	}
	sent := process(whatsapp.Message{ID: "wamid.RATE1", Type: "text", Text: "hi"})
	if got, want := tokens(), 100-float64(sent); sent == 0 || got < want || got > want+0.1 {
		t.Errorf("%v tokens left after %d replies, want %v", got, sent, want)
	}
	before := tokens()
	if sent := process(whatsapp.Message{ID: "wamid.RATE2", Type: "reaction", ReplyTo: "wamid.OUT1"}); sent != 0 {
		t.Fatalf("a reaction got %d replies, want none", sent)
	}
	if got := tokens(); got < before || got > before+0.1 {
		t.Errorf("a message with no reply took %v tokens", before-got)
	}
}

// One citizen sending far faster than anyone reads gets answers up to the
// burst, then one "please wait", then nothing until the bucket refills;
// every message is stored and processed all the same.
func TestCitizenThrottle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	// The default bucket, but refilling too slowly to matter however slow
	// the machine is.
	f.process.deps.CitizenLimit = store.Limit{Rate: 1e-6, Burst: DefaultCitizenLimit.Burst}
	ctx := context.Background()
	answered, waits := 0, 0
	for i := range 15 {
		sent, err := f.deliver(whatsapp.Message{ID: fmt.Sprintf("wamid.FLOOD%02d", i), From: "919000000106", Type: "text", Text: "income certificate"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range answers(t, sent) {
			if strings.Contains(p, "coming in very fast") {
				waits++
			} else {
				answered++
			}
		}
		if _, processed, _ := f.store.Inbound(ctx, fmt.Sprintf("wamid.FLOOD%02d", i)); !processed {
			t.Errorf("message %d not processed", i)
		}
	}
	if answered != int(DefaultCitizenLimit.Burst) || waits != 1 {
		t.Errorf("answered %d, asked to wait %d times; want %v and 1", answered, waits, DefaultCitizenLimit.Burst)
	}
	// Another citizen is not slowed down by the first.
	if sent, _ := f.deliver(whatsapp.Message{ID: "wamid.CALM", From: "919000000107", Type: "text", Text: "income certificate"}); len(answers(t, sent)) != 1 {
		t.Errorf("a calm citizen got %d replies", len(sent))
	}
}

// A send job's last attempt that fails leaves no reply pending: the
// outbox sweep must not start them again, hours later and out of turn.
func TestSendJobGivesUpOnItsLastAttempt(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	conn := storetest.Conn(t, f.dbURL)
	m := whatsapp.Message{ID: "wamid.GIVEUP", From: "919000000119", Type: "text", Text: "hi", Time: time.Now()}
	if _, err := f.store.IngestWebhook(ctx, whatsapp.Events{Messages: []whatsapp.Message{m}}); err != nil {
		t.Fatal(err)
	}
	f.graph.mu.Lock()
	f.graph.failNext = 100
	f.graph.mu.Unlock()
	if err := f.process.Work(ctx, job(store.ProcessArgs{WAMessageID: m.ID})); err != nil {
		t.Fatal(err)
	}
	last := job(store.SendArgs{InboundID: m.ID})
	last.Attempt = last.MaxAttempts
	if err := f.send.Work(ctx, last); err == nil {
		t.Fatal("the send job succeeded although every send failed")
	}
	if n := storetest.Int(t, conn, "SELECT count(*) FROM outbox WHERE inbound_id = 'wamid.GIVEUP' AND status <> 'failed'"); n != 0 {
		t.Errorf("%d replies left unsent but not failed after the last attempt", n)
	}
}
