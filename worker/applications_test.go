package worker

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
	"github.com/mitra-gov/mitra/whatsapp"
)

func (f *fixture) say(from, id, text string) []string {
	f.t.Helper()
	out, err := f.deliver(whatsapp.Message{ID: id, From: from, Type: "text", Text: text})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) tap(from, id, option string) []string {
	f.t.Helper()
	out, err := f.deliver(whatsapp.Message{ID: id, From: from, Type: "interactive", OptionID: option, Text: option})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) photo(from, id string, data []byte) []string {
	f.t.Helper()
	f.graph.media["media-"+id] = data
	out, err := f.deliver(whatsapp.Message{ID: id, From: from, Type: "image", Media: &whatsapp.Media{ID: "media-" + id, MIMEType: "image/jpeg"}})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func pngPhoto(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A photo answer is checked by its bytes before the transaction: one over
// the cap and one that is not an image are refused with the reason, in
// the citizen's language, and nothing is kept; a real photo is kept once.
func TestPhotoAnswersCheckedByTheirBytes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	from := "919000002001"
	f.tap(from, "m1", "lang:hi")
	f.tap(from, "m2", "apply:power-supply-complaint")
	f.tap(from, "m3", "consent:yes")
	expectIn(t, f.say(from, "m4", "तूफ़ान के बाद से पूरी गली में बिजली नहीं है"), "फ़ोटो")
	expectIn(t, f.photo(from, "m5", bytes.Repeat([]byte{0xff}, MaxFileBytes+1)), "बहुत बड़ी")
	expectIn(t, f.photo(from, "m6", []byte("GIF89a not really a photo")), "JPEG")
	expectIn(t, f.photo(from, "m7", pngPhoto(t)), "एक और फ़ोटो")
	var n int
	var mime string
	storetest.Conn(t, f.dbURL).QueryRow(context.Background(), "SELECT count(*), max(mime) FROM attachments WHERE wa_id = $1", from).Scan(&n, &mime)
	if n != 1 || mime != "image/png" {
		t.Errorf("%d attachments kept (%s), want the one PNG", n, mime)
	}
}

func expectIn(t *testing.T, got []string, want string) {
	t.Helper()
	if !strings.Contains(strings.Join(got, "\n"), want) {
		t.Fatalf("want %q in:\n%s", want, strings.Join(got, "\n"))
	}
}

// move has revenue move a record and returns the event's id.
func (f *fixture) move(ref application.Ref, to application.Status) int64 {
	f.t.Helper()
	ctx := context.Background()
	if _, err := f.store.Move(ctx, store.Change{Ref: ref, To: to, Department: "revenue", By: application.ByDepartment}); err != nil {
		f.t.Fatal(err)
	}
	var id int64
	storetest.Conn(f.t, f.dbURL).QueryRow(ctx, "SELECT max(id) FROM application_events").Scan(&id)
	return id
}

// A status change reaches the citizen in their language; outside the
// 24-hour window it goes as the application_update template with the
// service, the reference and the status as its parameters.
func TestStatusNoticeInsideAndOutsideTheWindow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	approveTemplates(t, f.store, f.process.deps.Catalog)
	from := "919000002002"
	f.tap(from, "m1", "lang:te")
	s, _ := f.process.deps.Catalog.Service("income-certificate")
	var rec application.Record
	err := f.store.InTx(ctx, func(tx store.Tx) error {
		var err error
		rec, _, err = tx.SubmitFor(ctx, s, from, application.Submission{Service: s.ID, Key: "chat:m2", Channel: "chat", Lang: "te", Answers: map[string]string{"applicant_name": "లక్ష్మి"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	notify := &NotifyWorker{deps: f.process.deps}
	move := func(to application.Status) int64 { return f.move(rec.Ref, to) }
	before := len(f.graph.payloads())
	if err := notify.Work(ctx, job(store.NotifyArgs{EventID: move(application.Accepted)})); err != nil {
		t.Fatal(err)
	}
	expectIn(t, f.graph.payloads()[before:], "పరిశీలనలో ఉంది")
	f.graph.mu.Lock()
	f.graph.outsideWindow = true
	f.graph.mu.Unlock()
	before = len(f.graph.payloads())
	event := move(application.Approved)
	if err := notify.Work(ctx, job(store.NotifyArgs{EventID: event})); err != nil {
		t.Fatal(err)
	}
	got := f.graph.payloads()[before:]
	expectIn(t, got, `"name":"application_update"`)
	expectIn(t, got, rec.Ref.String())
	expectIn(t, got, "ఆమోదించబడింది")
	// Told once: the job run again sends nothing.
	before = len(f.graph.payloads())
	if err := notify.Work(ctx, job(store.NotifyArgs{EventID: event})); err != nil || len(f.graph.payloads()) != before {
		t.Errorf("a notice sent twice: %v", err)
	}
}

// An idle draft gets one reminder, and later is deleted with a notice.
func TestIdleDraftRemindedThenExpired(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	from := "919000002003"
	f.tap(from, "m1", "lang:en")
	f.tap(from, "m2", "apply:income-certificate")
	f.tap(from, "m3", "consent:yes")
	f.say(from, "m4", "Lakshmi Devi")
	db := storetest.Conn(t, f.dbURL)
	sweep := &SweepWorker{deps: f.process.deps}
	age := func(d time.Duration) {
		if _, err := db.Exec(ctx, "UPDATE conversations SET draft_touched_at = now() - $2::interval WHERE wa_id = $1", from, d.String()); err != nil {
			t.Fatal(err)
		}
	}
	age(3 * time.Hour)
	for range 2 {
		before := len(f.graph.payloads())
		if err := sweep.Work(ctx, job(store.SweepArgs{})); err != nil {
			t.Fatal(err)
		}
		if n := len(f.graph.payloads()) - before; n > 1 {
			t.Fatalf("%d reminders in one sweep", n)
		}
	}
	expectIn(t, f.graph.payloads(), "is not finished")
	if n := strings.Count(strings.Join(f.graph.payloads(), "\n"), "is not finished"); n != 1 {
		t.Errorf("%d reminders, want 1", n)
	}
	age(24 * time.Hour)
	if err := sweep.Work(ctx, job(store.SweepArgs{})); err != nil {
		t.Fatal(err)
	}
	expectIn(t, f.graph.payloads(), "has expired")
	st, _ := f.store.Conversation(ctx, from)
	if st.Draft != nil {
		t.Error("the expired draft is still there")
	}
}
