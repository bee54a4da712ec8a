package worker

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

// metaFake is the fake Graph API's template management behind the real
// client, as SyncTemplates meets it in production.
func metaFake(t *testing.T, autoApprove bool) (*whatsapp.FakeGraph, *whatsapp.Client) {
	t.Helper()
	fake := &whatsapp.FakeGraph{Token: "t", AutoApprove: autoApprove}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := whatsapp.NewClient(whatsapp.ClientConfig{BaseURL: srv.URL + "/v24.0", PhoneNumberID: "1", BusinessAccountID: "102290129340398", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

// approveTemplates syncs the registry with a Meta that approves every
// template, for tests whose subject is what the template says.
func approveTemplates(t *testing.T, st *store.Store, cat *catalog.Catalog) {
	t.Helper()
	_, c := metaFake(t, true)
	if _, err := SyncTemplates(context.Background(), st, cat, c); err != nil {
		t.Fatal(err)
	}
}

// The sync submits every template in every language; a pending template
// is refused before it reaches Meta, and Meta's webhooks (approval,
// rejection, re-categorisation) update the registry so that an approved
// one goes.
func TestTemplateSyncWebhooksAndRefusal(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	cat := f.process.deps.Catalog
	meta, c := metaFake(t, false)
	res, err := SyncTemplates(ctx, f.store, cat, c)
	if err != nil {
		t.Fatal(err)
	}
	want := len(cat.Templates) * len(catalog.Langs)
	if res.Seeded != want || res.Submitted != want || res.Statuses["PENDING"] != want {
		t.Fatalf("sync: %+v, want %d submitted and pending", res, want)
	}
	// A second sync submits nothing again.
	if res, err = SyncTemplates(ctx, f.store, cat, c); err != nil || res.Submitted != 0 {
		t.Fatalf("second sync: %+v %v", res, err)
	}

	msg, err := whatsapp.TemplateMessage("919000002010", "officer_reply", "te", "రెవెన్యూ")
	if err != nil {
		t.Fatal(err)
	}
	before := len(f.graph.payloads())
	if _, err := f.process.deps.send(ctx, msg); !errors.Is(err, ErrTemplateNotApproved) {
		t.Fatalf("pending template sent: %v", err)
	}
	if len(f.graph.payloads()) != before {
		t.Fatal("a refused template reached the Graph API")
	}

	apply := func(body []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		ev, err := whatsapp.ParseWebhook(body)
		if err != nil || len(ev.Templates) != 1 {
			t.Fatalf("webhook: %v %+v", err, ev)
		}
		if _, err := f.store.IngestWebhook(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	apply(meta.Review("officer_reply", "te", "APPROVED", "NONE"))
	apply(meta.Review("officer_reply", "hi", "REJECTED", "INVALID_FORMAT"))
	apply(meta.Recategorise("officer_follow_up", "en_US", "MARKETING"))
	if _, err := f.process.deps.send(ctx, msg); err != nil {
		t.Fatalf("approved template refused: %v", err)
	}
	if len(f.graph.payloads()) != before+1 {
		t.Fatal("the approved template did not go")
	}
	hi, _ := f.store.TemplateByName(ctx, "officer_reply", "hi")
	if hi.Status != "REJECTED" || hi.Reason != "INVALID_FORMAT" || hi.MetaID == "" {
		t.Errorf("rejected: %+v", hi)
	}
	en, _ := f.store.TemplateByName(ctx, "officer_follow_up", "en_US")
	if en.MetaCategory != "marketing" || en.Category != "utility" || en.Status != "PENDING" {
		t.Errorf("re-categorised: %+v", en)
	}
	// A listing agrees with the webhooks, and a template unknown to the
	// registry is no template.
	if res, err = SyncTemplates(ctx, f.store, cat, c); err != nil || res.Statuses["APPROVED"] != 1 || res.Statuses["REJECTED"] != 1 {
		t.Fatalf("after webhooks: %+v %v", res, err)
	}
	unknown, _ := whatsapp.TemplateMessage("919000002010", "no_such_template", "te")
	if _, err := f.process.deps.send(ctx, unknown); !errors.Is(err, ErrTemplateNotApproved) {
		t.Fatalf("unknown template: %v", err)
	}
}

// A template whose words changed in the catalogue goes back to draft
// (Meta approved other words), and the next sync edits it at Meta under
// its id rather than creating it again.
func TestEditedTemplateGoesBackToDraft(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	meta, c := metaFake(t, false)
	if _, err := SyncTemplates(ctx, f.store, f.process.deps.Catalog, c); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en_US", "te"} {
		if _, err := meta.Review("officer_reply", lang, "APPROVED", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := SyncTemplates(ctx, f.store, f.process.deps.Catalog, c); err != nil {
		t.Fatal(err)
	}
	tpl, _ := f.store.TemplateByName(ctx, "officer_reply", "en_US")
	if !tpl.Approved() {
		t.Fatalf("not approved: %+v", tpl)
	}
	tpl.Body += " Thank you."
	if err := f.store.SeedTemplates(ctx, []store.Template{tpl}); err != nil {
		t.Fatal(err)
	}
	if tpl, _ = f.store.TemplateByName(ctx, "officer_reply", "en_US"); tpl.Status != store.TemplateDraft {
		t.Errorf("edited template still %s", tpl.Status)
	}
	if te, _ := f.store.TemplateByName(ctx, "officer_reply", "te"); !te.Approved() {
		t.Errorf("the unchanged Telugu one lost its approval: %+v", te)
	}
	// The sync seeds the catalogue's words again, so the test's edit is
	// undone there too: what matters is that a draft Meta holds is edited
	// once, not created twice.
	if err := f.store.SeedTemplates(ctx, []store.Template{tpl}); err != nil {
		t.Fatal(err)
	}
	res, err := editSync(ctx, f.store, tpl, c)
	if err != nil || res.Edited != 1 || res.Submitted != 0 || res.Failed != nil || meta.TemplateEdits() != 1 {
		t.Fatalf("edit sync: %+v %v, %d edits at Meta", res, err, meta.TemplateEdits())
	}
	if tpl, _ = f.store.TemplateByName(ctx, "officer_reply", "en_US"); tpl.Status != "PENDING" {
		t.Errorf("edited template is %s, want PENDING", tpl.Status)
	}
}

// editSync syncs with a catalogue whose officer_reply has the edited
// English body, as a content change would ship it.
func editSync(ctx context.Context, st *store.Store, edited store.Template, tm TemplateManager) (TemplateSync, error) {
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		return TemplateSync{}, err
	}
	tpl, _ := cat.Template("officer_reply")
	tpl.Body.EN = edited.Body
	return SyncTemplates(ctx, st, cat, tm)
}
