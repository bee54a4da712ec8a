package worker

import (
	"context"
	"strings"
	"testing"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
	"github.com/mitra-gov/mitra/whatsapp"
)

// submitFor files a record for a citizen as the form would.
func (f *fixture) submitFor(from, service, lang string, answers map[string]string) application.Record {
	f.t.Helper()
	s, _ := f.process.deps.Catalog.Service(service)
	var rec application.Record
	err := f.store.InTx(context.Background(), func(tx store.Tx) error {
		var err error
		rec, _, err = tx.SubmitFor(context.Background(), s, from, application.Submission{Service: s.ID, Key: "chat:" + from, Channel: "chat", Lang: lang, Answers: answers})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return rec
}

// STOP in Hindi stops status notices in the window and templates out of
// it (refused before Meta, and not retried); START brings them back.
func TestStopStopsNoticesAndTemplates(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	approveTemplates(t, f.store, f.process.deps.Catalog)
	from := "919000002101"
	f.tap(from, "s1", "lang:hi")
	rec := f.submitFor(from, "income-certificate", "hi", map[string]string{"applicant_name": "सुनीता"})
	expectIn(t, f.say(from, "s2", "बंद करो"), "नहीं भेजा जाएगा")
	if out, err := f.store.OptedOut(ctx, from); err != nil || !out {
		t.Fatalf("opted out %v, %v", out, err)
	}
	notify := &NotifyWorker{deps: f.process.deps}
	move := func(to application.Status) int64 { return f.move(rec.Ref, to) }
	before := len(f.graph.payloads())
	if err := notify.Work(ctx, job(store.NotifyArgs{EventID: move(application.Accepted)})); err != nil {
		t.Fatal(err)
	}
	if got := f.graph.payloads()[before:]; len(got) != 0 {
		t.Errorf("a notice to a citizen who sent STOP: %s", got)
	}
	// Any template, whoever sends it, is refused before Meta.
	tpl, err := f.process.deps.send(ctx, templateTo(t, from))
	if err == nil || !strings.Contains(err.Error(), "stopped") || tpl != "" {
		t.Errorf("template to an opted-out citizen: %q, %v", tpl, err)
	}
	expectIn(t, f.say(from, "s3", "START"), "फिर से भेजे जाएँगे")
	f.graph.mu.Lock()
	f.graph.outsideWindow = true
	f.graph.mu.Unlock()
	before = len(f.graph.payloads())
	if err := notify.Work(ctx, job(store.NotifyArgs{EventID: move(application.Approved)})); err != nil {
		t.Fatal(err)
	}
	expectIn(t, f.graph.payloads()[before:], `"name":"application_update"`)
	var ledger []string
	rows, _ := storetest.Conn(t, f.dbURL).Query(ctx, "SELECT service_id || ':' || agreed::text FROM consents WHERE wa_id = $1 ORDER BY at", from)
	for rows.Next() {
		var l string
		rows.Scan(&l)
		ledger = append(ledger, l)
	}
	if strings.Join(ledger, ",") != "proactive:false,proactive:true" {
		t.Errorf("consent ledger %v", ledger)
	}
}

// A data right is answered while a person holds the conversation, and
// the person keeps it; "delete my data" there closes it.
func TestRightsWhileAPersonHoldsTheConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	from := "919000002102"
	f.tap(from, "h1", "lang:en")
	f.tap(from, "h2", "privacy:yes")
	expectIn(t, f.say(from, "h3", "I want to talk to an officer"), "officer")
	if got := f.say(from, "h4", "my pension stopped"); len(got) != 0 {
		t.Fatalf("the bot spoke in a held conversation: %s", got)
	}
	expectIn(t, f.say(from, "h5", "STOP"), "no more alerts")
	var status string
	db := storetest.Conn(t, f.dbURL)
	db.QueryRow(ctx, "SELECT status FROM handovers WHERE wa_id = $1", from).Scan(&status)
	if status != "waiting" {
		t.Errorf("handover %q after STOP, want still waiting", status)
	}
	expectIn(t, f.say(from, "h6", "delete my data"), "Delete now?")
	expectIn(t, f.tap(from, "h7", "erase:yes"), "are deleted")
	db.QueryRow(ctx, "SELECT status FROM handovers WHERE wa_id = $1", from).Scan(&status)
	if status != "closed" {
		t.Errorf("handover %q after erasure, want closed", status)
	}
	var kept int
	db.QueryRow(ctx, "SELECT count(*) FROM inbound_messages WHERE wa_from = $1 AND message::text LIKE '%pension%'", from).Scan(&kept)
	if kept != 0 {
		t.Errorf("%d messages still hold the citizen's words", kept)
	}
}

// "my data" in Telugu sends a document in Telugu that lists the record
// with its answers and the consent given, and marks the request done.
func TestExportSendsASummaryInTheCitizensLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	from := "919000002103"
	f.tap(from, "e1", "lang:te")
	f.tap(from, "e2", "privacy:yes")
	rec := f.submitFor(from, "income-certificate", "te", map[string]string{"applicant_name": "లక్ష్మి"})
	expectIn(t, f.say(from, "e3", "నా డేటా"), "డాక్యుమెంట్‌గా")
	var id int64
	var lang string
	db := storetest.Conn(t, f.dbURL)
	if err := db.QueryRow(ctx, "SELECT id FROM data_requests WHERE wa_id = $1 AND kind = 'export' AND done_at IS NULL", from).Scan(&id); err != nil {
		t.Fatalf("no export request: %v", err)
	}
	db.QueryRow(ctx, "SELECT args->>'lang' FROM river_job WHERE kind = 'export_citizen_data' AND (args->>'request_id')::bigint = $1", id).Scan(&lang)
	export := &ExportWorker{deps: f.process.deps}
	before := len(f.graph.payloads())
	if err := export.Work(ctx, job(store.ExportArgs{RequestID: id, WAID: from, Lang: lang})); err != nil {
		t.Fatal(err)
	}
	expectIn(t, f.graph.payloads()[before:], `"type":"document"`)
	f.graph.mu.Lock()
	doc := string(f.graph.uploads[len(f.graph.uploads)-1])
	f.graph.mu.Unlock()
	for _, want := range []string{"మా దగ్గర ఉన్న మీ వివరాలు", from, rec.Ref.String(), "లక్ష్మి", "గోప్యతా నోటీసు", "అంగీకరించారు", "ఫిర్యాదుల అధికారి"} {
		if !strings.Contains(doc, want) {
			t.Errorf("summary lacks %q:\n%s", want, doc)
		}
	}
	var done bool
	db.QueryRow(ctx, "SELECT done_at IS NOT NULL FROM data_requests WHERE id = $1", id).Scan(&done)
	if !done || lang != "te" {
		t.Errorf("request done %v, job language %q", done, lang)
	}
}

// templateTo is an approved template (certificate_ready in Hindi) to a
// citizen.
func templateTo(t *testing.T, to string) whatsapp.Outbound {
	t.Helper()
	m, err := whatsapp.TemplateMessage(to, TemplateCertificateReady, catalog.TemplateLang[catalog.Hindi], "आय प्रमाण पत्र")
	if err != nil {
		t.Fatal(err)
	}
	return m
}
