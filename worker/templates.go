package worker

import (
	"context"
	"errors"
	"fmt"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
	"github.com/riverqueue/river"
)

// TemplateManager is the Graph API's template management;
// *whatsapp.Client is one.
type TemplateManager interface {
	ListTemplates(ctx context.Context) ([]whatsapp.RemoteTemplate, error)
	CreateTemplate(ctx context.Context, t whatsapp.TemplateSubmission) (whatsapp.RemoteTemplate, error)
	EditTemplate(ctx context.Context, id string, t whatsapp.TemplateSubmission) error
}

// TemplateSync is what one sync did.
type TemplateSync struct {
	Seeded    int            `json:"seeded"`    // template languages in the catalogue
	Submitted int            `json:"submitted"` // drafts sent to Meta for review
	Edited    int            `json:"edited"`    // changed bodies of templates Meta holds, sent for review again
	Failed    map[string]int `json:"failed,omitempty"`
	Statuses  map[string]int `json:"statuses"` // the registry after the sync, by status
}

// SyncTemplates brings the registry in line with the catalogue and Meta:
// it writes the catalogue's templates into the registry, submits each
// draft for review, and takes every template's status and category from
// Meta's listing. A template Meta refuses to take is counted and left as
// a draft; the rest go on.
func SyncTemplates(ctx context.Context, st *store.Store, cat *catalog.Catalog, tm TemplateManager) (TemplateSync, error) {
	var rows []store.Template
	for _, t := range cat.Templates {
		for _, lang := range catalog.Langs {
			rows = append(rows, store.Template{Name: t.Name, Lang: catalog.TemplateLang[lang], Use: string(t.Use), Category: t.Category,
				Body: t.Body.In(lang), Params: len(t.Params)})
		}
	}
	out := TemplateSync{Seeded: len(rows), Statuses: map[string]int{}}
	if err := st.SeedTemplates(ctx, rows); err != nil {
		return out, err
	}
	reg, err := st.Templates(ctx)
	if err != nil {
		return out, err
	}
	for _, r := range reg {
		t, ok := cat.Template(r.Name)
		if r.Status != store.TemplateDraft || !ok {
			continue
		}
		sub := whatsapp.TemplateSubmission{Name: r.Name, Language: r.Lang, Category: r.Category, Body: r.Body}
		for _, p := range t.Params {
			sub.Examples = append(sub.Examples, p.Example)
		}
		lang := catalog.LangOfTemplateCode(r.Lang)
		for _, b := range t.Buttons {
			sub.QuickReplies = append(sub.QuickReplies, b.Text.In(lang))
		}
		var remote whatsapp.RemoteTemplate
		if r.MetaID != "" {
			// Meta holds it under other words: an edit, reviewed
			// again, keeps its id (a second create is refused).
			err = tm.EditTemplate(ctx, r.MetaID, sub)
			remote = whatsapp.RemoteTemplate{ID: r.MetaID, Name: r.Name, Language: r.Lang, Status: "PENDING"}
		} else {
			remote, err = tm.CreateTemplate(ctx, sub)
		}
		if err != nil {
			var se *whatsapp.SendError
			code := "other"
			if errors.As(err, &se) {
				code = fmt.Sprint(se.Code)
			}
			if out.Failed == nil {
				out.Failed = map[string]int{}
			}
			out.Failed[code]++
			continue
		}
		if r.MetaID != "" {
			out.Edited++
		} else {
			out.Submitted++
		}
		if _, err := st.ApplyTemplateState(ctx, remote); err != nil {
			return out, err
		}
	}
	listed, err := tm.ListTemplates(ctx)
	if err != nil {
		return out, err
	}
	for _, remote := range listed {
		if _, err := st.ApplyTemplateState(ctx, remote); err != nil {
			return out, err
		}
	}
	if reg, err = st.Templates(ctx); err != nil {
		return out, err
	}
	for _, r := range reg {
		out.Statuses[r.Status]++
	}
	return out, nil
}

// TemplateSyncWorker runs SyncTemplates periodically; without a template
// manager (no business account configured) it does nothing.
type TemplateSyncWorker struct {
	river.WorkerDefaults[store.TemplateSyncArgs]
	deps Deps
}

func (w *TemplateSyncWorker) Work(ctx context.Context, job *river.Job[store.TemplateSyncArgs]) error {
	if w.deps.Templates == nil {
		return nil
	}
	res, err := SyncTemplates(ctx, w.deps.Store, w.deps.Catalog, w.deps.Templates)
	if err != nil {
		return err
	}
	w.deps.Log.Info("templates synced", "submitted", res.Submitted, "failed", res.Failed, "statuses", res.Statuses)
	return nil
}

// ErrTemplateNotApproved is a template send refused before it reached
// Meta: the registry does not have it approved in that language.
var ErrTemplateNotApproved = errors.New("worker: template not approved in this language")

// send sends one message, refusing a template the registry does not have
// approved, or to a citizen who sent STOP (a template is always
// proactive: it goes where the citizen has not written for a day). A
// refused template costs nothing and is not retried. The opt-out is read
// at the moment of sending, so that a STOP in the middle of a campaign
// holds for the rest of it.
func (d Deps) send(ctx context.Context, m whatsapp.Outbound) (string, error) {
	if m.Template != nil {
		t, err := d.Store.TemplateByName(ctx, m.Template.Name, m.Template.Language.Code)
		switch {
		case errors.Is(err, store.ErrNotFound) || err == nil && !t.Approved():
			return "", fmt.Errorf("%w: %s (%s)", ErrTemplateNotApproved, m.Template.Name, m.Template.Language.Code)
		case err != nil:
			return "", err
		}
		switch out, err := d.Store.OptedOut(ctx, m.To); {
		case err != nil:
			return "", err
		case out:
			return "", ErrOptedOut
		}
	}
	return d.Sender.Send(ctx, m)
}
