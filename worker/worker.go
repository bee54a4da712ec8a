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
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

// Sender sends one message and marks messages read; *whatsapp.Client is one.
type Sender interface {
	Send(ctx context.Context, m whatsapp.Outbound) (string, error)
	MarkRead(ctx context.Context, messageID string, typing bool) error
}

// Deps are what the workers need.
type Deps struct {
	Store *store.Store
	// Bot is the conversation, built once with its collaborators.
	Bot *dialog.Bot
	// Catalog names services in captions and voice prompts.
	Catalog *catalog.Catalog
	Sender  Sender
	// Templates submits and lists message templates at Meta; nil (no
	// business account configured) leaves the registry as it is.
	Templates TemplateManager
	Log       *slog.Logger
	// SenderKey names the business number whose send rate SendLimit
	// bounds, across every process.
	SenderKey string
	SendLimit store.Limit
	// CitizenLimit bounds how fast one citizen is answered; above it
	// messages are stored, not answered, and one SlowDown reply goes out
	// per NoticeWindow.
	CitizenLimit store.Limit
	NoticeWindow time.Duration
	// Metrics is notified of send results; may be nil.
	Metrics Metrics
	// Voice handles voice notes; nil answers them with a request to type.
	Voice *Voice
	// Media uploads documents (certificates) and fetches the photos and
	// documents citizens send; *whatsapp.Client is one.
	Media MediaClient
	// DraftRemindAfter is how long a draft waits before its citizen is
	// reminded (default 2 hours), and DraftTTL before it is deleted
	// (default 23 hours: still inside WhatsApp's 24-hour window, so the
	// notice can be a plain message).
	DraftRemindAfter, DraftTTL time.Duration
	// HandoverWait is how long a request for a person waits for one
	// (default 15 minutes) and HandoverIdle how long a held conversation
	// may go quiet (default an hour) before the bot takes it back, with an
	// apology.
	HandoverWait, HandoverIdle time.Duration
	// HookClient posts to departments' systems (default: a 10 s timeout).
	HookClient *http.Client
	// Retention is how long each kind of data is kept (default
	// store.DefaultRetention when all are zero), cleared RetentionBatch
	// rows a statement (default 5,000).
	Retention      store.Retention
	RetentionBatch int
	// Now is the clock of the retention sweep (default time.Now).
	Now func() time.Time
	// Campaigns paces alerts to many citizens.
	Campaigns CampaignConfig
}

// Metrics receives the figures operators watch.
type Metrics interface {
	SendResult(code string)
}

// New builds the workers and registers them with River, for
// store.StartWork, with the processing of plain messages that the store
// runs without a job (WorkConfig.Local).
func New(d Deps) (*river.Workers, store.Processor) {
	d = withDefaults(d)
	rw := river.NewWorkers()
	send := &SendWorker{deps: d, outbox: d.Store}
	process := newProcessWorker(d, send)
	river.AddWorker(rw, process)
	river.AddWorker(rw, send)
	river.AddWorker(rw, &DeliverWorker{deps: d})
	river.AddWorker(rw, &NotifyWorker{deps: d})
	river.AddWorker(rw, &HookWorker{deps: d})
	river.AddWorker(rw, &SweepWorker{deps: d})
	river.AddWorker(rw, &RecoverySweepWorker{deps: d})
	river.AddWorker(rw, &TemplateSyncWorker{deps: d})
	river.AddWorker(rw, &ExportWorker{deps: d})
	river.AddWorker(rw, &RetentionWorker{deps: d})
	river.AddWorker(rw, &CampaignWorker{deps: d})
	return rw, process.Process
}

func withDefaults(d Deps) Deps {
	if d.SendLimit.Rate <= 0 {
		d.SendLimit = store.Limit{Rate: 80, Burst: 80}
	}
	if d.CitizenLimit.Rate <= 0 {
		d.CitizenLimit = DefaultCitizenLimit
	}
	if d.NoticeWindow <= 0 {
		d.NoticeWindow = time.Minute
	}
	if d.DraftRemindAfter <= 0 {
		d.DraftRemindAfter = 2 * time.Hour
	}
	if d.DraftTTL <= 0 {
		d.DraftTTL = 23 * time.Hour
	}
	if d.HandoverWait <= 0 {
		d.HandoverWait = 15 * time.Minute
	}
	d.Campaigns = d.Campaigns.withDefaults(d.SendLimit.Rate)
	if d.Retention == (store.Retention{}) {
		d.Retention = store.DefaultRetention
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.HandoverIdle <= 0 {
		d.HandoverIdle = time.Hour
	}
	if d.Voice != nil {
		d.Voice.prompts = map[catalog.Lang]string{}
		for _, l := range append([]catalog.Lang{""}, catalog.Langs...) {
			d.Voice.prompts[l] = vocabularyPrompt(d.Catalog, l)
		}
	}
	return d
}

// DefaultCitizenLimit answers a citizen up to 20 messages a minute, with
// bursts of 10: far above anyone reading the replies, far below a script.
var DefaultCitizenLimit = store.Limit{Rate: 20.0 / 60, Burst: 10}

// ProcessWorker answers an inbound message.
type ProcessWorker struct {
	river.WorkerDefaults[store.ProcessArgs]
	deps  Deps
	send  *SendWorker      // sends the replies once they are stored
	lease *store.SendLease // their places in the business number's send rate
}

func newProcessWorker(d Deps, send *SendWorker) *ProcessWorker {
	return &ProcessWorker{deps: d, send: send, lease: d.Store.SendLease(d.SenderKey, d.SendLimit)}
}

// Work runs the dialog on one stored message. In one transaction it locks
// the message and the citizen's conversation, takes the dialog's step,
// writes the rendered replies to the outbox with the new state, claimed
// for this process to send, and marks the message processed; a crash
// before the commit leaves nothing behind, and the retried job starts
// afresh. After the commit it sends the replies itself (sendInline).
func (w *ProcessWorker) Work(ctx context.Context, job *river.Job[store.ProcessArgs]) error {
	return w.process(ctx, job.Args, job.Attempt >= job.MaxAttempts)
}

// Process answers one message, as Work does for its first try; the
// store's lane calls it for the plain messages it runs without a job.
func (w *ProcessWorker) Process(ctx context.Context, args store.ProcessArgs) error {
	return w.process(ctx, args, false)
}

// process answers one message; on its last try, a voice note that cannot
// be heard or a file that cannot be fetched is answered with an apology
// rather than retried.
func (w *ProcessWorker) process(ctx context.Context, args store.ProcessArgs, lastTry bool) error {
	id := args.WAMessageID
	start := time.Now()
	var in dialog.Inbound
	var file []byte
	var err error
	from, silent := args.From, args.Silent
	if !args.Plain || from == "" {
		if in, file, from, err = w.prepare(ctx, id, lastTry); err != nil || in.MessageID == "" {
			return err
		}
		silent = dialog.Silent(in)
	}
	speak := w.deps.Voice != nil && w.deps.Voice.Synthesizer != nil
	var answered store.Answered
	err = w.deps.Store.InTx(ctx, func(tx store.Tx) error {
		locked, err := tx.Lock(ctx, id, from, !silent, w.deps.CitizenLimit, w.deps.NoticeWindow)
		if errors.Is(err, store.ErrNotFound) {
			w.deps.Log.Warn("inbound message not found", "wa_message_id", id)
			return nil
		}
		if err != nil || locked.Processed {
			return err
		}
		msg, st, allowed, notify := locked.Message, locked.State, locked.Allowed, locked.Notify
		if in.MessageID == "" {
			in = whatsapp.ToInbound(msg)
		}
		next, out := st, []dialog.Reply(nil)
		isHeld := locked.Handover != 0
		switch {
		case isHeld && !dialog.IsMenuCommand(in) && !dialog.IsRightsCommand(in):
			// A person holds the conversation: the message waits for
			// them in the console, and the bot says nothing.
		case !allowed && notify:
			out = w.deps.Bot.SlowDown(st)
		case allowed:
			// A data right (STOP, "delete my data") is answered while a
			// person holds the conversation, and leaves it with them
			// (erasure closes it); "menu" hands it back to the bot.
			isHeld = isHeld && !dialog.IsRightsCommand(in)
			if isHeld {
				// "menu" hands the conversation back to the bot.
				if err := tx.CloseHandover(ctx, locked.Handover, "citizen"); err != nil {
					return err
				}
			}
			if next, out, err = w.deps.Bot.Step(ctx, msg.From, st, in); err != nil {
				return err
			}
			if isHeld {
				out = append([]dialog.Reply{{Text: dialog.HandoverNotice(next.Lang, dialog.HandoverBack, ""), Lang: next.Lang}}, out...)
			}
		}
		out, extra, err := w.effects(ctx, tx, msg, file, &next, out)
		if err != nil {
			return err
		}
		items, err := whatsapp.Render(msg.From, out, speak)
		if err != nil {
			return fmt.Errorf("render replies: %w", err)
		}
		items = append(extra, items...)
		ef := next.Effects
		lasting := ef.Submit != nil || ef.Consent != nil || ef.KeepFile || ef.Info != nil || ef.Rate != nil || ef.Reopen != "" || ef.StartFlow != "" || ef.Rights != nil || ef.Subscribe != nil
		answered, err = tx.Answer(ctx, id, msg.From, items, next, lasting, locked.Awaiting)
		return err
	})
	if err != nil {
		return fmt.Errorf("process %s: %w", id, err)
	}
	// Blue ticks and a typing indicator while the reply goes out; a
	// failure here costs nothing but the ticks. A message left without a
	// reply (a reaction) gets no typing indicator.
	replies := len(answered.Outbox)
	if replies > 0 {
		if err := w.deps.Sender.MarkRead(ctx, id, true); err != nil {
			w.deps.Log.Debug("mark read failed", "wa_message_id", id, "error", err)
		}
		w.sendInline(ctx, id, answered)
	}
	w.deps.Log.Info("inbound processed", "wa_message_id", id, "replies", replies, "duration", time.Since(start))
	return nil
}

// inlineSendWindow is how long after its commit a message's replies are
// sent by the job that made them. Sending them here, rather than through
// a job of their own, saves a job's fetch, bookkeeping and wait, and a
// claim, for each message; the outbox sweep (store.SendFallback, far
// enough beyond this window that the two never overlap) queues a send job
// for whatever is left if this process dies first.
const inlineSendWindow = 15 * time.Second

// sendInline sends an answer's replies in order, at places in the send
// rate reserved for them together. When a send must be retried, or the
// rate would hold a reply past the window, the message's send job is
// queued at once and takes over from the first reply not sent.
func (w *ProcessWorker) sendInline(ctx context.Context, inboundID string, a store.Answered) {
	if err := w.sendInOrder(ctx, a); err == nil {
		return
	}
	if err := w.deps.Store.SendLater(context.WithoutCancel(ctx), inboundID); err != nil {
		// The outbox sweep still queues it.
		w.deps.Log.Warn("send job not queued", "wa_message_id", inboundID, "error", err)
	}
}

// sendInOrder sends the replies one after another, each at its place,
// until one fails; the send job then reserves places of its own. The
// places are taken after the commit, from this process's lease: a
// citizen's messages in one lane are answered one at a time, sends
// included, but two of their messages answered in two processes may take
// places in either order, as their sends, both starting after their own
// commits, always could. Taking them in the transaction, under the
// conversation's lock, would hold that lock (and every other answer
// waiting on the lease) through each refill's round trip; it measured no
// better, on a machine too noisy to say more.
func (w *ProcessWorker) sendInOrder(ctx context.Context, a store.Answered) error {
	n := len(a.Outbox)
	last, err := w.lease.Reserve(ctx, n)
	if err != nil {
		return err
	}
	reserved := time.Now()
	deadline := reserved.Add(inlineSendWindow)
	if d, ok := ctx.Deadline(); ok {
		// Within the job's own timeout too, with room for the last send.
		if limit := d.Add(-recordWindow / 2); limit.Before(deadline) {
			deadline = limit
		}
	}
	waits := w.deps.SendLimit.Spread(last, n)
	for i, row := range a.Outbox {
		if err = w.send.deliver(ctx, row, reserved.Add(waits[i]), deadline); err != nil {
			// The places of the replies not sent go back to the rate:
			// the send job reserves its own.
			unsent := n - i - 1
			if errors.Is(err, errPastDeadline) {
				unsent++
			}
			if unsent > 0 {
				if _, rerr := w.deps.Store.ReserveSends(context.WithoutCancel(ctx), w.deps.SenderKey, w.deps.SendLimit, -unsent); rerr != nil {
					w.deps.Log.Debug("send rate not refunded", "error", rerr)
				}
			}
			return err
		}
	}
	return nil
}

// prepare reads a message that carries something to fetch first, outside
// any transaction: a voice note is heard and a photo downloaded before
// row locks are taken, since either takes seconds. A message already
// processed (or gone) comes back without its id: nothing to do.
func (w *ProcessWorker) prepare(ctx context.Context, id string, lastTry bool) (in dialog.Inbound, file []byte, from string, err error) {
	peeked, processed, err := w.deps.Store.Inbound(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		w.deps.Log.Warn("inbound message not found", "wa_message_id", id)
		return dialog.Inbound{}, nil, "", nil
	}
	if err != nil || processed {
		return dialog.Inbound{}, nil, "", err
	}
	in = whatsapp.ToInbound(peeked)
	switch {
	case peeked.Type == "audio":
		if in, err = w.hear(ctx, lastTry, peeked); err != nil {
			return dialog.Inbound{}, nil, "", fmt.Errorf("hear %s: %w", id, err)
		}
		in.SentAt, in.MessageID = peeked.Time, peeked.ID
	case peeked.Type == "image" || peeked.Type == "document":
		// Fetched before the transaction, like a voice note; kept only
		// if the conversation takes it (a form's question).
		if in.File, file, err = w.fetchFile(ctx, lastTry, peeked); err != nil {
			return dialog.Inbound{}, nil, "", fmt.Errorf("fetch %s: %w", id, err)
		}
	case peeked.FlowResponse != "":
		if in.Flow, err = w.flowDone(ctx, peeked); err != nil {
			return dialog.Inbound{}, nil, "", fmt.Errorf("flow %s: %w", id, err)
		}
	}
	in.MessageID = peeked.ID
	return in, file, peeked.From, nil
}

// NextRetry retries processing after 1, 2, 4... seconds, up to a minute:
// a citizen is waiting, and the usual cause (a speech backend's hiccup)
// clears fast.
func (w *ProcessWorker) NextRetry(job *river.Job[store.ProcessArgs]) time.Time {
	return time.Now().Add(min(time.Second<<min(job.Attempt-1, 6), time.Minute))
}

// SendWorker sends the outbox rows of one inbound message, in order.
type SendWorker struct {
	river.WorkerDefaults[store.SendArgs]
	deps   Deps
	outbox outbox
}

// outbox is the part of the store that sending uses; *store.Store is one.
type outbox interface {
	OutboxIDs(ctx context.Context, inboundID string) ([]int64, error)
	ClaimToSend(ctx context.Context, id int64, key string, l store.Limit) (store.OutboxRow, time.Duration, error)
	OutboxSent(ctx context.Context, id int64, waMessageID string) error
	OutboxError(ctx context.Context, id int64, code int, msg string, permanent bool) error
	OutboxGiveUp(ctx context.Context, inboundID, reason string) error
}

// Work sends each row not sent yet. A retryable failure stops the job (and
// the rows after it, to keep the order); River retries it, and rows sent
// already are skipped: sending is idempotent per row.
func (w *SendWorker) Work(ctx context.Context, job *river.Job[store.SendArgs]) error {
	ids, err := w.outbox.OutboxIDs(ctx, job.Args.InboundID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.sendRow(ctx, id); err != nil {
			if job.Attempt >= job.MaxAttempts {
				// River discards the job now: the replies left fail, so
				// that the outbox sweep does not start them again hours
				// later, out of turn.
				if gerr := w.outbox.OutboxGiveUp(context.WithoutCancel(ctx), job.Args.InboundID, "gave up: "+err.Error()); gerr != nil {
					return errors.Join(err, gerr)
				}
			}
			return err
		}
	}
	return nil
}

// RecoverySweepWorker finds the work a process that died left behind:
// messages it had stored but not answered get their process job, and
// replies it had written but not sent their send job.
type RecoverySweepWorker struct {
	river.WorkerDefaults[store.RecoverySweepArgs]
	deps Deps
}

func (w *RecoverySweepWorker) Work(ctx context.Context, job *river.Job[store.RecoverySweepArgs]) error {
	in, ierr := w.deps.Store.SweepInbound(ctx)
	if in > 0 {
		w.deps.Log.Info("unanswered messages queued", "messages", in)
	}
	out, oerr := w.deps.Store.SweepOutbox(ctx)
	if out > 0 {
		w.deps.Log.Info("unsent replies queued", "messages", out)
	}
	return errors.Join(ierr, oerr)
}

// errPastDeadline stops an inline send that the rate would hold too long.
var errPastDeadline = errors.New("the send rate holds this reply past the inline window")

// sendRow claims one outbox row, with its place in the send rate, and
// sends it (deliver).
func (w *SendWorker) sendRow(ctx context.Context, id int64) error {
	reserved := time.Now()
	row, wait, err := w.outbox.ClaimToSend(ctx, id, w.deps.SenderKey, w.deps.SendLimit)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if row.Status != "sending" {
		return nil // sent or failed already
	}
	return w.deliver(ctx, row, reserved.Add(wait), time.Time{})
}

// deliver sends a claimed row once its place in the send rate (due)
// comes, and records the result. A row due after deadline (if one is
// given) is left to the send job.
func (w *SendWorker) deliver(ctx context.Context, row store.OutboxRow, due, deadline time.Time) error {
	var msg whatsapp.Outbound
	if row.Item.Speech != nil {
		spoken, err := w.speak(ctx, row.To, *row.Item.Speech)
		if err != nil {
			if retryable(err) {
				w.deps.Log.Warn("voice reply upload failed, will retry", "outbox_id", row.ID)
				return err
			}
			// The text reply went out already; a missing voice note is
			// not worth a stuck job.
			w.deps.Log.Warn("voice reply not made", "outbox_id", row.ID, "error", err)
			return w.outbox.OutboxError(ctx, row.ID, 0, err.Error(), true)
		}
		msg = spoken
	} else {
		msg = *row.Item.Message
	}
	// A spoken reply's synthesis may have used part of the wait already.
	if !deadline.IsZero() && due.After(deadline) {
		return errPastDeadline
	}
	if err := sleep(ctx, time.Until(due)); err != nil {
		return err
	}
	wamid, err := w.deps.send(ctx, msg)
	if err == nil {
		w.record("ok")
		return w.recordSent(ctx, row.ID, wamid)
	}
	var se *whatsapp.SendError
	code, retry := 0, true
	if errors.As(err, &se) {
		code, retry = se.Code, se.Retryable()
	}
	if errors.Is(err, ErrTemplateNotApproved) || errors.Is(err, ErrOptedOut) {
		retry = false
	}
	w.record(fmt.Sprint(code))
	if rerr := w.outbox.OutboxError(ctx, row.ID, code, err.Error(), !retry); rerr != nil {
		return rerr
	}
	if !retry {
		w.deps.Log.Warn("send failed for good", "outbox_id", row.ID, "code", code)
		return nil
	}
	w.deps.Log.Warn("send failed, will retry", "outbox_id", row.ID, "code", code, "attempt", row.Attempts)
	return err
}

// recordWindow bounds how long a send that reached the Graph API keeps
// trying to be recorded; it stays under the job timeout, so that the job
// is never rescued (and the message sent again) while it still tries.
const recordWindow = 20 * time.Second

// recordSent records a send that the Graph API accepted. If the database
// is away (a restart), it retries the bookkeeping, not the send: sending
// again would give the citizen the message twice. Only if the database
// stays away for the whole window is the job retried, and the message may
// then go out twice: the one window of at-least-once delivery left, with a
// process crash between the Graph API's answer and this record.
func (w *SendWorker) recordSent(ctx context.Context, id int64, wamid string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordWindow)
	defer cancel()
	wait := 100 * time.Millisecond
	for {
		err := w.outbox.OutboxSent(ctx, id, wamid)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			w.deps.Log.Error("sent but not recorded", "outbox_id", id, "error", err)
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

func (w *SendWorker) record(code string) {
	if w.deps.Metrics != nil {
		w.deps.Metrics.SendResult(code)
	}
}

// NextRetry backs off exponentially from half a second, with jitter, up to
// five minutes: throttling clears in seconds, and a citizen is waiting.
func (w *SendWorker) NextRetry(job *river.Job[store.SendArgs]) time.Time {
	d := 500 * time.Millisecond << min(job.Attempt, 10)
	d = min(d, 5*time.Minute)
	return time.Now().Add(d/2 + time.Duration(rand.Int64N(int64(d/2)+1)))
}
