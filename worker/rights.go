package worker

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

// ErrOptedOut is a proactive message (a template) refused before it
// reached Meta: the citizen sent STOP. It is final, never retried.
var ErrOptedOut = errors.New("worker: the citizen has stopped proactive messages")

// rights does in the processing transaction what a citizen's use of a
// data right asks (the opt-out flag, the erasure, the queued summary) and
// records an opt-in to alerts.
func rights(ctx context.Context, tx store.Tx, waID string, st *dialog.State) error {
	if sub := st.Effects.Subscribe; sub != nil {
		if err := tx.Subscribe(ctx, store.Subscription{WAID: waID, Topic: sub.Topic, District: sub.District, Lang: string(st.Lang),
			Channel: store.ChannelWhatsApp}); err != nil {
			return err
		}
	}
	r := st.Effects.Rights
	switch {
	case r == nil:
		return nil
	case r.OptOut != nil:
		return tx.SetOptOut(ctx, waID, *r.OptOut, "chat")
	case r.Erase:
		return tx.EraseCitizen(ctx, waID)
	case r.Export:
		return tx.RequestExport(ctx, waID, string(st.Lang))
	}
	return nil
}

// ExportWorker sends a citizen the summary of what is held of them.
type ExportWorker struct {
	river.WorkerDefaults[store.ExportArgs]
	deps Deps
}

// Work reads what is held, writes it in the citizen's language as a
// plain-text document (readable on any phone, by a screen reader too),
// sends it and marks the request done. The citizen asked a moment ago, so
// the 24-hour window is open.
func (w *ExportWorker) Work(ctx context.Context, job *river.Job[store.ExportArgs]) error {
	if w.deps.Media == nil {
		return errors.New("worker: no media client to upload the summary")
	}
	held, err := w.deps.Store.CitizenData(ctx, job.Args.WAID)
	if err != nil {
		return err
	}
	lang, _ := catalog.ParseLang(job.Args.Lang)
	text := w.deps.Bot.HeldSummary(lang, held)
	name := fmt.Sprintf("mitra-data-%d.txt", job.Args.RequestID)
	id, err := w.deps.Media.UploadMedia(ctx, []byte(text), "text/plain", name)
	if err != nil {
		return err
	}
	doc, err := whatsapp.DocumentMessage(job.Args.WAID, id, name, dialog.ExportCaption(lang))
	if err != nil {
		return err
	}
	if err := w.deps.pace(ctx); err != nil {
		return err
	}
	if _, err := w.deps.send(ctx, doc); err != nil {
		return err
	}
	return w.deps.Store.ExportDone(ctx, job.Args.RequestID)
}
