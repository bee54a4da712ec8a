package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

func snoozed(err error) bool {
	var s *rivertype.JobSnoozeError
	return errors.As(err, &s)
}

// runCampaign works a campaign's job until it finishes (each run is one
// short slice, as the queue would run it).
func runCampaign(t *testing.T, w *CampaignWorker, id int64, between func(run int)) {
	t.Helper()
	for run := range 200 {
		if between != nil {
			between(run)
		}
		err := w.Work(context.Background(), job(store.CampaignArgs{ID: id}))
		if err == nil {
			return
		}
		if !snoozed(err) {
			t.Fatal(err)
		}
	}
	t.Fatal("the campaign never finished")
}

// A campaign reaches the citizens opted in to its topic in its districts,
// each once, in their language, with the stop button and the callback
// that ties statuses to them; a citizen opted out before is never
// included, and one who sends STOP in the middle is skipped. Statuses
// count delivered and read, failures by code, billable by category.
func TestCampaignFanOutPacingAndStops(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	approveTemplates(t, f.store, f.process.deps.Catalog)
	langs := []string{"te", "hi", "en"}
	districts := []string{"krishna", "guntur", "", "kurnool"} // kurnool is outside the audience
	var audience []string
	for i := range 40 {
		wa := fmt.Sprintf("9190000031%02d", i)
		d := districts[i%len(districts)]
		if err := f.store.Subscribe(ctx, store.Subscription{WAID: wa, Topic: "weather", District: d, Lang: langs[i%3], Channel: store.ChannelWhatsApp}); err != nil {
			t.Fatal(err)
		}
		if d != "kurnool" {
			audience = append(audience, wa)
		}
	}
	// Another topic's subscriber, and a citizen opted out before.
	f.store.Subscribe(ctx, store.Subscription{WAID: "919000003200", Topic: "power", District: "krishna", Lang: "te", Channel: store.ChannelWeb})
	stopNow := func(wa string) {
		t.Helper()
		if err := f.store.InTx(ctx, func(tx store.Tx) error { return tx.SetOptOut(ctx, wa, true, "chat") }); err != nil {
			t.Fatal(err)
		}
	}
	stopNow(audience[0])
	c, err := f.store.CreateCampaign(ctx, store.Campaign{Name: "Cyclone", Template: "weather_warning", Topic: "weather", Districts: []string{"krishna", "guntur"},
		Params:    map[string][]string{"te": {"కృష్ణా", "ఈ రాత్రి భారీ వర్షం"}, "hi": {"कृष्णा", "आज रात भारी बारिश"}, "en": {"Krishna", "heavy rain tonight"}},
		CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	w := &CampaignWorker{deps: f.process.deps}
	w.deps.Campaigns = CampaignConfig{Rate: 25, FanOutBatch: 7, InFlight: 4, Slice: 300 * time.Millisecond}.withDefaults(0)
	start := time.Now()
	runCampaign(t, w, c.ID, func(run int) {
		if run == 1 {
			stopNow(audience[len(audience)-1]) // STOP in the middle
		}
	})
	elapsed := time.Since(start)
	sent := map[string]int{}
	for _, p := range f.graph.payloads() {
		var m struct {
			To       string `json:"to"`
			Callback string `json:"biz_opaque_callback_data"`
			Template struct {
				Language   struct{ Code string } `json:"language"`
				Components []struct {
					Type       string
					Parameters []struct{ Text, Payload string }
				}
			}
		}
		json.Unmarshal([]byte(p), &m)
		sent[m.To]++
		if m.Callback != store.CampaignCallback(c.ID, m.To) || !strings.Contains(p, `"payload":"rights:stop"`) {
			t.Errorf("a campaign message without its callback or stop button: %s", p)
		}
		if m.Template.Language.Code == "te" && !strings.Contains(p, "భారీ వర్షం") || m.Template.Language.Code == "hi" && !strings.Contains(p, "भारी बारिश") {
			t.Errorf("parameters in the wrong language: %s", p)
		}
	}
	want := audience[1 : len(audience)-1]
	for _, wa := range want {
		if sent[wa] != 1 {
			t.Errorf("%s got %d messages, want 1", wa, sent[wa])
		}
	}
	if len(sent) != len(want) || sent[audience[0]] != 0 || sent["919000003200"] != 0 {
		t.Errorf("sent to %d citizens, want %d: %v", len(sent), len(want), sent)
	}
	// At 25 a second the sends cannot take less than their number's
	// worth of intervals.
	if min := time.Duration(len(want)-1) * 40 * time.Millisecond; elapsed < min {
		t.Errorf("%d sends in %s: faster than the paced rate allows (%s)", len(want), elapsed, min)
	}
	// Meta's statuses, matched by their callback.
	var events whatsapp.Events
	i := 0
	for _, out := range f.graph.sentOutbound() {
		status := []string{"delivered", "read", "failed"}[i%3]
		st := whatsapp.Status{MessageID: fmt.Sprintf("wamid.OUT%d", i+1), Status: status, Callback: out.Callback, Billable: true, Category: "utility"}
		if status == "failed" {
			st.Errors = []whatsapp.Error{{Code: 131026}}
		}
		events.Statuses = append(events.Statuses, st)
		i++
	}
	if _, err := f.store.IngestWebhook(ctx, events); err != nil {
		t.Fatal(err)
	}
	counts, err := f.store.Counts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The citizen who stopped in the middle is skipped if the fan-out had
	// reached them, and left out if it had not: never sent to.
	if counts.ByStatus["skipped"] > 1 || counts.ByStatus["read"]+counts.ByStatus["delivered"]+counts.ByStatus["failed"] != int64(len(want)) ||
		counts.FailedBy[131026] != counts.ByStatus["failed"] || counts.Billable["utility"] != int64(len(want)) {
		t.Errorf("counts %+v", counts)
	}
	if c, _ = f.store.Campaign(ctx, c.ID); c.Status != store.CampaignDone {
		t.Errorf("campaign %s, want done", c.Status)
	}
}

// A claimed message whose process died before any result is sent again
// after the grace; one whose status came by callback is not.
func TestCampaignResumesWithoutSendingTwice(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	approveTemplates(t, f.store, f.process.deps.Catalog)
	for i := range 6 {
		f.store.Subscribe(ctx, store.Subscription{WAID: fmt.Sprintf("9190000033%02d", i), Topic: "health", Lang: "en", Channel: store.ChannelWhatsApp})
	}
	c, err := f.store.CreateCampaign(ctx, store.Campaign{Name: "Eye camp", Template: "health_camp", Topic: "health",
		Params: map[string][]string{"en": {"Free eye screening", "12 July", "the PHC, Tenali"}}, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	// A process claims four and dies: two had gone to Meta (one status
	// arrived, one did not), two had not.
	if _, _, err := f.store.FanOut(ctx, c, 100); err != nil {
		t.Fatal(err)
	}
	claimed, _, err := f.store.ClaimRecipients(ctx, c.ID, 4)
	if err != nil || len(claimed) != 4 {
		t.Fatalf("claimed %v %v", claimed, err)
	}
	f.store.IngestWebhook(ctx, whatsapp.Events{Statuses: []whatsapp.Status{{MessageID: "wamid.BEFORE", Status: "sent",
		Callback: store.CampaignCallback(c.ID, claimed[0].WAID)}}})
	// One not yet claimed sends STOP: skipped at the claim.
	if err := f.store.InTx(ctx, func(tx store.Tx) error { return tx.SetOptOut(ctx, "919000003305", true, "chat") }); err != nil {
		t.Fatal(err)
	}
	w := &CampaignWorker{deps: f.process.deps}
	w.deps.Campaigns = CampaignConfig{Rate: 500, Grace: time.Hour, Slice: 200 * time.Millisecond}.withDefaults(0)
	// Within the grace the three unknown claims wait; the two never
	// claimed go.
	if err := w.Work(ctx, job(store.CampaignArgs{ID: c.ID})); !snoozed(err) {
		t.Fatalf("first run: %v", err)
	}
	if n := len(f.graph.payloads()); n != 1 {
		t.Fatalf("%d sent within the grace, want the 1 never claimed and not stopped", n)
	}
	w.deps.Campaigns.Grace = time.Nanosecond
	runCampaign(t, w, c.ID, nil)
	sent := map[string]int{}
	for _, m := range f.graph.sentOutbound() {
		sent[m.To]++
	}
	if len(sent) != 4 || sent[claimed[0].WAID] != 0 || sent["919000003305"] != 0 {
		t.Errorf("after the restart: %v (neither the one whose status came nor the one who stopped may get it)", sent)
	}
	for wa, n := range sent {
		if n != 1 {
			t.Errorf("%s got %d", wa, n)
		}
	}
	if counts, _ := f.store.Counts(ctx, c.ID); counts.ByStatus["skipped"] != 1 || counts.ByStatus["sent"] != 5 {
		t.Errorf("counts %+v", counts)
	}
}
