// Package worker does the work the webhook only records: it turns a stored
// inbound message into replies (dialog over the engine) queued in the
// outbox in the same transaction as the new conversation state, and sends
// outbox rows through the Graph API with retries and a per-number rate
// limit. Jobs run on River, a PostgreSQL job queue, so nothing is lost when
// a process or the database restarts.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"golang.org/x/time/rate"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/retrieval"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

// ProcessArgs asks for one inbound message to be answered.
type ProcessArgs struct {
	WAMessageID string `json:"wa_message_id"`
}

func (ProcessArgs) Kind() string { return "process_inbound" }

// InsertOpts puts processing on its own queue, so that a backlog of sends
// never delays reading new messages.
func (ProcessArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueProcess, MaxAttempts: 10}
}

// SendArgs asks for the replies to one inbound message to be sent, in
// order: a welcome text must not overtake the buttons that follow it.
type SendArgs struct {
	InboundID string `json:"inbound_id"`
}

func (SendArgs) Kind() string { return "send_outbox" }

func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSend, MaxAttempts: 12}
}

// Queue names.
const (
	QueueProcess = "process"
	QueueSend    = "send"
)

// Sender sends one message and marks messages read; *whatsapp.Client is one.
type Sender interface {
	Send(ctx context.Context, m whatsapp.Outbound) (string, error)
	MarkRead(ctx context.Context, messageID string, typing bool) error
}

// Enqueuer inserts jobs inside a transaction; *river.Client[pgx.Tx] is one.
type Enqueuer interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Deps are what the workers need.
type Deps struct {
	Store   *store.Store
	Catalog *catalog.Catalog
	Matcher dialog.Matcher
	Sender  Sender
	Log     *slog.Logger
	// Rate is the per-number send rate (messages per second).
	Rate float64
	// Metrics is notified of decisions and send results; may be nil.
	Metrics Metrics
	// Voice handles voice notes; nil answers them with a request to type.
	Voice *Voice
	// Answerer answers questions about a service; nil shows the card.
	Answerer dialog.Answerer
	// Media uploads documents (certificates); *whatsapp.Client is one.
	Media MediaClient
}

// Metrics receives the figures operators watch.
type Metrics interface {
	Decision(d string)
	SendResult(code string)
}

// Workers registers mitra's workers. enqueue is set later, when the River
// client that needs these workers exists.
type Workers struct {
	process *ProcessWorker
	send    *SendWorker
}

// New builds the workers and registers them with River.
func New(d Deps) (*river.Workers, *Workers) {
	if d.Rate <= 0 {
		d.Rate = 80
	}
	if d.Voice != nil {
		d.Voice.prompts = map[catalog.Lang]string{}
		for _, l := range append([]catalog.Lang{""}, catalog.Langs...) {
			d.Voice.prompts[l] = vocabularyPrompt(d.Catalog, l)
		}
	}
	w := &Workers{
		process: &ProcessWorker{deps: d},
		send:    &SendWorker{deps: d, limiter: rate.NewLimiter(rate.Limit(d.Rate), max(1, int(d.Rate)))},
	}
	rw := river.NewWorkers()
	river.AddWorker(rw, w.process)
	river.AddWorker(rw, w.send)
	river.AddWorker(rw, &DeliverWorker{deps: d})
	return rw, w
}

// SetEnqueuer gives the process worker the client to enqueue sends with.
func (w *Workers) SetEnqueuer(e Enqueuer) { w.process.enqueue = e }

// ProcessWorker answers an inbound message.
type ProcessWorker struct {
	river.WorkerDefaults[ProcessArgs]
	deps    Deps
	enqueue Enqueuer
}

func (w *ProcessWorker) Work(ctx context.Context, job *river.Job[ProcessArgs]) error {
	id := job.Args.WAMessageID
	start := time.Now()
	// A voice note is heard before the transaction: downloading and
	// transcribing take seconds, and row locks must not wait on them.
	peeked, processed, err := w.deps.Store.PeekInbound(ctx, id)
	if errors.Is(err, store.ErrNotFound) || processed {
		return nil
	}
	if err != nil {
		return err
	}
	in := toInbound(peeked)
	if peeked.Type == "audio" {
		if in, err = w.hear(ctx, job, peeked); err != nil {
			return fmt.Errorf("hear %s: %w", id, err)
		}
	}
	speak := w.deps.Voice != nil && w.deps.Voice.Synthesizer != nil
	var replies []dialog.Reply
	var to string
	err = w.deps.Store.InTx(ctx, func(tx store.Tx) error {
		msg, processed, err := tx.LoadInbound(ctx, id)
		if err != nil || processed {
			return err
		}
		to = msg.From
		bot := dialog.New(w.deps.Catalog, decisionRecorder{w.deps.Matcher, w.deps.Metrics}, tx.Conversations())
		if w.deps.Answerer != nil {
			bot.SetAnswerer(w.deps.Answerer)
		}
		bot.SetCertificates(certLister{tx})
		replies, err = bot.Handle(ctx, msg.From, in)
		if err != nil {
			return err
		}
		outs, err := Render(msg.From, replies, speak)
		if err != nil {
			return err
		}
		for seq, out := range outs {
			if _, _, err := tx.AddOutbox(ctx, id, seq, msg.From, out); err != nil {
				return err
			}
		}
		if len(outs) > 0 {
			if _, err := w.enqueue.InsertTx(ctx, tx.Pgx(), SendArgs{InboundID: id}, nil); err != nil {
				return fmt.Errorf("enqueue send: %w", err)
			}
		}
		// A message reopens the 24-hour window: certificates held back
		// for it go out now.
		waiting, err := tx.AwaitingReply(ctx, msg.From)
		if err != nil {
			return err
		}
		for _, certID := range waiting {
			if _, err := w.enqueue.InsertTx(ctx, tx.Pgx(), DeliverArgs{CertID: certID}, nil); err != nil {
				return err
			}
		}
		return tx.MarkProcessed(ctx, id)
	})
	if errors.Is(err, store.ErrNotFound) {
		w.deps.Log.Warn("inbound message not found", "wa_message_id", id)
		return nil
	}
	if err != nil {
		return fmt.Errorf("process %s: %w", id, err)
	}
	if to != "" {
		// Blue ticks and a typing indicator while the reply goes out; a
		// failure here costs nothing but the ticks.
		if err := w.deps.Sender.MarkRead(ctx, id, true); err != nil {
			w.deps.Log.Debug("mark read failed", "wa_message_id", id, "error", err)
		}
	}
	w.deps.Log.Info("inbound processed", "wa_message_id", id, "replies", len(replies), "duration", time.Since(start))
	return nil
}

// NextRetry retries processing after 1, 2, 4... seconds, up to a minute:
// a citizen is waiting, and the usual cause (a speech backend's hiccup)
// clears fast.
func (w *ProcessWorker) NextRetry(job *river.Job[ProcessArgs]) time.Time {
	return time.Now().Add(min(time.Second<<min(job.Attempt-1, 6), time.Minute))
}

// decisionRecorder passes matches through and counts the decisions.
type decisionRecorder struct {
	dialog.Matcher
	metrics Metrics
}

func (d decisionRecorder) Match(ctx context.Context, text string, prev catalog.Lang) (res retrieval.Result, err error) {
	res, err = d.Matcher.Match(ctx, text, prev)
	if err == nil && d.metrics != nil {
		d.metrics.Decision(string(res.Decision))
	}
	return res, err
}

// toInbound maps a WhatsApp message to what the dialog understands.
func toInbound(m whatsapp.Message) dialog.Inbound {
	switch m.Type {
	case "text":
		return dialog.Inbound{Text: m.Text}
	case "interactive", "button":
		if m.OptionID != "" {
			return dialog.Inbound{OptionID: m.OptionID, Text: m.Text}
		}
		return dialog.Inbound{Text: m.Text}
	}
	return dialog.Inbound{Media: m.Type}
}

// Render turns dialog replies into WhatsApp messages within the API's
// limits: up to three short options become reply buttons, more become a
// list, and a text too long for an interactive body goes first as plain
// text. With speak, a reply's Speech follows it as a voice note.
func Render(to string, replies []dialog.Reply, speak bool) ([]whatsapp.Outbound, error) {
	var out, spoken []whatsapp.Outbound
	for _, r := range replies {
		if speak && r.Speech != "" {
			m, err := whatsapp.SpokenReply(to, r.Speech, string(r.Lang))
			if err != nil {
				return nil, err
			}
			spoken = append(spoken, m)
		}
		if len(r.Options) == 0 {
			msgs, err := whatsapp.TextMessages(to, r.Text)
			if err != nil {
				return nil, err
			}
			out = append(out, msgs...)
			continue
		}
		body := r.Text
		if len([]rune(body)) > whatsapp.MaxInteractiveBody {
			msgs, err := whatsapp.TextMessages(to, body)
			if err != nil {
				return nil, err
			}
			out = append(out, msgs...)
			body = r.Button
		}
		rows := make([]whatsapp.Row, len(r.Options))
		asButtons := len(r.Options) <= whatsapp.MaxButtons
		for i, o := range r.Options {
			rows[i] = whatsapp.Row{ID: o.ID, Title: o.Title, Description: o.Description}
			if o.Description != "" || len([]rune(o.Title)) > whatsapp.MaxButtonTitle {
				asButtons = false
			}
		}
		var m whatsapp.Outbound
		var err error
		if asButtons {
			m, err = whatsapp.Buttons(to, body, rows)
		} else {
			m, err = whatsapp.List(to, body, r.Button, rows)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	// The voice note comes last: the text is there to read while it plays.
	return append(out, spoken...), nil
}

// SendWorker sends the outbox rows of one inbound message, in order.
type SendWorker struct {
	river.WorkerDefaults[SendArgs]
	deps    Deps
	limiter *rate.Limiter
}

// Work sends each row not sent yet. A retryable failure stops the job (and
// the rows after it, to keep the order); River retries it, and rows sent
// already are skipped: sending is idempotent per row.
func (w *SendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	ids, err := w.deps.Store.OutboxIDs(ctx, job.Args.InboundID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.sendRow(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (w *SendWorker) sendRow(ctx context.Context, id int64) error {
	row, err := w.deps.Store.ClaimOutbox(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if row.Status != "sending" {
		return nil // sent or failed already
	}
	if row.Payload.Speak != nil {
		spoken, err := w.speak(ctx, row.Payload)
		if err != nil {
			if retryable(err) {
				w.deps.Log.Warn("voice reply upload failed, will retry", "outbox_id", row.ID)
				return err
			}
			// The text reply went out already; a missing voice note is
			// not worth a stuck job.
			w.deps.Log.Warn("voice reply not made", "outbox_id", row.ID, "error", err)
			return w.deps.Store.OutboxError(ctx, row.ID, 0, err.Error(), true)
		}
		row.Payload = spoken
	}
	if err := w.limiter.Wait(ctx); err != nil {
		return err
	}
	wamid, err := w.deps.Sender.Send(ctx, row.Payload)
	if err == nil {
		w.record("ok")
		if err := w.deps.Store.OutboxSent(ctx, row.ID, wamid); err != nil {
			// The message went out but is not recorded: a retry may send
			// it again. Delivery is at least once at this one point.
			w.deps.Log.Error("sent but not recorded", "outbox_id", row.ID, "error", err)
			return err
		}
		return nil
	}
	var se *whatsapp.SendError
	code, retry := 0, true
	if errors.As(err, &se) {
		code, retry = se.Code, se.Retryable()
	}
	w.record(fmt.Sprint(code))
	if rerr := w.deps.Store.OutboxError(ctx, row.ID, code, err.Error(), !retry); rerr != nil {
		return rerr
	}
	if !retry {
		w.deps.Log.Warn("send failed for good", "outbox_id", row.ID, "code", code)
		return nil
	}
	w.deps.Log.Warn("send failed, will retry", "outbox_id", row.ID, "code", code, "attempt", row.Attempts)
	return err
}

func (w *SendWorker) record(code string) {
	if w.deps.Metrics != nil {
		w.deps.Metrics.SendResult(code)
	}
}

// NextRetry backs off exponentially from half a second, with jitter, up to
// five minutes: throttling clears in seconds, and a citizen is waiting.
func (w *SendWorker) NextRetry(job *river.Job[SendArgs]) time.Time {
	d := 500 * time.Millisecond << min(job.Attempt, 10)
	d = min(d, 5*time.Minute)
	return time.Now().Add(d/2 + time.Duration(rand.Int64N(int64(d/2)+1)))
}

// certLister lists a citizen's certificates for "my certificates".
type certLister struct{ tx store.Tx }

func (l certLister) CertificatesOf(ctx context.Context, user string) ([]dialog.Issued, error) {
	list, err := l.tx.CertificatesOf(ctx, user)
	if err != nil {
		return nil, err
	}
	out := make([]dialog.Issued, len(list))
	for i, c := range list {
		out[i] = dialog.Issued{ID: c.ID, ServiceID: c.ServiceID, IssuedOn: c.IssuedOn, Revoked: c.RevokedAt != nil}
	}
	return out, nil
}
