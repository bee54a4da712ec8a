package worker

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
	"github.com/mitra-gov/mitra/whatsapp/flows"
)

// What applying in the chat needs beyond answering: files fetched before
// the transaction (like voice notes), the dialog's effects done inside it,
// citizens told of every status change, departments' systems told of new
// records, and the sweep that escalates, closes, reminds and expires.

// MaxFileBytes caps a photo or document a citizen sends with a form:
// WhatsApp's own image limit is 5 MB, and a phone photo is well under it.
const MaxFileBytes = 5 << 20

// fileTypes are what a form takes, by the type sniffed from the bytes:
// the MIME type a client declares is not trusted.
var fileTypes = map[string]string{"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}

// fetchFile downloads a photo or document and checks its size and type.
// A transient failure retries the job until its last attempt, which tells
// the citizen to send it again.
func (w *ProcessWorker) fetchFile(ctx context.Context, lastTry bool, msg whatsapp.Message) (*dialog.File, []byte, error) {
	m := w.deps.Media
	if m == nil || msg.Media == nil || msg.Media.ID == "" {
		return &dialog.File{Problem: dialog.ProblemMediaFailed}, nil, nil
	}
	failed := func(err error) (*dialog.File, []byte, error) {
		if retryable(err) && !lastTry {
			return nil, nil, err
		}
		return &dialog.File{Problem: dialog.ProblemMediaFailed}, nil, nil
	}
	info, err := m.Media(ctx, msg.Media.ID)
	if err != nil {
		return failed(err)
	}
	if info.Size > MaxFileBytes {
		return &dialog.File{Size: int(info.Size), Problem: dialog.ProblemMediaTooBig}, nil, nil
	}
	data, err := m.Download(ctx, info.URL, MaxFileBytes)
	if errors.Is(err, whatsapp.ErrMediaTooLarge) {
		return &dialog.File{Problem: dialog.ProblemMediaTooBig}, nil, nil
	}
	if err != nil {
		return failed(err)
	}
	mime := http.DetectContentType(data)
	if _, ok := fileTypes[mime]; !ok {
		return &dialog.File{MIME: mime, Size: len(data), Problem: dialog.ProblemMediaType}, nil, nil
	}
	return &dialog.File{MIME: mime, Size: len(data)}, data, nil
}

// flowDone reads a completed Flow's answers and the service its token was
// issued for; a token never issued, or issued to another citizen, leaves
// the service empty and the dialog refuses it.
func (w *ProcessWorker) flowDone(ctx context.Context, msg whatsapp.Message) (*dialog.FlowDone, error) {
	token, answers, err := flows.ParseCompletion(msg.FlowResponse)
	if err != nil {
		return &dialog.FlowDone{}, nil
	}
	ft, err := w.deps.Store.LookupFlowToken(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return &dialog.FlowDone{Token: token}, nil
	}
	if err != nil {
		return nil, err
	}
	done := &dialog.FlowDone{Token: token, Answers: answers}
	// Only a Flow the endpoint completed (consent given, every screen
	// checked, the record stored under the token) is confirmed; a
	// completion message alone creates nothing.
	if ft.Citizen == msg.From && ft.Used {
		done.Service = ft.Service
		// What the endpoint collected screen by screen stands; the
		// completion adds nothing the screens did not check.
		for k, v := range ft.Answers {
			done.Answers[k] = v
		}
	}
	return done, nil
}

// effects does in the transaction what the dialog's step asked for, and
// returns the replies with a submission's confirmation appended.
func (w *ProcessWorker) effects(ctx context.Context, tx store.Tx, msg whatsapp.Message, file []byte, st *dialog.State, out []dialog.Reply) ([]dialog.Reply, []whatsapp.Outgoing, error) {
	ef := st.Effects
	if ef.KeepFile && file != nil {
		mime := http.DetectContentType(file)
		if err := tx.AddAttachment(ctx, msg.From, msg.ID, mime, msg.ID+"."+fileTypes[mime], file); err != nil {
			return nil, nil, err
		}
	}
	if ef.Consent != nil {
		if _, err := tx.RecordConsent(ctx, msg.From, *ef.Consent); err != nil {
			return nil, nil, err
		}
	}
	if err := rights(ctx, tx, msg.From, st); err != nil {
		return nil, nil, err
	}
	if ef.Handover != nil {
		if err := tx.OpenHandover(ctx, msg.From, ef.Handover.Department, string(st.Lang)); err != nil {
			return nil, nil, err
		}
	}
	if ef.Submit != nil {
		rec, err := w.submit(ctx, tx, msg.From, *ef.Submit)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, w.deps.Bot.Submitted(st, rec)...)
	}
	if info := ef.Info; info != nil {
		note := info.Text
		if info.File {
			if err := tx.AttachTo(ctx, info.Ref, msg.ID, "information"); err != nil {
				return nil, nil, err
			}
			note = strings.TrimSpace(note + " [photo or document attached]")
		}
		if _, err := tx.Move(ctx, store.Change{Ref: info.Ref, To: application.Accepted, By: application.ByCitizen, Citizen: msg.From, Note: note}); err != nil && !ignorable(err) {
			return nil, nil, err
		}
	}
	if r := ef.Rate; r != nil {
		switch err := tx.Rate(ctx, msg.From, r.Ref, r.Stars); {
		case ignorable(err):
			out = w.deps.Bot.RecordMoved(st)
		case err != nil:
			return nil, nil, err
		}
	}
	if ef.Reopen != "" {
		_, err := tx.Move(ctx, store.Change{Ref: ef.Reopen, To: application.Reopened, By: application.ByCitizen, Citizen: msg.From})
		switch {
		case ignorable(err):
			out = w.deps.Bot.RecordMoved(st)
		case err != nil:
			return nil, nil, err
		}
	}
	var extra []whatsapp.Outgoing
	if ef.StartFlow != "" {
		m, err := w.openFlow(ctx, tx, msg.From, ef.StartFlow, st.Lang)
		if err != nil {
			return nil, nil, err
		}
		extra = append(extra, whatsapp.Outgoing{Message: &m})
	}
	return out, extra, nil
}

// ignorable are a citizen's moves that the record no longer allows (a
// department moved first, a window passed, not theirs): answered in the
// chat, not retried.
func ignorable(err error) bool {
	return errors.Is(err, application.ErrTransition) || errors.Is(err, store.ErrNotFound)
}

// submit stores a confirmed form under a fresh reference number.
func (w *ProcessWorker) submit(ctx context.Context, tx store.Tx, waID string, sub application.Submission) (application.Record, error) {
	s, ok := w.deps.Catalog.Service(sub.Service)
	if !ok {
		return application.Record{}, fmt.Errorf("submit: unknown service %q", sub.Service)
	}
	rec, _, err := tx.SubmitFor(ctx, s, waID, sub)
	return rec, err
}

// FlowName names the published Flow of a form in a language: one Flow per
// form and language, written by `mitra flows build` and published under
// this name.
func FlowName(formID string, lang catalog.Lang) string {
	return "mitra_" + strings.ReplaceAll(formID, "-", "_") + "_" + string(lang)
}

// openFlow issues a token for the citizen's draft and builds the message
// that opens the service's Flow.
func (w *ProcessWorker) openFlow(ctx context.Context, tx store.Tx, waID, service string, lang catalog.Lang) (whatsapp.Outbound, error) {
	form, _, ok := w.deps.Catalog.FormFor(service)
	if !ok {
		return whatsapp.Outbound{}, fmt.Errorf("open flow: %q has no form", service)
	}
	raw := make([]byte, 18)
	rand.Read(raw)
	token := "ft_" + base64.RawURLEncoding.EncodeToString(raw)
	if err := tx.NewFlowToken(ctx, token, waID, service, string(lang)); err != nil {
		return whatsapp.Outbound{}, err
	}
	body, cta := dialog.FlowIntro(w.deps.Catalog, service, lang)
	return whatsapp.FlowMessage(waID, FlowName(form.ID, lang), token, body, cta)
}

// TemplateApplicationUpdate is the pre-approved utility template that
// tells a citizen of a status change outside the 24-hour window; its
// parameters are the service's name, the reference number and the new
// status, in the citizen's language.
const TemplateApplicationUpdate = "application_update"

// NotifyWorker tells a citizen of a status change of their record.
type NotifyWorker struct {
	river.WorkerDefaults[store.NotifyArgs]
	deps Deps
}

// Work sends the change as a message in the citizen's language (with the
// rating buttons for a resolved grievance); outside the 24-hour window it
// sends the application_update template instead.
func (w *NotifyWorker) Work(ctx context.Context, job *river.Job[store.NotifyArgs]) error {
	n, err := w.deps.Store.Notice(ctx, job.Args.EventID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || n.Notified {
		return err
	}
	r := n.Record
	// A citizen who sent STOP gets no notice, in the window or out of it;
	// "my applications" still shows the change when they ask.
	switch out, err := w.deps.Store.OptedOut(ctx, r.Citizen); {
	case err != nil:
		return err
	case out:
		return w.deps.Store.MarkNotified(ctx, n.Event.ID)
	}
	var replies []dialog.Reply
	inWindow := false
	err = w.deps.Store.InTx(ctx, func(tx store.Tx) error {
		st, err := tx.LockConversation(ctx, r.Citizen)
		if err != nil {
			return err
		}
		// The window is judged from the citizen's last message answered,
		// not only from Meta's refusal, which may come later as a failed
		// status: outside it, the template goes at once.
		inWindow = !st.Updated.IsZero() && time.Since(st.Updated) < whatsapp.OpenWindow
		if !inWindow {
			return nil
		}
		replies = w.deps.Bot.Notice(&st, r, n.Event)
		return tx.SaveConversation(ctx, r.Citizen, st)
	})
	if err != nil {
		return err
	}
	if inWindow {
		var items []whatsapp.Outgoing
		if items, err = whatsapp.Render(r.Citizen, replies, false); err != nil {
			return err
		}
		for _, it := range items {
			if err = w.deps.pace(ctx); err != nil {
				return err
			}
			if _, err = w.deps.send(ctx, *it.Message); err != nil {
				break
			}
		}
	}
	if !inWindow || errors.Is(err, whatsapp.ErrOutsideWindow) {
		lang, _ := catalog.ParseLang(r.Lang)
		t, terr := whatsapp.TemplateMessage(r.Citizen, TemplateApplicationUpdate, catalog.TemplateLang[lang], serviceName(w.deps.Catalog, r.Service, lang),
			r.Ref.String(), dialog.StatusName(lang, n.Event.Status))
		if terr != nil {
			return terr
		}
		if err = w.deps.pace(ctx); err != nil {
			return err
		}
		_, err = w.deps.send(ctx, t)
	}
	if err != nil {
		return err
	}
	return w.deps.Store.MarkNotified(ctx, n.Event.ID)
}

// serviceName is a service's name in a language, or its id when the
// catalogue no longer has it.
func serviceName(cat *catalog.Catalog, id string, lang catalog.Lang) string {
	if s, ok := cat.Service(id); ok {
		return s.Name.In(lang)
	}
	return id
}

// HookWorker pushes a new record to its department's own system.
type HookWorker struct {
	river.WorkerDefaults[store.HookArgs]
	deps Deps
}

// Work POSTs the record as JSON, signed: X-Mitra-Signature is
// "sha256=" and the hex HMAC-SHA256, under the department's secret, of
// the timestamp in X-Mitra-Timestamp, a dot, and the body (the timestamp
// lets the receiver refuse replays). A status outside 2xx is retried with
// River's backoff.
func (w *HookWorker) Work(ctx context.Context, job *river.Job[store.HookArgs]) error {
	r, hook, ok, err := w.deps.Store.HookFor(ctx, job.Args.ApplicationID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !ok) {
		return nil
	}
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"event": job.Args.Event, "record": r})
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("department hook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Mitra-Timestamp", ts)
	req.Header.Set("X-Mitra-Signature", "sha256="+HookSignature(hook.Secret, ts, body))
	resp, err := w.deps.hookClient().Do(req)
	if err != nil {
		return fmt.Errorf("department hook of %s: %w", r.Department, err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("department hook of %s: HTTP %d", r.Department, resp.StatusCode)
	}
	return nil
}

// HookSignature is the signature a department's system checks.
func HookSignature(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// pace waits for a slot in the business number's send rate, shared with
// every other sender in every process: a sweep that escalates hundreds
// of grievances must not meet Meta's throttle.
func (d Deps) pace(ctx context.Context) error {
	wait, err := d.Store.ReserveSend(ctx, d.SenderKey, d.SendLimit)
	if err != nil || wait <= 0 {
		return err
	}
	return sleep(ctx, wait)
}

func (d Deps) hookClient() *http.Client {
	if d.HookClient != nil {
		return d.HookClient
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// SweepWorker runs the periodic sweep.
type SweepWorker struct {
	river.WorkerDefaults[store.SweepArgs]
	deps Deps
}

// Work escalates overdue grievances (their departments see them as
// escalated, and their citizens are told), closes resolved ones whose
// reopening window has passed, reminds citizens of idle drafts and
// deletes drafts idle past DraftTTL.
func (w *SweepWorker) Work(ctx context.Context, job *river.Job[store.SweepArgs]) error {
	escalated, closed, err := w.deps.Store.Sweep(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	remind, err := w.deps.Store.IdleDrafts(ctx, now.Add(-w.deps.DraftRemindAfter), false)
	if err != nil {
		return err
	}
	expire, err := w.deps.Store.IdleDrafts(ctx, now.Add(-w.deps.DraftTTL), true)
	if err != nil {
		return err
	}
	for _, waID := range remind {
		w.draftNotice(ctx, waID, false)
	}
	for _, waID := range expire {
		w.draftNotice(ctx, waID, true)
	}
	if _, err := w.deps.Store.RollUpAnalyses(ctx); err != nil {
		// The dashboard reads the ragged hours from the analyses
		// meanwhile; the next sweep tries again.
		w.deps.Log.Error("roll up analyses", "error", err)
	}
	stale, err := w.deps.Store.StaleHandovers(ctx, w.deps.HandoverWait, w.deps.HandoverIdle)
	if err != nil {
		return err
	}
	for _, h := range stale {
		// Closed first, told after: a lost apology is better than a
		// conversation the bot never takes back.
		lang, _ := catalog.ParseLang(h.Lang)
		items, err := whatsapp.Render(h.Citizen, []dialog.Reply{{Text: dialog.HandoverNotice(lang, dialog.HandoverTimeout, ""), Lang: lang}}, false)
		if err == nil {
			err = w.deps.Store.QueueToCitizen(ctx, fmt.Sprintf("handover:%d:timeout", h.ID), h.Citizen, items)
		}
		if err != nil {
			w.deps.Log.Error("handover timeout notice", "handover", h.ID, "error", err)
		}
	}
	if escalated+closed+len(remind)+len(expire)+len(stale) > 0 {
		w.deps.Log.Info("sweep", "escalated", escalated, "closed", closed, "reminded", len(remind), "expired", len(expire), "handovers_timed_out", len(stale))
	}
	return nil
}

// draftNotice reminds a citizen of an idle draft, or deletes it and tells
// them. The draft is changed first and the message sent after the commit:
// a lost message is better than a reminder sent on every sweep.
func (w *SweepWorker) draftNotice(ctx context.Context, waID string, expire bool) {
	var reply *dialog.Reply
	err := w.deps.Store.InTx(ctx, func(tx store.Tx) error {
		st, err := tx.LockConversation(ctx, waID)
		if err != nil || st.Draft == nil {
			return err
		}
		r := w.deps.Bot.DraftReminder(st)
		st.Draft.Reminded = true
		if expire {
			r = w.deps.Bot.DraftExpired(st)
			st.Draft = nil
		}
		reply = &r
		return tx.SaveConversation(ctx, waID, st)
	})
	if err != nil || reply == nil {
		if err != nil {
			w.deps.Log.Warn("draft sweep", "error", err)
		}
		return
	}
	// A reminder is proactive: none for a citizen who sent STOP (their
	// expired draft is deleted all the same).
	if out, err := w.deps.Store.OptedOut(ctx, waID); out || err != nil {
		if err != nil {
			w.deps.Log.Warn("draft notice: opt-out not read", "error", err)
		}
		return
	}
	msgs, err := whatsapp.TextMessages(waID, reply.Text)
	for i := 0; err == nil && i < len(msgs); i++ {
		if err = w.deps.pace(ctx); err == nil {
			_, err = w.deps.send(ctx, msgs[i])
		}
	}
	if err != nil {
		w.deps.Log.Debug("draft notice not sent", "error", err)
	}
}
